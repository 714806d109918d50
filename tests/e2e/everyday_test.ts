// deno-lint-ignore-file no-explicit-any -- these tests read the CLI's JSON output untyped
/**
 * End-to-end (issue 16, everyday use): selection that never surprises — a missing `--pod` is
 * `pod_not_found` unless the TOML path is asked for, builtins shadowed by the user's own profiles,
 * unresolved secret references named at creation — through the real CLI.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
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

function cli(sb: Sandbox, args: string[], env: Record<string, string> = {}) {
  return runCli([...args, "-s", sb.store], {
    cwd: sb.workspace,
    env: { ...sb.env, ...env },
  });
}

async function ok(sb: Sandbox, args: string[], env: Record<string, string> = {}): Promise<any> {
  const result = await cli(sb, [...args, "--json"], env);
  assert.equal(result.code, 0, `${args.join(" ")}: ${result.stdout}\n${result.stderr}`);
  return parseJson(result);
}

/** Runs `args` with and without --json: the failure `code`, exit 1/2, and nothing written. */
async function fails(sb: Sandbox, args: string[], code: string): Promise<any> {
  const before = treeSnapshot(sb.root);
  const [json, human] = await Promise.all([cli(sb, [...args, "--json"]), cli(sb, args)]);
  const body = parseJson(json) as any;
  assert.equal(body.error?.code, code, `${args.join(" ")}: ${json.stdout}\n${json.stderr}`);
  assert.equal(json.code, code === "usage" ? 2 : 1);
  assert.equal(human.code, json.code);
  assert.match(human.stderr, new RegExp(`^error\\[${code}\\]: `));
  assert.doesNotMatch(human.stderr, /^\s{4}at /m);
  assert.deepEqual(treeSnapshot(sb.root), before, "a failed run must write nothing");
  return { error: body.error, stderr: human.stderr };
}

const MINIMAL = readFileSync(join(FIXTURES, "manifests", "minimal.toml"), "utf8");

Deno.test("--pod of a missing Pod: pod_not_found with the nearest names, never a new Pod from the cascade", async () => {
  await withSandbox(async (sb) => {
    // A project manifest is present: before issue 16 `--pod mycodr` silently created `mycodr`.
    writeFile(join(sb.workspace, ".insomnia", "manifest.toml"), MINIMAL);
    await trustProject(sb);
    const made = await ok(sb, ["--manifest-cascade", "--pod", "mycoder"]);
    assert.equal(made.action, "created");
    assert.equal(made.pod.name, "mycoder");

    const { error, stderr } = await fails(sb, ["--pod", "mycodr"], "pod_not_found");
    assert.deepEqual(error.nearest, ["mycoder"]);
    assert.match(error.message, /Did you mean `mycoder`\?/);
    assert.match(error.message, /--manifest-cascade/);
    assert.match(stderr, /no Pod named "mycodr"/);

    // The explicit choice still creates it, from the cascade or a file.
    const cascade = await ok(sb, ["--pod", "mycodr", "--manifest-cascade"]);
    assert.equal(cascade.action, "created");
    assert.equal(cascade.pod.name, "mycodr");
    const file = writeFile(join(sb.root, "m.toml"), MINIMAL);
    const fromFile = await ok(sb, ["--pod", "third", "--manifest", file]);
    assert.equal(fromFile.pod.name, "third");
    // --project implies the cascade.
    const project = await ok(sb, ["--pod", "fourth", "--project", sb.workspace]);
    assert.equal(project.pod.name, "fourth");
    const listed = await ok(sb, ["pods", "list"]);
    assert.deepEqual(listed.pods.map((p: any) => p.name).sort(), [
      "fourth",
      "mycoder",
      "mycodr",
      "third",
    ]);
  });
});

Deno.test("--pod of a missing Pod without any TOML: pod_not_found, not manifest_invalid", async () => {
  await withSandbox(async (sb) => {
    const { error } = await fails(sb, ["--pod", "ghost"], "pod_not_found");
    assert.match(error.message, /the store has no Pods yet/);
    assert.deepEqual(error.nearest, []);
    // --dry-run does not change it.
    await fails(sb, ["--pod", "ghost", "--dry-run"], "pod_not_found");
    // --session never creates.
    await fails(sb, ["--session", "ghost"], "pod_not_found");
  });
});

const userProfile = (name: string, description: string, extra = "") =>
  `let insomnia = import <insomnia> { }; in
insomnia.mkProfile {
  name = "${name}";
  description = "${description}";
  manifest = {
    model = { ref = "anthropic/claude-sonnet-4-6"; auth = insomnia.secrets.ref "llm.anthropic.default"; };
    scope.allow = [ { target = insomnia.workspace "."; permission = "read"; } ];
    ${extra}
  };
}
`;

async function projectCoder(sb: Sandbox): Promise<void> {
  writeFile(
    join(sb.workspace, ".insomnia", "profiles", "coder.nix"),
    userProfile("coder", "project coder"),
  );
  writeFile(
    join(sb.workspace, ".insomnia", "manifest.toml"),
    '[profiles.profile]\ncoder = "profiles/coder.nix"\n',
  );
  await trustProject(sb);
}

Deno.test("a project profile named like a builtin shadows it with a note; builtin:x still reaches the builtin", async () => {
  await withSandbox(async (sb) => {
    await projectCoder(sb);
    const human = await cli(sb, ["--profile", "coder", "--dry-run"]);
    assert.equal(human.code, 0, human.stderr);
    const notes = human.stderr.split("\n").filter((l) => l.startsWith("note: "));
    assert.deepEqual(notes, [
      "note: profile coder is project:coder, which shadows builtin:coder (select the builtin with --profile builtin:coder)",
    ]);
    const json = await ok(sb, ["--profile", "coder", "--dry-run"]);
    assert.equal(json.profile.source.source, "project");
    // -q keeps the note quiet.
    const quiet = await cli(sb, ["--profile", "coder", "--dry-run", "-q"]);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.doesNotMatch(quiet.stderr, /shadows/);
    // The builtin stays reachable, without a note.
    const builtin = await cli(sb, ["--profile", "builtin:coder", "--dry-run", "--json"]);
    assert.equal(builtin.code, 0, builtin.stderr);
    assert.equal((parseJson(builtin) as any).profile.source.source, "builtin");
    assert.doesNotMatch(builtin.stderr, /shadows/);
    // profiles show says it too; profiles list shows who shadows whom.
    const show = await runCli(["profiles", "show", "coder"], { cwd: sb.workspace, env: sb.env });
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stderr, /note: profile coder is project:coder, which shadows builtin:coder/);
    const list = await runCli(["profiles", "list", "--json"], { cwd: sb.workspace, env: sb.env });
    const listed = parseJson(list) as any;
    const by = new Map(listed.profiles.map((p: any) => [p.qualified, p]));
    assert.equal((by.get("builtin:coder") as any).shadowed_by, "project:coder");
    assert.equal((by.get("project:coder") as any).shadowed_by, null);
    const table = await runCli(["profiles", "list"], { cwd: sb.workspace, env: sb.env });
    assert.match(table.stdout, /builtin:coder .*\(shadowed by project:coder\)/);
    assert.match(table.stdout, /project:coder .*\(shadows builtin:coder\)/);
  });
});

Deno.test("user and project profiles of one name stay ambiguous (fail closed), builtin aside", async () => {
  await withSandbox(async (sb) => {
    await projectCoder(sb);
    writeFile(join(sb.config, "profiles", "coder.nix"), userProfile("coder", "user coder"));
    writeFile(
      join(sb.config, "manifest.toml"),
      '[profiles.profile]\ncoder = "profiles/coder.nix"\n',
    );
    const { error } = await fails(sb, ["--profile", "coder", "--dry-run"], "profile_ambiguous");
    assert.deepEqual(error.choices, ["user:coder", "project:coder"]);
    const table = await runCli(["profiles", "list"], { cwd: sb.workspace, env: sb.env });
    assert.match(table.stdout, /user:coder .*same name: .*qualify it/);
  });
});

Deno.test("creation warns once per unresolved secret reference (names only); --check-secrets keeps it an error", async () => {
  await withSandbox(async (sb) => {
    const file = writeFile(
      join(sb.root, "p", "refs.nix"),
      userProfile(
        "refs",
        "two refs",
        'compaction = { model = { ref = "anthropic/claude-sonnet-4-5"; auth = insomnia.secrets.ref "web.brave.default"; }; };',
      ),
    );
    const human = await cli(sb, ["--profile", file, "--dry-run"]);
    assert.equal(human.code, 0, human.stderr);
    const lines = human.stderr.split("\n").filter((l) => l.includes("does not resolve"));
    assert.equal(lines.length, 2, human.stderr);
    assert.match(
      lines.join("\n"),
      /^warning: secret reference "llm\.anthropic\.default" \(model\.auth\)/m,
    );
    assert.match(lines.join("\n"), /"web\.brave\.default"/);
    const json = await ok(sb, ["--profile", file]);
    assert.equal(json.action, "created");
    assert.equal(json.warnings.filter((w: string) => w.includes("does not resolve")).length, 2);
    // One resolved through the environment: only the other is named; the value never appears.
    const value = "canary-value-0123456789abcdef";
    const partly = await cli(sb, ["--profile", file, "--dry-run"], {
      INSOMNIA_SECRET_LLM_ANTHROPIC_DEFAULT: value,
    });
    assert.equal(partly.code, 0, partly.stderr);
    assert.doesNotMatch(partly.stderr + partly.stdout, new RegExp(value));
    assert.equal(partly.stderr.split("\n").filter((l) => l.includes("does not resolve")).length, 1);
    // --check-secrets: an error, nothing written.
    await fails(sb, ["--profile", file, "--check-secrets"], "secret_unresolved");
  });
});

Deno.test("pods rm: several names, --dry-run removes nothing, a missing name removes nothing, one JSON shape", async () => {
  await withSandbox(async (sb) => {
    const file = writeFile(join(sb.root, "m.toml"), MINIMAL);
    for (const name of ["a", "b", "c"]) await ok(sb, ["--manifest", file, "--pod", name]);
    const names = async () => (await ok(sb, ["pods", "list"])).pods.map((p: any) => p.name);

    const dry = await ok(sb, ["pods", "rm", "a", "b", "--dry-run"]);
    assert.equal(dry.format, "insomnia.cli.v1");
    assert.equal(dry.action, "dry_run");
    assert.deepEqual(dry.pods.map((p: any) => p.name), ["a", "b"]);
    const dryHuman = await cli(sb, ["pods", "rm", "a", "--dry-run"]);
    assert.match(dryHuman.stdout, /^would remove Pod a \(.*\)\n\(dry run: nothing removed\)\n$/);
    assert.deepEqual(await names(), ["a", "b", "c"]);

    const { error } = await fails(sb, ["pods", "rm", "a", "bb", "--yes"], "pod_not_found");
    assert.match(error.message, /Did you mean `b`\?/);
    assert.deepEqual(await names(), ["a", "b", "c"]);

    const removed = await ok(sb, ["pods", "rm", "a", "b", "--yes"]);
    assert.equal(removed.action, "removed");
    assert.deepEqual(removed.pods.map((p: any) => p.name), ["a", "b"]);
    // Not a terminal: removes without asking, as before (CI does not change).
    const human = await cli(sb, ["pods", "rm", "c"]);
    assert.equal(human.code, 0, human.stderr);
    assert.equal(human.stdout, "removed Pod c\n");
    assert.deepEqual(await names(), []);
    // secrets rm has the same shape.
    const secret = await runCli(["secrets", "set", "ci.token"], {
      cwd: sb.workspace,
      env: sb.env,
      stdin: "not-a-real-secret-value",
    });
    assert.equal(secret.code, 0, secret.stderr);
    const gone = parseJson(
      await runCli(["secrets", "rm", "ci.token", "--json"], { cwd: sb.workspace, env: sb.env }),
    ) as any;
    assert.deepEqual(gone, {
      format: "insomnia.cli.v1",
      action: "removed",
      secrets: [{ id: "ci.token", backend: "file" }],
    });
  });
});

Deno.test("profiles default shows and sets the default (user or --project); profiles rm unregisters, --delete removes the file", async () => {
  await withSandbox(async (sb) => {
    const run = (args: string[]) => runCli(args, { cwd: sb.workspace, env: sb.env });
    const json = async (args: string[]) => {
      const r = await run([...args, "--json"]);
      assert.equal(r.code, 0, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
      return parseJson(r) as any;
    };
    assert.equal((await json(["profiles", "default"])).default, "builtin:default");
    const shown = await run(["profiles", "default"]);
    assert.equal(shown.stdout, "builtin:default (builtin fallback)\n");

    // A name that does not resolve is never written.
    const before = treeSnapshot(sb.root);
    const typo = await run(["profiles", "default", "codr", "--json"]);
    assert.equal(typo.code, 1);
    assert.equal((parseJson(typo) as any).error.code, "profile_not_found");
    assert.deepEqual(treeSnapshot(sb.root), before);

    const userManifest = join(sb.config, "manifest.toml");
    writeFile(userManifest, '# my registry\n[profiles.profile]\nmine = "profiles/mine.nix"\n');
    writeFile(join(sb.config, "profiles", "mine.nix"), userProfile("mine", "mine"));
    const set = await json(["profiles", "default", "mine"]);
    assert.equal(set.resolves_to, "user:mine");
    const text = readFileSync(userManifest, "utf8");
    assert.match(text, /^# my registry\n/);
    assert.match(text, /default = "mine"/);
    assert.equal((await json(["profiles", "default"])).default, "user:mine");
    // --project writes the project's registry, whose default wins.
    const proj = await json(["profiles", "default", "builtin:reviewer", "--project"]);
    assert.equal(proj.file, join(sb.workspace, ".insomnia", "manifest.toml"));
    assert.equal((await json(["profiles", "default"])).default, "builtin:reviewer");

    // The user default cannot be unregistered before another is set.
    const blocked = await run(["profiles", "rm", "mine", "--json"]);
    assert.equal((parseJson(blocked) as any).error.code, "usage");
    await json(["profiles", "default", "builtin:coder"]);
    const kept = await json(["profiles", "rm", "mine"]);
    assert.equal(kept.profile, "user:mine");
    assert.equal(kept.deleted, false);
    assert.ok(Deno.statSync(join(sb.config, "profiles", "mine.nix")).isFile);
    assert.doesNotMatch(readFileSync(userManifest, "utf8"), /mine = /);
    const gone = await run(["profiles", "rm", "mine", "--json"]);
    assert.equal((parseJson(gone) as any).error.code, "profile_not_found");

    writeFile(
      userManifest,
      readFileSync(userManifest, "utf8").replace(
        "[profiles.profile]\n",
        '[profiles.profile]\nother = "profiles/mine.nix"\n',
      ),
    );
    const deleted = await json(["profiles", "rm", "other", "--delete"]);
    assert.equal(deleted.deleted, true);
    assert.throws(() => Deno.statSync(join(sb.config, "profiles", "mine.nix")));
  });
});

Deno.test("help <cmd>, examples under every subcommand's help, one did-you-mean wording, no docs/ paths", async () => {
  await withSandbox(async (sb) => {
    const run = (args: string[]) => runCli(args, { cwd: sb.workspace, env: sb.env });
    // Every command path of the command list (read as text: the list is the one source).
    const list = readFileSync(join(FIXTURES, "..", "..", "src", "cli", "command_list.ts"), "utf8");
    const paths = [...list.matchAll(/path: "([a-z ]+)",/g)].map((m) => m[1]);
    const groups = new Set(
      paths.map((p) => p.split(" ")[0]).filter((g) => paths.some((p) => p.startsWith(`${g} `))),
    );
    const leaves = paths.filter((p) => !groups.has(p));
    assert.equal(leaves.length, 19, leaves.join(", "));
    await Promise.all(leaves.map(async (path) => {
      const help = await run([...path.split(" "), "--help"]);
      assert.equal(help.code, 0, path);
      assert.match(
        help.stdout,
        /\nExamples:\n {2}(printf .* \| )?insomnia-pod /,
        `${path} has examples`,
      );
    }));
    const viaHelp = await run(["help", "pods"]);
    assert.equal(viaHelp.code, 0, viaHelp.stderr);
    assert.match(viaHelp.stdout, /^Usage: insomnia-pod pods /);
    // Two words reach the subcommand's own help, as `pods rm --help` does.
    const nested = await run(["help", "pods", "rm"]);
    assert.equal(nested.code, 0, nested.stderr);
    assert.match(nested.stdout, /^Usage: insomnia-pod pods rm \[options\] <names\.\.\.>/);
    assert.match(nested.stdout, /--dry-run/);
    const root = await run(["help"]);
    assert.match(root.stdout, /^Usage: insomnia-pod /);
    assert.doesNotMatch(root.stdout, /docs\//, "help names no source-tree paths");
    assert.match(root.stdout, /insomnia-pod help <command>/);

    const wordings = await Promise.all([
      run(["help", "profils"]),
      run(["porfiles"]),
      run(["profiles", "lst"]),
      run(["--jsn"]),
    ]);
    for (const r of wordings) {
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^error\[usage\]: .*\. Did you mean `[^`]+`\? Run `insomnia-pod/);
      assert.doesNotMatch(r.stderr, /\(did you mean|\(Did you mean/i);
    }
    const unknown = await run(["help", "nosuch", "--json"]);
    assert.equal((parseJson(unknown) as any).error.code, "usage");
  });
});

Deno.test("resume notes that the profile file changed since the snapshot (never evaluates it)", async () => {
  await withSandbox(async (sb) => {
    const file = writeFile(join(sb.root, "p", "drift.nix"), userProfile("drift", "before"));
    await ok(sb, ["--profile", file]);
    const same = await cli(sb, ["--pod", "drift"]);
    assert.equal(same.code, 0, same.stderr);
    assert.doesNotMatch(same.stderr, /changed since its snapshot/);
    writeFile(file, userProfile("drift", "after"));
    const changed = await cli(sb, ["--pod", "drift"]);
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(
      changed.stderr,
      /^note: the profile of Pod drift changed since its snapshot \(drift\.nix changed\); the snapshot is used as is \(see the changes with `insomnia-pod --pod drift --reload-profile`\)$/m,
    );
    const quiet = await cli(sb, ["--pod", "drift", "-q"]);
    assert.equal(quiet.stderr, "");
  });
});
