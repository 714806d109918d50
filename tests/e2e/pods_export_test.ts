// deno-lint-ignore-file no-explicit-any -- these tests read the CLI's JSON output untyped
/**
 * End-to-end: `pods export` writes a portable artifact (paths inside the recorded launch
 * workspace become workspace paths again and follow `--workspace` on import), refuses bad `-o`
 * paths without writing, and the store refuses tampered provenance and a store path that is a file.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  makeSandbox,
  parseJson,
  runCli,
  type Sandbox,
  treeSnapshot,
  withSandbox,
  writeFile,
} from "../helpers/cli.ts";

/** A profile whose paths are inside the workspace, outside it, and next to it. */
const profileNix = (outside: string, sibling: string) =>
  `let insomnia = import <insomnia> { }; in
insomnia.mkProfile {
  name = "coder";
  description = "export fixture";
  manifest = {
    pod.prompt_pack = insomnia.workspace "prompts";
    model = {
      ref = "anthropic/claude-sonnet-4-6";
      auth = { kind = "api_key"; file = insomnia.workspace ".keys/anthropic"; };
    };
    scope.allow = [
      { target = insomnia.workspace "."; permission = "write"; }
      { target = "${outside}"; permission = "read"; }
      { target = "${sibling}"; permission = "read"; }
    ];
    scope.deny = [ { target = insomnia.workspace "secrets/prod"; permission = "read"; } ];
    skills.directories = [ (insomnia.workspace ".skills") "${outside}/skills" ];
    memory.workspace_root = insomnia.workspace "notes";
  };
}
`;

function cli(sb: Sandbox, args: string[], env: Record<string, string> = {}) {
  return runCli([...args, "-s", sb.store], { cwd: sb.workspace, env: { ...sb.env, ...env } });
}

async function ok(sb: Sandbox, args: string[], env: Record<string, string> = {}): Promise<any> {
  const result = await cli(sb, [...args, "--json"], env);
  assert.equal(result.code, 0, `${args.join(" ")}: ${result.stdout}\n${result.stderr}`);
  return parseJson(result);
}

async function fails(sb: Sandbox, args: string[], code: string): Promise<any> {
  const before = treeSnapshot(sb.root);
  const result = await cli(sb, [...args, "--json"]);
  const body = parseJson(result) as any;
  assert.equal(body.error?.code, code, `${args.join(" ")}: ${result.stdout}\n${result.stderr}`);
  assert.equal(result.code, code === "usage" ? 2 : 1);
  assert.deepEqual(treeSnapshot(sb.root), before, "a failed run must write nothing");
  return body.error;
}

const ws = (path: string) => ({ kind: "workspace_path", path });

Deno.test("pods export rewrites workspace paths so the artifact follows --workspace on import", async () => {
  await withSandbox(async (sb) => {
    const outside = join(sb.root, "shared");
    const sibling = `${sb.workspace}-sibling`;
    const file = writeFile(join(sb.root, "p", "coder.nix"), profileNix(outside, sibling));
    const created = await ok(sb, ["--profile", file]);
    const m = created.manifest;
    assert.deepEqual(m.scope.allow.map((r: any) => r.target), [sb.workspace, outside, sibling]);
    assert.equal(m.pod.prompt_pack, join(sb.workspace, "prompts"));

    const out = join(sb.root, "coder.export.json");
    const result = await ok(sb, ["pods", "export", "coder", "-o", out]);
    assert.equal(result.file, out);
    assert.equal(result.workspace, sb.workspace);
    assert.equal(result.workspace_paths, 6);
    const exported = JSON.parse(readFileSync(out, "utf8"));
    const e = exported.manifest;
    assert.equal(exported.profile.exported_from.workspace, sb.workspace);
    assert.deepEqual(e.scope.allow.map((r: any) => r.target), [ws("."), outside, sibling]);
    assert.deepEqual(e.scope.deny.map((r: any) => r.target), [ws("secrets/prod")]);
    assert.deepEqual(e.skills.directories, [ws(".skills"), join(outside, "skills")]);
    assert.deepEqual(e.memory.workspace_root, ws("notes"));
    assert.deepEqual(e.pod.prompt_pack, ws("prompts"));
    assert.deepEqual(e.model.auth, { kind: "api_key", file: ws(".keys/anthropic") });
    assert.equal(e.pod.name, "coder", "pod.name is kept");
    // Everything but the paths is the snapshot as stored.
    assert.equal(e.model.ref, m.model.ref);
    assert.deepEqual(e.worker, m.worker);

    const human = await cli(sb, ["pods", "export", "coder", "-o", out]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /6 path\(s\) inside the workspace/);
    assert.match(human.stdout, /--profile-pod-name NAME overrides it/);

    const other = makeSandbox();
    try {
      const elsewhere = join(other.root, "project");
      Deno.mkdirSync(elsewhere);
      const imported = await ok(other, [
        "--profile",
        `path:${out}`,
        "--workspace",
        elsewhere,
        "--profile-pod-name",
        "imported",
      ], { PATH: "/nonexistent" });
      const i = imported.manifest;
      assert.equal(i.pod.name, "imported");
      assert.deepEqual(i.scope.allow.map((r: any) => r.target), [elsewhere, outside, sibling]);
      assert.deepEqual(i.scope.deny.map((r: any) => r.target), [join(elsewhere, "secrets/prod")]);
      assert.deepEqual(i.skills.directories, [join(elsewhere, ".skills"), join(outside, "skills")]);
      assert.equal(i.memory.workspace_root, join(elsewhere, "notes"));
      assert.equal(i.pod.prompt_pack, join(elsewhere, "prompts"));
      assert.equal(i.model.auth.file, join(elsewhere, ".keys/anthropic"));
      for (const rule of [...i.scope.allow, ...i.scope.deny]) {
        assert.ok(!rule.target.startsWith(sb.workspace + "/") && rule.target !== sb.workspace);
      }
      // Without --workspace the paths follow the current directory.
      const here = await ok(other, ["--profile", `path:${out}`, "--dry-run"], {
        PATH: "/nonexistent",
      });
      assert.equal(here.manifest.scope.allow[0].target, other.workspace);
      assert.equal(here.manifest.pod.name, "coder");
    } finally {
      other.cleanup();
    }
  });
});

Deno.test("pods export of a TOML-created Pod keeps its absolute paths", async () => {
  await withSandbox(async (sb) => {
    writeFile(
      join(sb.workspace, "m.toml"),
      '[pod]\nname = "tomlpod"\n[model]\nref = "anthropic/claude-sonnet-4-6"\n' +
        '[[scope.allow]]\ntarget = "."\npermission = "read"\n' +
        '[skills]\ndirectories = ["skills"]\n',
    );
    const created = await ok(sb, ["--manifest", "m.toml"]);
    const out = join(sb.root, "toml.export.json");
    const result = await ok(sb, ["pods", "export", "tomlpod", "-o", out]);
    assert.equal(result.workspace, null);
    assert.equal(result.workspace_paths, 0);
    const exported = JSON.parse(readFileSync(out, "utf8"));
    assert.equal(exported.profile.exported_from.source.kind, "manifest");
    assert.equal(exported.profile.exported_from.workspace, undefined);
    assert.deepEqual(exported.manifest, created.manifest);
    assert.equal(exported.manifest.scope.allow[0].target, sb.workspace);
    assert.deepEqual(exported.manifest.skills.directories, [join(sb.workspace, "skills")]);
  });
});

Deno.test("pods export -o refuses a directory and a missing parent, writing nothing", async () => {
  await withSandbox(async (sb) => {
    const art = writeFile(
      join(sb.root, "a.json"),
      JSON.stringify({
        profile: { format: "insomnia.nix-profile.v1", name: "art" },
        manifest: {
          model: { ref: "anthropic/claude-sonnet-4-6" },
          scope: { allow: [{ target: { kind: "workspace_path", path: "." }, permission: "read" }] },
        },
      }),
    );
    await ok(sb, ["--profile", art]);
    const dir = await fails(sb, ["pods", "export", "art", "-o", sb.root], "usage");
    assert.match(dir.message, /is a directory, not a file/);
    const missing = join(sb.root, "nope", "deeper", "x.json");
    const noParent = await fails(sb, ["pods", "export", "art", "-o", missing], "usage");
    assert.match(noParent.message, /the directory .*deeper does not exist/);
    assert.ok(!existsSync(join(sb.root, "nope")), "the parent is not created");
    const underFile = await fails(
      sb,
      ["pods", "export", "art", "-o", join(art, "x.json")],
      "usage",
    );
    assert.match(underFile.message, /a\.json is not a directory/);
    const relative = await ok(sb, ["pods", "export", "art", "-o", "art.export.json"]);
    assert.equal(relative.file, join(sb.workspace, "art.export.json"));
    assert.ok(existsSync(relative.file));
  });
});

Deno.test("a --store that is a regular file is store_io 'not a directory' for list and create", async () => {
  await withSandbox(async (sb) => {
    const file = writeFile(join(sb.root, "store-file"), "x");
    const art = writeFile(
      join(sb.root, "a.json"),
      JSON.stringify({
        model: { ref: "anthropic/claude-sonnet-4-6" },
        scope: { allow: [{ target: { kind: "workspace_path", path: "." }, permission: "read" }] },
      }),
    );
    for (const args of [["pods", "list"], ["--profile", art, "--profile-pod-name", "p"]]) {
      const before = treeSnapshot(sb.root);
      const result = await runCli([...args, "-s", file, "--json"], {
        cwd: sb.workspace,
        env: sb.env,
      });
      const error = (parseJson(result) as any).error;
      assert.equal(error?.code, "store_io", `${args.join(" ")}: ${result.stdout}`);
      assert.match(error.message, new RegExp(`${file} is not a directory`));
      assert.doesNotMatch(error.message, /disk is not full/);
      assert.deepEqual(treeSnapshot(sb.root), before);
    }
    const human = await runCli(["pods", "list", "-s", file], { cwd: sb.workspace, env: sb.env });
    assert.equal(human.code, 1);
    assert.doesNotMatch(human.stdout, /no Pods recorded/);
  });
});

Deno.test("editing profile or fingerprint in pod.json is snapshot_invalid; --reload-profile evaluates nothing", async () => {
  await withSandbox(async (sb) => {
    const file = writeFile(
      join(sb.root, "p", "coder.nix"),
      profileNix(join(sb.root, "shared"), `${sb.workspace}-sibling`),
    );
    const evil = writeFile(join(sb.root, "evil.nix"), 'throw "evaluated the planted file"');
    const created = await ok(sb, ["--profile", file]);
    const podFile = join(created.pod.dir, "pod.json");
    const pristine = readFileSync(podFile, "utf8");
    const edits: Array<[string, (r: any) => void]> = [
      ["profile.source.path", (r) => (r.profile.source.path = evil)],
      ["profile.selector", (r) => (r.profile.selector = evil)],
      ["profile.workspace", (r) => (r.profile.workspace = "/")],
      ["fingerprint", (r) => (r.fingerprint.profile_sha256 = "0".repeat(64))],
    ];
    for (const [what, edit] of edits) {
      const record = JSON.parse(pristine);
      edit(record);
      const text = JSON.stringify(record, null, 2) + "\n";
      writeFileSync(podFile, text);
      for (const args of [["--pod", "coder"], ["--pod", "coder", "--reload-profile", "--yes"]]) {
        const error = await fails(sb, args, "snapshot_invalid");
        assert.ok(error.message.includes(podFile), `${what}: names the file`);
        assert.match(error.message, /record_sha256/, what);
        assert.doesNotMatch(error.message, /planted/, `${what}: nothing was evaluated`);
      }
      assert.equal(readFileSync(podFile, "utf8"), text, `${what}: left untouched`);
      assert.equal((await ok(sb, ["pods", "list"])).pods[0].ok, false, what);
    }
    writeFileSync(podFile, pristine);
    const resumed = await ok(sb, ["--pod", "coder"], { PATH: "/nonexistent" });
    assert.deepEqual(resumed.manifest, created.manifest);
    // Resuming touched the record (updated_at); it stays valid.
    assert.notEqual(readFileSync(podFile, "utf8"), pristine);
    await ok(sb, ["--pod", "coder", "--dry-run"]);
    assert.deepEqual(readdirSync(join(created.pod.dir, "history")), []);
  });
});
