/**
 * A detached child (its own process group) with piped stdout and stderr, started with the
 * runtime's cheapest spawn: `Bun.spawn` in the Bun binary (≈ 0.3 ms), `node:child_process`
 * elsewhere, loaded on first use (src/bun_native.ts says why). src/nix/process.ts drives either
 * through this one shape.
 * @module
 */
import process from "node:process";
import { bunNative, type BunSubprocess } from "../bun_native.ts";

/** What {@link spawnDetached} starts. */
export interface SpawnSpec {
  bin: string;
  args: string[];
  cwd?: string;
  env: Record<string, string>;
  /** A stdin pipe that is never written (a watchdog's: closed when we finish or die). */
  stdinPipe: boolean;
}

/** Listeners of a {@link Child}; each called as its Node `ChildProcess` counterpart is. */
export interface ChildListeners {
  stdout(chunk: Uint8Array): void;
  stderr(chunk: Uint8Array): void;
  /** The child exited: its code, or the signal that ended it. */
  exit(code: number | null, signal: string | null): void;
  /** The child exited and both output pipes are closed. */
  close(): void;
  /** The child could not be started after all (Node reports some failures late). */
  error(error: Error & { code?: string }): void;
}

/** A started child. */
export interface Child {
  /** Undefined when the start failed (then `error` follows). */
  readonly pid: number | undefined;
  /** Closes the stdin pipe. */
  closeStdin(): void;
  /** Stops reading stdout and stderr (a stray grandchild may hold them open). */
  closeOutput(): void;
}

/**
 * Starts `spec` detached with piped output; `listeners` hear of it from the next tick on. Throws
 * when the child cannot be started at once (Bun: `ENOENT`, `EACCES`, … with a `code`).
 */
export function spawnDetached(spec: SpawnSpec, listeners: ChildListeners): Child {
  return bunNative ? bunChild(spec, listeners) : nodeChild(spec, listeners);
}

function nodeChild(spec: SpawnSpec, on: ChildListeners): Child {
  const { spawn } = process.getBuiltinModule(
    "node:child_process",
  ) as typeof import("node:child_process");
  const child = spawn(spec.bin, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: [spec.stdinPipe ? "pipe" : "ignore", "pipe", "pipe"],
  });
  child.stdin?.on("error", () => {}); // never written; a closed pipe is no error
  child.stdout!.on("data", on.stdout);
  child.stderr!.on("data", on.stderr);
  child.on("exit", on.exit);
  child.on("close", on.close);
  child.on("error", on.error);
  return {
    pid: child.pid,
    closeStdin: () => child.stdin?.destroy(),
    closeOutput: () => {
      child.stdout!.destroy();
      child.stderr!.destroy();
    },
  };
}

function bunChild(spec: SpawnSpec, on: ChildListeners): Child {
  const proc: BunSubprocess = bunNative!.spawn([spec.bin, ...spec.args], {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdin: spec.stdinPipe ? "pipe" : "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const readers = [proc.stdout.getReader(), proc.stderr.getReader()];
  const pump = async (index: 0 | 1) => {
    const deliver = index === 0 ? on.stdout : on.stderr;
    try {
      for (;;) {
        const { done, value } = await readers[index].read();
        if (done) return;
        deliver(value);
      }
    } catch {
      // cancelled by closeOutput, or the pipe failed: either way nothing more comes
    }
  };
  const exited = proc.exited.then(() => on.exit(proc.exitCode, proc.signalCode));
  Promise.all([exited, pump(0), pump(1)]).then(() => on.close());
  return {
    pid: proc.pid,
    closeStdin: () => {
      try {
        proc.stdin?.end();
      } catch {
        // already closed
      }
    },
    closeOutput: () => {
      for (const reader of readers) reader.cancel().catch(() => {});
    },
  };
}
