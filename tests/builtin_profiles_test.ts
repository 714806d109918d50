/**
 * The shipped builtin artifacts (resources/profiles/evaluated/*.json) must equal a fresh Nix
 * evaluation of their sources, and the embedded resources module must match resources/.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { builtinSources, evaluateBuiltin } from "../scripts/gen_builtin.ts";
import { renderResourcesModule } from "../scripts/gen_resources.ts";
import { REPO_ROOT } from "./helpers/cli.ts";
import { resolveArtifact } from "../src/profile/resolve_profile.ts";

const PROFILES = join(REPO_ROOT, "resources", "profiles");
const REQUIRED = ["default", "coder", "reviewer", "researcher", "orchestrator"];

Deno.test("the builtin role profiles exist, with cost and speed variants", () => {
  const names = builtinSources(PROFILES).map((s) => s.name);
  for (const name of REQUIRED) assert.ok(names.includes(name), `missing builtin ${name}`);
  assert.ok(names.some((n) => n.includes("cheap")), "a cheap variant");
  assert.ok(names.some((n) => n.includes("fast")), "a fast variant");
});

for (const { name, file } of builtinSources(PROFILES)) {
  Deno.test(`shipped artifact of builtin:${name} equals a fresh evaluation`, async () => {
    const shipped = join(PROFILES, "evaluated", `${name}.json`);
    assert.ok(existsSync(shipped), `run \`deno task gen\`: ${shipped} is missing`);
    assert.equal(readFileSync(shipped, "utf8"), await evaluateBuiltin(file), "run `deno task gen`");
  });

  Deno.test(`builtin:${name} has a description, catalog model, secret/oauth auth, workspace scope`, () => {
    const raw = JSON.parse(readFileSync(join(PROFILES, "evaluated", `${name}.json`), "utf8"));
    assert.ok(raw.profile.description?.length > 10);
    const { manifest } = resolveArtifact(raw, {
      origin: name,
      base: "/nonexistent-profile-dir",
      workspace: "/launch/workspace",
      env: { HOME: "/nonexistent-home" },
    });
    assert.ok(manifest.model.ref, "uses a catalog model ref");
    assert.ok(["secret_ref", "codex_oauth", "none"].includes(manifest.model.auth.kind));
    assert.ok(manifest.scope.allow.every((r) => r.target.startsWith("/launch/workspace")));
  });
}

Deno.test("src/generated/resources.ts is up to date with resources/", () => {
  const current = readFileSync(join(REPO_ROOT, "src", "generated", "resources.ts"), "utf8");
  const fresh = renderResourcesModule(join(REPO_ROOT, "resources"));
  const stale = current.replace(/\s+/g, "") !== fresh.replace(/\s+/g, "");
  assert.ok(!stale, "src/generated/resources.ts is stale: run `deno task gen`");
});

Deno.test("the pre-parsed builtin catalogs equal resources/catalog/*.toml and validate", async () => {
  const { parse } = await import("smol-toml");
  const { BUILTIN_CATALOG } = await import("../src/generated/resources.ts");
  const { validateCatalogRows } = await import("../src/manifest/catalog.ts");
  for (const [file, key] of [["providers.toml", "provider"], ["models.toml", "model"]] as const) {
    // smol-toml builds null-prototype objects; compare as plain JSON
    const doc = JSON.parse(
      JSON.stringify(parse(readFileSync(join(REPO_ROOT, "resources", "catalog", file), "utf8"))),
    );
    const shipped = key === "provider" ? BUILTIN_CATALOG.providers : BUILTIN_CATALOG.models;
    assert.deepEqual(shipped, doc[key]);
    assert.deepEqual(validateCatalogRows(doc, key, file), shipped);
  }
});
