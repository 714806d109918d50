/**
 * The worked example of docs/library.md, run as written: a user's `deno test` checking a fixture
 * profile through the library (real nix).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { InsomniaError, resolveProfile } from "../src/mod.ts";

const fixture = fileURLToPath(new URL("./fixtures/library/reviewer.nix", import.meta.url));

Deno.test("reviewer profile is read-only and uses a secret reference", async () => {
  const { manifest, provenance } = await resolveProfile(`path:${fixture}`, {
    workspace: "/srv/project",
  });
  assert.equal(manifest.pod.name, "reviewer");
  assert.deepEqual(manifest.scope.allow, [
    { target: "/srv/project", permission: "read", recursive: true },
  ]);
  assert.equal(manifest.model.auth.kind, "secret_ref");
  assert.ok(
    manifest.permissions?.rule.some((r) => r.tool === "Write" && r.action === "deny"),
  );
  assert.equal(provenance.metadata?.format, "insomnia.nix-profile.v1");
});

Deno.test("a broken profile fails with a stable code", async () => {
  await assert.rejects(
    resolveProfile("path:./no-such-profile.nix"),
    (error: unknown) => error instanceof InsomniaError && error.code === "profile_not_found",
  );
});
