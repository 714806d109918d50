// deno-lint-ignore-file no-explicit-any -- these tests read the CLI's JSON output untyped
/**
 * End-to-end: the Pod lifecycle through the real CLI — create, resume from the snapshot without
 * Nix, resume by session, explicit re-resolve with a diff, collisions, corruption, export, and
 * crash/concurrency safety of the store.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  denoDir,
  makeSandbox,
  parseJson,
  podCommand,
  runCli,
  type Sandbox,
  treeSnapshot,
  withSandbox,
  writeFile,
} from "../helpers/cli.ts";
import { type PodRecord, podRecordOf } from "../../src/store/records.ts";
import { canonicalJson, canonicalSha256 } from "../../src/store/canonical.ts";

const profileNix = (model: string, extra = "") =>
  `let insomnia = import <insomnia> { }; in
insomnia.mkProfile {
  name = "coder";
  description = "lifecycle fixture";
  manifest = {
    model = { ref = "${model}"; auth = insomnia.secrets.ref "llm.anthropic.default"; };
    scope.allow = [ { target = insomnia.workspace "."; permission = "write"; } ];
    ${extra}
  };
}
`;

const artifactJson = (model: string, permission = "write") =>
  JSON.stringify({
    profile: { format: "insomnia.nix-profile.v1", name: "art" },
    manifest: {
      model: { ref: model, auth: { kind: "secret_ref", ref: "llm.anthropic.default" } },
      scope: { allow: [{ target: { kind: "workspace_path", path: "." }, permission }] },
    },
  });

function cli(sb: Sandbox, args: string[], env: Record<string, string> = {}) {
  return runCli([...args, "-s", sb.store], { cwd: sb.workspace, env: { ...sb.env, ...env } });
}

async function ok(sb: Sandbox, args: string[], env: Record<string, string> = {}): Promise<any> {
  const result = await cli(sb, [...args, "--json"], env);
  assert.equal(result.code, 0, `${args.join(" ")}: ${result.stdout}\n${result.stderr}`);
  return parseJson(result);
}

async function fails(
  sb: Sandbox,
  args: string[],
  code: string,
  env: Record<string, string> = {},
): Promise<any> {
  const before = treeSnapshot(sb.data);
  const result = await cli(sb, [...args, "--json"], env);
  const body = parseJson(result) as any;
  assert.equal(body.error?.code, code, `${args.join(" ")}: ${result.stdout}\n${result.stderr}`);
  assert.equal(result.code, code === "usage" ? 2 : 1);
  assert.deepEqual(treeSnapshot(sb.data), before, "a failed run must write nothing");
  return body.error;
}

Deno.test("create, then resume with Nix gone and the profile deleted: the same manifest", async () => {
  await withSandbox(async (sb) => {
    const file = writeFile(
      join(sb.root, "p", "coder.nix"),
      profileNix("anthropic/claude-sonnet-4-6"),
    );
    const created = await ok(sb, ["--profile", file]);
    assert.equal(created.action, "created");
    assert.equal(created.pod.name, "coder");
    assert.ok(created.pod.dir.startsWith(sb.store));
    const record = JSON.parse(readFileSync(join(created.pod.dir, "pod.json"), "utf8"));
    assert.deepEqual(record.snapshot.manifest, created.manifest);
    assert.equal(record.profile.selector, file);
    assert.equal(record.profile.source.kind, "path");
    assert.match(record.fingerprint.profile_sha256, /^[0-9a-f]{64}$/);
    assert.equal(Deno.statSync(join(created.pod.dir, "pod.json")).mode! & 0o777, 0o600);
    assert.equal(Deno.statSync(created.pod.dir).mode! & 0o777, 0o700);

    rmSync(join(sb.root, "p"), { recursive: true });
    const resumed = await ok(sb, ["--pod", "coder"], { PATH: "/nonexistent" });
    assert.equal(resumed.action, "resumed");
    assert.deepEqual(resumed.manifest, created.manifest);
    const bySession = await ok(sb, ["--session", created.pod.session_id], { PATH: "/nonexistent" });
    assert.equal(bySession.pod.name, "coder");
    assert.deepEqual(bySession.manifest, created.manifest);
    await fails(sb, ["--session", "00000000-0000-0000-0000-000000000000"], "pod_not_found");
  });
});

Deno.test("the hashes the CLI records are SHA-256 as another runtime computes it (UTF-8 text too)", async () => {
  await withSandbox(async (sb) => {
    // In the binary suite the CLI hashes with Bun's hasher (src/sha256.ts); here Deno's node:crypto.
    const file = writeFile(
      join(sb.root, "p", "coder.nix"),
      "# données — €😀\n" + profileNix(
        "anthropic/claude-sonnet-4-6",
        'scope.deny = [ { target = insomnia.workspace "données-😀"; permission = "write"; } ];',
      ),
    );
    const created = await ok(sb, ["--profile", file]);
    const record = JSON.parse(readFileSync(join(created.pod.dir, "pod.json"), "utf8"));
    const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");
    assert.match(canonicalJson(record.snapshot.manifest), /données-😀/);
    assert.equal(record.snapshot.sha256, sha256(canonicalJson(record.snapshot.manifest)));
    assert.equal(record.fingerprint.profile_sha256, sha256(readFileSync(file)));
  });
});

Deno.test("name rules: implicit names get -2, explicit collisions are pod_exists, bad names are rejected", async () => {
  await withSandbox(async (sb) => {
    const art = writeFile(join(sb.root, "a.json"), artifactJson("anthropic/claude-sonnet-4-6"));
    assert.equal((await ok(sb, ["--profile", art])).pod.name, "art");
    assert.equal((await ok(sb, ["--profile", art])).pod.name, "art-2");
    assert.equal((await ok(sb, ["--profile", art])).pod.name, "art-3");
    assert.equal((await ok(sb, ["--profile", art, "--profile-pod-name", "mine"])).pod.name, "mine");
    const exists = await fails(sb, ["--profile", art, "--profile-pod-name", "mine"], "pod_exists");
    assert.match(exists.message, /--pod mine/);
    for (const bad of ["bad/name", ".hidden", "a b", "x".repeat(129), ""]) {
      await fails(sb, ["--profile", art, "--profile-pod-name", bad], "pod_name_invalid");
    }
    await fails(sb, ["--pod", "../escape"], "pod_name_invalid");
    await fails(sb, ["--pod", "nobody-here", "--require-pod-state"], "pod_not_found");
    const dry = await ok(sb, ["--profile", art, "--dry-run"]);
    assert.equal(dry.pod.name, "art-4");
    assert.equal(dry.pod.dir, null);
    const listed = await ok(sb, ["pods", "list"]);
    assert.deepEqual(listed.pods.map((p: any) => p.name), ["art", "art-2", "art-3", "mine"]);
  });
});

Deno.test("reload shows the diff, writes nothing without --yes, replaces and keeps history with it", async () => {
  await withSandbox(async (sb) => {
    const file = writeFile(
      join(sb.root, "p", "coder.nix"),
      profileNix("anthropic/claude-sonnet-4-6"),
    );
    const created = await ok(sb, ["--profile", file]);
    const unchanged = await ok(sb, ["--pod", "coder", "--reload-profile"]);
    assert.deepEqual(unchanged.changes, []);
    assert.equal(unchanged.applied, false);

    writeFile(file, profileNix("anthropic/claude-opus-4-1", 'permissions.default_action = "ask";'));
    const shown = await ok(sb, ["pods", "show", "coder"]);
    assert.equal(shown.profile_file, "changed");
    const before = treeSnapshot(sb.store);
    const preview = await ok(sb, ["--pod", "coder", "--reload-profile"]);
    assert.equal(preview.applied, false);
    const areas = new Set(preview.changes.map((c: any) => c.area));
    assert.ok(
      areas.has("model") && areas.has("permissions and tools"),
      JSON.stringify(preview.changes),
    );
    assert.deepEqual(treeSnapshot(sb.store), before, "no --yes: nothing written");
    const human = await cli(sb, ["--pod", "coder", "--reload-profile"]);
    assert.match(
      human.stdout,
      /~ model\.ref: anthropic\/claude-sonnet-4-6 → anthropic\/claude-opus-4-1/,
    );
    assert.match(human.stdout, /--yes/);

    const applied = await ok(sb, ["--pod", "coder", "--reload-profile", "--yes"]);
    assert.equal(applied.applied, true);
    assert.equal(applied.manifest.model.ref, "anthropic/claude-opus-4-1");
    const resumed = await ok(sb, ["--pod", "coder"]);
    assert.equal(resumed.manifest.model.ref, "anthropic/claude-opus-4-1");
    const after = await ok(sb, ["pods", "show", "coder"]);
    assert.equal(after.history.length, 1);
    assert.equal(after.profile_file, "unchanged");
    const historyDir = join(created.pod.dir, "history");
    const old = JSON.parse(readFileSync(join(historyDir, readdirSync(historyDir)[0]), "utf8"));
    assert.equal(old.snapshot.manifest.model.ref, "anthropic/claude-sonnet-4-6");
  });
});

// What a read verifies (docs/session-store.md): the hashes prove the snapshot is the one validated
// when it was stored; the runtime's contract catches an edit that recomputed them.
Deno.test("a snapshot edited with its hashes recomputed is checked against the runtime's contract on resume and show", async () => {
  await withSandbox(async (sb) => {
    const art = writeFile(join(sb.root, "a.json"), artifactJson("anthropic/claude-sonnet-4-6"));
    const created = await ok(sb, ["--profile", art]);
    const file = join(created.pod.dir, "pod.json");
    const pristine = readFileSync(file, "utf8");
    const rehashed = (edit: (manifest: any) => void) => {
      const record = JSON.parse(pristine) as PodRecord;
      const manifest = structuredClone(record.snapshot.manifest) as any;
      edit(manifest);
      const snapshot = { sha256: canonicalSha256(manifest), manifest };
      const next = podRecordOf(
        record.pod,
        record.profile,
        record.fingerprint,
        snapshot,
        record.history_count,
      );
      return JSON.stringify(next, null, 2) + "\n";
    };
    writeFileSync(file, rehashed((m) => (m.worker.tool_ouput = "full")));
    for (const args of [["--pod", "art"], ["pods", "show", "art"]]) {
      const error = await fails(sb, args, "snapshot_invalid");
      assert.match(error.message, /worker\.tool_ouput: a field the runtime does not read/);
    }
    writeFileSync(file, rehashed((m) => delete m.scope));
    const missing = await fails(sb, ["--pod", "art"], "snapshot_invalid");
    assert.match(missing.message, /scope: missing required field/);
    // An edit the runtime accepts, with consistent hashes, resumes as the edited snapshot.
    writeFileSync(file, rehashed((m) => (m.worker.max_turns = 7)));
    const resumed = await ok(sb, ["--pod", "art"]);
    assert.equal(resumed.manifest.worker.max_turns, 7);
  });
});

Deno.test("a corrupted record is snapshot_invalid and left untouched", async () => {
  await withSandbox(async (sb) => {
    const art = writeFile(join(sb.root, "a.json"), artifactJson("anthropic/claude-sonnet-4-6"));
    const created = await ok(sb, ["--profile", art]);
    const file = join(created.pod.dir, "pod.json");
    const pristine = readFileSync(file, "utf8");
    const corruptions: Array<[string, string]> = [
      ["edited byte", pristine.replace("claude-sonnet-4-6", "claude-sonnet-4-7")],
      ["truncated", pristine.slice(0, pristine.length / 2)],
      ["wrong format version", pristine.replace('"insomnia.pod.v1"', '"insomnia.pod.v9"')],
    ];
    for (const [what, text] of corruptions) {
      writeFileSync(file, text);
      const error = await fails(sb, ["--pod", "art"], "snapshot_invalid");
      assert.ok(error.message.length > 0, what);
      assert.equal(readFileSync(file, "utf8"), text, `${what}: left untouched`);
      const listed = await ok(sb, ["pods", "list"]);
      assert.equal(listed.pods[0].ok, false);
    }
    writeFileSync(file, pristine);
    await ok(sb, ["--pod", "art"]);
  });
});

Deno.test("pods export writes a portable artifact that resolves elsewhere without Nix", async () => {
  await withSandbox(async (sb) => {
    const file = writeFile(
      join(sb.root, "p", "coder.nix"),
      profileNix("anthropic/claude-sonnet-4-6"),
    );
    const created = await ok(sb, ["--profile", file]);
    const out = join(sb.root, "coder.export.json");
    await ok(sb, ["pods", "export", "coder", "-o", out]);
    const exported = JSON.parse(readFileSync(out, "utf8"));
    assert.equal(exported.profile.format, "insomnia.nix-profile.v1");
    assert.equal(exported.profile.exported_from.pod, "coder");
    assert.deepEqual(exported.manifest.model.auth, {
      kind: "secret_ref",
      ref: "llm.anthropic.default",
    });
    const other = makeSandbox();
    try {
      const imported = await ok(other, [
        "--profile",
        `path:${out}`,
        "--profile-pod-name",
        "imported",
        "--workspace",
        sb.workspace,
      ], { PATH: "/nonexistent" });
      // The same manifest; only its provenance (`profile`) now names the exported file.
      assert.deepEqual(
        { ...imported.manifest, pod: created.manifest.pod, profile: created.manifest.profile },
        created.manifest,
      );
    } finally {
      other.cleanup();
    }
    await ok(sb, ["pods", "rm", "coder"]);
    await fails(sb, ["pods", "show", "coder"], "pod_not_found");
    await fails(sb, ["--session", created.pod.session_id], "pod_not_found");
  });
});

Deno.test("20 concurrent creates of one explicit name: exactly one Pod, pod_exists for the rest", async () => {
  await withSandbox(async (sb) => {
    const art = writeFile(join(sb.root, "a.json"), artifactJson("anthropic/claude-sonnet-4-6"));
    const runs = await Promise.all(
      Array.from(
        { length: 20 },
        () => cli(sb, ["--profile", art, "--profile-pod-name", "race", "--json"]),
      ),
    );
    const codes = runs.map((r) => (parseJson(r) as any).error?.code ?? "ok");
    assert.equal(codes.filter((c) => c === "ok").length, 1, codes.join(","));
    assert.equal(codes.filter((c) => c === "pod_exists").length, 19, codes.join(","));
    assert.deepEqual(readdirSync(join(sb.store, "pods")).filter((n) => !n.startsWith(".")), [
      "race",
    ]);
  });
});

function spawnAndKill(
  args: string[],
  env: Record<string, string>,
  cwd: string,
  delayMs: number,
): Promise<void> {
  const [cmd, ...prefix] = podCommand();
  return new Promise((resolve) => {
    const child = spawn(cmd, [...prefix, ...args], {
      cwd,
      env: { ...Deno.env.toObject(), ...env },
      stdio: "ignore",
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), delayMs);
    child.on("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

Deno.test("kill -9 at random moments during create and reload never leaves a broken or half-written Pod", async () => {
  await withSandbox(async (sb) => {
    const art = join(sb.root, "a.json");
    writeFile(art, artifactJson("anthropic/claude-sonnet-4-6"));
    await ok(sb, ["--profile", art, "--profile-pod-name", "target"]);
    const env = {
      ...sb.env,
      DENO_DIR: denoDir(),
    };
    const trials = 100;
    for (let i = 0; i < trials; i += 2) {
      // alternate the profile so reloads have something to replace
      writeFile(
        art,
        artifactJson(
          i % 4 === 0 ? "anthropic/claude-opus-4-1" : "anthropic/claude-sonnet-4-6",
          i % 3 ? "write" : "read",
        ),
      );
      const delay = () => 40 + Math.floor(Math.random() * 400);
      await Promise.all([
        spawnAndKill(["--profile", art, "-s", sb.store], env, sb.workspace, delay()),
        spawnAndKill(
          ["--pod", "target", "--reload-profile", "--yes", "-s", sb.store],
          env,
          sb.workspace,
          delay(),
        ),
      ]);
    }
    const listed = await ok(sb, ["pods", "list"]);
    assert.ok(listed.pods.length >= 1);
    for (const pod of listed.pods) {
      assert.equal(pod.ok, true, `${pod.name}: ${JSON.stringify(pod.error)}`);
      await ok(sb, ["--pod", pod.name, "--dry-run"]);
    }
    const visible = readdirSync(join(sb.store, "pods")).filter((n) => !n.startsWith("."));
    assert.deepEqual(visible.sort(), listed.pods.map((p: any) => p.name).sort());
    await ok(sb, ["pods", "show", "target"]);
  });
});

Deno.test("reload: a TOML Pod has no profile to re-resolve; a changed comment only updates the fingerprint", async () => {
  await withSandbox(async (sb) => {
    writeFile(
      join(sb.workspace, "m.toml"),
      '[pod]\nname = "tomlpod"\n[model]\nref = "anthropic/claude-sonnet-4-6"\n[[scope.allow]]\ntarget = "."\npermission = "read"\n',
    );
    await ok(sb, ["--manifest", "m.toml"]);
    const reloadToml = await fails(sb, ["--pod", "tomlpod", "--reload-profile"], "usage");
    assert.match(reloadToml.message, /not from a profile/);

    const file = writeFile(
      join(sb.root, "p", "coder.nix"),
      profileNix("anthropic/claude-sonnet-4-6"),
    );
    await ok(sb, ["--profile", file]);
    writeFile(file, profileNix("anthropic/claude-sonnet-4-6") + "# a comment\n");
    assert.equal((await ok(sb, ["pods", "show", "coder"])).profile_file, "changed");
    const preview = await ok(sb, ["--pod", "coder", "--reload-profile"]);
    assert.deepEqual(preview.changes, []);
    assert.equal(preview.fingerprint_changed, true);
    assert.equal(preview.applied, false);
    const applied = await ok(sb, ["--pod", "coder", "--reload-profile", "--yes"]);
    assert.equal(applied.applied, true);
    assert.equal((await ok(sb, ["pods", "show", "coder"])).profile_file, "unchanged");
  });
});

Deno.test("--pod NAME of an existing Pod warns that creation flags are ignored", async () => {
  await withSandbox(async (sb) => {
    const art = writeFile(join(sb.root, "a.json"), artifactJson("anthropic/claude-sonnet-4-6"));
    await ok(sb, ["--profile", art, "--profile-pod-name", "p1"]);
    writeFile(join(sb.workspace, "m.toml"), '[model]\nref = "anthropic/claude-sonnet-4-6"\n');
    const result = await cli(sb, ["--pod", "p1", "--manifest", "m.toml", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((parseJson(result) as any).action, "resumed");
    assert.match(
      result.stderr,
      /warning: Pod p1 exists.*--manifest applies only when the Pod is created/,
    );
    const missing = await fails(sb, ["--pod", "typo", "--manifest-cascade"], "manifest_invalid");
    assert.match(missing.message, /no Pod named typo exists.*--require-pod-state/);
    // Without a TOML flag a missing Pod is never created (issue 16): pod_not_found.
    await fails(sb, ["--pod", "typo"], "pod_not_found");
  });
});

Deno.test("--workspace must be an existing directory", async () => {
  await withSandbox(async (sb) => {
    const error = await fails(sb, [
      "--profile",
      "builtin:coder",
      "--workspace",
      join(sb.root, "nope"),
      "--dry-run",
    ], "usage");
    assert.match(error.message, /not an existing directory/);
    const file = writeFile(join(sb.root, "file"), "x");
    await fails(sb, ["--profile", "builtin:coder", "--workspace", file, "--dry-run"], "usage");
  });
});

Deno.test("pods list reads the store index, and never trusts it for a record that changed", async () => {
  await withSandbox(async (sb) => {
    sb.checkSnapshots = false;
    const env = { cwd: sb.workspace, env: sb.env };
    for (const name of ["a", "b", "c"]) {
      const made = await runCli(
        ["--profile", "builtin:default", "--profile-pod-name", name, "-s", sb.store, "--json"],
        env,
      );
      assert.equal(made.code, 0, made.stderr);
    }
    const lines = Deno.readTextFileSync(join(sb.store, "index.jsonl")).trim().split("\n");
    assert.equal(JSON.parse(lines[0]).format, "insomnia.store-index.v1");
    assert.deepEqual(lines.slice(1).map((l) => JSON.parse(l).n), ["a", "b", "c"]);
    assert.equal(Deno.statSync(join(sb.store, "index.jsonl")).mode! & 0o777, 0o600);
    const list = async () =>
      parseJson(await runCli(["pods", "list", "-s", sb.store, "--json"], env)) as any;
    const first = await list();
    assert.deepEqual(first.pods.map((p: any) => [p.name, p.ok, p.source]), [
      ["a", true, "builtin:default"],
      ["b", true, "builtin:default"],
      ["c", true, "builtin:default"],
    ]);
    // A hand edit of a record changes its stat: listed from the record, so its breakage shows.
    const record = join(sb.store, "pods", "b", "pod.json");
    Deno.writeTextFileSync(record, Deno.readTextFileSync(record).replace('"b"', '"B"'));
    const edited = await list();
    assert.equal(edited.pods[1].ok, false);
    assert.equal(edited.pods[1].error.code, "snapshot_invalid");
    assert.deepEqual([edited.pods[0].ok, edited.pods[2].ok], [true, true]);
    // A lost or corrupt index costs time, never a wrong answer.
    Deno.writeTextFileSync(join(sb.store, "index.jsonl"), "{not json");
    assert.deepEqual((await list()).pods.map((p: any) => p.ok), [true, false, true]);
    Deno.removeSync(join(sb.store, "index.jsonl"));
    assert.deepEqual((await list()).pods.map((p: any) => p.ok), [true, false, true]);
    // Removing a Pod removes its entry.
    const removed = await runCli(["pods", "rm", "a", "--yes", "-s", sb.store], env);
    assert.equal(removed.code, 0, removed.stderr);
    const last = Deno.readTextFileSync(join(sb.store, "index.jsonl")).trim().split("\n").pop()!;
    assert.deepEqual(JSON.parse(last), { n: "a", e: null });
  });
});
