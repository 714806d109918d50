// deno-lint-ignore-file no-explicit-any -- these tests read the CLI's JSON output untyped
/**
 * End-to-end: signals outside the Nix evaluation keep their ordinary meaning. SIGTERM ends a run
 * that waits for the store lock at once, writing nothing; Ctrl-C while `secrets set` waits for stdin
 * cancels and stores nothing; a hung `nix --version` probe never holds up a result for long.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  parseJson,
  realNix,
  REPO_ROOT,
  runCli,
  spawnCli,
  treeSnapshot,
  withSandbox,
  writeFile,
} from "../helpers/cli.ts";

Deno.test("SIGTERM while waiting for the store lock ends the run at once and writes nothing", async () => {
  await withSandbox(async (sb) => {
    // The store exists and another live process holds its lock.
    const created = await runCli(["--profile", "builtin:default", "-s", sb.store, "--json"], {
      cwd: sb.workspace,
      env: sb.env,
    });
    assert.equal(created.code, 0, created.stderr);
    const holder = new Deno.Command("sleep", { args: ["60"] }).spawn();
    try {
      Deno.writeTextFileSync(
        join(sb.store, ".lock"),
        JSON.stringify({ pid: holder.pid, token: "held" }),
      );
      const before = treeSnapshot(sb.data);
      const child = spawnCli(["--profile", "builtin:default", "-s", sb.store, "--json"], {
        cwd: sb.workspace,
        env: sb.env,
      });
      await new Promise((r) => setTimeout(r, 1_500)); // well into the lock wait
      const sent = Date.now();
      child.kill("SIGTERM");
      const out = await child.output();
      assert.ok(Date.now() - sent < 3_000, "did not wait for the lock");
      assert.equal(out.success, false);
      assert.ok(out.signal === "SIGTERM" || out.code === 143, `ended by SIGTERM: ${out.code}`);
      assert.deepEqual(treeSnapshot(sb.data), before, "nothing written");
    } finally {
      holder.kill("SIGKILL");
      await holder.status;
    }
  });
});

Deno.test("Ctrl-C while secrets set waits for stdin cancels with 130 and stores nothing", async () => {
  await withSandbox(async (sb) => {
    const before = treeSnapshot(sb.data);
    const child = spawnCli(["secrets", "set", "llm.test.canary", "--json"], {
      cwd: sb.workspace,
      env: sb.env,
      stdin: true,
    });
    await new Promise((r) => setTimeout(r, 2_500)); // loaded and waiting for stdin
    child.kill("SIGINT");
    // Input that arrives after the interruption must not be stored either (the CLI has usually
    // exited by then, so the write may fail).
    await new Promise((r) => setTimeout(r, 500));
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode("canary-value-123456\n")).catch(() => {});
    await writer.close().catch(() => {});
    const out = await child.output();
    assert.equal(out.code, 130, new TextDecoder().decode(out.stderr));
    const body = JSON.parse(new TextDecoder().decode(out.stdout));
    assert.equal(body.error.code, "cancelled");
    assert.deepEqual(treeSnapshot(sb.data), before, "no secret stored");
  });
});

Deno.test("a nix whose --version hangs delays a result by at most the grace period", async () => {
  await withSandbox(async (sb) => {
    const nix = writeFile(
      join(sb.root, "bin", "nix"),
      `#!/bin/sh\ncase "$1" in --version) exec sleep 30;; esac\nexec ${realNix()} "$@"\n`,
    );
    Deno.chmodSync(nix, 0o755);
    const file = writeFile(
      join(sb.workspace, "p.nix"),
      `let insomnia = import <insomnia> { }; in insomnia.mkProfile {
  name = "probe";
  manifest = {
    model = { ref = "anthropic/claude-sonnet-4-6"; auth = insomnia.secrets.ref "llm.anthropic.default"; };
    scope.allow = [ { target = insomnia.workspace "."; permission = "read"; } ];
  };
}`,
    );
    const started = Date.now();
    const result = await runCli(["--profile", file, "--dry-run", "--json"], {
      cwd: sb.workspace,
      env: {
        ...sb.env,
        INSOMNIA_NIX_BIN: nix,
        INSOMNIA_RESOURCE_DIR: join(REPO_ROOT, "resources"),
      },
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.ok(Date.now() - started < 8_000, `took ${Date.now() - started} ms`);
    const out = parseJson(result) as any;
    assert.equal(out.manifest.pod.name, "probe");
    assert.equal(out.profile.fingerprint.nix_version, null, "unknown, not a guess");
  });
});
