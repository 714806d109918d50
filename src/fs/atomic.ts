/**
 * Crash-safe file writes: write a temp file beside the target, fsync it, rename it over the target,
 * then fsync the directory. A reader sees the old content or the new, never a half-written file.
 * @module
 */
import process from "node:process";
import {
  closeSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  type Stats,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { InsomniaError } from "../errors.ts";

/** Twelve random hex digits: the part of a temporary name no other process picks too. */
export function tempSuffix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Prefix of in-flight temp files; listings must skip names that start with it. */
export const TEMP_PREFIX = ".tmp-";

/** Creates `dir` (and parents) with mode 0700 when missing. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** What a path is, in the words an error message uses; undefined for a regular file. */
export function nonRegularKind(stat: Stats): string | undefined {
  if (stat.isFile()) return undefined;
  if (stat.isSymbolicLink()) return "a symbolic link";
  if (stat.isDirectory()) return "a directory";
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isSocket()) return "a socket";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  return "not a regular file";
}

/**
 * Refuses a target the atomic rename must not replace: anything but a missing path or a regular
 * file. A rename over `/dev/null` would replace the device for every process on the machine; over
 * a symbolic link it would replace the link, not write where it points.
 */
export function assertReplaceable(path: string): void {
  let stat: Stats;
  try {
    stat = lstatSync(path);
  } catch {
    return; // missing (or unreadable: the write itself reports that)
  }
  const kind = nonRegularKind(stat);
  if (kind === undefined) return;
  throw new InsomniaError(
    "store_io",
    `refusing to write ${path}: it is ${kind}, and insomnia-pod only replaces regular files (it ` +
      `never writes through a symbolic link or over a device, FIFO or socket). Write to another ` +
      `path, or replace ${path} with a regular file; nothing was written.`,
    { file: path },
  );
}

/**
 * Atomically replaces `path` with `data` (mode 0600 by default), creating the parent directory.
 * The target must be missing or a regular file ({@link assertReplaceable}). `sync: false` skips
 * the fsyncs, for a cache whose loss after a crash costs nothing.
 */
export function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  mode = 0o600,
  options: { sync?: boolean } = {},
): void {
  const sync = options.sync ?? true;
  assertReplaceable(path);
  const dir = dirname(path);
  ensurePrivateDir(dir);
  const temp = join(
    dir,
    `${TEMP_PREFIX}${basename(path)}.${process.pid}.${tempSuffix()}`,
  );
  const fd = openSync(temp, "wx", mode);
  try {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    if (sync) fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  if (sync) fsyncDir(dir);
}

/** fsyncs a directory so a rename inside it survives a crash. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
