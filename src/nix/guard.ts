/**
 * Limits a nix evaluation enforces on itself, outside this process: a tiny `/bin/sh` wrapper runs
 * nix under kernel limits on address space and CPU time (the deadline, for an evaluation is
 * CPU-bound), with a watcher in its process group that waits for end-of-file on a pipe only this
 * process writes to — the kernel closes it when we die, even by SIGKILL — and then kills the
 * whole group. So a runaway profile can never outlive its deadline or the CLI that started it, and
 * cannot allocate without end.
 * @module
 */
import { type Env, envValue } from "../env.ts";
import { InsomniaError } from "../errors.ts";

/** Default address-space limit of one evaluation: 2 GiB (a realistic profile needs ~25 MiB). */
const DEFAULT_EVAL_MEMORY_BYTES = 2 * 1024 * 1024 * 1024;

/** What the wrapper enforces: a CPU-time deadline and address space (0 = no memory limit). */
export interface EvalGuard {
  /** CPU seconds after which the kernel stops nix even if nobody else does it. */
  deadlineSeconds: number;
  /** Address-space limit in bytes; 0 disables it. */
  memoryBytes: number;
}

// $1 deadline (CPU seconds), $2 memory (KiB, 0 = none), then the command, which the shell
// becomes (exec: no extra process). The watcher is the shell's own `read` (it needs nothing on
// PATH) in a background subshell of the same group; its output goes to /dev/null so it never
// holds our pipes open; `kill -9 0` ends the whole group (nix included). Only a pipe can tell us
// we died: without one (a caller's own stdin, a file) the watcher stays out.
const WRAPPER = [
  "d=$1 m=$2; shift 2; exec 3<&0",
  'if [ "$m" -gt 0 ]; then ulimit -v "$m" 2>/dev/null || :; fi',
  'ulimit -t "$d" 2>/dev/null || :',
  // (Node and Deno give a pipe, Bun a socket.)
  "if [ -p /dev/fd/3 ] || [ -S /dev/fd/3 ]; then",
  "  { while read -r _; do :; done; kill -9 0; } <&3 >/dev/null 2>&1 &",
  "fi",
  'exec "$@" 3<&- </dev/null',
].join("\n");

/** The `/bin/sh` argument list that runs `bin args` under `guard`. */
export function guardedCommand(
  bin: string,
  args: string[],
  guard: EvalGuard,
): { bin: string; args: string[] } {
  return {
    bin: "/bin/sh",
    args: [
      "-c",
      WRAPPER,
      "insomnia-eval-guard",
      String(Math.max(1, Math.ceil(guard.deadlineSeconds))),
      String(Math.floor(guard.memoryBytes / 1024)),
      bin,
      ...args,
    ],
  };
}

/** The environment additions that make Nix's garbage collector respect the same limit. */
export function guardEnv(guard: EvalGuard): Env {
  if (guard.memoryBytes <= 0) return {};
  // Boehm GC then fails with "out of memory" before the kernel refuses a mapping mid-write.
  return { GC_MAXIMUM_HEAP_SIZE: String(Math.floor(guard.memoryBytes * 0.75)) };
}

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i;
const UNITS: Record<string, number> = { "": 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/**
 * The memory limit asked for by `INSOMNIA_EVAL_MEMORY` (`512M`, `2G`, bytes; `0`/`unlimited`
 * disables it), else the default. A malformed value is a usage error.
 */
function evalMemoryBytes(env: Env): number {
  const text = envValue(env, "INSOMNIA_EVAL_MEMORY");
  if (text === undefined || text.trim() === "") return DEFAULT_EVAL_MEMORY_BYTES;
  const value = text.trim().toLowerCase();
  if (value === "0" || value === "unlimited" || value === "none") return 0;
  const match = SIZE.exec(value);
  const bytes = match ? Number(match[1]) * UNITS[match[2]] : NaN;
  if (!Number.isFinite(bytes) || bytes < 64 * 2 ** 20) {
    throw new InsomniaError(
      "usage",
      `INSOMNIA_EVAL_MEMORY=${
        JSON.stringify(text)
      } is not a memory size of at least 64M: give a size such as 512M or 2G, or 0 (unlimited).`,
    );
  }
  return Math.floor(bytes);
}

/** True when nix's stderr says the evaluation ran out of the memory it was allowed. */
export function outOfMemory(stderr: string): boolean {
  return /error: out of memory|GC Warning: Out of Memory|std::bad_alloc/.test(stderr);
}

/**
 * The guard of an evaluation limited to `timeoutMs`: the kernel's CPU-time limit trails our
 * deadline by two seconds (ours reports the timeout; the kernel's only matters when we cannot), and the
 * memory limit comes from `INSOMNIA_EVAL_MEMORY` (default 2 GiB).
 */
export function evalGuard(timeoutMs: number, env: Env): EvalGuard {
  return { deadlineSeconds: timeoutMs / 1000 + 2, memoryBytes: evalMemoryBytes(env) };
}
