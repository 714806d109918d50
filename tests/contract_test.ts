/**
 * The runtime contract, strictly (tests/helpers/contract.ts): every manifest this project can write
 * loads in the runtime and carries no key it would drop — every builtin profile, every example
 * profile, every combination of the semantic presets, and (through the e2e helpers' sandbox
 * cleanup) every snapshot the end-to-end suite stores.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveArtifact, resolveProfile } from "../src/mod.ts";
import { evaluateNix } from "../src/nix/evaluate.ts";
import { contractProblems } from "./helpers/contract.ts";
import { REPO_ROOT } from "./helpers/cli.ts";

const WORKSPACE = "/srv/project";
const env = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: "/nonexistent" };

Deno.test("contract: the strict check refuses a key the runtime would drop and a missing pattern", () => {
  const ok = {
    pod: { name: "p" },
    model: { ref: "anthropic/claude-sonnet-4-6" },
    worker: {},
    scope: { allow: [{ target: "/w", permission: "read" }] },
  };
  assert.deepEqual(contractProblems(ok), []);
  assert.notDeepEqual(contractProblems({ ...ok, bogus: 1 }), []);
  assert.notDeepEqual(
    contractProblems({ ...ok, web: { search: { api_key: { kind: "secret_ref", ref: "x" } } } }),
    [],
  );
  assert.notDeepEqual(
    contractProblems({
      ...ok,
      permissions: { default_action: "allow", rule: [{ tool: "Bash", action: "ask" }] },
    }),
    [],
  );
});

Deno.test("contract: every builtin profile resolves to a manifest the runtime accepts", async () => {
  const names = readdirSync(join(REPO_ROOT, "resources", "profiles"))
    .filter((f) => f.endsWith(".nix")).map((f) => f.slice(0, -4));
  assert.ok(names.length >= 5);
  for (const name of names) {
    const { manifest } = await resolveProfile(`builtin:${name}`, { workspace: WORKSPACE, env });
    assert.deepEqual(contractProblems(manifest), [], `builtin:${name}`);
  }
});

Deno.test("contract: every example profile resolves to a manifest the runtime accepts", async () => {
  const dir = join(REPO_ROOT, "examples", "profiles");
  const files = readdirSync(dir).filter((f) => f.endsWith(".nix") && f !== "common.nix");
  assert.ok(files.length >= 3);
  for (const file of files) {
    const { manifest } = await resolveProfile(`path:${join(dir, file)}`, {
      workspace: WORKSPACE,
      env,
    });
    assert.deepEqual(contractProblems(manifest), [], file);
  }
});

Deno.test("contract: every combination of the semantic presets resolves to an accepted manifest", async () => {
  // One Nix evaluation builds the whole product (autonomy × tools × web × context × models ×
  // reasoning × retention); each artifact then goes through the same resolution as a profile.
  const dir = mkdtempSync(join(tmpdir(), "insomnia-contract-"));
  try {
    const file = join(dir, "combos.nix");
    writeFileSync(
      file,
      `let
  insomnia = import <insomnia> { };
  inherit (insomnia) presets mkProfile mkManifest scopes;
  names = set: builtins.attrNames set;
  pick = family: map (n: family.\${n}) (builtins.filter (n: builtins.isAttrs family.\${n}) (names family));
  product = lists: builtins.foldl' (acc: list: builtins.concatMap (a: map (x: a ++ [ x ]) list) acc) [ [ ] ] lists;
in
map (use: mkProfile { name = "combo"; manifest = mkManifest { use = [ scopes.workspaceWrite ] ++ use; }; })
  (product [
    (pick presets.autonomy)
    (pick presets.tools)
    (pick presets.web)
    [ presets.context.small presets.context.large ]
    (map (n: presets.models.\${n}) [ "claudeSonnet" "gpt55" "ollamaQwen" ])
    [ presets.reasoning.medium ]
    (pick presets.retention)
  ])
`,
    );
    const { value } = await evaluateNix({
      target: { kind: "file", file },
      env,
      timeoutMs: 120_000,
      includePaths: { insomnia: join(REPO_ROOT, "resources", "nix") },
    });
    const artifacts = value as unknown[];
    assert.ok(artifacts.length >= 100, `${artifacts.length} combinations`);
    const failures: string[] = [];
    for (const [i, raw] of artifacts.entries()) {
      const { manifest } = resolveArtifact(raw, {
        origin: `combination ${i}`,
        base: dir,
        workspace: WORKSPACE,
        env,
        podName: "combo",
      });
      const problems = contractProblems(manifest);
      if (problems.length) failures.push(`${i}: ${problems.join("; ")}`);
    }
    assert.deepEqual(failures, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
