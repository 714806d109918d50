/**
 * `deno task binary`: builds the single executable `dist/insomnia-pod` from the same source as
 * `deno run src/main.ts`, with Bun from npm (tools/: `cd tools && npm ci`).
 *
 * 1. `deno bundle --code-splitting` src/main.ts into ESM chunks (npm packages come from the Deno
 *    cache; each lazily imported command module becomes a chunk; the resources are embedded
 *    through src/generated/resources.ts).
 * 2. `bun build --compile --minify --bytecode --splitting --compile-jit-policy=30` the entry
 *    chunk (without `--bytecode` when this Bun cannot produce it), written next to the target and
 *    renamed into place. The chunks stay separate inside the binary, so a run loads only the
 *    bytecode it needs, and the high JIT threshold keeps JavaScriptCore from compiling start-up
 *    code it runs once (both measured in bench/findings.md).
 * 3. Smoke test: the binary prints its version, and resolves `builtin:default` from a scratch
 *    directory with a scratch HOME, i.e. from the resources it unpacks into its own cache; with
 *    Nix on PATH also a `.nix` profile, whose evaluation must start early and be adopted.
 *
 * Flags: `--out FILE` (default dist/insomnia-pod), `--no-bytecode`, `--skip-smoke`.
 * Environment: `BUN_BIN` (a Bun binary to use instead of tools/node_modules or PATH).
 * See docs/binary.md.
 * @module
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { VERSION } from "../src/version.ts";
import { renderResourcesModule } from "./gen_resources.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** JIT tier-up threshold scale the binary starts with (`bun build --compile-jit-policy`). */
const JIT_POLICY = 30;

/** Thrown for a build failure; the message is printed as is. */
class BuildError extends Error {}

interface Options {
  out: string;
  bytecode: boolean;
  smoke: boolean;
  /** A Bun `--target` (another platform's binary); undefined builds for this machine. */
  target?: string;
}

/** The platforms Bun can build a binary for (`bun build --compile --target=…`). */
export const BUN_TARGETS = [
  "bun-linux-x64",
  "bun-linux-arm64",
  "bun-linux-x64-musl",
  "bun-linux-arm64-musl",
  "bun-darwin-x64",
  "bun-darwin-arm64",
] as const;

/** The Bun target of the machine this runs on. */
export function hostTarget(): string {
  const os = Deno.build.os === "darwin" ? "darwin" : "linux";
  return `bun-${os}-${Deno.build.arch === "aarch64" ? "arm64" : "x64"}`;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { out: join(ROOT, "dist", "insomnia-pod"), bytecode: true, smoke: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--no-bytecode") opts.bytecode = false;
    else if (arg === "--skip-smoke") opts.smoke = false;
    else if (arg === "--out" && argv[i + 1]) opts.out = resolve(argv[++i]);
    else if (arg.startsWith("--out=")) opts.out = resolve(arg.slice(6));
    else if (arg === "--target" || arg.startsWith("--target=")) {
      const target = arg === "--target" ? argv[++i] : arg.slice(9);
      if (!(BUN_TARGETS as readonly string[]).includes(target ?? "")) {
        throw new BuildError(
          `unknown --target ${JSON.stringify(target ?? "")}; choose one of ${
            BUN_TARGETS.join(", ")
          }`,
        );
      }
      opts.target = target === hostTarget() ? undefined : target;
      if (opts.target) opts.out = join(ROOT, "dist", `insomnia-pod-${target.slice(4)}`);
    } else {
      throw new BuildError(
        `unknown argument ${JSON.stringify(arg)}; usage: deno task binary [--out FILE] ` +
          "[--target BUN_TARGET] [--no-bytecode] [--skip-smoke]",
      );
    }
  }
  return opts;
}

/**
 * The Bun executable: `BUN_BIN`, the one platform package npm installed under
 * tools/node_modules/@oven/ (they are optional dependencies: only this machine's is there), or
 * `bun` on PATH.
 */
export function findBun(env: Record<string, string | undefined> = Deno.env.toObject()): string {
  if (env.BUN_BIN) {
    if (!existsSync(env.BUN_BIN)) throw new BuildError(`BUN_BIN=${env.BUN_BIN} does not exist`);
    return env.BUN_BIN;
  }
  const oven = join(ROOT, "tools", "node_modules", "@oven");
  const pkg = join(oven, "bun-<platform>", "bin", "bun");
  const installed = existsSync(oven)
    ? readdirSync(oven).map((name) => join(oven, name, "bin", "bun")).filter((p) => existsSync(p))
    : [];
  if (installed.length > 0) return installed[0];
  for (const dir of (env.PATH ?? "").split(":").filter(Boolean)) {
    const candidate = join(dir, "bun");
    if (existsSync(candidate)) return candidate;
  }
  throw new BuildError(
    `Bun not found (looked for ${relative(ROOT, pkg)}, BUN_BIN and bun on PATH). ` +
      "Install the pinned toolchain with `cd tools && npm ci`, or set BUN_BIN.",
  );
}

async function run(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; clearEnv?: boolean; quiet?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(cmd, {
    args,
    cwd: options.cwd ?? ROOT,
    env: options.env,
    clearEnv: options.clearEnv,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const result = {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
  if (!options.quiet && result.code !== 0) {
    console.error(result.stdout + result.stderr);
  }
  return result;
}

function step(text: string): void {
  console.error(`binary: ${text}`);
}

function warnIfResourcesStale(): void {
  const generated = join(ROOT, "src", "generated", "resources.ts");
  try {
    const fresh = renderResourcesModule(join(ROOT, "resources"));
    if (readFileSync(generated, "utf8") !== fresh) {
      step(
        "WARNING: src/generated/resources.ts is older than resources/; the binary embeds the " +
          "generated module. Run `deno task gen` first to ship the current resources.",
      );
    }
  } catch (error) {
    step(`WARNING: could not compare resources with the generated module: ${error}`);
  }
}

async function bundle(work: string): Promise<string> {
  const dir = join(work, "bundle");
  step(`deno bundle --code-splitting src/main.ts → ${dir}`);
  const result = await run(Deno.execPath(), [
    "bundle",
    "--quiet",
    "--platform",
    "deno",
    "--format",
    "esm",
    "--code-splitting",
    "--outdir",
    dir,
    join(ROOT, "src", "main.ts"),
  ], { env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } });
  const entry = join(dir, "main.js");
  if (result.code !== 0 || !existsSync(entry)) {
    throw new BuildError(`deno bundle failed (exit ${result.code})`);
  }
  return entry;
}

async function compile(
  bun: string,
  entry: string,
  out: string,
  bytecode: boolean,
  target: string | undefined,
): Promise<boolean> {
  const temp = `${out}.tmp-${Deno.pid}`;
  // A CLI run is short: JavaScriptCore's JIT compiling start-up code on a second thread costs more
  // than it saves, and competes with nix for the CPUs. Measured in bench/findings.md.
  const args = [
    "build",
    "--compile",
    "--minify",
    "--format=esm",
    // Each lazily imported command module stays its own chunk inside the binary, so a run loads
    // the bytecode of the modules it uses, not all of them.
    "--splitting",
    `--compile-jit-policy=${JIT_POLICY}`,
    entry,
    "--outfile",
    temp,
  ];
  if (target) args.splice(3, 0, `--target=${target}`);
  if (bytecode) args.splice(3, 0, "--bytecode");
  step(`${relative(ROOT, bun) || bun} ${args.join(" ")}`);
  const result = await run(bun, args, { cwd: dirname(entry), quiet: bytecode });
  if (result.code !== 0 || !existsSync(temp)) {
    rmSync(temp, { force: true });
    if (
      target &&
      /download|fetch|network|ENOTFOUND|ConnectionRefused|resolve host/i.test(result.stderr)
    ) {
      throw new BuildError(
        `cannot build for ${target}: Bun needs that platform's runtime and could not fetch it ` +
          `(no network access to its download). Build on a ${target.slice(4)} machine with ` +
          "`deno task binary`, or run this where Bun can download it.\n" + result.stderr.trim(),
      );
    }
    if (bytecode) {
      step("bun build --bytecode failed; building without bytecode");
      if (result.stderr.trim()) console.error(result.stderr.trim());
      return false;
    }
    throw new BuildError(`bun build --compile failed (exit ${result.code})`);
  }
  renameSync(temp, out);
  return true;
}

/** Runs the fresh binary from an empty directory with a scratch HOME and no repository in sight. */
async function smoke(bin: string): Promise<void> {
  const version = await run(bin, ["--version"], { cwd: tmpdir(), quiet: true });
  if (version.code !== 0 || version.stdout.trim() !== VERSION) {
    throw new BuildError(
      `smoke test: \`${bin} --version\` printed ${JSON.stringify(version.stdout.trim())} ` +
        `(exit ${version.code}), expected ${VERSION}\n${version.stderr}`,
    );
  }
  const scratch = mkdtempSync(join(tmpdir(), "insomnia-binary-smoke-"));
  try {
    mkdirSync(join(scratch, "home"));
    const result = await run(bin, ["--profile", "builtin:default", "--dry-run", "--json"], {
      cwd: scratch,
      clearEnv: true,
      env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: join(scratch, "home") },
      quiet: true,
    });
    let path = "";
    try {
      path = JSON.parse(result.stdout).profile.source.path;
    } catch {
      // reported below
    }
    if (result.code !== 0 || !path.startsWith(join(scratch, "home"))) {
      throw new BuildError(
        `smoke test: \`insomnia-pod --profile builtin:default --dry-run --json\` from an empty ` +
          `directory failed or did not use the unpacked resources (exit ${result.code}, profile ` +
          `path ${JSON.stringify(path)})\n${result.stdout.slice(0, 2000)}${result.stderr}`,
      );
    }
    if (onPath("nix")) await smokeNix(bin, scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function onPath(name: string): boolean {
  return (Deno.env.get("PATH") ?? "").split(":").some((dir) => dir && existsSync(join(dir, name)));
}

/**
 * A `.nix` profile through the binary: the Nix library unpacked by the first smoke run, the
 * evaluation started early and adopted, and the lazily loaded chunks of the create path.
 */
async function smokeNix(bin: string, scratch: string): Promise<void> {
  const profile = join(scratch, "smoke.nix");
  Deno.writeTextFileSync(
    profile,
    `let insomnia = import <insomnia> { }; in insomnia.mkProfile {
  name = "smoke";
  manifest = {
    model = { ref = "anthropic/claude-sonnet-4-6"; auth = insomnia.secrets.ref "llm.anthropic.default"; };
    scope.allow = [ { target = insomnia.workspace "."; permission = "read"; } ];
  };
}
`,
  );
  // The first .nix run unpacks the Nix library (nothing before it needs the files); from then on
  // the evaluation starts before the CLI has loaded.
  const runNix = () =>
    run(bin, ["--profile", `path:${profile}`, "--dry-run", "--json"], {
      cwd: scratch,
      clearEnv: true,
      env: {
        PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
        HOME: join(scratch, "home"),
        INSOMNIA_POD_TIMINGS: "1",
        // The second run must evaluate (early) again, not hit the evaluation cache.
        INSOMNIA_NO_EVAL_CACHE: "1",
      },
      quiet: true,
    });
  await runNix();
  const result = await runNix();
  let name = "";
  try {
    name = JSON.parse(result.stdout).manifest.pod.name;
  } catch {
    // reported below
  }
  if (result.code !== 0 || name !== "smoke" || !result.stderr.includes("nix eval started early")) {
    throw new BuildError(
      `smoke test: a .nix profile did not resolve through an early-started evaluation (exit ` +
        `${result.code}, pod ${JSON.stringify(name)})\n${result.stdout.slice(0, 2000)}` +
        result.stderr,
    );
  }
}

async function main(argv: string[]): Promise<number> {
  const started = performance.now();
  const opts = parseArgs(argv);
  const bun = findBun();
  warnIfResourcesStale();
  mkdirSync(dirname(opts.out), { recursive: true });
  const work = mkdtempSync(join(tmpdir(), "insomnia-binary-build-"));
  try {
    const entry = await bundle(work);
    let bytecode = opts.bytecode;
    if (!(await compile(bun, entry, opts.out, bytecode, opts.target))) {
      bytecode = false;
      await compile(bun, entry, opts.out, false, opts.target);
    }
    if (opts.smoke && opts.target) step(`no smoke test: a ${opts.target} binary cannot run here`);
    else if (opts.smoke) {
      step("smoke test (version; builtin:default from an empty directory; a .nix profile)");
      await smoke(opts.out);
    }
    const mib = (statSync(opts.out).size / (1024 * 1024)).toFixed(1);
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    step(
      `wrote ${relative(Deno.cwd(), opts.out) || opts.out} (${mib} MiB, ` +
        `${bytecode ? "with" : "without"} bytecode) in ${secs}s`,
    );
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  try {
    Deno.exitCode = await main(Deno.args);
  } catch (error) {
    console.error(`binary: ${error instanceof BuildError ? error.message : error}`);
    Deno.exitCode = 1;
  }
}
