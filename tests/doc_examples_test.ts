/**
 * Every function and class the library exports (src/mod.ts) documents an `@example`; CI
 * type-checks them all with `deno check --doc src/` (.ci/run).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./helpers/cli.ts";

interface DocNode {
  name: string;
  declarations?: Array<{ kind: string; jsDoc?: { tags?: Array<{ kind: string }> } }>;
}

Deno.test("every exported function and class of src/mod.ts has an @example", () => {
  const run = spawnSync(Deno.execPath(), ["doc", "--json", join(REPO_ROOT, "src", "mod.ts")], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  assert.equal(run.status, 0, run.stderr);
  const doc = JSON.parse(run.stdout) as {
    nodes: Record<string, { symbols: DocNode[] }>;
  };
  const symbols = Object.values(doc.nodes).flatMap((node) => node.symbols);
  const callable = symbols.filter((s) =>
    s.declarations?.some((d) => d.kind === "function" || d.kind === "class")
  );
  assert.ok(callable.length >= 30, `found ${callable.length} functions and classes`);
  const missing = callable
    .filter((s) => !s.declarations?.some((d) => d.jsDoc?.tags?.some((t) => t.kind === "example")))
    .map((s) => s.name);
  assert.deepEqual(missing, []);
});
