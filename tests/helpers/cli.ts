/**
 * Test harness: runs the real CLI as a subprocess and builds throwaway sandboxes.
 *
 * `INSOMNIA_POD_BIN` selects the command under test (default: `deno run -A src/main.ts` from the
 * repository), so the same end-to-end suite runs against the source and the compiled binary.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { storedSnapshotProblems } from "./contract.ts";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, fromFileUrl, join } from "./path.ts";

/** Absolute path of the repository root. */
export const REPO_ROOT = join(dirname(fromFileUrl(import.meta.url)), "..", "..");
/** Absolute path of `tests/fixtures`. */
export const FIXTURES = join(REPO_ROOT, "tests", "fixtures");

/** The command (argv prefix) that runs insomnia-pod. */
export function podCommand(): string[] {
  const bin = Deno.env.get("INSOMNIA_POD_BIN");
  if (bin) return [bin];
  return [Deno.execPath(), "run", "-A", "--quiet", join(REPO_ROOT, "src", "main.ts")];
}

/** Result of one CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for {@link runCli}. */
export interface RunOptions {
  /** Working directory (default: a sandbox is required, so pass one). */
  cwd?: string;
  /** Environment: replaces the inherited one entirely when `cleanEnv` is set, else is merged. */
  env?: Record<string, string>;
  /** Start from a minimal environment (PATH, HOME from `env`) instead of the inherited one. */
  cleanEnv?: boolean;
  /** Text written to stdin (stdin is closed afterwards). */
  stdin?: string;
  /** Kill after this many ms (default 60 s). */
  timeoutMs?: number;
}

/** Deno's module cache, kept where it is whatever HOME a test gives the child (`deno run`). */
export function denoDir(): string {
  return Deno.env.get("DENO_DIR") ?? join(Deno.env.get("HOME") ?? "/root", ".cache", "deno");
}

/**
 * `env` plus what a program that starts insomnia-pod itself (a shell, python3) must pass on to
 * it: this PATH and {@link denoDir}.
 */
export function launcherEnv(env: Record<string, string>): Record<string, string> {
  return { ...env, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", DENO_DIR: denoDir() };
}

/** Runs insomnia-pod with `args` and collects its exit status and output. */
export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  const [cmd, ...prefix] = podCommand();
  const base: Record<string, string> = options.cleanEnv
    ? { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" }
    : { ...Deno.env.toObject() };
  delete base.RUST_BACKTRACE;
  const env = {
    ...base,
    DENO_DIR: denoDir(),
    NO_COLOR: "1",
    DENO_NO_UPDATE_CHECK: "1",
    ...(options.env ?? {}),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...prefix, ...args], {
      cwd: options.cwd,
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
    child.stdin.end(options.stdin ?? "");
  });
}

/** Parses stdout of a `--json` run. */
export function parseJson(result: CliResult): Record<string, unknown> {
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new Error(
      `stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`,
    );
  }
}

/** A throwaway directory tree with HOME, config, data and workspace folders. */
export interface Sandbox {
  root: string;
  home: string;
  config: string;
  data: string;
  store: string;
  workspace: string;
  /** Environment pointing insomnia-pod at this sandbox only. */
  env: Record<string, string>;
  /**
   * Whether `cleanup()` checks every stored snapshot against the runtime contract (default true;
   * off for tests that plant invalid records on purpose).
   */
  checkSnapshots: boolean;
  cleanup(): void;
}

/** Creates a sandbox; `cleanup()` removes it. */
export function makeSandbox(prefix = "insomnia-test-"): Sandbox {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const home = join(root, "home");
  const config = join(root, "config");
  const data = join(root, "data");
  const workspace = join(root, "workspace");
  // Explicit modes: a test elsewhere in this process may have the umask at 000 for a moment, and
  // project discovery rightly refuses a world-writable directory.
  for (const dir of [home, config, data, workspace]) {
    Deno.mkdirSync(dir, { recursive: true });
    Deno.chmodSync(dir, 0o755);
  }
  const env = {
    HOME: home,
    INSOMNIA_CONFIG_DIR: config,
    INSOMNIA_DATA_DIR: data,
    INSOMNIA_CACHE_DIR: join(root, "cache"),
    XDG_CONFIG_HOME: join(home, ".config"),
    TMPDIR: join(root, "tmp"),
  };
  Deno.mkdirSync(env.TMPDIR, { recursive: true });
  const sandbox: Sandbox = {
    root,
    home,
    config,
    data,
    store: join(data, "sessions"),
    workspace,
    env,
    checkSnapshots: true,
    cleanup: () => {
      // Every snapshot the run stored must load in the runtime, strictly (tests/contract_test.ts).
      const problems = sandbox.checkSnapshots ? storedSnapshotProblems(join(data, "sessions")) : [];
      rmSync(root, { recursive: true, force: true });
      if (problems.length) {
        throw new Error(`stored snapshots break the runtime contract:\n${problems.join("\n")}`);
      }
    },
  };
  return sandbox;
}

/**
 * Every file under `dir` (recursive) mapped to its size, mode and content hash. Paths in `exclude`
 * (e.g. the resource cache a compiled binary fills on first run) are skipped.
 */
export function treeSnapshot(dir: string, exclude: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const name of entries.sort()) {
      const p = join(d, name);
      if (exclude.includes(p)) continue;
      const st = statSync(p);
      if (st.isDirectory()) {
        out[p + "/"] = "dir";
        walk(p);
      } else {
        // Size, mode and a hash of every byte: "unchanged" means byte-for-byte.
        const hash = createHash("sha256").update(readFileSync(p)).digest("hex");
        out[p] = `${st.size}:${(st.mode & 0o7777).toString(8)}:${hash}`;
      }
    }
  };
  walk(dir);
  return out;
}

/** Writes a file, creating parent directories. */
export function writeFile(path: string, content: string): string {
  Deno.mkdirSync(dirname(path), { recursive: true });
  Deno.writeTextFileSync(path, content);
  return path;
}

/** Runs `fn` in a fresh sandbox and always removes it afterwards. */
export async function withSandbox<T>(
  fn: (sb: Sandbox) => Promise<T>,
  prefix?: string,
): Promise<T> {
  const sb = makeSandbox(prefix);
  try {
    return await fn(sb);
  } finally {
    sb.cleanup();
  }
}

/** Spawns insomnia-pod (piped stdout/stderr) for tests that signal it or feed its stdin. */
export function spawnCli(
  args: string[],
  options: { cwd: string; env: Record<string, string>; stdin?: boolean },
): Deno.ChildProcess {
  const [cmd, ...prefix] = podCommand();
  return new Deno.Command(cmd, {
    args: [...prefix, ...args],
    cwd: options.cwd,
    env: { ...options.env, DENO_DIR: denoDir() },
    stdin: options.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** True while a live (not zombie) `nix` process mentions `file` in its arguments. */
export function nixRunning(file: string): boolean {
  const ps = new Deno.Command("ps", { args: ["-eo", "stat=,comm=,args="] }).outputSync();
  return new TextDecoder().decode(ps.stdout).split("\n").some((line) => {
    const [stat, comm, ...args] = line.trim().split(/\s+/);
    return stat !== undefined && !stat.startsWith("Z") && comm === "nix" &&
      args.join(" ").includes(file);
  });
}

/** Absolute path of the real `nix` on PATH. */
export function realNix(): string {
  const out = new Deno.Command("sh", { args: ["-c", "command -v nix"] }).outputSync();
  return new TextDecoder().decode(out.stdout).trim();
}

/**
 * Writes an executable stand-in for nix at `path` that appends `eval` to `log` for every
 * evaluation, then runs the real nix: counts how many evaluations a run started.
 */
export function countingNix(path: string, log: string): string {
  writeFile(
    path,
    `#!/bin/sh\ncase "$*" in *eval*) echo eval >> '${log}';; esac\nexec ${realNix()} "$@"\n`,
  );
  Deno.chmodSync(path, 0o755);
  return path;
}

/**
 * Trusts the project holding `dir` through the real CLI (`insomnia-pod trust DIR`), as a user
 * who reviewed its `.insomnia/` would; the trust is recorded in the sandbox's data directory.
 */
export async function trustProject(sb: Sandbox, dir: string = sb.workspace): Promise<void> {
  const result = await runCli(["trust", dir], { cwd: dir, env: sb.env });
  if (result.code !== 0) throw new Error(`trust ${dir} failed: ${result.stderr}`);
}
