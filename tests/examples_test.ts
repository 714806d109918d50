/**
 * Every example profile in examples/profiles/ evaluates and validates (real nix), so the examples
 * the docs point to never rot.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { resolveProfile } from "../src/mod.ts";
import { REPO_ROOT } from "./helpers/cli.ts";

const dir = join(REPO_ROOT, "examples", "profiles");
const roles = readdirSync(dir).filter((f) => f.endsWith(".nix") && f !== "common.nix").sort();

Deno.test("the example team has its roles", () => {
  assert.deepEqual(roles, ["coder-cheap.nix", "coder.nix", "researcher.nix", "reviewer.nix"]);
});

for (const file of roles) {
  Deno.test(`example ${file} resolves to a valid manifest bound to the workspace`, async () => {
    const { manifest, provenance } = await resolveProfile(`path:${join(dir, file)}`, {
      workspace: "/srv/team-project",
      env: { ...Deno.env.toObject(), HOME: "/nonexistent" },
    });
    assert.equal(manifest.pod.name, file.replace(/\.nix$/, ""));
    assert.ok(provenance.metadata?.description);
    assert.equal(manifest.session.record_event_trace, true, "common.nix applies");
    assert.ok(manifest.scope.allow.every((r) => r.target === "/srv/team-project"));
  });
}
