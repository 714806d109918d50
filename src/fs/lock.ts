/**
 * A synchronous, cross-process lock file.
 *
 * The lock is a file created with exclusive create (`wx`) holding
 * `{"pid":…,"token":…,"acquired_at":…}`. Waiters retry with short jittered sleeps (`Atomics.wait`).
 * A lock is stale when its pid is dead, when it has stayed empty for {@link LOCK_EMPTY_STALE_MS}
 * (its creator died between create and write), or when it is older than
 * {@link LOCK_STALE_MS}. Breaking a stale lock happens under a second, short-lived lock
 * (`<lock>.break`) and re-checks the lock after taking it, so two waiters can never both break
 * it and each think they own a fresh one.
 * @module
 */
import process from "node:process";
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { InsomniaError } from "../errors.ts";
import { errnoCode, pidAlive, randomHex, storeIoError } from "./errno.ts";

/** A lock older than this is stale even if its pid is alive. */
const LOCK_STALE_MS = 30_000;
/** A lock file that is still empty after this long is stale (its creator died mid-create). */
const LOCK_EMPTY_STALE_MS = 2_000;
/** Default time to wait for a lock before giving up with `store_io`. */
const LOCK_TIMEOUT_MS = 20_000;
/** A `<lock>.break` file older than this is stale. */
const BREAKER_STALE_MS = 5_000;

/** Options for {@link acquireLock}. */
export interface LockOptions {
  /** Give up after this many ms (default {@link LOCK_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** Age after which a held lock counts as stale (default {@link LOCK_STALE_MS}). */
  staleMs?: number;
  /**
   * Called after this process removed a stale lock: its holder died inside the critical section
   * and may have left temp entries (the store then sweeps them on its next create).
   */
  onStaleBroken?: () => void;
}

/** A held lock. */
export interface LockHandle {
  /** Path of the lock file. */
  readonly path: string;
  /** Random token written into the lock file; release only removes a file with this token. */
  readonly token: string;
  /** Releases the lock (idempotent; never removes a lock someone else now holds). */
  release(): void;
}

interface LockInfo {
  ino: number;
  mtimeMs: number;
  size: number;
  pid?: number;
  token?: string;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the current thread for `ms` milliseconds. */
function sleepSync(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, Math.max(0, ms));
}

/** A lock file holds one short JSON line; more than this is not a lock file of ours. */
const LOCK_MAX_BYTES = 4096;

/**
 * Reads a lock file's identity and content, or undefined when it does not exist. Opened without
 * blocking and without following a link: a FIFO, device or link planted as the lock is `store_io`
 * at once instead of a hang while the store is locked.
 */
function inspectLock(path: string): LockInfo | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (error) {
    const code = errnoCode(error);
    if (code === "ENOENT") return undefined;
    if (code === "ELOOP") throw notALockFile(path, "a symbolic link");
    throw storeIoError(error, "read lock file", path);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw notALockFile(path, st.isFIFO() ? "a FIFO" : "not a regular file");
    const buffer = new Uint8Array(Math.min(st.size, LOCK_MAX_BYTES));
    const text = new TextDecoder().decode(
      buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)),
    );
    const info: LockInfo = { ino: st.ino, mtimeMs: st.mtimeMs, size: st.size };
    try {
      const parsed = JSON.parse(text) as { pid?: unknown; token?: unknown };
      if (typeof parsed.pid === "number") info.pid = parsed.pid;
      if (typeof parsed.token === "string") info.token = parsed.token;
    } catch {
      const pid = Number.parseInt(text, 10);
      if (Number.isInteger(pid)) info.pid = pid;
    }
    return info;
  } finally {
    closeSync(fd);
  }
}

function notALockFile(path: string, kind: string): InsomniaError {
  return new InsomniaError(
    "store_io",
    `the store lock ${path} is ${kind}, not a lock file insomnia-pod wrote. Remove it (no ` +
      `insomnia-pod command creates one like it), then retry; nothing was changed.`,
    { file: path },
  );
}

function isStale(info: LockInfo, staleMs: number): boolean {
  const age = Date.now() - info.mtimeMs;
  if (age > staleMs) return true;
  if (info.pid === undefined) return age > LOCK_EMPTY_STALE_MS;
  return !pidAlive(info.pid);
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if (errnoCode(error) !== "ENOENT") throw storeIoError(error, "remove lock file", path);
  }
}

/** Creates `path` exclusively with `content`; false when it already exists. */
function tryCreate(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o600);
  } catch (error) {
    if (errnoCode(error) === "EEXIST") return false;
    throw storeIoError(error, "create lock file", path);
  }
  try {
    const bytes = new TextEncoder().encode(content);
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
  } catch (error) {
    closeSync(fd);
    unlinkQuiet(path);
    throw storeIoError(error, "write lock file", path);
  }
  closeSync(fd);
  return true;
}

/** Removes the stale lock `seen` at `path`, unless someone else replaced or is breaking it. */
function breakStale(
  path: string,
  seen: LockInfo,
  staleMs: number,
  onBroken?: () => void,
): void {
  const breaker = `${path}.break`;
  const content = JSON.stringify({ pid: process.pid, token: randomHex(8) });
  if (!tryCreate(breaker, content)) {
    const other = inspectLock(breaker);
    if (other && isStale(other, BREAKER_STALE_MS)) unlinkQuiet(breaker);
    return;
  }
  try {
    const now = inspectLock(path);
    if (now && now.ino === seen.ino && now.token === seen.token && isStale(now, staleMs)) {
      unlinkQuiet(path);
      try {
        onBroken?.();
      } catch {
        // best effort: a missed sweep leaves hidden temp entries, nothing visible
      }
    }
  } finally {
    unlinkQuiet(breaker);
  }
}

/**
 * Acquires the lock file at `path` (its directory must exist), waiting with short sleeps and
 * breaking stale locks. Throws `store_io` after `timeoutMs`.
 */
export function acquireLock(path: string, options: LockOptions = {}): LockHandle {
  const timeoutMs = options.timeoutMs ?? LOCK_TIMEOUT_MS;
  const staleMs = options.staleMs ?? LOCK_STALE_MS;
  const token = randomHex(12);
  const content = JSON.stringify({
    pid: process.pid,
    token,
    acquired_at: new Date().toISOString(),
  }) + "\n";
  const deadline = Date.now() + timeoutMs;
  let delay = 1;
  for (;;) {
    if (tryCreate(path, content)) {
      let released = false;
      return {
        path,
        token,
        release() {
          if (released) return;
          released = true;
          const info = inspectLock(path);
          if (info && info.token === token) unlinkQuiet(path);
        },
      };
    }
    const info = inspectLock(path);
    if (info && isStale(info, staleMs)) {
      breakStale(path, info, staleMs, options.onStaleBroken);
      continue;
    }
    if (Date.now() >= deadline) throw lockTimeout(path, timeoutMs, info);
    sleepSync(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 20);
  }
}

function lockTimeout(path: string, timeoutMs: number, info: LockInfo | undefined): InsomniaError {
  const holder = info?.pid === undefined ? "another process" : `process ${info.pid}`;
  return new InsomniaError(
    "store_io",
    `timed out after ${timeoutMs} ms waiting for the store lock ${path}, held by ${holder}. ` +
      `Retry when the other insomnia-pod command has finished; if none is running, delete ` +
      `the lock file.`,
    { file: path, pid: info?.pid },
  );
}

/**
 * Waits, without blocking the event loop, until the lock file at `path` is free or stale, so that
 * a following {@link acquireLock} rarely has to wait. Ctrl-C stays responsive: when `signal`
 * aborts the wait ends with `cancelled`. Throws `store_io` after `timeoutMs`, as acquiring would.
 */
export async function waitForLockFree(
  path: string,
  options: LockOptions & { signal?: AbortSignal } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? LOCK_TIMEOUT_MS;
  const staleMs = options.staleMs ?? LOCK_STALE_MS;
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5;; delay = Math.min(delay * 2, 50)) {
    if (options.signal?.aborted) {
      throw new InsomniaError(
        "cancelled",
        `cancelled while waiting for the store lock ${path}; nothing was written.`,
        { file: path },
      );
    }
    const info = inspectLock(path);
    if (info === undefined || isStale(info, staleMs)) return;
    if (Date.now() >= deadline) throw lockTimeout(path, timeoutMs, info);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, delay + Math.random() * delay);
      options.signal?.addEventListener("abort", done, { once: true });
      function done() {
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", done);
        resolve();
      }
    });
  }
}

/** Runs `fn` while holding the lock file at `path`, releasing it afterwards. */
export function withLock<T>(path: string, fn: () => T, options: LockOptions = {}): T {
  const lock = acquireLock(path, options);
  try {
    return fn();
  } finally {
    lock.release();
  }
}
