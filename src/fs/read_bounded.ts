/**
 * The one way the CLI reads a file: regular files only, a size cap, strict UTF-8 for text, and a
 * coded {@link InsomniaError} for every failure. A FIFO or a device (`/dev/zero`, a named pipe
 * planted as `profile.json`) is refused before it is read, and the file is opened with
 * `O_NONBLOCK`, so a FIFO swapped in after the check cannot hang the process either.
 * @module
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from "node:fs";
import { type ErrorCode, type ErrorDetails, InsomniaError } from "../errors.ts";

/** Largest file the CLI reads: 16 MiB, the same cap as a Nix evaluation's output. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** Why a read failed (`details.reason` of the error). */
export type ReadFailure =
  | "missing"
  | "not_regular"
  | "too_large"
  | "not_utf8"
  | "unreadable"
  | "invalid_path";

/** How a read names its file and which error it raises. */
export interface BoundedReadOptions {
  /** Code of every failure (e.g. `artifact_invalid`, `manifest_parse`, `registry_invalid`). */
  code: ErrorCode;
  /** What the file is, for messages: "profile artifact", "the user profile registry". */
  what?: string;
  /** One sentence on what to do, appended to the message. */
  hint?: string;
  /** Builds the whole message instead (`problem` reads "does not exist", "is a directory, …"). */
  message?: (path: string, problem: string) => string;
  /** Size cap in bytes (default {@link MAX_FILE_BYTES}). */
  maxBytes?: number;
  /** Code for a file that does not exist (default {@link code}). */
  missingCode?: ErrorCode;
  /** Extra details for the error (the file and the reason are always set). */
  details?: ErrorDetails;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });
const CHUNK = 64 * 1024;

/** What kind of file system entry `stat` describes, as a phrase ("a FIFO (named pipe)"). */
function describeFileType(stat: Stats): string {
  if (stat.isFile()) return "a regular file";
  if (stat.isDirectory()) return "a directory";
  if (stat.isFIFO()) return "a FIFO (named pipe)";
  if (stat.isCharacterDevice()) return "a character device";
  if (stat.isBlockDevice()) return "a block device";
  if (stat.isSocket()) return "a socket";
  return "not a regular file";
}

function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function fail(
  path: string,
  options: BoundedReadOptions,
  reason: ReadFailure,
  problem: string,
  extra: ErrorDetails = {},
): InsomniaError {
  const code = reason === "missing" ? options.missingCode ?? options.code : options.code;
  const hint = options.hint ? ` ${options.hint}` : "";
  const message = options.message?.(path, problem) ??
    `${options.what ?? "file"} ${path} ${problem}.${hint}`;
  return new InsomniaError(code, message, {
    ...options.details,
    ...extra,
    file: path,
    reason,
  });
}

function systemFailure(path: string, options: BoundedReadOptions, error: unknown): InsomniaError {
  const errno = errnoOf(error);
  if (errno === "ENOENT" || errno === "ENOTDIR") {
    return fail(path, options, "missing", "does not exist", { errno });
  }
  if (errno === "EISDIR") {
    return fail(path, options, "not_regular", "is a directory, not a regular file", { errno });
  }
  const why = errno === "EACCES" || errno === "EPERM"
    ? "permission denied"
    : errno === "ELOOP"
    ? "too many levels of symbolic links"
    : errno ?? (error instanceof Error ? error.message : String(error));
  return fail(path, options, "unreadable", `cannot be read (${why})`, { errno });
}

/**
 * The status of the entry at `path` (following symlinks), or undefined when there is none. Other
 * failures (permission denied on a parent, a NUL byte in the path) raise `options.code`.
 */
export function statIfExists(path: string, options: BoundedReadOptions): Stats | undefined {
  if (path.includes("\0")) throw fail(path, options, "invalid_path", "contains a NUL byte");
  try {
    return statSync(path);
  } catch (error) {
    const errno = errnoOf(error);
    if (errno === "ENOENT" || errno === "ENOTDIR") return undefined;
    throw systemFailure(path, options, error);
  }
}

/** Throws the coded error unless `path` is an existing regular file (symlinks followed). */
export function requireRegularFile(path: string, options: BoundedReadOptions): Stats {
  const stat = statIfExists(path, options);
  if (stat === undefined) throw fail(path, options, "missing", "does not exist");
  if (!stat.isFile()) {
    throw fail(
      path,
      options,
      "not_regular",
      `is ${describeFileType(stat)}, not a regular file; insomnia-pod reads only regular files`,
    );
  }
  return stat;
}

function tooLarge(path: string, options: BoundedReadOptions, max: number): InsomniaError {
  return fail(
    path,
    options,
    "too_large",
    `is larger than ${formatSize(max)}, the limit for files insomnia-pod reads`,
    { maxBytes: max },
  );
}

/** The bytes of the regular file at `path`, at most `maxBytes`; coded errors otherwise. */
export function readBoundedBytes(path: string, options: BoundedReadOptions): Uint8Array {
  const max = options.maxBytes ?? MAX_FILE_BYTES;
  const stat = requireRegularFile(path, options);
  if (stat.size > max) throw tooLarge(path, options, max);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    throw systemFailure(path, options, error);
  }
  try {
    // The entry may have been swapped between the check and the open: check what was opened.
    const opened = fstatSync(fd);
    if (!opened.isFile()) {
      throw fail(
        path,
        options,
        "not_regular",
        `is ${describeFileType(opened)}, not a regular file`,
      );
    }
    return readAll(fd, path, options, max);
  } finally {
    closeSync(fd);
  }
}

function readAll(fd: number, path: string, options: BoundedReadOptions, max: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    // Files such as /proc/* report size 0: read until EOF, one byte past the cap at most.
    const chunk = new Uint8Array(Math.min(CHUNK, max + 1 - total));
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (error) {
      throw systemFailure(path, options, error);
    }
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > max) throw tooLarge(path, options, max);
  }
  return concatBytes(chunks);
}

/** The chunks joined into one array. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, chunk) => n + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Decodes bytes as strict UTF-8 (a leading BOM is dropped); undefined when they are not UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The text of the regular file at `path`: bounded, strict UTF-8, coded errors. */
export function readBoundedText(path: string, options: BoundedReadOptions): string {
  const text = decodeUtf8(readBoundedBytes(path, options));
  if (text === undefined) {
    throw fail(path, options, "not_utf8", "is not valid UTF-8 text; re-save it as UTF-8");
  }
  return text;
}

/** Like {@link readBoundedText}, but undefined when nothing exists at `path`. */
export function readBoundedTextIfExists(
  path: string,
  options: BoundedReadOptions,
): string | undefined {
  try {
    return readBoundedText(path, options);
  } catch (error) {
    if (error instanceof InsomniaError && error.details.reason === "missing") return undefined;
    throw error;
  }
}

/** `16 MiB`, `64 KiB` or `123 bytes`. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
