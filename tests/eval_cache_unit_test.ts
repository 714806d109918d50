/**
 * The evaluation cache keeps only what passed validation: a profile refused after Nix evaluated
 * it (a pasted key, an invalid manifest) leaves nothing to commit, so a later successful command
 * in the same process (the New Pod dialog previews several profiles) can never persist it.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commitEvalCache } from "../src/nix/eval_cache.ts";
import { resolveProfile } from "../src/mod.ts";

const CANARY = "sk-ant-api03-CANARYCANARYCANARYCANARYCANARYCANARYCANARY-0123456789";

Deno.test("a refused evaluation is never committed to the evaluation cache; a valid one is", async () => {
  const root = mkdtempSync(join(tmpdir(), "insomnia-evalcache-"));
  try {
    const env = {
      ...Deno.env.toObject(),
      HOME: join(root, "home"),
      INSOMNIA_CACHE_DIR: join(root, "cache"),
      INSOMNIA_DATA_DIR: join(root, "data"),
      INSOMNIA_CONFIG_DIR: join(root, "config"),
    };
    const pasted = join(root, "pasted.nix");
    writeFileSync(
      pasted,
      `{ pod.name = "p"; model = { scheme = "anthropic"; model_id = "claude-sonnet-4-6";
         auth = { kind = "api_key"; value = "${CANARY}"; }; };
         scope.allow = [ { target = "${root}"; permission = "read"; } ]; }`,
    );
    await assert.rejects(
      resolveProfile(`path:${pasted}`, { env, cwd: root }),
      (error: { code?: string }) => error.code === "secret_plaintext",
    );
    commitEvalCache();
    const evals = join(root, "cache", "evals");
    assert.ok(!existsSync(evals) || readdirSync(evals).length === 0, "nothing cached");

    const valid = join(root, "valid.nix");
    writeFileSync(
      valid,
      `{ pod.name = "v"; model = { ref = "anthropic/claude-sonnet-4-6";
         auth = { kind = "secret_ref"; ref = "llm.a.b"; }; };
         scope.allow = [ { target = "${root}"; permission = "read"; } ]; }`,
    );
    await resolveProfile(`path:${valid}`, { env, cwd: root });
    commitEvalCache();
    assert.equal(readdirSync(evals).length, 1, "the valid evaluation is cached");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
