/**
 * src/generated/manifest_types.ts is what scripts/gen_manifest_types.ts writes from the zod
 * schemas today (deno check already fails when the types differ; this catches a stale file whose
 * types happen to agree, e.g. after a doc or order change).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { renderManifestTypes } from "../scripts/gen_manifest_types.ts";
import { REPO_ROOT } from "./helpers/cli.ts";

Deno.test("the generated manifest types are current (run `deno task gen` if not)", () => {
  const file = join(REPO_ROOT, "src", "generated", "manifest_types.ts");
  assert.equal(readFileSync(file, "utf8"), renderManifestTypes());
});
