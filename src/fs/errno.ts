/**
 * Errno helpers shared by the Pod store, the secret store and the commands that write files:
 * errno mapping to `store_io`, process liveness, and the sweep of temp entries left behind by
 * crashed writers.
 * @module
 */
import process from "node:process";
import { lstatSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { InsomniaError } from "../errors.ts";
import { TEMP_PREFIX } from "./atomic.ts";
import { readBoundedBytes } from "../fs/read_bounded.ts";

/** Temp entries this old are garbage even when their pid looks alive (pid reuse). */
const TEMP_STALE_MS = 60_000;

/** The `code` of a Node-style system error (`ENOENT`, `EEXIST`, …), if any. */
export function errnoCode(error: unknown): string | undefined {
  if (error && typeof error === "object" && "code" in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/** Turns a system error into a `store_io` error naming the path and the failed action. */
export function storeIoError(error: unknown, action: string, path: string): InsomniaError {
  if (error instanceof InsomniaError) return error;
  const code = errnoCode(error);
  const reason = error instanceof Error ? error.message : String(error);
  return new InsomniaError(
    "store_io",
    `could not ${action} ${path}: ${reason}. Check that the store directory is writable by this ` +
      `user and that the disk is not full, then retry (or choose another store with --store).`,
    { file: path, errno: code },
  );
}

/** Runs `fn`, converting any system error into `store_io` for `path`. */
export function io<T>(action: string, path: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw storeIoError(error, action, path);
  }
}

/**
 * Reads a UTF-8 file (bounded, regular files only: src/fs/read_bounded.ts), or returns undefined
 * when it does not exist; other errors → `store_io`. Invalid UTF-8 is decoded with replacement
 * characters so the record's own checks (JSON, hashes) report it as `snapshot_invalid`.
 */
export function readTextIfExists(path: string): string | undefined {
  try {
    return LENIENT_UTF8.decode(readBoundedBytes(path, { code: "store_io", what: "store file" }));
  } catch (error) {
    if (error instanceof InsomniaError && error.details.reason === "missing") return undefined;
    throw error;
  }
}

const LENIENT_UTF8 = new TextDecoder();

/** True when `path` exists (following symlinks); other errors → `store_io`. */
export function pathExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (error) {
    const code = errnoCode(error);
    if (code === "ENOENT" || code === "ENOTDIR") return false;
    throw storeIoError(error, "inspect", path);
  }
}

/**
 * Refuses a store directory that is a symbolic link (or not a directory): following it would let
 * a sweep delete, or a write land, outside the store. A missing directory is fine.
 */
export function assertStoreDir(dir: string): void {
  let stat;
  try {
    stat = lstatSync(dir);
  } catch (error) {
    const code = errnoCode(error);
    if (code === "ENOENT" || code === "ENOTDIR") return;
    throw storeIoError(error, "inspect", dir);
  }
  if (stat.isDirectory()) return;
  throw new InsomniaError(
    "store_io",
    `the store directory ${dir} is ${
      stat.isSymbolicLink() ? "a symbolic link" : "not a directory"
    }; insomnia-pod never follows links inside a store (a sweep or a write would reach outside ` +
      `it). Replace it with a real directory (or remove it), then retry; nothing was changed.`,
    { file: dir },
  );
}

/**
 * Entry names of the store directory `dir`, or `[]` when it does not exist; a symlinked directory
 * ({@link assertStoreDir}) and other errors → `store_io`.
 */
export function listDir(dir: string): string[] {
  assertStoreDir(dir);
  try {
    return readdirSync(dir);
  } catch (error) {
    const code = errnoCode(error);
    if (code === "ENOENT" || code === "ENOTDIR") return [];
    throw storeIoError(error, "list", dir);
  }
}

/** True when a process with this pid exists (EPERM counts as alive). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === "EPERM";
  }
}

/** A random lower-case hex string of `bytes` bytes. */
export function randomHex(bytes = 6): string {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  return Array.from(buf, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Name for a temp entry owned by this process: `.tmp-<what>.<pid>.<hex>`. */
export function tempName(what: string): string {
  return `${TEMP_PREFIX}${what}.${process.pid}.${randomHex()}`;
}

/**
 * True when the temp entry `name` in `dir` was left by a process that is gone (the pid embedded by
 * {@link tempName} and by `writeFileAtomic` is dead) or is older than {@link TEMP_STALE_MS}.
 */
function isStaleTemp(dir: string, name: string): boolean {
  const match = /\.(\d+)\.[0-9a-f]+$/.exec(name);
  if (match && Number(match[1]) !== process.pid && !pidAlive(Number(match[1]))) return true;
  try {
    return Date.now() - statSync(join(dir, name)).mtimeMs > TEMP_STALE_MS;
  } catch {
    return false;
  }
}

/**
 * Removes stale temp entries (see {@link isStaleTemp}) directly inside `dir`. Best effort: errors
 * are ignored, except a symlinked `dir` ({@link assertStoreDir}). `beforeRemove` is called first for each one (to clean up what it points to).
 * Call only while holding the store lock.
 */
export function sweepTemps(dir: string, beforeRemove?: (path: string) => void): void {
  assertStoreDir(dir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(TEMP_PREFIX) || !isStaleTemp(dir, name)) continue;
    const path = join(dir, name);
    try {
      beforeRemove?.(path);
    } catch {
      // best effort
    }
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      // best effort: a later sweep retries
    }
  }
}
