/**
 * End-to-end: every flag relation of the root command is a usage error (exit 2, `code: "usage"`
 * with --json, `error[usage]:` on stderr without), plus unknown options/commands, missing option
 * arguments, --help and --version. A usage error never writes anything and never shows a stack.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  type CliResult,
  parseJson,
  runCli,
  type Sandbox,
  treeSnapshot,
  withSandbox as withSandboxIn,
  writeFile,
} from "../helpers/cli.ts";
import { VERSION } from "../../src/version.ts";
import { buildProgram } from "../../src/cli/program.ts";

const MANIFEST = `[pod]
name = "flags"
[model]
scheme = "anthropic"
model_id = "m"
auth = { kind = "none" }
[[scope.allow]]
target = { kind = "workspace_path", path = "." }
permission = "read"
`;

function withSandbox(fn: (sb: Sandbox) => Promise<void>): Promise<void> {
  return withSandboxIn(fn, "insomnia-flags-");
}

function run(sb: Sandbox, args: string[]): Promise<CliResult> {
  return runCli(args, { cwd: sb.workspace, env: { ...sb.env, INSOMNIA_USER_MANIFEST: "" } });
}

function assertNoStack(result: CliResult): void {
  assert.doesNotMatch(result.stderr, /^\s{4}at /m, `stack trace on stderr:\n${result.stderr}`);
  assert.doesNotMatch(result.stdout, /^\s{4}at /m, `stack trace on stdout:\n${result.stdout}`);
}

/**
 * Runs `args` with and without --json and checks the usage-error contract for both; the sandbox
 * tree must be unchanged. Returns the JSON error message.
 */
async function expectUsage(
  sb: Sandbox,
  args: string[],
  fragment?: string | RegExp,
  suffix = "Run `insomnia-pod --help` for usage.",
) {
  const before = treeSnapshot(sb.root);
  const [json, human] = await Promise.all([run(sb, ["--json", ...args]), run(sb, args)]);
  const body = parseJson(json) as { error?: { code: string; message: string } };
  assert.equal(body.error?.code, "usage", `${args.join(" ")}: ${json.stdout}${json.stderr}`);
  assert.equal(json.code, 2);
  assert.equal(json.stderr, "", `--json prints nothing on stderr for a usage error`);
  assert.equal(human.code, 2);
  assert.equal(human.stdout, "");
  assert.match(human.stderr, /^error\[usage\]: /);
  assert.equal(
    human.stderr.split("\n").filter((l) => /^error/.test(l)).length,
    1,
    `exactly one error line:\n${human.stderr}`,
  );
  assert.ok(human.stderr.includes(body.error!.message), human.stderr);
  if (suffix) assert.ok(body.error!.message.endsWith(suffix), body.error!.message);
  if (fragment !== undefined) {
    if (typeof fragment === "string") {
      assert.ok(body.error!.message.includes(fragment), body.error!.message);
    } else assert.match(body.error!.message, fragment);
  }
  assertNoStack(json);
  assertNoStack(human);
  assert.deepEqual(treeSnapshot(sb.root), before, "a usage error writes nothing");
  return body.error!.message;
}

const CONFLICT = (a: string, b: string) => `option '${a}' cannot be used with option '${b}'`;
const P = "--profile <selector>";

const RELATIONS: Array<[string, string[], string | RegExp]> = [
  [
    "--profile with --manifest",
    ["--profile", "x", "--manifest", "m.toml"],
    CONFLICT(P, "--manifest <file>"),
  ],
  [
    "--profile with --manifest-cascade",
    ["--profile", "x", "--manifest-cascade"],
    CONFLICT(P, "--manifest-cascade"),
  ],
  [
    "--profile with --project",
    ["--profile", "x", "--project", "."],
    CONFLICT(P, "--project <dir>"),
  ],
  [
    "--profile with --overlay",
    ["--profile", "x", "--overlay", "a = 1"],
    CONFLICT(P, "--overlay <toml>"),
  ],
  ["--profile with --pod", ["--profile", "x", "--pod", "a"], CONFLICT(P, "--pod <name>")],
  ["--profile with --session", ["--profile", "x", "--session", "s"], CONFLICT(P, "--session <id>")],
  [
    "--profile-pod-name without --profile",
    ["--profile-pod-name", "a", "--manifest", "m.toml"],
    "option '--profile-pod-name <name>' requires '--profile <selector>'",
  ],
  [
    "--pod with --session",
    ["--pod", "a", "--session", "s"],
    CONFLICT("--pod <name>", "--session <id>"),
  ],
  [
    "--require-pod-state without --pod",
    ["--require-pod-state", "--manifest", "m.toml"],
    "option '--require-pod-state' requires '--pod <name>'",
  ],
  [
    "--reload-profile without --pod",
    ["--reload-profile"],
    "option '--reload-profile' requires '--pod <name>'",
  ],
  [
    "--yes without --reload-profile",
    ["--yes"],
    "option '--yes' only applies to '--reload-profile'",
  ],
  ["-y with --pod but no --reload-profile", ["-y", "--pod", "a"], "option '--yes' only applies"],
  [
    "--manifest with --manifest-cascade",
    ["--manifest", "m.toml", "--manifest-cascade"],
    CONFLICT("--manifest <file>", "--manifest-cascade"),
  ],
  [
    "--manifest with --project",
    ["--manifest", "m.toml", "--project", "."],
    CONFLICT("--manifest <file>", "--project <dir>"),
  ],
  [
    "--manifest with --overlay",
    ["--manifest", "m.toml", "--overlay", "a = 1"],
    CONFLICT("--manifest <file>", "--overlay <toml>"),
  ],
  [
    "--reload-profile with manifest options",
    ["--pod", "a", "--reload-profile", "--manifest", "m.toml"],
    "option '--reload-profile' re-evaluates the Pod's recorded profile; it takes no manifest options",
  ],
  [
    "--session with manifest options",
    ["--session", "s", "--overlay", "a = 1"],
    "option '--session <id>' resumes from the stored snapshot; it takes no manifest options",
  ],
  ["unknown option", ["--bogus"], "unknown option '--bogus'"],
  [
    "unknown option after a valid one (with a suggestion)",
    ["--manifest", "m.toml", "--dryrun"],
    /unknown option '--dryrun'. Did you mean `--dry-run`\?/,
  ],
  ["unknown command", ["bogus"], /bogus/],
  ["missing --manifest argument", ["--manifest"], "option '--manifest <file>' argument missing"],
  ["missing --profile argument", ["--profile"], "option '--profile <selector>' argument missing"],
  [
    "missing --store argument",
    ["--manifest", "m.toml", "-s"],
    "option '-s, --store <dir>' argument missing",
  ],
  ["missing --overlay argument", ["--overlay"], "option '--overlay <toml>' argument missing"],
];

for (const [name, args, fragment] of RELATIONS) {
  Deno.test(`cli flags: ${name} is a usage error`, async () => {
    await withSandbox(async (sb) => {
      writeFile(join(sb.workspace, "m.toml"), MANIFEST);
      await expectUsage(sb, args, fragment);
    });
  });
}

// Regression (src/cli/run.ts, main): `program.configureOutput({ outputError: () => {} })` is called
// after buildProgram() created the subcommands, and commander copies output settings to a
// subcommand only when it is created. Subcommand parse errors (`profiles bogus`, `pods show`
// without a name, …) are therefore printed twice on stderr — commander's raw "error: …" line and
// then our `error[usage]: …` — and with --json the raw line still goes to stderr. Fix: call
// configureOutput on every command (e.g. walk `program.commands` recursively), or pass the output
// configuration into buildProgram before the subcommands are created.
Deno.test("cli flags: a subcommand usage error prints one error[usage] line", async () => {
  await withSandbox(async (sb) => {
    await expectUsage(sb, ["profiles", "bogus"], "unknown command 'bogus'");
    await expectUsage(sb, ["pods", "show"], "missing required argument 'name'");
  });
});

Deno.test("cli flags: --help exits 0 and shows every root flag and the examples", async () => {
  await withSandbox(async (sb) => {
    for (const flag of ["--help", "-h"]) {
      const result = await run(sb, [flag]);
      assert.equal(result.code, 0);
      assert.equal(result.stderr, "");
      assert.match(result.stdout, /^Usage: insomnia-pod /);
      assert.ok(result.stdout.includes("Examples:"), result.stdout);
      assert.ok(result.stdout.includes("insomnia-pod --manifest pod.toml --dry-run"));
      assert.ok(result.stdout.includes("Exit status: 0 success, 1 failure, 2 usage error"));
      for (
        const option of [
          "--profile <selector>",
          "--profile-pod-name <name>",
          "--manifest <file>",
          "--manifest-cascade",
          "--project <dir>",
          "--overlay <toml>",
          "--pod <name>",
          "--session <id>",
          "--require-pod-state",
          "--reload-profile",
          "-y, --yes",
          "--dry-run",
          "--json",
          "-s, --store <dir>",
          "--workspace <dir>",
        ]
      ) assert.ok(result.stdout.includes(option), `--help lacks ${option}`);
    }
  });
});

Deno.test("cli flags: --version and -V exit 0 and print the version (JSON with --json)", async () => {
  await withSandbox(async (sb) => {
    for (const flag of ["--version", "-V"]) {
      const result = await run(sb, [flag]);
      assert.equal(result.code, 0);
      assert.equal(result.stdout.trim(), VERSION);
      assert.equal(result.stderr, "");
      const json = await run(sb, [flag, "--json"]);
      assert.equal(json.code, 0);
      assert.deepEqual(JSON.parse(json.stdout), { format: "insomnia.cli.v1", version: VERSION });
    }
    const help = await run(sb, ["--help", "--json"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: insomnia-pod/, "help stays text with --json");
  });
});

Deno.test("cli flags: --help wins over other flags and writes nothing", async () => {
  await withSandbox(async (sb) => {
    const before = treeSnapshot(sb.root);
    const result = await run(sb, ["--manifest", "m.toml", "--help"]);
    assert.equal(result.code, 0);
    assert.ok(result.stdout.includes("Examples:"));
    assert.deepEqual(treeSnapshot(sb.root), before);
  });
});

Deno.test("cli flags: an invalid --pod name is pod_name_invalid (exit 1), not a crash", async () => {
  await withSandbox(async (sb) => {
    writeFile(join(sb.workspace, "m.toml"), MANIFEST);
    const before = treeSnapshot(sb.root);
    const [json, human] = await Promise.all([
      run(sb, ["--json", "--manifest", "m.toml", "--pod", "../escape"]),
      run(sb, ["--manifest", "m.toml", "--pod", "../escape"]),
    ]);
    assert.equal(json.code, 1);
    assert.equal((parseJson(json).error as { code: string }).code, "pod_name_invalid");
    assert.equal(human.code, 1);
    assert.match(human.stderr, /^error\[pod_name_invalid\]: invalid Pod name "\.\.\/escape"/);
    assertNoStack(human);
    assert.deepEqual(treeSnapshot(sb.root), before);
  });
});

Deno.test("cli flags: relations hold whatever the flag order", async () => {
  await withSandbox(async (sb) => {
    await expectUsage(sb, ["--manifest", "m.toml", "--profile", "x"], "cannot be used with");
    await expectUsage(sb, ["--session", "s", "--pod", "a"], "cannot be used with");
    await expectUsage(sb, ["--overlay", "a = 1", "--manifest", "m.toml"], "cannot be used with");
  });
});

// Regression: with enablePositionalOptions the root parses every option before the subcommand's
// name, and the subcommand never looked at them, so `--dry-run profiles init foo` wrote files and
// `--pod x pods rm ws` removed Pod ws. A root option before a subcommand is now a usage error that
// names the option and the subcommand, and nothing is written.
const ROOT_ONLY: string[][] = [
  ["--profile", "coder"],
  ["--profile-pod-name", "p"],
  ["--manifest", "m.toml"],
  ["--manifest-cascade"],
  ["--project", "."],
  ["--overlay", "a = 1"],
  ["--pod", "x"],
  ["--session", "s"],
  ["--require-pod-state"],
  ["--reload-profile"],
  ["--yes"],
  ["--check-secrets"],
  ["--dry-run"],
];

const notApply = (flag: string, command: string) => `${flag} does not apply to \`${command}\``;

Deno.test("cli flags: every root-only option before a subcommand is a usage error", async () => {
  await withSandbox(async (sb) => {
    writeFile(join(sb.workspace, "m.toml"), MANIFEST);
    await Promise.all(
      ROOT_ONLY.map((flag) =>
        expectUsage(sb, [...flag, "profiles", "list"], notApply(flag[0], "profiles list"), "")
      ),
    );
    await expectUsage(sb, ["-y", "secrets", "list"], notApply("--yes", "secrets list"), "");
  });
});

Deno.test("cli flags: --dry-run before `profiles init` writes nothing", async () => {
  await withSandbox(async (sb) => {
    const message = await expectUsage(
      sb,
      ["--dry-run", "profiles", "init", "foo"],
      notApply("--dry-run", "profiles init"),
      "",
    );
    assert.match(message, /nothing was done/);
    assert.match(message, /Remove --dry-run/);
    assert.ok(!existsSync(join(sb.workspace, ".insomnia")));
  });
});

Deno.test("cli flags: --pod before `pods rm` does not remove the Pod", async () => {
  await withSandbox(async (sb) => {
    writeFile(join(sb.workspace, "m.toml"), MANIFEST);
    const made = await run(sb, ["--manifest", "m.toml", "--pod", "ws", "--json"]);
    assert.equal(made.code, 0, made.stderr);
    await expectUsage(sb, ["--pod", "x", "pods", "rm", "ws"], notApply("--pod", "pods rm"), "");
    const listed = parseJson(await run(sb, ["pods", "list", "--json"])) as {
      pods: Array<{ name: string }>;
    };
    assert.deepEqual(listed.pods.map((p) => p.name), ["ws"]);
  });
});

Deno.test("cli flags: `--profile SEL new` says to write `new --profile SEL`", async () => {
  await withSandbox(async (sb) => {
    const message = await expectUsage(
      sb,
      ["--profile", "user:my coder", "new"],
      "--profile does not apply to `new` when written before its name",
      "",
    );
    assert.ok(message.includes("`insomnia-pod new --profile 'user:my coder'`"), message);
    const both = await expectUsage(
      sb,
      ["--check-secrets", "--dry-run", "profiles", "check"],
      "--check-secrets and --dry-run do not apply to `profiles check`",
      "",
    );
    assert.ok(both.includes("`insomnia-pod profiles check --check-secrets`"), both);
    assert.ok(both.includes("Remove --dry-run"), both);
  });
});

// Regression: every subcommand was offered every common flag, so `pods list --eval-timeout x`
// and `secrets list --workspace x` were accepted and ignored.
const TAKES: Record<string, string[]> = {
  "profiles list": [],
  "profiles show": ["--workspace", "--eval-timeout", "--trust"],
  "profiles check": ["--store", "--workspace", "--eval-timeout", "--trust"],
  "profiles init": ["--workspace", "--eval-timeout", "--trust"],
  "profiles default": [],
  "profiles rm": [],
  "pods list": ["--store"],
  "pods show": ["--store"],
  "pods rm": ["--store"],
  "pods export": ["--store"],
  "secrets set": [],
  "secrets list": [],
  "secrets rm": [],
  "new": ["--store", "--workspace", "--eval-timeout", "--trust"],
  "doctor": ["--store", "--workspace", "--eval-timeout", "--trust"],
  "trust": [],
  "untrust": [],
  "completions": [],
  "schema": [],
};
const OPTIONAL = ["--store", "--workspace", "--eval-timeout", "--trust"];

Deno.test("cli flags: each subcommand takes --json, -q and only the common flags it uses", () => {
  const program = buildProgram(() => Promise.resolve());
  const seen: string[] = [];
  const walk = (cmd: typeof program, path: string) => {
    for (const sub of cmd.commands) {
      const subPath = path ? `${path} ${sub.name()}` : sub.name();
      if (sub.commands.length > 0) {
        walk(sub, subPath);
        continue;
      }
      seen.push(subPath);
      const longs = sub.options.map((o) => o.long);
      assert.ok(longs.includes("--json") && longs.includes("--quiet"), subPath);
      assert.deepEqual(
        OPTIONAL.filter((f) => longs.includes(f)),
        TAKES[subPath],
        `common flags of ${subPath}`,
      );
    }
  };
  walk(program, "");
  assert.deepEqual(seen.sort(), Object.keys(TAKES).sort());
});

Deno.test("cli flags: a common flag a subcommand does not use is refused in either position", async () => {
  await withSandbox(async (sb) => {
    await expectUsage(
      sb,
      ["pods", "list", "--eval-timeout", "5s"],
      "unknown option '--eval-timeout'",
    );
    await expectUsage(sb, ["secrets", "list", "--workspace", "."], "unknown option '--workspace'");
    await expectUsage(sb, ["profiles", "list", "-s", "x"], "unknown option '-s'");
    await expectUsage(
      sb,
      ["--eval-timeout", "5s", "pods", "list"],
      notApply("--eval-timeout", "pods list"),
      "",
    );
    await expectUsage(
      sb,
      ["-s", sb.store, "secrets", "list"],
      notApply("--store", "secrets list"),
      "",
    );
    await expectUsage(
      sb,
      ["--workspace", ".", "schema"],
      notApply("--workspace", "schema"),
      "",
    );
  });
});

Deno.test("cli flags: common flags a subcommand takes work before or after its name", async () => {
  await withSandbox(async (sb) => {
    const other = join(sb.root, "other");
    Deno.mkdirSync(other);
    const before = await run(sb, [
      "--json",
      "--workspace",
      other,
      "profiles",
      "show",
      "builtin:reviewer",
    ]);
    assert.equal(before.code, 0, before.stderr);
    const shown = parseJson(before) as {
      manifest: { scope: { allow: Array<{ target: string }> } };
    };
    assert.equal(shown.manifest.scope.allow[0].target, other);
    // given in both places, the one after the name wins
    const both = parseJson(
      await run(sb, [
        "--workspace",
        sb.root,
        "profiles",
        "show",
        "builtin:reviewer",
        "--workspace",
        other,
        "--json",
      ]),
    ) as { manifest: { scope: { allow: Array<{ target: string }> } } };
    assert.equal(both.manifest.scope.allow[0].target, other);
    const timeout = await run(sb, ["--eval-timeout", "bogus", "profiles", "show", "coder"]);
    assert.equal(timeout.code, 2);
    assert.match(timeout.stderr, /^error\[usage\]: invalid duration "bogus" for --eval-timeout/);
    const store = join(sb.root, "store");
    writeFile(join(sb.workspace, "m.toml"), MANIFEST);
    assert.equal((await run(sb, ["-s", store, "--manifest", "m.toml", "--pod", "a"])).code, 0);
    for (
      const args of [["-s", store, "pods", "list", "--json"], [
        "pods",
        "list",
        "-s",
        store,
        "--json",
      ]]
    ) {
      const listed = parseJson(await run(sb, args)) as { pods: Array<{ name: string }> };
      assert.deepEqual(listed.pods.map((p) => p.name), ["a"], args.join(" "));
    }
    const quiet = await run(sb, ["-q", "--json", "schema"]);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.ok(parseJson(quiet));
  });
});
