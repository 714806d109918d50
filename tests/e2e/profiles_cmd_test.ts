// deno-lint-ignore-file no-explicit-any -- these tests read the CLI's JSON output untyped
/**
 * End-to-end: `profiles list|show|init` and registry behaviour through the real CLI.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  parseJson,
  runCli,
  type Sandbox,
  treeSnapshot,
  withSandbox,
  writeFile,
} from "../helpers/cli.ts";

const profile = (name: string, description: string) =>
  `let insomnia = import <insomnia> { }; in
insomnia.mkProfile {
  name = "${name}";
  description = "${description}";
  manifest = {
    model = { ref = "anthropic/claude-sonnet-4-6"; auth = insomnia.secrets.ref "llm.anthropic.default"; };
    scope.allow = [ { target = insomnia.workspace "."; permission = "read"; } ];
  };
}
`;

function registries(sb: Sandbox) {
  writeFile(join(sb.config, "profiles", "coder.nix"), profile("coder", "user coder"));
  writeFile(join(sb.config, "profiles", "writer.nix"), profile("writer", "user writer"));
  writeFile(
    join(sb.config, "manifest.toml"),
    '[profiles]\ndefault = "writer"\n[profiles.profile]\ncoder = "profiles/coder.nix"\nwriter = { path = "profiles/writer.nix", description = "writes docs" }\n',
  );
  writeFile(
    join(sb.workspace, ".insomnia", "profiles", "coder.nix"),
    profile("coder", "project coder"),
  );
  writeFile(
    join(sb.workspace, ".insomnia", "manifest.toml"),
    '[profiles]\ndefault = "coder"\n[profiles.profile]\ncoder = "profiles/coder.nix"\n',
  );
}

async function run(sb: Sandbox, args: string[]) {
  return await runCli(args, { cwd: sb.workspace, env: sb.env });
}

Deno.test("profiles list: deterministic order, the project default wins, shadows are shown", async () => {
  await withSandbox(async (sb) => {
    registries(sb);
    const result = await run(sb, ["profiles", "list", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    const out = parseJson(result) as any;
    const qualified = out.profiles.map((p: any) => p.qualified);
    const builtins = qualified.filter((q: string) => q.startsWith("builtin:"));
    assert.deepEqual(qualified.slice(builtins.length), [
      "user:coder",
      "user:writer",
      "project:coder",
    ]);
    assert.deepEqual(builtins, [...builtins].sort());
    assert.equal(out.default, "project:coder");
    const projectCoder = out.profiles.find((p: any) => p.qualified === "project:coder");
    assert.equal(projectCoder.default, true);
    assert.deepEqual(projectCoder.shadows, ["builtin:coder", "user:coder"]);
    assert.equal(projectCoder.path, join(sb.workspace, ".insomnia", "profiles", "coder.nix"));
    assert.equal(
      out.profiles.find((p: any) => p.qualified === "user:writer").description,
      "writes docs",
    );
    const human = await run(sb, ["profiles", "list"]);
    assert.match(human.stdout, /\* project:coder/);
    assert.match(human.stdout, /default: project:coder/);
  });
});

Deno.test("an ambiguous name fails closed listing the choices; the qualified name works", async () => {
  await withSandbox(async (sb) => {
    registries(sb);
    const ambiguous = parseJson(
      await run(sb, ["--profile", "coder", "--dry-run", "--json"]),
    ) as any;
    assert.equal(ambiguous.error.code, "profile_ambiguous");
    assert.deepEqual(ambiguous.error.choices.sort(), [
      "builtin:coder",
      "project:coder",
      "user:coder",
    ]);
    const qualified = parseJson(
      await run(sb, ["--profile", "user:coder", "--dry-run", "--json"]),
    ) as any;
    assert.equal(qualified.manifest.pod.name, "coder");
    assert.equal(qualified.profile.source.source, "user");
    const byDefault = parseJson(await run(sb, ["--dry-run", "--json"])) as any;
    assert.equal(byDefault.profile.source.source, "project");
    const typo = parseJson(await run(sb, ["--profile", "projct:coder", "--json"])) as any;
    assert.equal(typo.error.code, "selector_invalid");
    assert.match(typo.error.message, /project:coder/);
    const missing = parseJson(await run(sb, ["--profile", "user:nope", "--json"])) as any;
    assert.equal(missing.error.code, "profile_not_found");
  });
});

Deno.test("profiles show summarises what a profile grants; --manifest prints it whole", async () => {
  await withSandbox(async (sb) => {
    const human = await run(sb, ["profiles", "show", "builtin:reviewer"]);
    assert.equal(human.code, 0, human.stderr);
    for (
      const row of ["model:", "auth:", "scope:", "permissions:", "compaction:", "memory:", "web:"]
    ) {
      assert.match(human.stdout, new RegExp(`\\b${row}`), row);
    }
    const json = parseJson(
      await run(sb, ["profiles", "show", "builtin:reviewer", "--json"]),
    ) as any;
    assert.equal(json.profile.source.name, "reviewer");
    assert.ok(json.summary.model);
    const whole = await run(sb, ["profiles", "show", "builtin:reviewer", "--manifest"]);
    assert.equal(JSON.parse(whole.stdout).scope.allow[0].target, sb.workspace);
  });
});

Deno.test("profiles init writes a library profile, registers it, and it resolves", async () => {
  await withSandbox(async (sb) => {
    writeFile(
      join(sb.workspace, ".insomnia", "manifest.toml"),
      '# project settings\n[worker]\nlanguage = "English"\n',
    );
    const created = parseJson(await run(sb, ["profiles", "init", "mine", "--json"])) as any;
    assert.equal(created.profile.qualified, "project:mine");
    assert.equal(created.profile.validated, true);
    const registry = readFileSync(join(sb.workspace, ".insomnia", "manifest.toml"), "utf8");
    assert.match(registry, /^# project settings/, "comments survive");
    assert.match(registry, /\[profiles\.profile\]\n"mine" = "profiles\/mine\.nix"/);
    const shown = parseJson(
      await run(sb, ["--profile", "project:mine", "--dry-run", "--json"]),
    ) as any;
    assert.equal(shown.manifest.pod.name, "mine");

    const derived = parseJson(
      await run(sb, [
        "profiles",
        "init",
        "mycoder",
        "--from",
        "builtin:coder",
        "--source",
        "user",
        "--json",
      ]),
    ) as any;
    assert.equal(derived.profile.qualified, "user:mycoder");
    assert.ok(existsSync(join(sb.config, "profiles", "mycoder.nix")));
    const resolved = parseJson(
      await run(sb, ["--profile", "user:mycoder", "--dry-run", "--json"]),
    ) as any;
    assert.equal(resolved.manifest.model.ref, "anthropic/claude-sonnet-4-6");

    const before = treeSnapshot(sb.root);
    const again = await run(sb, ["profiles", "init", "mine", "--json"]);
    assert.equal(again.code, 1);
    assert.equal((parseJson(again) as any).error.code, "profile_exists");
    assert.deepEqual(treeSnapshot(sb.root), before);
  });
});

Deno.test("a broken user registry blocks names but never path: selection or --manifest", async () => {
  await withSandbox(async (sb) => {
    writeFile(join(sb.config, "manifest.toml"), "[profiles\ndefault = 'x'\n");
    const named = parseJson(await run(sb, ["--profile", "coder", "--json"])) as any;
    assert.equal(named.error.code, "registry_invalid");
    assert.match(named.error.message, /manifest\.toml:1:/);
    const file = writeFile(join(sb.workspace, "p.nix"), profile("p", "fine"));
    const byPath = await run(sb, ["--profile", `path:${file}`, "--dry-run", "--json"]);
    assert.equal(byPath.code, 0, byPath.stderr);
    writeFile(
      join(sb.workspace, "m.toml"),
      '[pod]\nname = "m"\n[model]\nref = "anthropic/claude-sonnet-4-6"\n[[scope.allow]]\ntarget = "."\npermission = "read"\n',
    );
    const byManifest = await run(sb, ["--manifest", "m.toml", "--dry-run", "--json"]);
    assert.equal(byManifest.code, 0, byManifest.stderr);
    const builtin = await run(sb, ["--profile", "builtin:coder", "--dry-run", "--json"]);
    assert.equal(builtin.code, 0, builtin.stderr);
  });
});
