/**
 * The suite never writes into the real HOME or its caches (hostile review, issue 19 item 4): a
 * representative part of it — everything that runs Nix in-process, the library examples, the
 * stores, `profiles init` and end-to-end CLI files — runs again with HOME on a read-only bind
 * mount (a private mount namespace) and without XDG_* variables, so any write under HOME fails
 * the run. Needs `unshare` (root); ignored, with the reason, where it is missing.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { denoDir, REPO_ROOT, treeSnapshot } from "./helpers/cli.ts";

const FILES = [
  "tests/nix_evaluate_test.ts",
  "tests/library_example_test.ts",
  "tests/library_pods_example_test.ts",
  "tests/builtin_profiles_test.ts",
  "tests/secrets_store_test.ts",
  "tests/profiles_init_test.ts",
  "tests/e2e/pods_cli_test.ts",
];

const canUnshare = spawnSync("unshare", ["-m", "--propagation", "private", "true"]).status === 0;

Deno.test({
  name: "the suite's helpers write nothing under HOME: they pass with a read-only HOME",
  ignore: !canUnshare, // a private mount namespace needs root (CI runs as root)
  fn: () => {
    const home = mkdtempSync(join(tmpdir(), "insomnia-ro-home-"));
    try {
      const env: Record<string, string> = {};
      for (const [key, value] of Object.entries(Deno.env.toObject())) {
        if (!key.startsWith("XDG_") && !key.startsWith("INSOMNIA_")) env[key] = value;
      }
      env.HOME = home;
      // Deno's own module cache is not ours to protect, and must stay where it is.
      env.DENO_DIR = denoDir();
      const script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && exec "$@"';
      const run = spawnSync(
        "unshare",
        [
          "-m",
          "--propagation",
          "private",
          "sh",
          "-c",
          script,
          home,
          Deno.execPath(),
          "test",
          "-A",
          "--parallel",
          "--lock=tests/deno.lock",
          ...FILES,
        ],
        { cwd: REPO_ROOT, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
      );
      const out = `${run.stdout}${run.stderr}`;
      assert.equal(run.status, 0, out.slice(-4000));
      assert.match(out, /ok \| \d+ passed \| 0 failed/);
      assert.deepEqual(treeSnapshot(home), {}, "nothing was written under HOME");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  },
});
