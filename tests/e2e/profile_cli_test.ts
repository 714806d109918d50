// deno-lint-ignore-file no-explicit-any -- these tests read the CLI's JSON output untyped
/**
 * End-to-end: Nix profiles through the real CLI (real nix, real files, a subprocess per run).
 * Every failure is checked for its code, its exit status and that nothing was written.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  denoDir,
  FIXTURES,
  nixRunning,
  parseJson,
  podCommand,
  REPO_ROOT,
  runCli,
  type Sandbox,
  treeSnapshot,
  withSandbox,
  writeFile,
} from "../helpers/cli.ts";

const LIB = join(REPO_ROOT, "resources", "nix", "profile-lib.nix");

/** Runs the CLI expecting failure with `code`; asserts exit status and that nothing was written. */
async function expectFailure(
  sb: Sandbox,
  args: string[],
  code: string,
  env: Record<string, string> = {},
) {
  const before = treeSnapshot(sb.data);
  const result = await runCli([...args, "--json", "-s", sb.store], {
    cwd: sb.workspace,
    env: { ...sb.env, ...env },
  });
  const body = parseJson(result) as { error?: { code: string; message: string } };
  assert.equal(body.error?.code, code, `expected ${code}, got ${result.stdout}\n${result.stderr}`);
  assert.equal(result.code, code === "usage" ? 2 : 1);
  assert.deepEqual(treeSnapshot(sb.data), before, "a failed run must write nothing");
  assert.doesNotMatch(result.stderr, /^\s+at /m, "no stack trace");
  return body.error!;
}

const seedProfile = (libPath: string) =>
  `let
  insomnia = import ${libPath} {};
in
insomnia.mkProfile {
  name = "coder";
  description = "Example coding Pod";
  manifest = insomnia.mkManifest {
    pod.name = "coder";
    model = {
      scheme = "anthropic";
      model_id = "claude-sonnet-4-20250514";
      auth = insomnia.secrets.ref "llm.anthropic.default";
    };
    scope.allow = [
      { target = "."; permission = "write"; }
    ];
  };
}
`;

Deno.test("the seed's minimal profile resolves, with provenance, and writes nothing on --dry-run", async () => {
  await withSandbox(async (sb) => {
    const dir = join(sb.root, "profiles");
    const file = writeFile(join(dir, "coder.nix"), seedProfile(LIB));
    const before = treeSnapshot(sb.root, [join(sb.root, "cache")]);
    // Its scope is the profile's own directory ("." next to the file), so the runtime would refuse
    // to start it anywhere else: launched from the parent directory it is scope_violation.
    // (The seed imports the library by the repository's absolute path: outside the sandbox roots
    // of a compiled binary, whose library is its own unpacked copy — hence the opt-in.)
    const seedEnv = { ...sb.env, INSOMNIA_IMPURE_EVAL: "1" };
    const outside = await runCli(["--profile", "./profiles/coder.nix", "--json"], {
      cwd: sb.root,
      env: seedEnv,
    });
    assert.equal(outside.code, 1, outside.stderr);
    const refused = (parseJson(outside) as Record<string, any>).error;
    assert.equal(refused.code, "scope_violation");
    assert.match(refused.message, /would start in .* which its scope does not cover/);
    assert.match(refused.message, /--workspace/);
    assert.deepEqual(treeSnapshot(sb.root, [join(sb.root, "cache")]), before, "nothing written");
    const result = await runCli(
      ["--profile", "./profiles/coder.nix", "--workspace", dir, "--dry-run", "--json"],
      { cwd: sb.root, env: seedEnv },
    );
    assert.equal(result.code, 0, result.stderr);
    const out = parseJson(result) as Record<string, any>;
    assert.equal(out.action, "dry_run");
    assert.equal(out.pod.name, "coder");
    assert.equal(out.pod.dir, null);
    assert.deepEqual(out.manifest.model.auth, { kind: "secret_ref", ref: "llm.anthropic.default" });
    assert.equal(out.manifest.model.scheme, "anthropic");
    // seed contract: plain relative strings resolve against the profile file's directory
    assert.deepEqual(out.manifest.scope.allow, [{
      target: dir,
      permission: "write",
      recursive: true,
    }]);
    assert.equal(out.manifest.worker.tool_output.default_max_bytes, 65536);
    const p = out.profile;
    assert.equal(p.selector, "./profiles/coder.nix");
    assert.deepEqual(p.source, { kind: "path", path: file });
    assert.equal(p.metadata.format, "insomnia.nix-profile.v1");
    assert.equal(p.metadata.name, "coder");
    assert.match(p.fingerprint.profile_sha256, /^[0-9a-f]{64}$/);
    assert.match(p.fingerprint.nix_version, /^\d+\.\d+/);
    assert.equal(p.fingerprint.evaluator, "nix");
    assert.ok(p.fingerprint.library_version);
    assert.deepEqual(treeSnapshot(sb.root, [join(sb.root, "cache")]), before);
  });
});

Deno.test("a profile anywhere uses import <insomnia>, workspace scope binds to the launch directory", async () => {
  await withSandbox(async (sb) => {
    writeFile(
      join(sb.root, "elsewhere", "p.nix"),
      `let insomnia = import <insomnia> { }; in
insomnia.mkProfile {
  name = "anywhere";
  manifest = {
    model = { ref = "anthropic/claude-sonnet-4-6"; auth = insomnia.secrets.ref "llm.anthropic.default"; };
    scope.allow = [ { target = insomnia.workspace "."; permission = "write"; } ];
    scope.deny = [ { target = insomnia.workspace "secrets"; permission = "read"; } ];
    skills.directories = [ ./skills "rel-skills" ];
  };
}
`,
    );
    const project = join(sb.root, "project");
    Deno.mkdirSync(project);
    const result = await runCli([
      "--profile",
      join(sb.root, "elsewhere", "p.nix"),
      "--dry-run",
      "--json",
    ], {
      cwd: project,
      env: sb.env,
    });
    assert.equal(result.code, 0, result.stderr);
    const m = (parseJson(result) as any).manifest;
    assert.equal(m.pod.name, "anywhere", "the Pod name defaults to the profile's name");
    assert.equal(m.scope.allow[0].target, project);
    assert.equal(m.scope.deny[0].target, join(project, "secrets"));
    // a path literal comes out as its absolute path; a plain string is relative to the profile
    assert.deepEqual(m.skills.directories, [
      join(sb.root, "elsewhere", "skills"),
      join(sb.root, "elsewhere", "rel-skills"),
    ]);
    const other = join(sb.root, "other-ws");
    Deno.mkdirSync(other);
    const withWs = await runCli(
      [
        "--profile",
        join(sb.root, "elsewhere", "p.nix"),
        "--workspace",
        other,
        "--profile-pod-name",
        "named",
        "--dry-run",
        "--json",
      ],
      { cwd: project, env: sb.env },
    );
    const m2 = (parseJson(withWs) as any).manifest;
    assert.equal(m2.scope.allow[0].target, other);
    assert.equal(m2.pod.name, "named");
  });
});

Deno.test("composition through imports: a cheap variant overrides the model of a common role", async () => {
  await withSandbox(async (sb) => {
    const dir = join(FIXTURES, "profiles", "composed");
    const coder = parseJson(
      await runCli(["--profile", join(dir, "coder.nix"), "--dry-run", "--json"], {
        cwd: sb.workspace,
        env: sb.env,
      }),
    ) as any;
    const cheap = parseJson(
      await runCli(["--profile", join(dir, "coder-cheap.nix"), "--dry-run", "--json"], {
        cwd: sb.workspace,
        env: sb.env,
      }),
    ) as any;
    assert.equal(coder.manifest.model.ref, "anthropic/claude-sonnet-4-6");
    assert.notEqual(cheap.manifest.model.ref, coder.manifest.model.ref);
    assert.equal(cheap.pod.name, "coder-cheap");
    // shared settings from common.nix survive in both
    assert.equal(coder.manifest.session.record_event_trace, true);
    assert.equal(cheap.manifest.session.record_event_trace, true);
    assert.equal(cheap.manifest.scope.allow[0].target, sb.workspace);
    assert.ok(cheap.manifest.compaction.threshold < coder.manifest.compaction.threshold);
  });
});

Deno.test("a .json artifact resolves without Nix (the resolved-config fallback)", async () => {
  await withSandbox(async (sb) => {
    const file = writeFile(
      join(sb.root, "art.json"),
      JSON.stringify({
        profile: { format: "insomnia.nix-profile.v1", name: "ci" },
        manifest: {
          model: {
            ref: "anthropic/claude-sonnet-4-6",
            auth: { kind: "secret_ref", ref: "llm.anthropic.default" },
          },
          scope: { allow: [{ target: { kind: "workspace_path", path: "." }, permission: "read" }] },
        },
      }),
    );
    const result = await runCli(["--profile", `path:${file}`, "--dry-run", "--json"], {
      cwd: sb.workspace,
      env: { ...sb.env, PATH: "/nonexistent" },
    });
    assert.equal(result.code, 0, result.stderr);
    const out = parseJson(result) as any;
    assert.equal(out.profile.fingerprint.evaluator, "json");
    assert.equal(out.profile.fingerprint.nix_version, null);
    assert.equal(out.manifest.scope.allow[0].permission, "read");
  });
});

const FAILURES: Array<[string, string, string, RegExp?]> = [
  ["syntax error", "{ a = ", "nix_eval_failed", /bad\.nix:1:/],
  ["throw", 'throw "profile says no"', "nix_eval_failed", /profile says no/],
  ["infinite recursion", "let x = x; in x", "nix_eval_failed", /infinite recursion/],
  ["a function at top level", "x: x", "nix_eval_failed", /function/],
  ["a list at top level", "[ 1 2 ]", "artifact_invalid", /a list/],
  [
    "both manifest and config",
    '{ profile = { format = "insomnia.nix-profile.v1"; }; manifest = {}; config = {}; }',
    "artifact_invalid",
    /both `manifest` and `config`/,
  ],
  [
    "missing format",
    '{ profile = { name = "x"; }; manifest = {}; }',
    "artifact_format_unsupported",
    /no profile\.format/,
  ],
  [
    "wrong format",
    '{ profile = { format = "insomnia.nix-profile.v99"; }; manifest = {}; }',
    "artifact_format_unsupported",
    /v99/,
  ],
  [
    "unknown key, with a suggestion",
    `{ profile = { format = "insomnia.nix-profile.v1"; name = "x"; }; manifest = { model = { ref = "anthropic/claude-sonnet-4-6"; }; scope.alow = []; }; }`,
    "manifest_invalid",
    /scope\.alow.*did you mean `scope\.allow`/,
  ],
  [
    "missing required field",
    `{ profile = { format = "insomnia.nix-profile.v1"; name = "x"; }; manifest = { model = { ref = "anthropic/claude-sonnet-4-6"; }; }; }`,
    "manifest_invalid",
    /scope\.allow/,
  ],
];

for (const [what, source, code, pattern] of FAILURES) {
  Deno.test(`profile failure: ${what} → ${code}, nothing written`, async () => {
    await withSandbox(async (sb) => {
      const file = writeFile(join(sb.workspace, "bad.nix"), source);
      const error = await expectFailure(sb, ["--profile", file], code);
      if (pattern) assert.match(error.message, pattern);
      // human form too
      const human = await runCli(["--profile", file, "-s", sb.store], {
        cwd: sb.workspace,
        env: sb.env,
      });
      assert.match(human.stderr, new RegExp(`^error\\[${code}\\]: `));
      assert.equal(human.stdout, "");
    });
  });
}

Deno.test("a runaway evaluation is killed within the timeout + 2 s, leaving no nix process", async () => {
  await withSandbox(async (sb) => {
    const file = writeFile(
      join(sb.workspace, "slow.nix"),
      "let fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2); in fib 40",
    );
    const started = performance.now();
    const error = await expectFailure(
      sb,
      ["--profile", file, "--eval-timeout", "1s"],
      "nix_eval_timeout",
    );
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 1000 + 2000 + 1500, `took ${elapsed} ms`); // + CLI start-up
    assert.match(error.message, /--eval-timeout/);
    assert.ok(!nixRunning(file), "no nix process of the evaluation is left");
  });
});

Deno.test("INSOMNIA_EVAL_TIMEOUT is honoured and a bad duration is a usage error", async () => {
  await withSandbox(async (sb) => {
    const file = writeFile(
      join(sb.workspace, "slow.nix"),
      "let f = n: if n < 2 then n else f (n - 1) + f (n - 2); in f 40",
    );
    await expectFailure(sb, ["--profile", file], "nix_eval_timeout", {
      INSOMNIA_EVAL_TIMEOUT: "500ms",
    });
    await expectFailure(sb, ["--profile", file, "--eval-timeout", "soon"], "usage");
  });
});

Deno.test("oversized output is an error, not an out-of-memory", async () => {
  await withSandbox(async (sb) => {
    const file = writeFile(
      join(sb.workspace, "huge.nix"),
      'let s = builtins.concatStringsSep "" (builtins.genList (_: "0123456789abcdef") 1200000); in { a = s; }',
    );
    const error = await expectFailure(sb, ["--profile", file], "nix_eval_failed");
    assert.match(error.message, /output|bytes/i);
  });
});

Deno.test("nix absent from PATH: nix_unavailable names the install step and both fallbacks", async () => {
  await withSandbox(async (sb) => {
    const file = writeFile(join(sb.workspace, "p.nix"), seedProfile(LIB));
    const error = await expectFailure(sb, ["--profile", file], "nix_unavailable", {
      PATH: "/nonexistent",
    });
    assert.match(error.message, /--manifest/);
    assert.match(error.message, /\.json/);
    assert.match(error.message, /nix-bin|nixos\.org/);
  });
});

Deno.test("builtin profiles resolve with Nix removed from PATH", async () => {
  await withSandbox(async (sb) => {
    const result = await runCli(["--profile", "builtin:coder", "--dry-run", "--json"], {
      cwd: sb.workspace,
      env: { ...sb.env, PATH: "/nonexistent" },
    });
    assert.equal(result.code, 0, result.stderr);
    const out = parseJson(result) as any;
    assert.equal(out.profile.fingerprint.evaluator, "shipped");
    assert.deepEqual(out.profile.source.kind, "registry");
    assert.equal(
      out.manifest.scope.allow[0].target,
      sb.workspace,
      "builtins grant the launch workspace",
    );
  });
});

Deno.test("no mode flag resolves the default profile (builtin:default when nothing is configured)", async () => {
  await withSandbox(async (sb) => {
    const result = await runCli(["--dry-run", "--json"], { cwd: sb.workspace, env: sb.env });
    assert.equal(result.code, 0, result.stderr);
    const out = parseJson(result) as any;
    assert.equal(out.profile.selector, "default");
    assert.deepEqual(
      {
        kind: out.profile.source.kind,
        source: out.profile.source.source,
        name: out.profile.source.name,
      },
      { kind: "registry", source: "builtin", name: "default" },
    );
  });
});

Deno.test("profiles check --all exits 1 and names only the broken profile", async () => {
  await withSandbox(async (sb) => {
    const good =
      `let insomnia = import <insomnia> { }; in insomnia.mkProfile { name = "good"; manifest = { model = { ref = "anthropic/claude-sonnet-4-6"; auth = insomnia.secrets.ref "a.b"; }; scope.allow = [ { target = insomnia.workspace "."; permission = "read"; } ]; }; }`;
    writeFile(join(sb.workspace, ".insomnia", "profiles", "good.nix"), good);
    writeFile(
      join(sb.workspace, ".insomnia", "profiles", "broken.nix"),
      'throw "broken on purpose"',
    );
    writeFile(
      join(sb.workspace, ".insomnia", "manifest.toml"),
      '[profiles.profile]\ngood = "profiles/good.nix"\nbroken = { path = "profiles/broken.nix", description = "fails" }\n',
    );
    // A CI machine checks its own checkout: --trust instead of a recorded trust.
    const result = await runCli(["profiles", "check", "--all", "--trust", "--json"], {
      cwd: sb.workspace,
      env: sb.env,
    });
    assert.equal(result.code, 1, result.stderr);
    const out = parseJson(result) as any;
    const failed = out.results.filter((r: any) => !r.ok).map((r: any) => r.selector);
    assert.deepEqual(failed, ["project:broken"]);
    assert.ok(out.results.length >= 3, "builtins are checked too");
  });
});

Deno.test("Ctrl-C during an evaluation stops nix and exits 130 with nothing written", async () => {
  await withSandbox(async (sb) => {
    const file = writeFile(
      join(sb.workspace, "slow.nix"),
      "let fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2); in fib 40",
    );
    const before = treeSnapshot(sb.data);
    const [cmd, ...prefix] = podCommand();
    const child = new Deno.Command(cmd, {
      args: [...prefix, "--profile", file, "--json", "-s", sb.store],
      cwd: sb.workspace,
      env: {
        ...sb.env,
        DENO_DIR: denoDir(),
      },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // wait until nix runs, then interrupt as a terminal would
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !nixRunning(file)) await new Promise((r) => setTimeout(r, 50));
    assert.ok(nixRunning(file), "nix never started");
    child.kill("SIGINT");
    const out = await child.output();
    assert.equal(out.code, 130, new TextDecoder().decode(out.stderr));
    assert.equal(JSON.parse(new TextDecoder().decode(out.stdout)).error.code, "nix_eval_cancelled");
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(!nixRunning(file), "nix was left running");
    assert.deepEqual(treeSnapshot(sb.data), before);
  });
});

Deno.test({
  name: "flake:<ref>#<name> evaluates <ref>#insomniaProfiles.<name>",
  // Flakes are copied into the Nix store; without a daemon that needs root.
  ignore: Deno.uid() !== 0,
  fn: async () => {
    await withSandbox(async (sb) => {
      const flake = join(sb.root, "flake");
      writeFile(
        join(flake, "flake.nix"),
        `{
  outputs = { self }: let insomnia = import <insomnia> { }; in {
    insomniaProfiles.coder = insomnia.mkProfile {
      name = "flaky";
      description = "from a flake";
      manifest = {
        model = { ref = "anthropic/claude-sonnet-4-6"; auth = insomnia.secrets.ref "llm.anthropic.default"; };
        scope.allow = [ { target = insomnia.workspace "."; permission = "read"; } ];
      };
    };
  };
}
`,
      );
      const result = await runCli(
        ["--profile", `flake:path:${flake}#coder`, "--dry-run", "--json"],
        {
          cwd: sb.workspace,
          env: sb.env,
        },
      );
      assert.equal(result.code, 0, result.stderr);
      const out = parseJson(result) as any;
      assert.deepEqual(out.profile.source, { kind: "flake", ref: `path:${flake}`, name: "coder" });
      assert.equal(out.pod.name, "flaky");
      assert.equal(out.manifest.scope.allow[0].target, sb.workspace);
      const missing = await expectFailure(
        sb,
        ["--profile", `flake:path:${flake}#nope`],
        "nix_eval_failed",
      );
      assert.match(missing.message, /insomniaProfiles|nope/);
    });
  },
});
