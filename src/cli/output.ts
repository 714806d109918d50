/**
 * Printing results and errors: one JSON document on stdout with `--json`, text otherwise.
 * Everything printed passes through secret redaction first, and every text line through the
 * terminal sanitiser (src/terminal_text.ts): no control sequence from a file reaches the terminal.
 * @module
 */
import process from "node:process";
import type { InsomniaError } from "../errors.ts";
import { redactCredentialPositions, redactJson, redactText } from "../secrets/redact.ts";
import { clipDisplay, oneLine, terminalSafe } from "../terminal_text.ts";

const pending = new Set<Promise<void>>();
/** Streams that failed (EPIPE: the reader went away, e.g. `| head -1`); nothing more goes there. */
const broken = new Set<NodeJS.WriteStream>();
const guarded = new Set<NodeJS.WriteStream>();

function guard(stream: NodeJS.WriteStream): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  // Without a listener a failed write (EPIPE) is an uncaught error with a stack trace. The
  // command's own result and exit status stand; its remaining output has nowhere to go.
  stream.on("error", () => broken.add(stream));
}

/**
 * Makes writes to stdout and stderr safe when the reader has gone away (`insomnia-pod schema |
 * head -1`): the failure stops further output to that stream instead of crashing. Idempotent.
 */
export function guardOutput(): void {
  guard(process.stdout);
  guard(process.stderr);
}

// Bun flushes a large piped write after a later empty write's callback, so every write is
// tracked and main() awaits them all before exiting (otherwise output is cut at 64 KiB).
function put(stream: NodeJS.WriteStream, text: string): void {
  guard(stream);
  if (broken.has(stream)) return;
  const done = new Promise<void>((resolve) => {
    try {
      stream.write(text, (error) => {
        if (error) broken.add(stream);
        resolve();
      });
    } catch {
      broken.add(stream);
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
  put(process.stdout, terminalSafe(redactText(text.endsWith("\n") ? text : text + "\n")));
}

/** Writes text to stdout as is (commander's help and version; nothing secret, no newline added). */
export function writeOutRaw(text: string): void {
  if (text !== "") put(process.stdout, text);
}

/** Writes text to stderr (redacted, control characters escaped). */
export function writeErr(text: string): void {
  if (text === "") return;
  put(process.stderr, terminalSafe(redactText(text.endsWith("\n") ? text : text + "\n")));
}

/**
 * Prints a value as pretty JSON on stdout, redacted structurally before serialising: a manifest's
 * credential positions keep only references, and every string is scanned for secret formats.
 */
export function writeJson(value: unknown): void {
  const guarded = value !== null && typeof value === "object" && "manifest" in value
    ? { ...value, manifest: redactCredentialPositions((value as { manifest: unknown }).manifest) }
    : value;
  put(process.stdout, JSON.stringify(redactJson(guarded), null, 2) + "\n");
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
