// deno-lint-ignore-file no-explicit-any -- these tests read the CLI's JSON output untyped
/**
 * End-to-end: an evaluation is bounded outside the CLI (src/nix/guard.ts). A profile that
 * allocates without end is stopped with `nix_eval_memory`; a CLI killed by a signal it cannot
 * handle (SIGKILL, SIGQUIT, SIGALRM) takes its nix evaluation with it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  nixRunning,
  parseJson,
  runCli,
  spawnCli,
  treeSnapshot,
  withSandbox,
  writeFile,
} from "../helpers/cli.ts";

const RUNAWAY = "let fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2); in fib 40";
const BOMB = 'let big = n: builtins.genList (x: "s${toString x}-${toString n}") 1000000; in ' +
  "{ name = builtins.length (builtins.concatLists (builtins.genList big 400)); }";

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

Deno.test("a profile that allocates without end is stopped with nix_eval_memory, nothing written", async () => {
  await withSandbox(async (sb) => {
    const file = writeFile(join(sb.workspace, "bomb.nix"), BOMB);
    const before = treeSnapshot(sb.data);
    const result = await runCli(["--profile", file, "-s", sb.store, "--json"], {
      cwd: sb.workspace,
      env: { ...sb.env, INSOMNIA_EVAL_MEMORY: "256M", INSOMNIA_EVAL_TIMEOUT: "60s" },
    });
    assert.equal(result.code, 1, result.stderr);
    const error = (parseJson(result) as any).error;
    assert.equal(error.code, "nix_eval_memory");
    assert.match(error.message, /256 MiB/);
    assert.match(error.message, /INSOMNIA_EVAL_MEMORY/);
    assert.ok(!nixRunning(file), "no nix process is left");
    assert.deepEqual(treeSnapshot(sb.data), before);
  });
});

Deno.test("a malformed INSOMNIA_EVAL_MEMORY is a usage error naming the variable", async () => {
  await withSandbox(async (sb) => {
    const file = writeFile(join(sb.workspace, "p.nix"), '{ name = "p"; }');
    const result = await runCli(["--profile", file, "-s", sb.store, "--json"], {
      cwd: sb.workspace,
      env: { ...sb.env, INSOMNIA_EVAL_MEMORY: "lots" },
    });
    assert.equal(result.code, 2, result.stderr);
    const error = (parseJson(result) as any).error;
    assert.equal(error.code, "usage");
    assert.match(error.message, /INSOMNIA_EVAL_MEMORY="lots"/);
  });
});

for (const signal of ["SIGKILL", "SIGQUIT", "SIGALRM"] as const) {
  Deno.test(`D6: a CLI killed by ${signal} mid-evaluation leaves no nix running`, async () => {
    await withSandbox(async (sb) => {
      const file = writeFile(join(sb.workspace, `runaway-${signal}.nix`), RUNAWAY);
      const child = spawnCli(["--profile", file, "-s", sb.store], {
        cwd: sb.workspace,
        env: { ...sb.env, INSOMNIA_EVAL_TIMEOUT: "120s" },
      });
      assert.ok(await waitFor(() => nixRunning(file), 15_000), "nix never started");
      child.kill(signal);
      await child.output();
      assert.ok(await waitFor(() => !nixRunning(file), 3_000), "nix outlived the CLI");
    });
  });
}
