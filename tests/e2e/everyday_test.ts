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
