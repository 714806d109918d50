// deno-lint-ignore-file no-explicit-any -- these tests read the CLI's JSON output untyped
/**
 * End-to-end (issue 18 item 1): the evaluation cache is correct by construction. A second run of
 * an unchanged profile runs no Nix and gives the same result; a change to anything the evaluation
 * read (an imported file, a listed directory, a tested path, the library), to the Nix binary, to
 * the readable roots or to the command line is a miss; a touch without a change is a hit; a broken
 * entry is a miss, never an error; `--no-cache` and `INSOMNIA_NO_EVAL_CACHE=1` bypass it.
 */
import assert from "node:assert/strict";
import {
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import {
  parseJson,
  realNix,
  REPO_ROOT,
  runCli,
  type Sandbox,
  treeSnapshot,
  withSandbox,
  writeFile,
} from "../helpers/cli.ts";

const PROFILE = `let
  i = import <insomnia> { };
  common = import ./common.nix;
  prompts = builtins.attrNames (builtins.readDir ./prompts);
  extra = if builtins.pathExists ./extra.md then builtins.readFile ./extra.md else "";
in i.mkProfile {
  name = "cached";
  description = "level \${toString common.level}, \${toString (builtins.length prompts)} prompts\${extra}";
  manifest = i.mkManifest {
    model = { scheme = "anthropic"; model_id = "claude-sonnet-4-6";
              auth = i.secrets.ref "llm.anthropic.default"; };
    scope.allow = [ { target = i.workspace "."; permission = "write"; } ];
  };
}
`;

interface Fixture {
  sb: Sandbox;
  dir: string;
  file: string;
  /** A stand-in nix that logs each evaluation, then runs the real one. */
  nix: string;
  log: string;
}

function fixture(sb: Sandbox): Fixture {
  const dir = join(sb.root, "profiles");
  writeFile(join(dir, "common.nix"), "{ level = 1; }");
  writeFile(join(dir, "prompts", "a.md"), "a");
  writeFile(join(dir, "unrelated.txt"), "not read by the profile");
  const file = writeFile(join(dir, "cached.nix"), PROFILE);
  const log = join(sb.root, "nix.log");
  const nix = writeFile(
    join(sb.root, "bin", "nix"),
    `#!/bin/sh\ncase "$*" in *" eval "*) echo eval >> '${log}';; esac\nexec ${realNix()} "$@"\n`,
  );
  Deno.chmodSync(nix, 0o755);
  return { sb, dir, file, nix, log };
}

function evaluations(f: Fixture): number {
  return existsSync(f.log) ? readFileSync(f.log, "utf8").split("\n").filter(Boolean).length : 0;
}

/** Runs a dry-run create of the fixture; returns the description and whether Nix ran. */
async function resolveOnce(
  f: Fixture,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<{ description: string; ranNix: boolean; body: any }> {
  const before = evaluations(f);
  const result = await runCli(["--profile", f.file, "--dry-run", "--json", ...extraArgs], {
    cwd: f.sb.workspace,
    env: { ...f.sb.env, INSOMNIA_NIX_BIN: f.nix, ...env },
  });
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const body = parseJson(result) as any;
  return { description: body.profile.metadata.description, ranNix: evaluations(f) > before, body };
}

Deno.test("eval cache: an unchanged profile runs no Nix the second time and gives the same result", async () => {
  await withSandbox(async (sb) => {
    const f = fixture(sb);
    const first = await resolveOnce(f);
    assert.equal(first.ranNix, true);
    const second = await resolveOnce(f);
    assert.equal(second.ranNix, false, "a hit");
    assert.deepEqual(second.body.manifest, first.body.manifest);
    assert.deepEqual(second.body.profile.fingerprint.inputs, first.body.profile.fingerprint.inputs);
    // Private: 0700 directory, 0600 entries.
    const dir = join(sb.root, "cache", "evals");
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    for (const name of readdirSync(dir)) {
      assert.equal(statSync(join(dir, name)).mode & 0o777, 0o600);
    }
  });
});

Deno.test("eval cache: a change to any input is a miss; a touch without a change is a hit", async () => {
  await withSandbox(async (sb) => {
    const f = fixture(sb);
    await resolveOnce(f);
    // A touch (new mtime, same bytes) of an imported file: hashed again, still a hit.
    const common = join(f.dir, "common.nix");
    utimesSync(common, new Date(), new Date(Date.now() + 5000));
    assert.equal((await resolveOnce(f)).ranNix, false, "touch");
    // A file under the root that the evaluation never read cannot change its result: a hit.
    writeFile(join(f.dir, "unrelated.txt"), "changed, still not read");
    assert.equal((await resolveOnce(f)).ranNix, false, "unread file");

    const steps: Array<[string, () => void, string]> = [
      ["imported file", () => writeFile(common, "{ level = 2; }"), "level 2, 1 prompts"],
      // same size, same second: only the content says it changed
      ["imported file, same size", () => writeFile(common, "{ level = 3; }"), "level 3, 1 prompts"],
      [
        "listed directory",
        () => writeFile(join(f.dir, "prompts", "b.md"), "b"),
        "level 3, 2 prompts",
      ],
      ["tested path", () => writeFile(join(f.dir, "extra.md"), "!"), "level 3, 2 prompts!"],
      [
        "the profile",
        () => writeFile(f.file, PROFILE.replace("level ", "lvl ")),
        "lvl 3, 2 prompts!",
      ],
    ];
    for (const [what, change, description] of steps) {
      change();
      const miss = await resolveOnce(f);
      assert.equal(miss.ranNix, true, `${what}: a miss`);
      assert.equal(miss.description, description, what);
      assert.equal((await resolveOnce(f)).ranNix, false, `${what}: then a hit again`);
    }
  });
});

Deno.test("eval cache: the library, the Nix binary and the readable roots are part of the key", async () => {
  await withSandbox(async (sb) => {
    const f = fixture(sb);
    // A copy of the resources whose library we can change.
    const resources = join(sb.root, "resources");
    cpSync(join(REPO_ROOT, "resources"), resources, { recursive: true });
    const env = { INSOMNIA_RESOURCE_DIR: resources };
    await resolveOnce(f, [], env);
    assert.equal((await resolveOnce(f, [], env)).ranNix, false);
    const lib = join(resources, "nix", "presets.nix");
    writeFileSync(lib, readFileSync(lib, "utf8") + "\n# a library change\n");
    assert.equal((await resolveOnce(f, [], env)).ranNix, true, "library changed");

    // Another Nix binary (a new version is a new file): a miss.
    await resolveOnce(f);
    writeFileSync(f.nix, readFileSync(f.nix, "utf8") + "# another build\n");
    assert.equal((await resolveOnce(f)).ranNix, true, "nix binary changed");

    // The same file through a registry entry that opens another root: a different key.
    writeFile(join(sb.root, "shared", "x.md"), "x");
    writeFile(
      join(sb.config, "manifest.toml"),
      `[profiles.profile]\nwide = { path = "${f.file}", allow = ["${join(sb.root, "shared")}"] }\n`,
    );
    const before = evaluations(f);
    const wide = await runCli(["--profile", "wide", "--dry-run", "--json"], {
      cwd: sb.workspace,
      env: { ...sb.env, INSOMNIA_NIX_BIN: f.nix },
    });
    assert.equal(wide.code, 0, wide.stderr);
    assert.equal(evaluations(f), before + 1, "allowed roots changed");
  });
});

Deno.test("eval cache: workspace and Pod name are applied after Nix, so a hit still gets them right", async () => {
  await withSandbox(async (sb) => {
    const f = fixture(sb);
    await resolveOnce(f);
    const other = join(sb.root, "other-workspace");
    Deno.mkdirSync(other);
    const hit = await resolveOnce(f, ["--workspace", other, "--profile-pod-name", "renamed"]);
    assert.equal(hit.ranNix, false);
    assert.equal(hit.body.manifest.pod.name, "renamed");
    assert.equal(hit.body.manifest.scope.allow[0].target, other);
    assert.equal(hit.body.profile.workspace, other);
  });
});

Deno.test("eval cache: a corrupt or truncated entry is a miss, never an error or a wrong result", async () => {
  await withSandbox(async (sb) => {
    const f = fixture(sb);
    const first = await resolveOnce(f);
    const dir = join(sb.root, "cache", "evals");
    const [entry] = readdirSync(dir).map((name) => join(dir, name));
    const good = readFileSync(entry, "utf8");
    const variants = [
      good.slice(0, Math.floor(good.length / 2)), // truncated (kill -9 of an old writer)
      "not json",
      JSON.stringify({ ...JSON.parse(good), key: "0".repeat(64) }),
      JSON.stringify({ ...JSON.parse(good), value: { tampered: true }, inputs: [] }).replace(
        /"format":"[^"]+"/,
        '"format":"other"',
      ),
      "",
    ];
    for (const text of variants) {
      writeFileSync(entry, text);
      const again = await resolveOnce(f);
      assert.equal(again.ranNix, true, `miss for ${text.slice(0, 30)}`);
      assert.deepEqual(again.body.manifest, first.body.manifest);
    }
  });
});

Deno.test("eval cache: --no-cache and INSOMNIA_NO_EVAL_CACHE=1 bypass it; a failed run writes none", async () => {
  await withSandbox(async (sb) => {
    const f = fixture(sb);
    await resolveOnce(f);
    // (Without the early start, which would run Nix ahead of the pipeline either way.)
    const late = { INSOMNIA_EARLY_EVAL: "0" };
    assert.equal((await resolveOnce(f, ["--no-cache"], late)).ranNix, true, "--no-cache");
    assert.equal(
      (await resolveOnce(f, [], { ...late, INSOMNIA_NO_EVAL_CACHE: "1" })).ranNix,
      true,
      "INSOMNIA_NO_EVAL_CACHE=1",
    );
    assert.equal((await resolveOnce(f, [], late)).ranNix, false, "the cache is still there");
    const shown = await runCli(["profiles", "show", f.file, "--no-cache"], {
      cwd: sb.workspace,
      env: { ...sb.env, INSOMNIA_NIX_BIN: f.nix },
    });
    assert.equal(shown.code, 0, shown.stderr);
    assert.equal((await resolveOnce(f)).ranNix, false);

    // A run that evaluates fine but then fails (a taken explicit name) caches nothing.
    const fresh = writeFile(join(f.dir, "fresh.nix"), PROFILE.replace('"cached"', '"fresh"'));
    const created = await runCli(["--profile", "builtin:default", "--profile-pod-name", "taken"], {
      cwd: sb.workspace,
      env: sb.env,
    });
    assert.equal(created.code, 0, created.stderr);
    const cache = join(sb.root, "cache");
    const before = treeSnapshot(cache);
    const failed = await runCli(["--profile", fresh, "--profile-pod-name", "taken", "--json"], {
      cwd: sb.workspace,
      env: { ...sb.env, INSOMNIA_NIX_BIN: f.nix },
    });
    assert.equal((parseJson(failed) as any).error.code, "pod_exists");
    assert.deepEqual(treeSnapshot(cache), before);
  });
});
