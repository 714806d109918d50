/**
 * Printing results and errors: one JSON document on stdout with `--json`, text otherwise.
 * Everything printed passes through secret redaction first, and every text line through the
 * terminal sanitiser (src/terminal_text.ts): no control sequence from a file reaches the terminal.
 * @module
 */
import { fstatSync, writeSync } from "node:fs";
import process from "node:process";
import { bunNative } from "../bun_native.ts";
import { errnoCode } from "../fs/errno.ts";
import type { InsomniaError } from "../errors.ts";
import { redactCredentialPositions, redactJson, redactText } from "../secrets/redact.ts";
import { clipDisplay, oneLine, terminalSafe } from "../terminal_text.ts";

/** Where output goes: standard output or standard error. */
type Fd = 1 | 2;

const pending = new Set<Promise<void>>();
/** Descriptors that failed (EPIPE: the reader went away, e.g. `| head -1`); nothing more goes there. */
const broken = new Set<Fd>();
/** Descriptors written through their Node stream from now on (see {@link streamOutput}). */
const streamed = new Set<Fd>();
const guarded = new Set<Fd>();
const encoder = new TextEncoder();

function streamOf(fd: Fd): NodeJS.WriteStream {
  const stream = fd === 1 ? process.stdout : process.stderr;
  if (!guarded.has(fd)) {
    guarded.add(fd);
    // Without a listener a failed write (EPIPE) is an uncaught error with a stack trace. The
    // command's own result and exit status stand; its remaining output has nowhere to go.
    stream.on("error", () => broken.add(fd));
  }
  return stream;
}

/**
 * From now on stdout and stderr are written through their Node streams, so that what this module
 * prints stays in order with what another writer (the spinner, a prompt) puts on those streams.
 * Writes are guarded there too: a reader that went away stops the output instead of crashing.
 */
export function streamOutput(): void {
  for (const fd of [1, 2] as const) {
    streamed.add(fd);
    const stream = streamOf(fd);
    // What a full descriptor still owes goes to the stream first, ahead of the other writer's.
    const owed = backlog.get(fd)?.splice(0) ?? [];
    backlog.delete(fd);
    for (const chunk of owed) writeToStream(stream, fd, chunk);
  }
}

/**
 * The most one `writeSync` call is given. Bun returns a partial count and then fails with EAGAIN;
 * Deno's `writeSync` loops over partial writes itself and throws EAGAIN without saying how much
 * it wrote. A pipe takes a write of at most PIPE_BUF (4096) bytes whole or not at all, so outside
 * Bun each call writes at most that much and a refusal loses nothing — on a pipe or a file only:
 * a terminal or a socket may take part of it, so outside Bun those are written through the stream
 * (see {@link writesSync}).
 */
const WRITE_CHUNK = bunNative ? Number.MAX_SAFE_INTEGER : 4096;

/** Per descriptor, once: whether `writeSync` can account for every byte (see WRITE_CHUNK). */
const syncWritable = new Map<Fd, boolean>();

function writesSync(fd: Fd): boolean {
  let sync = syncWritable.get(fd);
  if (sync === undefined) {
    try {
      const st = bunNative ? undefined : fstatSync(fd);
      sync = st === undefined || st.isFIFO() || st.isFile();
    } catch {
      sync = true; // a closed descriptor: the write reports it and the output stops there
    }
    syncWritable.set(fd, sync);
  }
  return sync;
}

/** Bytes a descriptor refused for now (EAGAIN), written in order as it drains. */
const backlog = new Map<Fd, Uint8Array[]>();

// Written synchronously by default: making process.stdout/stderr costs ≈ 1–2 ms in Bun (its
// stream machinery), more than a short command's own work.
function put(fd: Fd, text: string): void {
  if (broken.has(fd)) return;
  const queued = backlog.get(fd);
  if (queued) {
    queued.push(encoder.encode(text));
    return;
  }
  if (streamed.has(fd) || !writesSync(fd)) {
    writeToStream(streamOf(fd), fd, text);
    return;
  }
  const bytes = encoder.encode(text);
  const written = writeSome(fd, bytes);
  if (written >= 0 && written < bytes.length) drain(fd, [bytes.subarray(written)]);
}

/**
 * Writes as much of `bytes` as `fd` takes now: the count, or -1 when it failed for good (EPIPE:
 * the reader went away). A descriptor someone made non-blocking (a parent sharing its pipe) takes
 * what fits and says EAGAIN for the rest.
 */
function writeSome(fd: Fd, bytes: Uint8Array): number {
  let offset = 0;
  try {
    while (offset < bytes.length) {
      offset += writeSync(fd, bytes, offset, Math.min(WRITE_CHUNK, bytes.length - offset));
    }
  } catch (error) {
    const code = errnoCode(error);
    if (code !== "EAGAIN" && code !== "EINTR") {
      broken.add(fd);
      return -1;
    }
  }
  return offset;
}

/** Writes `queue` to `fd` as the reader drains it (retrying after a pause), tracked for exit. */
function drain(fd: Fd, queue: Uint8Array[]): void {
  backlog.set(fd, queue);
  const done = (async () => {
    let pause = 1;
    while (queue.length > 0) {
      await new Promise((resolve) => setTimeout(resolve, pause));
      if (backlog.get(fd) !== queue) return; // handed to the stream meanwhile (streamOutput)
      const written = writeSome(fd, queue[0]);
      if (written < 0) break;
      if (written === queue[0].length) {
        queue.shift();
        pause = 1;
      } else {
        queue[0] = queue[0].subarray(written);
        pause = Math.min(pause * 2, 20);
      }
    }
    backlog.delete(fd);
  })();
  pending.add(done);
  done.then(() => pending.delete(done));
}

// Bun flushes a large piped write after a later empty write's callback, so every write is
// tracked and main() awaits them all before exiting (otherwise output is cut at 64 KiB).
function writeToStream(stream: NodeJS.WriteStream, fd: Fd, data: string | Uint8Array): void {
  const done = new Promise<void>((resolve) => {
    try {
      stream.write(data, (error) => {
        if (error) broken.add(fd);
        resolve();
      });
    } catch {
      broken.add(fd);
      resolve();
    }
  });
  pending.add(done);
  done.then(() => pending.delete(done));
}

/** Resolves once everything written through this module has been flushed. */
export async function flushOutput(): Promise<void> {
  while (pending.size > 0) await Promise.all([...pending]);
}

/** Writes text to stdout (redacted, control characters escaped). */
export function writeOut(text: string): void {
  if (text === "") return;
  put(1, terminalSafe(redactText(text.endsWith("\n") ? text : text + "\n")));
}

/** Writes text to stdout as is (commander's help and version; nothing secret, no newline added). */
export function writeOutRaw(text: string): void {
  if (text !== "") put(1, text);
}

/** Writes text to stderr as is (the timing report; nothing secret, no newline added). */
export function writeErrRaw(text: string): void {
  if (text !== "") put(2, text);
}

/** Writes text to stderr (redacted, control characters escaped). */
export function writeErr(text: string): void {
  if (text === "") return;
  put(2, terminalSafe(redactText(text.endsWith("\n") ? text : text + "\n")));
}

/**
 * Prints a value as pretty JSON on stdout, redacted structurally before serialising: a manifest's
 * credential positions keep only references, and every string is scanned for secret formats.
 */
export function writeJson(value: unknown): void {
  const guarded = value !== null && typeof value === "object" && "manifest" in value
    ? { ...value, manifest: redactCredentialPositions((value as { manifest: unknown }).manifest) }
    : value;
  put(1, JSON.stringify(redactJson(guarded), null, 2) + "\n");
}

/**
 * Prints an error: `error[<code>]: <message>` on stderr (one paragraph: a newline in a path or a
 * Nix message is shown escaped), or `{"error":{…}}` on stdout with --json.
 */
export function printError(error: InsomniaError, json: boolean): void {
  if (json) {
    writeJson({ error: { code: error.code, message: error.message, ...error.details } });
  } else {
    writeErr(`error[${error.code}]: ${oneLine(error.message)}`);
  }
}

/**
 * `lines` fitted to a terminal of `columns` columns (by display width, "…" where cut); unchanged
 * when the output is not a terminal (`columns` undefined), so pipes and files get every character.
 *
 * @example
 * ```ts ignore
 * fitLines(rows, ctx.columns).join("\n");
 * ```
 */
export function fitLines(lines: readonly string[], columns: number | undefined): string[] {
  if (!columns || columns < 20) return [...lines];
  return lines.map((line) => clipDisplay(line, columns - 1));
}
