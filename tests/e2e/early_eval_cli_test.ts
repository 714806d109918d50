// deno-lint-ignore-file no-explicit-any -- these tests read the CLI's JSON output untyped
/**
 * End-to-end: the CLI starts `nix eval` before it has loaded (src/cli/early_eval.ts). The result
 * must be the one a late start computes; a command line that then fails, or a signal, must leave
 * no nix process behind and nothing written.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  countingNix,
  nixRunning,
  parseJson,
  REPO_ROOT,
  runCli,
  spawnCli,
  treeSnapshot,
  withSandbox,
  writeFile,
} from "../helpers/cli.ts";

const RESOURCES = join(REPO_ROOT, "resources");
const RUNAWAY = "let fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2); in fib 40";

async function noNixLeft(file: string): Promise<void> {
  const deadline = Date.now() + 3_000;
  while (Date.now() < deadline && nixRunning(file)) await new Promise((r) => setTimeout(r, 50));
  assert.ok(!nixRunning(file), `a nix process evaluating ${file} was left running`);
}

Deno.test("an early-started evaluation gives the same Pod as a late one", async () => {
  await withSandbox(async (sb) => {
    const file = writeFile(
      join(sb.workspace, "team", "coder.nix"),
      `let insomnia = import <insomnia> { }; in insomnia.mkProfile {
  name = "early";
  manifest = insomnia.mkManifest {
    model = { ref = "anthropic/claude-sonnet-4-6"; auth = insomnia.secrets.ref "llm.anthropic.default"; };
    scope.allow = [ { target = insomnia.workspace "."; permission = "write"; } ];
  };
}`,
    );
    // A nix that logs its evaluations proves the early process is adopted, not started twice.
    const log = join(sb.root, "nix-calls.log");
    const wrapper = countingNix(join(sb.root, "bin", "nix"), log);
    const args = ["--profile", `path:${file}`, "--dry-run", "--json", "-s", sb.store];
    // Both runs must evaluate: the evaluation cache would answer the second from the first.
    const env = {
      ...sb.env,
      INSOMNIA_POD_TIMINGS: "1",
      INSOMNIA_NIX_BIN: wrapper,
      INSOMNIA_NO_EVAL_CACHE: "1",
    };
    // The late run goes first: for the binary it unpacks the Nix library into the sandbox cache,
    // and only a library already on disk lets the next run start nix early.
    const late = await runCli(args, {
      cwd: sb.workspace,
      env: { ...env, INSOMNIA_EARLY_EVAL: "0" },
    });
    const early = await runCli(args, { cwd: sb.workspace, env });
    assert.equal(Deno.readTextFileSync(log), "eval\neval\n", "one nix eval per run");
    assert.equal(late.code, 0, late.stdout + late.stderr);
    assert.equal(early.code, 0, early.stderr);
    assert.doesNotMatch(late.stderr, /nix eval started early/);
    assert.match(early.stderr, /nix eval started early/);
    assert.match(early.stderr, /timing +[\d.]+ ms {2}output flushed/);
    assert.match(early.stderr, /^memory +[\d.]+ MiB peak RSS$/m);
    assert.deepEqual(parseJson(early), parseJson(late));
    assert.equal((parseJson(early) as any).manifest.pod.name, "early");
  });
});

Deno.test("a command line that fails after the early start kills nix and writes nothing", async () => {
  await withSandbox(async (sb) => {
    const file = writeFile(join(sb.workspace, "slow.nix"), RUNAWAY);
    const before = treeSnapshot(sb.data);
    const started = Date.now();
    const env = { ...sb.env, INSOMNIA_POD_TIMINGS: "1", INSOMNIA_RESOURCE_DIR: RESOURCES };
    const result = await runCli(
      ["--profile", file, "--workspace", join(sb.root, "missing"), "--json", "-s", sb.store],
      { cwd: sb.workspace, env },
    );
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /nix eval started early/, "nix was started before the check");
    assert.equal((parseJson(result) as any).error.code, "usage");
    assert.ok(Date.now() - started < 20_000, "did not wait for the runaway evaluation");
    await noNixLeft(file);
    assert.deepEqual(treeSnapshot(sb.data), before);
  });
});

Deno.test("SIGTERM during an evaluation ends the run and leaves no nix behind", async () => {
  await withSandbox(async (sb) => {
    const file = writeFile(join(sb.workspace, "slow.nix"), RUNAWAY);
    const before = treeSnapshot(sb.data);
    const child = spawnCli(["--profile", file, "--json", "-s", sb.store], {
      cwd: sb.workspace,
      env: sb.env,
    });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !nixRunning(file)) await new Promise((r) => setTimeout(r, 20));
    assert.ok(nixRunning(file), "nix never started");
    child.kill("SIGTERM");
    const out = await child.output();
    assert.equal(out.success, false);
    assert.ok(out.signal === "SIGTERM" || out.code === 143, `ended by SIGTERM: ${out.code}`);
    await noNixLeft(file);
    assert.deepEqual(treeSnapshot(sb.data), before);
  });
});

Deno.test("a signal at any moment of start-up never leaves the early nix running", async () => {
  await withSandbox(async (sb) => {
    // A stand-in nix that just sleeps, recognisable in ps by its unique duration.
    const marker = `${30 + Math.floor(Math.random() * 1000) / 1000}`;
    const nix = writeFile(join(sb.root, "bin", "nix"), `#!/bin/sh\nexec sleep ${marker}\n`);
    Deno.chmodSync(nix, 0o755);
    const file = writeFile(join(sb.workspace, "p.nix"), "{ }");
    const sleeping = () =>
      new TextDecoder().decode(
        new Deno.Command("ps", { args: ["-eo", "args="] }).outputSync().stdout,
      ).split("\n").filter((line) => line.trim() === `sleep ${marker}`).length;
    // The binary starts in ≈ 15 ms, the source in ≈ 150 ms: cover both start-ups.
    const span = Deno.env.get("INSOMNIA_POD_BIN") ? 40 : 250;
    try {
      for (let i = 0; i < 24; i++) {
        const signal = (["SIGINT", "SIGTERM", "SIGHUP"] as const)[i % 3];
        const delay = Math.floor((span * i) / 24);
        const child = spawnCli(["--profile", file, "--json", "-s", sb.store], {
          cwd: sb.workspace,
          env: { ...sb.env, INSOMNIA_NIX_BIN: nix, INSOMNIA_RESOURCE_DIR: RESOURCES },
        });
        child.stdout.cancel();
        child.stderr.cancel();
        await new Promise((r) => setTimeout(r, delay));
        child.kill(signal);
        const status = await child.status;
        assert.equal(status.success, false, `${signal} after ${delay} ms`);
        const deadline = Date.now() + 3_000;
        while (Date.now() < deadline && sleeping() > 0) await new Promise((r) => setTimeout(r, 20));
        assert.equal(sleeping(), 0, `${signal} after ${delay} ms left nix running`);
      }
    } finally {
      new Deno.Command("pkill", { args: ["-f", `^sleep ${marker}$`] }).outputSync();
    }
  });
});

Deno.test("a store that cannot be used fails before the evaluation, and the early nix is killed", async () => {
  await withSandbox(async (sb) => {
    const file = writeFile(join(sb.workspace, "slow.nix"), RUNAWAY);
    const notADir = writeFile(join(sb.root, "a-file"), "x");
    const before = treeSnapshot(sb.root);
    const started = Date.now();
    const result = await runCli(["--profile", file, "-s", join(notADir, "store"), "--json"], {
      cwd: sb.workspace,
      env: { ...sb.env, INSOMNIA_RESOURCE_DIR: RESOURCES },
    });
    assert.equal(result.code, 1, result.stderr);
    assert.equal((parseJson(result) as any).error.code, "store_io");
    assert.ok(Date.now() - started < 20_000, "did not wait for the runaway evaluation");
    await noNixLeft(file);
    assert.deepEqual(treeSnapshot(sb.root), before);
  });
});
