/**
 * End-to-end: `insomnia-pod completions bash|zsh|fish`. The scripts must name every command and
 * flag of the commander program (no drift), and complete commands, flags, option values and the
 * profile / Pod names the CLI discovers at completion time. bash is driven directly (COMP_LINE);
 * zsh through stubs of its completion builtins; fish through `complete -C`. zsh and fish tests
 * are skipped when the shell is not installed.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { insomniaCompletionModel } from "../../src/cli/completions/model.ts";
import {
  makeSandbox,
  parseJson,
  podCommand,
  runCli,
  type Sandbox,
  writeFile,
} from "../helpers/cli.ts";

function which(name: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}
const BASH = which("bash");
const ZSH = which("zsh");
const FISH = which("fish");

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A sandbox with a user profile, a recorded Pod and `insomnia-pod` on PATH (the command under test). */
interface CompletionSandbox extends Sandbox {
  binDir: string;
  scripts: Record<string, string>;
  shellEnv: Record<string, string>;
}

async function setup(): Promise<CompletionSandbox> {
  const sb = makeSandbox("insomnia-completions-");
  const binDir = join(sb.root, "bin");
  const [cmd, ...prefix] = podCommand();
  const denoDir = Deno.env.get("DENO_DIR") ??
    (Deno.env.get("HOME") ? join(Deno.env.get("HOME")!, ".cache", "deno") : undefined);
  writeFile(
    join(binDir, "insomnia-pod"),
    `#!/bin/sh\n${denoDir ? `DENO_DIR=${shq(denoDir)} ` : ""}exec ${
      [cmd, ...prefix].map(shq).join(" ")
    } "$@"\n`,
  );
  Deno.chmodSync(join(binDir, "insomnia-pod"), 0o755);
  writeFile(join(sb.config, "profiles", "mine.nix"), "{ }\n");
  writeFile(
    join(sb.config, "manifest.toml"),
    '[profiles.profile]\nmine = { path = "profiles/mine.nix", description = "my profile" }\n',
  );
  const created = await runCli(["--profile", "builtin:default", "--profile-pod-name", "demo"], {
    cwd: sb.workspace,
    env: sb.env,
  });
  assert.equal(created.code, 0, created.stdout + created.stderr);
  const scripts: Record<string, string> = {};
  for (const shell of ["bash", "zsh", "fish"]) {
    const result = await runCli(["completions", shell], { cwd: sb.workspace, env: sb.env });
    assert.equal(result.code, 0, result.stderr);
    scripts[shell] = writeFile(join(sb.root, `completion.${shell}`), result.stdout);
  }
  const shellEnv = {
    ...Deno.env.toObject(),
    ...sb.env,
    NO_COLOR: "1",
    PATH: `${binDir}${delimiter}${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
  };
  delete (shellEnv as Record<string, string | undefined>).RUST_BACKTRACE;
  return { ...sb, binDir, scripts, shellEnv };
}

async function withSetup(fn: (sb: CompletionSandbox) => Promise<void>): Promise<void> {
  const sb = await setup();
  try {
    await fn(sb);
  } finally {
    sb.cleanup();
  }
}

async function sh(cmd: string, args: string[], sb: CompletionSandbox): Promise<string> {
  const out = await new Deno.Command(cmd, {
    args,
    cwd: sb.workspace,
    env: sb.shellEnv,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  assert.equal(stderr, "", `no errors from the completion script: ${stderr}`);
  return new TextDecoder().decode(out.stdout);
}

const BASH_HARNESS = `source "$1"
COMP_WORDBREAKS=$' \\t\\n"\\'><=;|&(:'
COMP_LINE=$2
COMP_POINT=\${#2}
_insomnia_pod
printf '%s\\n' "\${COMPREPLY[@]}"
`;

const ZSH_HARNESS = `compdef() { :; }
compadd() {
  local arr
  while (( $# )); do case $1 in (-a) arr=$2; shift 2;; (--) shift; break;; (*) shift;; esac; done
  if [[ -n $arr ]]; then print -rl -- "\${(@P)arr}"; else print -rl -- "$@"; fi
}
_describe() { local -a items; items=("\${(@P)4}"); print -rl -- "\${items[@]%%:*}"; }
_files() { print -r -- "<files$*>"; }
compset() { [[ $1 == -P ]] && PREFIX=\${PREFIX#\${~2}}; }
source "$1"
line=$2
words=(\${(z)line})
[[ $line == *' ' ]] && words+=('')
CURRENT=\${#words}
PREFIX=$words[CURRENT]
_insomnia_pod
`;

/** Candidates bash offers for the command line `line` (cursor at the end). */
async function bashComplete(sb: CompletionSandbox, line: string): Promise<string[]> {
  const harness = writeFile(join(sb.root, "harness.bash"), BASH_HARNESS);
  const out = await sh(BASH!, ["--norc", "--noprofile", harness, sb.scripts.bash, line], sb);
  return out.split("\n").filter((l) => l !== "");
}

/** Candidates the zsh function adds (unfiltered by the prefix, as compadd would filter them). */
async function zshComplete(sb: CompletionSandbox, line: string): Promise<string[]> {
  const harness = writeFile(join(sb.root, "harness.zsh"), ZSH_HARNESS);
  const out = await sh(ZSH!, ["-f", harness, sb.scripts.zsh, line], sb);
  return out.split("\n").filter((l) => l !== "");
}

/** Candidates fish offers (`complete -C`), without descriptions. */
async function fishComplete(sb: CompletionSandbox, line: string): Promise<string[]> {
  const out = await sh(FISH!, [
    "--no-config",
    "-c",
    `source ${shq(sb.scripts.fish)}; complete -C ${shq(line)}`,
  ], sb);
  return out.split("\n").filter((l) => l !== "").map((l) => l.split("\t")[0]);
}

const PROFILE_NAMES = ["builtin:default", "default", "builtin:coder", "coder", "user:mine", "mine"];

function includesAll(actual: string[], expected: string[], what: string): void {
  for (const e of expected) assert.ok(actual.includes(e), `${what}: ${e} missing in ${actual}`);
}

Deno.test("completions: every command and flag of the program is in every script", async () => {
  const model = insomniaCompletionModel();
  const sb = makeSandbox("insomnia-completions-");
  try {
    for (const shell of ["bash", "zsh", "fish"]) {
      const result = await runCli(["completions", shell], { cwd: sb.workspace, env: sb.env });
      assert.equal(result.code, 0, result.stderr);
      const script = result.stdout;
      for (const cmd of model) {
        for (const sub of cmd.subcommands) {
          assert.ok(script.includes(sub.name), `${shell}: subcommand ${cmd.path} ${sub.name}`);
        }
        for (const opt of cmd.options) {
          for (const flag of opt.flags) {
            const form = shell === "fish"
              ? flag.startsWith("--") ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`
              : flag;
            assert.ok(script.includes(form), `${shell}: ${cmd.path || "(root)"} ${flag}`);
          }
        }
      }
    }
    const flags = model.find((c) => c.path === "profiles check")!.options.flatMap((o) => o.flags);
    includesAll(flags, [
      "--all",
      "--check-secrets",
      "--json",
      "-q",
      "--workspace",
      "--eval-timeout",
    ], "model");
  } finally {
    sb.cleanup();
  }
});

Deno.test("completions: unknown shell is a usage error; --json wraps the script", async () => {
  const sb = makeSandbox("insomnia-completions-");
  try {
    const bad = await runCli(["completions", "powershell"], { cwd: sb.workspace, env: sb.env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^error\[usage\]: .*powershell/m);
    const json = parseJson(
      await runCli(["completions", "fish", "--json"], { cwd: sb.workspace, env: sb.env }),
    ) as { shell: string; script: string };
    assert.equal(json.shell, "fish");
    assert.match(json.script, /^# fish completion for insomnia-pod/);
  } finally {
    sb.cleanup();
  }
});

Deno.test({
  name: "completions: bash completes commands, flags, values and discovered names",
  ignore: !BASH,
  fn: () =>
    withSetup(async (sb) => {
      const c = (line: string) => bashComplete(sb, line);
      assert.deepEqual(await c("insomnia-pod "), [
        "profiles",
        "pods",
        "secrets",
        "new",
        "trust",
        "untrust",
        "doctor",
        "completions",
        "schema",
        "help",
      ]);
      assert.deepEqual(await c("insomnia-pod pro"), ["profiles"]);
      assert.deepEqual(await c("insomnia-pod profiles "), [
        "list",
        "show",
        "check",
        "init",
        "default",
        "rm",
        "help",
      ]);
      assert.deepEqual(await c("insomnia-pod --prof"), ["--profile", "--profile-pod-name"]);
      includesAll(await c("insomnia-pod profiles check --"), ["--all", "--check-secrets"], "flags");
      includesAll(await c("insomnia-pod --profile "), PROFILE_NAMES, "--profile");
      includesAll(await c("insomnia-pod profiles show "), PROFILE_NAMES, "profiles show");
      includesAll(await c("insomnia-pod profiles check --all coder "), PROFILE_NAMES, "variadic");
      // bash splits words at ':' and '=': replies are relative to the part after them.
      assert.deepEqual(await c("insomnia-pod --profile user:m"), ["mine"]);
      assert.deepEqual(await c("insomnia-pod --profile=mi"), ["mine"]);
      assert.deepEqual(await c("insomnia-pod profiles show builtin:de"), ["default"]);
      assert.deepEqual(await c("insomnia-pod completions "), ["bash", "zsh", "fish"]);
      assert.deepEqual(await c("insomnia-pod completions bash "), []);
      assert.deepEqual(await c("insomnia-pod profiles init --source "), ["project", "user"]);
      assert.deepEqual(await c("insomnia-pod pods show "), ["demo"]);
      assert.deepEqual(await c("insomnia-pod --pod d"), ["demo"]);
      // Option values are skipped when finding the command; paths complete as files/dirs.
      assert.deepEqual(await c(`insomnia-pod -s ${sb.root} pods `), [
        "list",
        "show",
        "rm",
        "export",
        "help",
      ]);
      assert.deepEqual(await c(`insomnia-pod --workspace ${join(sb.root, "wor")}`), [
        join(sb.root, "workspace"),
      ]);
      assert.deepEqual(await c(`insomnia-pod --profile ${join(sb.config, "prof")}`), [
        join(sb.config, "profiles"),
      ]);
    }),
});

Deno.test({
  name: "completions: zsh completes commands, flags, values and discovered names",
  ignore: !ZSH,
  fn: () =>
    withSetup(async (sb) => {
      const c = (line: string) => zshComplete(sb, line);
      includesAll(await c("insomnia-pod "), ["profiles", "pods", "doctor", "schema"], "root");
      assert.deepEqual(await c("insomnia-pod secrets "), ["set", "list", "rm", "help"]);
      includesAll(await c("insomnia-pod -"), ["--profile", "--dry-run", "-q", "-V"], "flags");
      includesAll(await c("insomnia-pod --profile "), PROFILE_NAMES, "--profile");
      includesAll(await c("insomnia-pod --profile=x"), PROFILE_NAMES, "--profile=");
      includesAll(await c("insomnia-pod profiles check a b "), PROFILE_NAMES, "variadic");
      assert.deepEqual(await c("insomnia-pod completions "), ["bash", "zsh", "fish"]);
      assert.deepEqual(await c("insomnia-pod pods rm "), ["demo"]);
      assert.deepEqual(await c("insomnia-pod --manifest "), ["<files>"]);
      assert.deepEqual(await c("insomnia-pod -s "), ["<files-/>"]);
      assert.deepEqual(await c("insomnia-pod --profile ./x"), ["<files>"]);
    }),
});

Deno.test({
  name: "completions: fish completes commands, flags, values and discovered names",
  ignore: !FISH,
  fn: () =>
    withSetup(async (sb) => {
      const c = (line: string) => fishComplete(sb, line);
      includesAll(await c("insomnia-pod "), ["profiles", "pods", "doctor", "schema"], "root");
      assert.deepEqual((await c("insomnia-pod profiles ")).sort(), [
        "check",
        "default",
        "help",
        "init",
        "list",
        "rm",
        "show",
      ]);
      includesAll(await c("insomnia-pod profiles check --"), ["--all", "--check-secrets"], "flags");
      includesAll(await c("insomnia-pod --profile "), PROFILE_NAMES, "--profile");
      includesAll(await c("insomnia-pod profiles show "), PROFILE_NAMES, "profiles show");
      assert.deepEqual(await c("insomnia-pod --profile=mi"), ["--profile=mine"]);
      assert.deepEqual((await c("insomnia-pod completions ")).sort(), ["bash", "fish", "zsh"]);
      assert.deepEqual(await c("insomnia-pod completions bash "), []);
      assert.deepEqual(await c("insomnia-pod pods export "), ["demo"]);
      assert.deepEqual(await c(`insomnia-pod --profile ${join(sb.config, "prof")}`), [
        `${join(sb.config, "profiles")}/`,
      ]);
    }),
});
