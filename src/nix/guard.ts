/**
 * Limits a nix evaluation enforces on itself, outside this process: a tiny `/bin/sh` wrapper
 * execs nix under an address-space limit and with two watchers in its process group. One waits
 * for end-of-file on a pipe only this process writes to (the kernel closes it when we die, even by
 * SIGKILL), the other for the deadline; either kills the whole group. So a runaway profile can
 * never outlive its deadline or the CLI that started it, and cannot allocate without end.
 * @module
 */
import { type Env, envValue } from "../env.ts";
import { InsomniaError } from "../errors.ts";

/** Default address-space limit of one evaluation: 2 GiB (a realistic profile needs ~25 MiB). */
export const DEFAULT_EVAL_MEMORY_BYTES = 2 * 1024 * 1024 * 1024;

/** What the wrapper enforces: wall-clock deadline and address space (0 = no memory limit). */
export interface EvalGuard {
  /** Seconds after which the group is killed even if nobody else does it. */
  deadlineSeconds: number;
  /** Address-space limit in bytes; 0 disables it. */
  memoryBytes: number;
}

// $1 deadline (s), $2 memory (KiB, 0 = none), then the command. The stdin watcher is the shell's
// own `read` (it needs nothing on PATH); `sleep` is looked up on PATH and the standard places, and
// where there is none only our own timer bounds the run. The watchers' output goes to /dev/null so
// they never hold our pipes open; `kill -9 0` ends the whole group (nix included). At the end the
// watchers get TERM, which the wrapper itself ignores from then on.
const WRAPPER = [
  "d=$1 m=$2; shift 2; exec 3<&0 </dev/null",
  'if [ "$m" -gt 0 ]; then ulimit -v "$m" 2>/dev/null || :; fi',
  "{ while read -r _ <&3; do :; done; kill -9 0; } >/dev/null 2>&1 &",
  '{ PATH="$PATH:/usr/bin:/bin" sleep "$d" && kill -9 0; } >/dev/null 2>&1 &',
  '"$@" 3<&- & c=$!',
  "wait $c; s=$?",
  "trap '' TERM; kill -TERM 0 2>/dev/null; exit $s",
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
export function evalMemoryBytes(env: Env): number {
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
 * The guard of an evaluation limited to `timeoutMs`: the wrapper's own deadline trails ours by
 * two seconds (ours reports the timeout; the wrapper's only matters when we are gone), and the
 * memory limit comes from `INSOMNIA_EVAL_MEMORY` (default 2 GiB).
 */
export function evalGuard(timeoutMs: number, env: Env): EvalGuard {
  return { deadlineSeconds: timeoutMs / 1000 + 2, memoryBytes: evalMemoryBytes(env) };
}
