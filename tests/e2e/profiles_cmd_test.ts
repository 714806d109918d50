// deno-lint-ignore-file no-explicit-any -- these tests read the CLI's JSON output untyped
/**
 * End-to-end: `profiles list|show|init` and registry behaviour through the real CLI.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import {
  denoDir,
  nixRunning,
  parseJson,
  podCommand,
  runCli,
  type Sandbox,
  treeSnapshot,
  trustProject,
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

async function registries(sb: Sandbox) {
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
  await trustProject(sb);
}

async function run(sb: Sandbox, args: string[]) {
  return await runCli(args, { cwd: sb.workspace, env: sb.env });
}

Deno.test("profiles list: deterministic order, the project default wins, shadows are shown", async () => {
  await withSandbox(async (sb) => {
    await registries(sb);
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
    await registries(sb);
    const ambiguous = parseJson(
      await run(sb, ["--profile", "coder", "--dry-run", "--json"]),
    ) as any;
    assert.equal(ambiguous.error.code, "profile_ambiguous");
    // The builtin is shadowed; only user vs project is ambiguous (issue 16).
    assert.deepEqual(ambiguous.error.choices.sort(), [
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
    // The registry existed before and was never trusted: init does not trust it on its own.
    await trustProject(sb);
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

Deno.test("profiles init --from imports a base in the same project by a relative path, so the project can move", async () => {
  await withSandbox(async (sb) => {
    const project = join(sb.workspace, "proj");
    writeFile(join(project, "team", "base.nix"), profile("base", "team base"));
    const init = await runCli(
      ["profiles", "init", "mine", "--from", "./team/base.nix", "--json"],
      { cwd: project, env: sb.env },
    );
    assert.equal(init.code, 0, init.stdout + init.stderr);
    const written = readFileSync(join(project, ".insomnia", "profiles", "mine.nix"), "utf8");
    assert.match(written, /base = import \.\.\/\.\.\/team\/base\.nix;/);
    assert.ok(!written.includes(project), "no absolute path into the project");

    const moved = join(sb.root, "elsewhere");
    renameSync(project, moved);
    // Trust belongs to a directory: the project moved, so it is trusted again where it is now.
    await trustProject(sb, moved);
    const resolved = await runCli(["--profile", "project:mine", "--dry-run", "--json"], {
      cwd: moved,
      env: sb.env,
    });
    assert.equal(resolved.code, 0, resolved.stdout + resolved.stderr);
    assert.equal((parseJson(resolved) as any).manifest.pod.name, "mine");

    // A base outside the project keeps its absolute path.
    const outside = writeFile(join(sb.root, "shared", "base.nix"), profile("shared", "shared"));
    const other = await runCli(
      ["profiles", "init", "theirs", "--from", outside, "--json"],
      { cwd: moved, env: { ...sb.env, INSOMNIA_IMPURE_EVAL: "1" } },
    );
    assert.equal(other.code, 0, other.stdout + other.stderr);
    const text = readFileSync(join(moved, ".insomnia", "profiles", "theirs.nix"), "utf8");
    assert.ok(text.includes(`base = import ${JSON.stringify(outside)};`));
  });
});

Deno.test("profiles init --from a file elsewhere registers its directory as allow, so the sandboxed profile evaluates", async () => {
  await withSandbox(async (sb) => {
    // A team's shared folder: a role importing its neighbour, outside the user's config tree.
    const shared = join(sb.root, "team");
    writeFile(join(shared, "common.nix"), `{ worker.language = "English"; }`);
    writeFile(
      join(shared, "base.nix"),
      `let insomnia = import <insomnia> { }; common = import ./common.nix; in
insomnia.mkProfile {
  name = "base";
  description = "team base";
  manifest = insomnia.mkManifest { use = [ common insomnia.models.claudeSonnet insomnia.scopes.workspaceWrite ]; };
}`,
    );
    const init = await runCli(
      ["profiles", "init", "mine", "--source", "user", "--from", join(shared, "base.nix")],
      { cwd: sb.workspace, env: sb.env },
    );
    assert.equal(init.code, 0, init.stdout + init.stderr);
    assert.match(init.stdout, new RegExp(`allow: +${shared} \\(its base's directory`));
    const registry = readFileSync(join(sb.config, "manifest.toml"), "utf8");
    assert.ok(
      registry.includes(
        `"mine" = { path = "profiles/mine.nix", allow = [${JSON.stringify(shared)}] }`,
      ),
      registry,
    );
    // The registered entry evaluates sandboxed (no INSOMNIA_IMPURE_EVAL) and sees common.nix.
    const resolved = await runCli(["--profile", "user:mine", "--dry-run", "--json"], {
      cwd: sb.workspace,
      env: sb.env,
    });
    assert.equal(resolved.code, 0, resolved.stdout + resolved.stderr);
    const manifest = (parseJson(resolved) as any).manifest;
    assert.equal(manifest.pod.name, "mine");
    assert.equal(manifest.worker.language, "English");
  });
});

// Bases outside the new profile's project are read with the sandbox's opt-in (src/nix/sandbox.ts):
// a project profile may read only its own project unless the user says otherwise.
Deno.test("profiles init --from: a directory means its profile.nix; artifacts, missing files and odd paths are handled", async () => {
  await withSandbox(async (sb) => {
    const project = join(sb.workspace, "proj");
    writeFile(join(project, "dd", "profile.nix"), profile("dd", "from a directory"));
    const init = (name: string, from: string) =>
      runCli(["profiles", "init", name, "--from", from, "--json"], {
        cwd: project,
        env: { ...sb.env, INSOMNIA_IMPURE_EVAL: "1" },
      });

    const fromDir = await init("fromdir", "./dd");
    assert.equal(fromDir.code, 0, fromDir.stdout + fromDir.stderr);
    const dirText = readFileSync(join(project, ".insomnia", "profiles", "fromdir.nix"), "utf8");
    assert.match(dirText, /base = import \.\.\/\.\.\/dd\/profile\.nix;/);

    writeFile(join(project, "art.json"), "{}");
    const before = treeSnapshot(sb.root);
    const artifact = await init("fromjson", "./art.json");
    assert.equal(artifact.code, 2, artifact.stdout);
    assert.equal((parseJson(artifact) as any).error.code, "usage");
    const missing = await init("frommissing", "./nope.nix");
    assert.equal((parseJson(missing) as any).error.code, "profile_not_found");
    assert.equal(missing.code, 1);
    assert.deepEqual(treeSnapshot(sb.root), before, "failed inits write nothing");

    // A path Nix would interpolate is written as an escaped string and imports that very file.
    const odd = writeFile(join(sb.root, "odd", "a${toString 1}", "o.nix"), profile("odd", "odd"));
    writeFile(join(sb.root, "odd", "a1", "o.nix"), profile("decoy", "decoy"));
    const fromOdd = await init("fromodd", odd);
    assert.equal(fromOdd.code, 0, fromOdd.stdout + fromOdd.stderr);
    const resolved = await runCli(["profiles", "show", "project:fromodd", "--json"], {
      cwd: project,
      env: { ...sb.env, INSOMNIA_IMPURE_EVAL: "1" },
    });
    assert.equal(resolved.code, 0, resolved.stdout + resolved.stderr);
    assert.doesNotMatch(resolved.stdout, /decoy/);
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

// Regression (src/cli/commands/profiles.ts, check): the per-selector catch turned the
// cancellation into `FAIL … nix_eval_cancelled` and the run exited 1 instead of 130.
Deno.test("profiles check: Ctrl-C mid-evaluation exits 130, not a FAIL row", async () => {
  await withSandbox(async (sb) => {
    const slow = "let fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2); in fib 40";
    const a = writeFile(join(sb.workspace, "slow-a.nix"), slow);
    const b = writeFile(join(sb.workspace, "slow-b.nix"), slow);
    // the cache may learn the Nix version; nothing else may change
    const snapshot = () => [sb.data, sb.config, sb.workspace].map((d) => treeSnapshot(d));
    const before = snapshot();
    for (const json of [true, false]) {
      const [cmd, ...prefix] = podCommand();
      const child = new Deno.Command(cmd, {
        args: [
          ...prefix,
          "profiles",
          "check",
          `path:${a}`,
          `path:${b}`,
          ...(json ? ["--json"] : []),
        ],
        cwd: sb.workspace,
        env: {
          ...sb.env,
          NO_COLOR: "1",
          DENO_DIR: denoDir(),
        },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !(nixRunning(a) && nixRunning(b))) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(nixRunning(a) && nixRunning(b), "nix never started");
      child.kill("SIGINT");
      const out = await child.output();
      const stdout = new TextDecoder().decode(out.stdout);
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 130, stdout + stderr);
      assert.doesNotMatch(stdout + stderr, /FAIL|results/);
      if (json) {
        assert.match(JSON.parse(stdout).error.code, /^(nix_eval_cancelled|cancelled)$/);
      } else {
        assert.equal(stdout, "");
        assert.match(stderr, /^error\[(nix_eval_cancelled|cancelled)\]: /);
      }
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(!nixRunning(a) && !nixRunning(b), "nix was left running");
    }
    assert.deepEqual(snapshot(), before);
  });
});

// Regression: `--eval-timeout bogus` was parsed per selector, inside the per-profile catch, so it
// came out as a FAIL row per profile and exit 1.
Deno.test("profiles check: an invalid --eval-timeout is a usage error before any evaluation", async () => {
  await withSandbox(async (sb) => {
    const marker = join(sb.root, "nix-ran");
    const nix = writeFile(join(sb.root, "bin", "nix"), `#!/bin/sh\ntouch '${marker}'\nexit 1\n`);
    Deno.chmodSync(nix, 0o755);
    const file = writeFile(join(sb.workspace, "p.nix"), profile("p", "p"));
    const env = { ...sb.env, INSOMNIA_NIX_BIN: nix };
    const cases: Array<[string[], Record<string, string>, string]> = [
      [
        ["profiles", "check", `path:${file}`, "coder", "--eval-timeout", "bogus"],
        env,
        "--eval-timeout",
      ],
      [["profiles", "check", "--all", "--eval-timeout", "0"], env, "--eval-timeout"],
      [
        ["profiles", "check", `path:${file}`],
        { ...env, INSOMNIA_EVAL_TIMEOUT: "soon" },
        "INSOMNIA_EVAL_TIMEOUT",
      ],
      [["profiles", "show", `path:${file}`, "--eval-timeout", "bogus"], env, "--eval-timeout"],
    ];
    for (const [args, caseEnv, origin] of cases) {
      for (const json of [true, false]) {
        const result = await runCli(json ? [...args, "--json"] : args, {
          cwd: sb.workspace,
          env: caseEnv,
        });
        assert.equal(result.code, 2, `${args.join(" ")}: ${result.stdout}${result.stderr}`);
        if (json) {
          const body = parseJson(result) as any;
          assert.equal(body.error.code, "usage");
          assert.ok(body.error.message.includes(`for ${origin}`), body.error.message);
          assert.equal(body.results, undefined);
        } else {
          assert.equal(result.stdout, "");
          assert.match(result.stderr, /^error\[usage\]: invalid duration/);
        }
      }
    }
    assert.ok(!existsSync(marker), "nix was run");
  });
});

// Regression (src/cli/commands/profiles_list.ts): a configured default that does not resolve was
// listed as `* default (none configured)`, hiding the one thing the user needed to see.
Deno.test("profiles list: a configured but broken default is reported, exit 0", async () => {
  await withSandbox(async (sb) => {
    writeFile(join(sb.config, "profiles", "coder.nix"), profile("coder", "user coder"));
    writeFile(
      join(sb.config, "manifest.toml"),
      '[profiles]\ndefault = "nope"\n[profiles.profile]\ncoder = "profiles/coder.nix"\n',
    );
    const json = await run(sb, ["profiles", "list", "--json"]);
    assert.equal(json.code, 0, json.stderr);
    const out = parseJson(json) as any;
    assert.equal(out.default, null);
    assert.equal(out.default_problem.code, "registry_invalid");
    assert.match(out.default_problem.message, /user:nope/);
    assert.ok(out.profiles.some((p: any) => p.qualified === "user:coder"));
    assert.ok(out.profiles.every((p: any) => p.default === false));
    const human = await run(sb, ["profiles", "list"]);
    assert.equal(human.code, 0, human.stderr);
    assert.doesNotMatch(human.stdout, /none configured/);
    assert.ok(
      human.stdout.includes(`default: user:nope — broken: ${out.default_problem.message}`),
      human.stdout,
    );

    // a project default that names a dangling alias
    writeFile(
      join(sb.workspace, ".insomnia", "manifest.toml"),
      '[profiles]\ndefault = "short"\n[profiles.alias]\nshort = "user:gone"\n',
    );
    const alias = parseJson(await run(sb, ["profiles", "list", "--json"])) as any;
    assert.equal(alias.default, null);
    assert.equal(alias.default_problem.code, "registry_invalid");
    assert.match(alias.default_problem.message, /project:short/);

    // nothing configured, no problem: the builtin default, and `default_problem` is null
    Deno.removeSync(join(sb.workspace, ".insomnia"), { recursive: true });
    Deno.removeSync(join(sb.config, "manifest.toml"));
    const fine = parseJson(await run(sb, ["profiles", "list", "--json"])) as any;
    assert.equal(fine.default_problem, null);
  });
});

// Regression (src/cli/commands/profiles_init.ts): `--force` overwrote the file check but then
// failed with profile_exists because the name was already registered.
Deno.test("profiles init --force rewrites a registered profile's file; the registry is kept", async () => {
  await withSandbox(async (sb) => {
    const registry = join(sb.workspace, ".insomnia", "manifest.toml");
    const file = join(sb.workspace, ".insomnia", "profiles", "mine.nix");
    const first = await run(sb, ["profiles", "init", "mine", "--json"]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal((parseJson(first) as any).profile.registry_updated, true);
    const registryText = readFileSync(registry, "utf8");
    const template = readFileSync(file, "utf8");
    Deno.writeTextFileSync(file, "# edited by hand\n" + template);

    const forced = await run(sb, ["profiles", "init", "mine", "--force", "--json"]);
    assert.equal(forced.code, 0, forced.stderr);
    const out = (parseJson(forced) as any).profile;
    assert.equal(out.qualified, "project:mine");
    assert.equal(out.registry_updated, false);
    assert.equal(readFileSync(file, "utf8"), template);
    assert.equal(readFileSync(registry, "utf8"), registryText, "the registry is left as is");

    const human = await run(sb, ["profiles", "init", "mine", "--force"]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /registry: .*manifest\.toml \(already registered\)/);

    // registered but its file is gone: --force writes it again
    Deno.removeSync(file);
    const missing = await run(sb, ["profiles", "init", "mine", "--force", "--json"]);
    assert.equal(missing.code, 0, missing.stderr);
    assert.equal(readFileSync(file, "utf8"), template);
    assert.equal(readFileSync(registry, "utf8"), registryText);
  });
});

Deno.test("profiles init --force: an entry pointing elsewhere is still profile_exists", async () => {
  await withSandbox(async (sb) => {
    writeFile(join(sb.workspace, "elsewhere.nix"), profile("mine", "elsewhere"));
    writeFile(
      join(sb.workspace, ".insomnia", "manifest.toml"),
      '[profiles.profile]\nmine = { path = "../elsewhere.nix" }\n',
    );
    const before = treeSnapshot(sb.root);
    const result = await run(sb, ["profiles", "init", "mine", "--force", "--json"]);
    assert.equal(result.code, 1, result.stderr);
    const error = (parseJson(result) as any).error;
    assert.equal(error.code, "profile_exists");
    assert.ok(error.message.includes(join(sb.workspace, "elsewhere.nix")), error.message);
    assert.deepEqual(treeSnapshot(sb.root), before);
    const plain = await run(sb, ["profiles", "init", "mine"]);
    assert.equal(plain.code, 1);
    assert.match(plain.stderr, /^error\[profile_exists\]: profile mine is already registered/);
    assert.deepEqual(treeSnapshot(sb.root), before);
  });
});

// Regression: these surfaced as `internal` ("unexpected internal error: ENOTDIR …").
Deno.test("profiles init: unwritable paths are store_io and nothing is written", async () => {
  await withSandbox(async (sb) => {
    const cases: Array<[string, () => void, string[], RegExp]> = [
      [
        ".insomnia is a regular file",
        () => writeFile(join(sb.workspace, ".insomnia"), "not a directory\n"),
        ["profiles", "init", "foo"],
        /\.insomnia is a file, not a directory/,
      ],
      [
        ".insomnia/manifest.toml is a directory",
        () => Deno.mkdirSync(join(sb.workspace, ".insomnia", "manifest.toml"), { recursive: true }),
        ["profiles", "init", "foo"],
        /manifest\.toml: it is a directory, not a file/,
      ],
      [
        "the profile file is a directory",
        () => {
          writeFile(join(sb.workspace, ".insomnia", "manifest.toml"), "");
          Deno.mkdirSync(join(sb.workspace, ".insomnia", "profiles", "foo.nix"), {
            recursive: true,
          });
        },
        ["profiles", "init", "foo", "--force"],
        /foo\.nix: it is a directory, not a file/,
      ],
      [
        "the user config directory is a file",
        () => {
          Deno.removeSync(sb.config, { recursive: true });
          writeFile(sb.config, "not a directory\n");
        },
        ["profiles", "init", "foo", "--source", "user"],
        /is a file, not a directory/,
      ],
    ];
    for (const [name, setup, args, message] of cases) {
      for (const p of [join(sb.workspace, ".insomnia"), sb.config]) {
        try {
          Deno.removeSync(p, { recursive: true });
        } catch { /* absent */ }
      }
      Deno.mkdirSync(sb.config);
      setup();
      const before = treeSnapshot(sb.root);
      const json = await run(sb, [...args, "--json"]);
      assert.equal(json.code, 1, `${name}: ${json.stdout}${json.stderr}`);
      const error = (parseJson(json) as any).error;
      assert.equal(error.code, "store_io", `${name}: ${error.message}`);
      assert.match(error.message, message, name);
      assert.match(error.message, /Nothing was written/, name);
      const human = await run(sb, args);
      assert.equal(human.code, 1);
      assert.match(human.stderr, /^error\[store_io\]: profiles init cannot write/, name);
      assert.doesNotMatch(human.stderr, /^\s{4}at /m);
      assert.deepEqual(treeSnapshot(sb.root), before, `${name}: nothing written`);
    }
  });
});

Deno.test("profiles init: --eval-timeout is checked first; --workspace is accepted", async () => {
  await withSandbox(async (sb) => {
    const before = treeSnapshot(sb.root);
    const bad = await run(sb, ["profiles", "init", "foo", "--eval-timeout", "bogus", "--json"]);
    assert.equal(bad.code, 2);
    assert.equal((parseJson(bad) as any).error.code, "usage");
    assert.deepEqual(treeSnapshot(sb.root), before);
    const ok = await run(sb, [
      "profiles",
      "init",
      "foo",
      "--workspace",
      sb.root,
      "--eval-timeout",
      "60s",
      "--json",
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((parseJson(ok) as any).profile.validated, true);
  });
});

Deno.test("profiles show/check reject a --workspace that is not an existing directory", async () => {
  await withSandbox(async (sb) => {
    for (
      const args of [["profiles", "show", "builtin:coder"], ["profiles", "check", "builtin:coder"]]
    ) {
      const result = await runCli([...args, "--workspace", join(sb.root, "nope"), "--json"], {
        cwd: sb.workspace,
        env: sb.env,
      });
      assert.equal(result.code, 2, result.stdout);
      assert.equal((parseJson(result) as any).error.code, "usage");
    }
  });
});
