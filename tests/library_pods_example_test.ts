/**
 * The second worked example of docs/library.md, run as written: a test suite that creates, resumes
 * and re-resolves a Pod through the library's use cases (real nix, a scratch store and HOME).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { create, reload, resume } from "../src/mod.ts";

const profile = fileURLToPath(new URL("./fixtures/library/reviewer.nix", import.meta.url));

Deno.test("a Pod is created, resumed and re-resolved through the use cases", async () => {
  const dir = await Deno.makeTempDir();
  const env = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: dir };
  const pod = { name: "reviewer", store: `${dir}/store`, workspace: dir, env };

  const plan = await create({ ...pod, source: { kind: "profile", selector: `path:${profile}` } });
  assert.equal(plan.manifest.scope.allow[0].permission, "read");
  const created = plan.apply();

  const resumed = (await resume(pod)).apply();
  assert.deepEqual(resumed.manifest, created.manifest);

  const reloaded = await reload(pod);
  assert.deepEqual(reloaded.changes, []);
  assert.equal(reloaded.pending, false);
  await Deno.remove(dir, { recursive: true });
});
