/**
 * An evaluation started before the pipeline asks for it. `nix eval` takes about as long as the
 * CLI's own start-up (loading its modules, parsing flags, building schemas), so the CLI starts it
 * first (src/cli/early_eval.ts) and the two overlap. The evaluator adopts the running process only
 * when it would have started exactly the same one: same binary, arguments, working directory,
 * environment and limits. Anything else kills it unread, so a prestart can change how long a run
 * takes but never what it computes; a process nobody adopts is killed before exit.
 * @module
 */
import process from "node:process";
import type { Env } from "../env.ts";
import type { EvalGuard } from "./guard.ts";
import { runProcessGroup, type RunResult } from "./process.ts";

/** Everything that determines what a `nix` run computes and how it is bounded. */
export interface NixRunSpec {
  /** Resolved path of the nix binary. */
  bin: string;
  args: string[];
  cwd: string;
  /** The child's complete environment. */
  env: Env;
  timeoutMs: number;
  maxStdoutBytes: number;
  maxStderrBytes: number;
  /** The limits nix enforces on itself (src/nix/guard.ts). */
  guard?: EvalGuard;
}

interface Prestarted {
  key: string;
  result: Promise<RunResult>;
  controller: AbortController;
}

let pending: Prestarted | undefined;

function specKey(spec: NixRunSpec): string {
  const env = Object.entries(spec.env).filter(([, value]) => value !== undefined).sort((a, b) =>
    a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0
  );
  return JSON.stringify([
    spec.bin,
    spec.args,
    spec.cwd,
    env,
    spec.timeoutMs,
    spec.maxStdoutBytes,
    spec.maxStderrBytes,
    spec.guard ?? null,
  ]);
}

let caught: NodeJS.Signals | undefined;
let handling = false;

// Until the CLI installs its own handler, Ctrl-C would end this process without running exit
// hooks and leave nix running in its own process group. So the run is killed and the interruption
// kept for the CLI, which then cancels as it would have (takePrestartSignal). SIGTERM and SIGHUP
// are handled by runProcessGroup for every live group.
function onSignal(signal: NodeJS.Signals): void {
  pending?.controller.abort();
  if (process.listenerCount(signal) > 1) return; // the CLI listens now and decides
  caught ??= signal;
}

function installSignalHandlers(): void {
  if (handling) return;
  handling = true;
  process.on("SIGINT", onSignal);
}

function removeSignalHandlers(): void {
  if (!handling) return;
  handling = false;
  process.off("SIGINT", onSignal);
}

/**
 * Starts `spec` now, in its own process group, for a later {@link adoptPrestartedNix}. Replaces
 * (and kills) an earlier prestart. A spawn failure is kept for the adopter to report.
 */
export function prestartNix(spec: NixRunSpec): void {
  discardPrestartedNix();
  // Listen before spawning: a signal between the two would otherwise end this process by default
  // and orphan the child.
  installSignalHandlers();
  const controller = new AbortController();
  const result = runProcessGroup(spec.bin, spec.args, {
    env: spec.env,
    cwd: spec.cwd,
    timeoutMs: spec.timeoutMs,
    signal: controller.signal,
    maxStdoutBytes: spec.maxStdoutBytes,
    maxStderrBytes: spec.maxStderrBytes,
    guard: spec.guard,
  });
  result.catch(() => {}); // a spawn failure nobody adopts is not an unhandled rejection
  pending = { key: specKey(spec), result, controller };
}

/**
 * The prestarted run of exactly `spec`, now owned by the caller (`signal` cancels it), or
 * undefined when there is none; a prestart of anything else is killed.
 */
export function adoptPrestartedNix(
  spec: NixRunSpec,
  signal?: AbortSignal,
): Promise<RunResult> | undefined {
  const run = pending;
  if (!run) return undefined;
  if (run.key !== specKey(spec)) {
    discardPrestartedNix();
    return undefined;
  }
  pending = undefined;
  removeSignalHandlers();
  if (signal?.aborted) run.controller.abort();
  else signal?.addEventListener("abort", () => run.controller.abort(), { once: true });
  return run.result;
}

/** Kills a prestarted run nobody adopted and stops listening for signals (idempotent). */
export function discardPrestartedNix(): void {
  removeSignalHandlers();
  const run = pending;
  if (!run) return;
  pending = undefined;
  run.controller.abort();
}

/**
 * Whether Ctrl-C (SIGINT) arrived while a prestarted run waited for its adopter; reported once.
 * The CLI treats it as an interruption of its own.
 */
export function takePrestartSignal(): NodeJS.Signals | undefined {
  const signal = caught;
  caught = undefined;
  return signal;
}

/** True while a prestarted run waits to be adopted (for tests and timings). */
export function hasPrestartedNix(): boolean {
  return pending !== undefined;
}
