/**
 * Starting `nix eval` before the CLI loads: which command lines qualify (plannedEvaluation), and the
 * prestart slot with real processes — adopted only by an identical request, killed otherwise.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import process from "node:process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { plannedEvaluation, startEarlyEvaluation } from "../src/cli/early_eval.ts";
import {
  adoptPrestartedNix,
  discardPrestartedNix,
  hasPrestartedNix,
  type NixRunSpec,
  prestartNix,
} from "../src/nix/prestart.ts";
import { evaluateNix } from "../src/nix/evaluate.ts";
import { handOverRegistry, loadProfileRegistry } from "../src/profile/discovery.ts";
import { assertProjectEntryTrusted, rememberEarlyTrust } from "../src/profile/project_trust.ts";
import { countingNix, REPO_ROOT } from "./helpers/cli.ts";

interface Dir {
  root: string;
  env: Record<string, string>;
}

function withDir(fn: (dir: Dir) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const root = mkdtempSync(join(tmpdir(), "insomnia-early-"));
    const home = join(root, "home");
    mkdirSync(home);
    mkdirSync(join(root, "ws", "team"), { recursive: true });
    writeFileSync(join(root, "ws", "coder.nix"), '{ pod.name = "coder"; }');
    writeFileSync(join(root, "ws", "team", "profile.nix"), '{ pod.name = "team"; }');
    writeFileSync(join(root, "ws", "art.json"), "{}");
    const env = {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: home,
      INSOMNIA_CONFIG_DIR: join(root, "config"),
      INSOMNIA_CACHE_DIR: join(root, "cache"),
    };
    try {
      await fn({ root, env });
    } finally {
      discardPrestartedNix();
      rmSync(root, { recursive: true, force: true });
    }
  };
}

Deno.test(
  "a path profile is planned with its file and the evaluation limit",
  withDir(({ root, env }) => {
    const cwd = join(root, "ws");
    const coder = join(cwd, "coder.nix");
    assert.deepEqual(plannedEvaluation(["--profile", "./coder.nix"], env, cwd), {
      file: coder,
      timeoutMs: 30_000,
      impure: false,
      noCache: false,
    });
    assert.deepEqual(plannedEvaluation(["--profile=path:team", "--json"], env, cwd), {
      file: join(cwd, "team", "profile.nix"),
      timeoutMs: 30_000,
      impure: false,
      noCache: false,
    });
    const flagged = ["--profile", coder, "--eval-timeout", "5s", "--dry-run", "-q"];
    assert.equal(plannedEvaluation(flagged, env, cwd)?.timeoutMs, 5_000);
    const fromEnv = { ...env, INSOMNIA_EVAL_TIMEOUT: "2s" };
    assert.equal(plannedEvaluation(["--profile", coder], fromEnv, cwd)?.timeoutMs, 2_000);
    assert.equal(plannedEvaluation(flagged, fromEnv, cwd)?.timeoutMs, 5_000, "the flag wins");
  }),
);

/** `<root>/ws` as a project registering `mine` (its coder.nix); returns the directory. */
function projectWithMine(root: string): string {
  const cwd = join(root, "ws");
  mkdirSync(join(cwd, ".insomnia"));
  writeFileSync(
    join(cwd, ".insomnia", "manifest.toml"),
    '[profiles.profile]\nmine = "../coder.nix"\n',
  );
  return cwd;
}

Deno.test(
  "a project registry name naming a .nix file is planned",
  withDir(({ root, env }) => {
    const cwd = projectWithMine(root);
    // An untrusted project's profile is never started early (nor at all: the gate refuses it).
    assert.equal(plannedEvaluation(["--profile", "mine"], env, cwd), undefined);
    assert.equal(
      plannedEvaluation(["--profile", "mine", "--trust"], env, cwd)?.file,
      join(cwd, ".insomnia", "..", "coder.nix"),
    );
    assert.equal(
      plannedEvaluation(["--profile", "project:mine"], { ...env, INSOMNIA_TRUST_ALL: "1" }, cwd)
        ?.file !== undefined,
      true,
    );
  }),
);

Deno.test(
  "the early start hands its registry and trust check to the pipeline once, and only with the same flags",
  withDir(({ root, env }) => {
    const cwd = projectWithMine(root);
    const envs = { ...env, INSOMNIA_EARLY_EVAL: "0" }; // plans and hands over, starts no nix
    const planned = plannedEvaluation(["--profile", "mine", "--trust"], envs, cwd);
    assert.ok(planned?.handOver, "a registry name plans with its registry");
    const { registry, trusted } = planned.handOver;
    assert.equal(trusted, "project:mine");
    // What startEarlyEvaluation does with it: the pipeline's next load is that registry, once.
    handOverRegistry(envs, cwd, registry);
    assert.equal(loadProfileRegistry({ ...envs }, cwd) === registry, false, "another env: a load");
    assert.equal(loadProfileRegistry(envs, cwd), registry);
    assert.notEqual(loadProfileRegistry(envs, cwd), registry, "once");
    // A trust check remembered with --trust does not excuse a check without it.
    rememberEarlyTrust(registry, "project:mine", { env: envs, trustAll: true });
    assert.throws(
      () => assertProjectEntryTrusted(registry, "project:mine", { env: envs }),
      (e: unknown) => (e as { code?: string }).code === "project_untrusted",
    );
    rememberEarlyTrust(registry, "project:mine", { env: envs, trustAll: true });
    assertProjectEntryTrusted(registry, "project:mine", { env: envs, trustAll: true });
    assert.throws(
      () => assertProjectEntryTrusted(registry, "project:mine", { env: envs }),
      (e: unknown) => (e as { code?: string }).code === "project_untrusted",
      "once",
    );
  }),
);

Deno.test(
  "anything but a plain create from a .nix profile plans nothing",
  withDir(({ root, env }) => {
    const cwd = join(root, "ws");
    const none = (argv: string[], e: Record<string, string> = env) =>
      assert.equal(plannedEvaluation(argv, e, cwd), undefined, argv.join(" "));
    none([]); // builtin default: shipped evaluated, no Nix
    none(["--profile", "builtin:coder"]);
    none(["--profile", "coder"]); // a builtin name, not the file in cwd
    none(["--profile", "./art.json"]);
    none(["--profile", "./missing.nix"]);
    none(["--profile", "nosuch"]);
    none(["--profile", "projct:coder"]);
    none(["--profile", "./coder.nix", "--pod", "p"]);
    none(["--profile", "./coder.nix", "--manifest", "m.toml"]);
    none(["--profile", "./coder.nix", "--help"]);
    none(["--profile", "./coder.nix", "--unknown-flag"]);
    none(["--profile", "./coder.nix", "--eval-timeout", "soon"]);
    none(["--profile", "./coder.nix"], { ...env, INSOMNIA_EVAL_TIMEOUT: "never" });
    none(["profiles", "show", "./coder.nix"]);
    none(["new", "--profile", "./coder.nix"]);
    none(["--profile", "flake:.#coder"]);
  }),
);

Deno.test(
  "INSOMNIA_EARLY_EVAL=0 turns the early start off",
  withDir(({ root, env }) => {
    const cwd = join(root, "ws");
    const argv = ["--profile", "./coder.nix"];
    const library = { ...env, INSOMNIA_RESOURCE_DIR: join(REPO_ROOT, "resources") };
    assert.equal(startEarlyEvaluation(argv, { ...library, INSOMNIA_EARLY_EVAL: "0" }, cwd), false);
    assert.equal(hasPrestartedNix(), false);
    assert.equal(startEarlyEvaluation(argv, library, cwd), true);
    assert.equal(hasPrestartedNix(), true);
  }),
);

function shSpec(script: string, env: Record<string, string> = { PATH: "/usr/bin:/bin" }) {
  return {
    bin: "/bin/sh",
    args: ["-c", script],
    cwd: tmpdir(),
    env,
    timeoutMs: 20_000,
    maxStdoutBytes: 1 << 20,
    maxStderrBytes: 1 << 20,
  } satisfies NixRunSpec;
}

Deno.test("an identical request adopts the running process (environment order ignored)", async () => {
  prestartNix(shSpec("echo started $$", { PATH: "/usr/bin:/bin", A: "1" }));
  const run = adoptPrestartedNix(shSpec("echo started $$", { A: "1", PATH: "/usr/bin:/bin" }));
  assert.ok(run, "adopted");
  assert.equal(hasPrestartedNix(), false);
  const result = await run;
  assert.equal(result.outcome, "exited");
  assert.match(new TextDecoder().decode(result.stdout), /^started \d+\n$/);
});

/** A spec whose process writes its pid to `file`, then sleeps. */
function sleeper(file: string) {
  return shSpec(`echo $$ > '${file}'; exec sleep 30`);
}

/** Waits until the process has written its pid to `file` (it runs). */
async function started(file: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      if (readFileSync(file, "utf8").trim() !== "") return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`no pid in ${file}`);
}

/** Waits until the process whose pid is in `file` has been started and then has ended. */
async function endsSoon(file: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  let pid: number | undefined;
  while (Date.now() < deadline) {
    try {
      pid ??= Number(readFileSync(file, "utf8").trim()) || undefined;
      if (pid !== undefined) process.kill(pid, 0);
    } catch (error) {
      if ((error as { code?: string }).code === "ESRCH") return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`process ${pid ?? "(never started)"} still running`);
}

Deno.test("any difference kills the prestarted process and adopts nothing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "insomnia-prestart-"));
  try {
    const base = sleeper(join(dir, "pid"));
    const others: NixRunSpec[] = [
      shSpec("exec sleep 30"),
      { ...base, cwd: "/" },
      { ...base, env: { ...base.env, EXTRA: "x" } },
      { ...base, timeoutMs: 1_000 },
      { ...base, maxStdoutBytes: 10 },
      { ...base, bin: "/usr/bin/sh" },
    ];
    for (const [i, other] of others.entries()) {
      const spec = sleeper(join(dir, `pid-${i}`));
      prestartNix(spec);
      await started(join(dir, `pid-${i}`));
      assert.equal(
        adoptPrestartedNix({ ...other, args: i === 0 ? other.args : spec.args }),
        undefined,
      );
      assert.equal(hasPrestartedNix(), false);
      await endsSoon(join(dir, `pid-${i}`));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("an adopted run is cancelled by the adopter's signal", async () => {
  prestartNix(shSpec("sleep 30"));
  const controller = new AbortController();
  const run = adoptPrestartedNix(shSpec("sleep 30"), controller.signal);
  assert.ok(run);
  controller.abort();
  const result = await run;
  assert.equal(result.outcome, "aborted");
});

Deno.test("discarding kills the prestarted process", async () => {
  const dir = mkdtempSync(join(tmpdir(), "insomnia-prestart-"));
  try {
    const spec = sleeper(join(dir, "pid"));
    prestartNix(spec);
    await started(join(dir, "pid"));
    discardPrestartedNix();
    assert.equal(hasPrestartedNix(), false);
    assert.equal(adoptPrestartedNix(spec), undefined);
    await endsSoon(join(dir, "pid"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test(
  "evaluateNix adopts the early start (one nix eval, not two) and returns what a fresh one does",
  withDir(async ({ root, env }) => {
    const cwd = join(root, "ws");
    const log = join(root, "nix-calls.log");
    const wrapper = countingNix(join(root, "nix"), log);
    const library = {
      ...env,
      INSOMNIA_RESOURCE_DIR: join(REPO_ROOT, "resources"),
      INSOMNIA_NIX_BIN: wrapper,
    };
    const evals = () => readFileSync(log, "utf8").split("\n").filter(Boolean).length;
    const file = join(cwd, "coder.nix");
    const request = {
      target: { kind: "file" as const, file },
      includePaths: { insomnia: join(REPO_ROOT, "resources", "nix") },
      timeoutMs: 30_000,
      env: library,
      cwd,
    };
    const fresh = await evaluateNix(request);
    assert.equal(evals(), 1);
    assert.equal(startEarlyEvaluation(["--profile", file], library, cwd), true);
    const adopted = await evaluateNix(request);
    assert.equal(evals(), 2, "the early process was adopted, not started again");
    assert.equal(hasPrestartedNix(), false);
    assert.deepEqual(adopted.value, fresh.value);
    assert.deepEqual(adopted.value, { pod: { name: "coder" } });
  }),
);
