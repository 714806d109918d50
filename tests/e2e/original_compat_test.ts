// deno-lint-ignore-file no-explicit-any -- these tests read the CLI's JSON output untyped
/**
 * End-to-end (issue 16 item 5): setups written for the original tool (HareK02/yoi at d77a86d5)
 * keep working, tested with its own files (tests/fixtures/original/, see its README): its profile
 * and library, `semanticPresets`, its registry spellings, and its TOML tolerance — unknown keys
 * ignored with a warning, removed keys refused with its hint, `[model]` merged field by field.
 */
import assert from "node:assert/strict";
import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  FIXTURES,
  parseJson,
  runCli,
  type Sandbox,
  treeSnapshot,
  trustProject,
  withSandbox,
  writeFile,
} from "../helpers/cli.ts";

const ORIGINAL = join(FIXTURES, "original");

function copyOriginal(sb: Sandbox): string {
  const dir = join(sb.root, "original");
  cpSync(ORIGINAL, dir, { recursive: true });
  return dir;
}

async function ok(sb: Sandbox, cwd: string, args: string[]): Promise<any> {
  const store = args[0] === "profiles" ? [] : ["-s", sb.store];
  const result = await runCli([...args, "--json", ...store], { cwd, env: sb.env });
  assert.equal(result.code, 0, `${args.join(" ")}: ${result.stdout}${result.stderr}`);
  return { ...(parseJson(result) as any), stderr: result.stderr };
}

Deno.test("original: its minimal profile with its own library creates a Pod the runtime accepts", async () => {
  await withSandbox(async (sb) => {
    const dir = copyOriginal(sb);
    const body = await ok(sb, dir, ["--profile", "./coder.nix"]);
    assert.equal(body.manifest.pod.name, "coder");
    assert.equal(body.manifest.model.model_id, "claude-sonnet-4-20250514");
    assert.deepEqual(body.manifest.model.auth, {
      kind: "secret_ref",
      ref: "llm.anthropic.default",
    });
    assert.equal(body.manifest.scope.allow[0].target, dir);
    // The same profile written against this tool's library (`import <insomnia> {}`) is the same Pod.
    const ours = readFileSync(join(dir, "coder.nix"), "utf8")
      .replace("import ./resources/nix/profile-lib.nix {}", "import <insomnia> { }")
      .replace('name = "coder";\n  description', 'name = "coder2";\n  description')
      .replace('pod.name = "coder";', 'pod.name = "coder2";');
    writeFile(join(dir, "coder2.nix"), ours);
    const second = await ok(sb, dir, ["--profile", "./coder2.nix"]);
    assert.deepEqual(second.manifest.model, body.manifest.model);
    assert.deepEqual(second.manifest.scope, body.manifest.scope);
  });
});

Deno.test("original: semanticPresets.codingAssistant means what it meant", async () => {
  await withSandbox(async (sb) => {
    const dir = copyOriginal(sb);
    const profile = (lib: string, name: string) =>
      writeFile(
        join(dir, `${name}.nix`),
        `let insomnia = import ${lib}; in insomnia.mkProfile {
  name = "${name}";
  manifest = insomnia.semanticPresets.codingAssistant { authRef = "llm.anthropic.default"; }
    // { scope.allow = [ { target = "."; permission = "read"; } ]; };
}`,
      );
    const theirs = await ok(sb, dir, [
      "--profile",
      profile("./resources/nix/profile-lib.nix {}", "theirs"),
      "--dry-run",
    ]);
    const ours = await ok(sb, dir, ["--profile", profile("<insomnia> { }", "ours"), "--dry-run"]);
    assert.deepEqual(ours.manifest.model, theirs.manifest.model);
    assert.equal(ours.manifest.model.model_id, "claude-sonnet-4-20250514");
    assert.equal(ours.manifest.model.scheme, "anthropic");
    // Its defaults: without authRef no auth (the runtime then needs one from elsewhere).
    const bare = await runCli(
      [
        "--profile",
        writeFile(
          join(dir, "bare.nix"),
          `let i = import <insomnia> { }; in i.semanticPresets.codingAssistant { }`,
        ),
        "--dry-run",
        "--json",
      ],
      { cwd: dir, env: sb.env },
    );
    assert.equal(bare.code, 1);
    assert.match((parseJson(bare) as any).error.message, /inline form needs .*\(missing: auth\)/);
  });
});

Deno.test("original: its project registry example works, and so do its `entries`/`aliases` spellings", async () => {
  await withSandbox(async (sb) => {
    const dir = copyOriginal(sb);
    // Its example registry names profiles/coder.nix: put the minimal profile there.
    const text = readFileSync(join(dir, "coder.nix"), "utf8").replace(
      "./resources/nix/profile-lib.nix",
      "../../resources/nix/profile-lib.nix",
    );
    writeFile(join(dir, ".insomnia", "profiles", "coder.nix"), text);
    writeFile(join(dir, ".insomnia", "profiles", "reviewer.nix"), text);
    await trustProject(sb, dir);
    // Its profile grants "." (the profile's own directory): launched from there.
    const inScope = join(dir, ".insomnia", "profiles");
    const viaAlias = await ok(sb, inScope, ["--profile", "work", "--dry-run"]);
    assert.equal(viaAlias.profile.source.name, "coder");
    const viaDefault = await ok(sb, inScope, ["--dry-run"]);
    assert.equal(viaDefault.profile.source.name, "coder");

    const registry = join(dir, ".insomnia", "manifest.toml");
    writeFile(
      registry,
      readFileSync(registry, "utf8").replace("[profiles.profile]", "[profiles.entries]").replace(
        "[profiles.alias]",
        "[profiles.aliases]",
      ),
    );
    await trustProject(sb, dir);
    const list = await ok(sb, dir, ["profiles", "list"]);
    assert.deepEqual(
      list.profiles.filter((p: any) => p.source === "project").map((p: any) => p.name),
      ["coder", "reviewer"],
    );
    assert.equal(
      (await ok(sb, inScope, ["--profile", "work", "--dry-run"])).profile.source.name,
      "coder",
    );
  });
});

Deno.test("original: TOML keys it ignored warn and are ignored; keys it removed are refused", async () => {
  await withSandbox(async (sb) => {
    const dir = copyOriginal(sb);
    const file = join(dir, "unknown_field.toml");
    writeFile(
      file,
      readFileSync(file, "utf8") +
        `\n[model]\nref = "anthropic/claude-sonnet-4-6"\nauth = { kind = "secret_ref", ref = "llm.a.b" }\n` +
        `[[scope.allow]]\ntarget = "."\npermission = "read"\n`,
    );
    const body = await ok(sb, dir, ["--manifest", file, "--dry-run"]);
    assert.equal(body.manifest.worker.max_tokens, 1000);
    assert.equal(body.manifest.pod.name, "x");
    const warnings = body.warnings.filter((w: string) => w.includes("ignored"));
    assert.deepEqual(warnings.map((w: string) => /unknown key (\S+)/.exec(w)?.[1]), [
      "pod.pwd",
      "worker.unknown_future_field",
    ]);
    assert.match(body.stderr, /^warning: .*unknown key pod\.pwd ignored/m);

    for (
      const [toml, hint] of [
        [
          "[compaction]\nprune_protected_turns = 3\n",
          /prune_protected_turns.*compaction\.prune_protected_tokens/,
        ],
        [
          "[memory]\nextract_worker_max_input_tokens = 3\n",
          /memory\.extract_worker_max_input_tokens \(it was removed/,
        ],
      ] as const
    ) {
      const removed = writeFile(join(dir, "removed.toml"), toml);
      const before = treeSnapshot(sb.data);
      const result = await runCli(["--manifest", removed, "--json"], { cwd: dir, env: sb.env });
      assert.equal(result.code, 1);
      const error = (parseJson(result) as any).error;
      assert.equal(error.code, "manifest_invalid");
      assert.match(error.message, hint);
      assert.deepEqual(treeSnapshot(sb.data), before);
    }
  });
});

Deno.test("original: [model] merges field by field across the cascade (user ref + project window)", async () => {
  await withSandbox(async (sb) => {
    writeFile(
      join(sb.config, "manifest.toml"),
      `[model]\nref = "anthropic/claude-sonnet-4-6"\nauth = { kind = "secret_ref", ref = "llm.a.b" }\n`,
    );
    writeFile(
      join(sb.workspace, ".insomnia", "manifest.toml"),
      `[pod]\nname = "merged"\n[model]\ncontext_window = 64000\n[[scope.allow]]\ntarget = "."\npermission = "read"\n`,
    );
    await trustProject(sb);
    const body = await ok(sb, sb.workspace, ["--manifest-cascade", "--dry-run"]);
    assert.equal(body.manifest.model.model_id, "claude-sonnet-4-6");
    assert.equal(body.manifest.model.context_window, 64000);
    assert.deepEqual(body.manifest.model.auth, { kind: "secret_ref", ref: "llm.a.b" });
  });
});
