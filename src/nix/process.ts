/**
 * Runs a child in its own process group and kills the whole group on timeout, abort or runaway
 * output. Nix ignores SIGTERM and SIGINT for about a minute while evaluating, and piped output
 * keeps the parent waiting for grandchildren, so only SIGKILL to the group stops it reliably.
 * @module
 */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import process from "node:process";
import type { Env } from "../env.ts";
import { runtimePermissionError } from "../errors.ts";
import { type Child, spawnDetached } from "./child.ts";
import { type EvalGuard, guardedCommand, guardEnv } from "./guard.ts";

/** How a {@link runProcessGroup} run ended. */
export type RunOutcome = "exited" | "timeout" | "aborted" | "overflow";

/** Options for {@link runProcessGroup}. */
export interface RunOptions {
  /** Complete environment of the child. */
  env: Env;
  cwd?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** The group is killed as soon as stdout grows past this many bytes. */
  maxStdoutBytes: number;
  /** Only the first this-many bytes of stderr are kept. */
  maxStderrBytes: number;
  /**
   * Limits the child enforces on itself even if this process dies (src/nix/guard.ts): a
   * deadline, an address-space limit, and death with this process.
   */
  guard?: EvalGuard;
}

/** Result of {@link runProcessGroup}; stdout is empty unless the outcome is `exited`. */
export interface RunResult {
  outcome: RunOutcome;
  code: number | null;
  signal: string | null;
  stdout: Uint8Array;
  stderr: Uint8Array;
  stderrTruncated: boolean;
  durationMs: number;
  /** When the child was started (epoch ms): a file modified later may not be what it read. */
  startedAtMs: number;
}

/** A spawn failure (`ENOENT`, `EACCES`, …) before the child ever ran. */
export class SpawnError extends Error {
  /** The Node error code, e.g. `ENOENT`. */
  readonly code: string | undefined;

  /** Wraps the error reported by `spawn`. */
  constructor(code: string | undefined, message: string) {
    super(message);
    this.name = "SpawnError";
    this.code = code;
  }
}

/** Grace period for stdio to close after the child exited (a stray grandchild may hold a pipe). */
const CLOSE_GRACE_MS = 2000;

const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** Sends SIGKILL to every process group started by {@link runProcessGroup} still running. */
function killLiveGroups(): void {
  for (const pid of liveGroups) killGroup(pid);
}

const FATAL_SIGNALS = ["SIGTERM", "SIGHUP"] as const;
let fatalHandlersInstalled = false;

// While a group runs, SIGTERM or SIGHUP would end this process by default and leave the detached
// group running with nobody to enforce its timeout. So the groups die first, then this process
// dies of the signal as it would have. Only while a group is live: elsewhere (a lock wait, a
// prompt) the default action stays immediate.
function onFatalSignal(signal: NodeJS.Signals): void {
  killLiveGroups();
  removeFatalHandlers();
  process.kill(process.pid, signal);
}

function installFatalHandlers(): void {
  if (fatalHandlersInstalled) return;
  fatalHandlersInstalled = true;
  for (const signal of FATAL_SIGNALS) process.on(signal, onFatalSignal);
}

function removeFatalHandlers(): void {
  if (!fatalHandlersInstalled) return;
  fatalHandlersInstalled = false;
  for (const signal of FATAL_SIGNALS) process.off(signal, onFatalSignal);
}

/** Kills every process group still running when this process exits (e.g. `process.exit()`). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", killLiveGroups);
  // Deno does not run exit hooks after an uncaught exception or rejection; this still sees it.
  process.on("uncaughtExceptionMonitor", killLiveGroups);
}

/** Sends SIGKILL to the process group led by `pid`; a group that is already gone is fine. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // ESRCH: the group has already exited.
  }
}

/**
 * Resolves `bin` to an executable path: names with a slash are taken as paths (relative to
 * `cwd`), bare names are looked up on `env.PATH`. Returns undefined when nothing executable is found.
 */
export function findExecutable(bin: string, env: Env, cwd?: string): string | undefined {
  if (bin === "") return undefined;
  const candidates = bin.includes("/")
    ? [isAbsolute(bin) ? bin : resolve(cwd ?? process.cwd(), bin)]
    : (env.PATH ?? "").split(delimiter).filter((dir) => dir !== "").map((dir) => join(dir, bin));
  for (const candidate of candidates) {
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch (error) {
      const denied = runtimePermissionError(error);
      if (denied) throw denied;
      continue;
    }
  }
  return undefined;
}

/**
 * Runs `bin args` detached (own process group) with piped stdout/stderr. Settles only after the
 * child has exited; on timeout, abort or stdout overflow the whole group gets SIGKILL first.
 * Rejects with {@link SpawnError} when the child cannot be started.
 */
export function runProcessGroup(bin: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const env: Record<string, string> = {};
  const childEnv = opts.guard ? { ...opts.env, ...guardEnv(opts.guard) } : opts.env;
  for (const [key, value] of Object.entries(childEnv)) if (value !== undefined) env[key] = value;
  const command = opts.guard ? guardedCommand(bin, args, opts.guard) : { bin, args };
  const started = performance.now();
  const startedAtMs = Date.now();
  // Listening before the spawn leaves no moment in which a signal could orphan the child.
  installFatalHandlers();
  return new Promise((resolvePromise, reject) => {
    let outcome: RunOutcome = "exited";
    let settled = false;
    let exitCode: number | null = null;
    let exitSignal: string | null = null;
    let stdoutChunks: Uint8Array[] = [];
    let stdoutBytes = 0;
    const stderrChunks: Uint8Array[] = [];
    let stderrBytes = 0;
    let stderrTruncated = false;
    const timers: { limit?: ReturnType<typeof setTimeout>; grace?: ReturnType<typeof setTimeout> } =
      {};
    let child: Child | undefined;

    const stop = (why: RunOutcome) => {
      if (outcome !== "exited") return;
      outcome = why;
      if (why === "overflow") stdoutChunks = [];
      if (child?.pid !== undefined) killGroup(child.pid);
    };
    const onAbort = () => stop("aborted");
    const cleanup = () => {
      child?.closeStdin();
      clearTimeout(timers.limit);
      clearTimeout(timers.grace);
      opts.signal?.removeEventListener("abort", onAbort);
      if (child?.pid !== undefined) liveGroups.delete(child.pid);
      if (liveGroups.size === 0) removeFatalHandlers();
    };
    const finish = () => {
      if (settled) return;
      settled = true;
      cleanup();
      const stdout = outcome === "exited" ? concat(stdoutChunks, stdoutBytes) : new Uint8Array();
      resolvePromise({
        outcome,
        code: exitCode,
        signal: exitSignal,
        stdout,
        stderr: concat(stderrChunks, Math.min(stderrBytes, opts.maxStderrBytes)),
        stderrTruncated,
        durationMs: Math.round(performance.now() - started),
        startedAtMs,
      });
    };

    try {
      // With a guard, stdin is the watchdog's pipe: never written, closed when we finish or die.
      child = spawnDetached(
        { ...command, cwd: opts.cwd, env, stdinPipe: opts.guard !== undefined },
        {
          stdout: (chunk) => {
            if (outcome !== "exited") return;
            stdoutBytes += chunk.length;
            if (stdoutBytes > opts.maxStdoutBytes) stop("overflow");
            else stdoutChunks.push(chunk);
          },
          stderr: (chunk) => {
            const room = opts.maxStderrBytes - stderrBytes;
            if (room <= 0) {
              stderrTruncated = true;
              return;
            }
            if (chunk.length > room) stderrTruncated = true;
            stderrChunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
            stderrBytes += Math.min(chunk.length, room);
          },
          exit: (code, signal) => {
            exitCode = code;
            exitSignal = signal;
            timers.grace = setTimeout(() => {
              if (child?.pid !== undefined) killGroup(child.pid);
              child?.closeOutput();
              finish();
            }, CLOSE_GRACE_MS);
          },
          close: () => {
            if (child?.pid !== undefined) finish(); // a failed start is settled by `error`
          },
          error: (error) => {
            if (settled || child?.pid !== undefined) return;
            settled = true;
            cleanup();
            reject(new SpawnError(error.code, error.message));
          },
        },
      );
    } catch (error) {
      if (liveGroups.size === 0) removeFatalHandlers();
      const denied = runtimePermissionError(error);
      if (denied) return reject(denied);
      const code = (error as { code?: string }).code;
      reject(new SpawnError(code, error instanceof Error ? error.message : String(error)));
      return;
    }
    if (child.pid === undefined) return;
    liveGroups.add(child.pid);
    installExitHook();

    timers.limit = setTimeout(() => stop("timeout"), opts.timeoutMs);
    if (opts.signal) {
      if (opts.signal.aborted) stop("aborted");
      else opts.signal.addEventListener("abort", onAbort, { once: true });
    }
  });
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
