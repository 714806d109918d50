// deno-lint-ignore-file no-explicit-any -- these tests read the CLI's JSON output untyped
/**
 * End-to-end (issue 14 item 3): the fingerprint names every input of a sandboxed evaluation —
 * the profile, each imported or read file, each listed directory, each path tested — so drift in
 * an imported `common.nix` is reported by `pods show`, resume and `profiles check --frozen`; and
 * a profile edited while Nix evaluates it fails instead of recording other bytes (D25).
 */
import assert from "node:assert/strict";
import { utimesSync } from "node:fs";
import { join } from "node:path";
import {
  nixRunning,
  parseJson,
  runCli,
  type Sandbox,
  spawnCli,
  treeSnapshot,
  withSandbox,
  writeFile,
} from "../helpers/cli.ts";

function cli(sb: Sandbox, args: string[]) {
  return runCli([...args, "-s", sb.store], { cwd: sb.workspace, env: sb.env });
}

async function ok(sb: Sandbox, args: string[]): Promise<any> {
  const result = await cli(sb, [...args, "--json"]);
  assert.equal(result.code, 0, `${args.join(" ")}: ${result.stdout}\n${result.stderr}`);
  return parseJson(result);
}

const PROFILE = `let
  i = import <insomnia> { };
  common = import ./common.nix;
  prompts = builtins.attrNames (builtins.readDir ./prompts);
  extra = if builtins.pathExists ./extra.md then builtins.readFile ./extra.md else "";
in i.mkProfile {
  name = "team";
  description = "team \${toString common.level} \${toString (builtins.length prompts)}\${extra}";
  manifest = i.mkManifest {
    model = { scheme = "anthropic"; model_id = "claude-sonnet-4-6";
              auth = i.secrets.ref "llm.anthropic.default"; };
    scope.allow = [ { target = i.workspace "."; permission = "write"; } ];
  };
}
`;

function teamProfile(sb: Sandbox): string {
  const dir = join(sb.root, "profiles");
  writeFile(join(dir, "common.nix"), "{ level = 1; }");
  writeFile(join(dir, "prompts", "a.md"), "a");
  return writeFile(join(dir, "team.nix"), PROFILE);
}

Deno.test("the fingerprint records the profile, its imports, listed directories and tested paths", async () => {
  await withSandbox(async (sb) => {
    const file = teamProfile(sb);
    const created = await ok(sb, ["--profile", file]);
    const inputs = created.profile.fingerprint.inputs as any[];
    const byPath = Object.fromEntries(inputs.map((i) => [i.path, i]));
    const dir = join(sb.root, "profiles");
    assert.equal(byPath[file].kind, "file");
    assert.equal(byPath[file].sha256, created.profile.fingerprint.profile_sha256);
    assert.equal(byPath[join(dir, "common.nix")].kind, "file");
    assert.equal(byPath[join(dir, "prompts")].kind, "dir");
    assert.equal(byPath[join(dir, "extra.md")].kind, "missing");
    assert.ok(!inputs.some((i) => i.path.includes("/nix/") && i.path.endsWith("profile-lib.nix")));
    assert.deepEqual(created.profile.fingerprint.roots, [dir]);
    const shown = await ok(sb, ["pods", "show", "team"]);
    assert.equal(shown.profile_file, "unchanged");
    assert.deepEqual(shown.profile_changes, []);
  });
});

Deno.test("an imported file edited after creation: show, resume and check --frozen report it", async () => {
  await withSandbox(async (sb) => {
    const file = teamProfile(sb);
    await ok(sb, ["--profile", file]);
    const frozenBefore = await cli(sb, ["profiles", "check", "--frozen"]);
    assert.equal(frozenBefore.code, 0, frozenBefore.stderr);
    writeFile(join(sb.root, "profiles", "common.nix"), "{ level = 2; }");

    const shown = await ok(sb, ["pods", "show", "team"]);
    assert.equal(shown.profile_file, "changed");
    assert.deepEqual(shown.profile_changes, [{
      path: join(sb.root, "profiles", "common.nix"),
      change: "changed",
    }]);
    const human = await cli(sb, ["pods", "show", "team"]);
    assert.match(human.stdout, /changed inputs: +common\.nix changed/);

    const resumed = await cli(sb, ["--pod", "team"]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /changed since its snapshot \(common\.nix changed\)/);

    const frozen = await cli(sb, ["profiles", "check", "--frozen", "--json"]);
    assert.equal(frozen.code, 1, frozen.stderr);
    const body = parseJson(frozen) as any;
    assert.equal(body.pods[0].error.code, "profile_drift");
    assert.match(body.pods[0].error.message, /common\.nix changed/);
    assert.equal(body.failed, 1);

    // Re-resolving records the new inputs: the gate is green again.
    const reloaded = await cli(sb, ["--pod", "team", "--reload-profile", "--yes"]);
    assert.equal(reloaded.code, 0, reloaded.stderr);
    const after = await cli(sb, ["profiles", "check", "--frozen"]);
    assert.equal(after.code, 0, after.stdout + after.stderr);
    assert.match(after.stdout, /ok {4}Pod team {2}\(inputs unchanged\)/);
  });
});

Deno.test("a listed directory gaining a file and a tested path appearing are drift; a touch is not", async () => {
  await withSandbox(async (sb) => {
    const file = teamProfile(sb);
    await ok(sb, ["--profile", file]);
    const common = join(sb.root, "profiles", "common.nix");
    utimesSync(common, new Date(), new Date(Date.now() + 1000));
    assert.equal((await ok(sb, ["pods", "show", "team"])).profile_file, "unchanged");

    writeFile(join(sb.root, "profiles", "prompts", "b.md"), "b");
    writeFile(join(sb.root, "profiles", "extra.md"), "!");
    const shown = await ok(sb, ["pods", "show", "team"]);
    assert.deepEqual(
      shown.profile_changes.map((c: any) => [c.path.slice(sb.root.length + 1), c.change]),
      [["profiles/prompts", "changed"], ["profiles/extra.md", "appeared"]],
    );
  });
});

Deno.test("profiles check --frozen alone evaluates nothing and passes an empty or clean store", async () => {
  await withSandbox(async (sb) => {
    const result = await runCli(["profiles", "check", "--frozen", "-s", sb.store], {
      cwd: sb.workspace,
      env: { ...sb.env, INSOMNIA_NIX_BIN: "/nonexistent/nix" },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /0 ok, 0 failed/);
  });
});

Deno.test("D25: an imported file edited while Nix evaluates fails the run and writes nothing", async () => {
  await withSandbox(async (sb) => {
    const dir = join(sb.root, "slow");
    writeFile(join(dir, "common.nix"), "{ level = 1; }");
    const file = writeFile(
      join(dir, "slow.nix"),
      `let fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2);
           slow = fib 27; common = import ./common.nix; in
       { pod.name = "slow"; model = { scheme = "anthropic"; model_id = "m\${toString slow}";
           auth = { kind = "secret_ref"; ref = "llm.a.b"; }; };
         scope.allow = [ { target = "${sb.workspace}"; permission = "read"; } ];
         prompts.system = "level \${toString common.level}"; }`,
    );
    const before = treeSnapshot(sb.data);
    const child = spawnCli(["--profile", file, "-s", sb.store, "--json"], {
      cwd: sb.workspace,
      env: { ...sb.env, INSOMNIA_EVAL_TIMEOUT: "60s" },
    });
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !nixRunning(file)) await new Promise((r) => setTimeout(r, 20));
    writeFile(join(dir, "common.nix"), "{ level = 2; }");
    const out = await child.output();
    const body = JSON.parse(new TextDecoder().decode(out.stdout));
    // Whichever bytes Nix read, a file modified after the run started cannot be matched to them.
    assert.equal(out.code, 1);
    assert.equal(body.error.code, "nix_eval_failed", JSON.stringify(body));
    assert.match(body.error.message, /changed while it was being evaluated/);
    assert.match(body.error.message, /common\.nix/);
    assert.deepEqual(treeSnapshot(sb.data), before);
  });
});
