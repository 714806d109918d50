/**
 * Regression tests for the hostile review's defects (/work/shared/reference/hostile-findings.md),
 * one or more per D-number, each named for it and built on the review's repro. Every failure case
 * asserts the exit status, the error code (`--json`) and the human form (`error[<code>]:` on
 * stderr), the message, that no stack trace was printed and that nothing was written to the
 * sandbox's data, config, home and workspace directories.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type CliResult,
  FIXTURES,
  makeSandbox,
  parseJson,
  podCommand,
  runCli,
  type Sandbox,
  treeSnapshot,
  writeFile,
} from "../helpers/cli.ts";
import { podRecordOf } from "../../src/store/records.ts";
import { canonicalSha256 } from "../../src/store/canonical.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const PROFILE_FORMAT = "insomnia.nix-profile.v1";

/** A valid artifact whose manifest has `rules` scope rules. */
function artifact(rules = 1, profile: Record<string, unknown> = {}): Json {
  return {
    profile: { format: PROFILE_FORMAT, name: "big", ...profile },
    manifest: {
      model: {
        scheme: "anthropic",
        model_id: "claude-sonnet-4-6",
        auth: { kind: "secret_ref", ref: "llm.anthropic.default" },
      },
      scope: {
        allow: Array.from({ length: rules }, () => ({ target: "/tmp", permission: "read" })),
      },
    },
  };
}

/** `{ a: { a: … leaf … } }` nested `depth` levels. */
function nested(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

function stateOf(sb: Sandbox): Record<string, string> {
  return {
    ...treeSnapshot(sb.data),
    ...treeSnapshot(sb.config),
    ...treeSnapshot(sb.home),
    ...treeSnapshot(sb.workspace),
  };
}

interface Expected {
  code: string;
  exit?: number;
  message: RegExp;
  env?: Record<string, string>;
  cwd?: string;
  stdin?: string;
  /** Fails within this many ms (default 30 s). */
  withinMs?: number;
}

function assertNoStack(result: CliResult): void {
  const out = result.stdout + result.stderr;
  assert.doesNotMatch(out, /Uncaught|RangeError|\n\s+at .+:\d+:\d+|error\[internal\]/, out);
}

/**
 * Runs `args` with `--json` and without, asserting both failure forms, no stack trace, the time
 * bound and an unchanged sandbox. Returns the `--json` error object.
 */
async function expectFailure(sb: Sandbox, args: string[], want: Expected): Promise<Json> {
  const before = stateOf(sb);
  const options = {
    cwd: want.cwd ?? sb.workspace,
    env: { ...sb.env, ...want.env },
    stdin: want.stdin,
    timeoutMs: want.withinMs ?? 30_000,
  };
  const started = Date.now();
  const json = await runCli([...args, "--json"], options);
  assert.ok(Date.now() - started < options.timeoutMs, `took ${Date.now() - started} ms`);
  assert.equal(json.code, want.exit ?? 1, json.stdout + json.stderr);
  assertNoStack(json);
  const error = (parseJson(json) as Json).error;
  assert.equal(error.code, want.code, error.message);
  assert.match(error.message, want.message);
  const human = await runCli(args, options);
  assert.equal(human.code, want.exit ?? 1);
  assertNoStack(human);
  assert.match(human.stderr, new RegExp(`^error\\[${want.code}\\]: `));
  assert.equal(human.stdout, "");
  assert.deepEqual(stateOf(sb), before, "a failed run must write nothing");
  return error;
}

async function inSandbox(fn: (sb: Sandbox) => Promise<void>): Promise<void> {
  const sb = makeSandbox("insomnia-harden-");
  try {
    await fn(sb);
  } finally {
    sb.cleanup();
  }
}

// ---- D4 (sizes) and D5 (nesting) -------------------------------------------------------------

Deno.test("D4: a 200,000-rule artifact is artifact_invalid naming the list, and no Pod is created", () =>
  inSandbox(async (sb) => {
    const file = writeFile(join(sb.root, "big.json"), JSON.stringify(artifact(200_000)));
    const error = await expectFailure(sb, ["--profile", file], {
      code: "artifact_invalid",
      message: /manifest\.scope\.allow is a list of 200000 entries \(at most 10000/,
    });
    assert.equal(error.field, "manifest.scope.allow");
    const list = await runCli(["pods", "list", "--json"], { cwd: sb.workspace, env: sb.env });
    assert.deepEqual(parseJson(list).pods, []);
  }));

Deno.test("D5: a 10,000-deep artifact is artifact_invalid with the field path, not internal", () =>
  inSandbox(async (sb) => {
    const file = join(sb.root, "deep.json");
    // Written as text: the repro's exact shape (a manifest nested 10,000 levels).
    writeFileSync(
      file,
      `{"manifest":${'{"a":'.repeat(10_000)}1${
        "}".repeat(10_000)
      },"profile":{"format":"${PROFILE_FORMAT}"}}`,
    );
    const error = await expectFailure(sb, ["--profile", file, "--dry-run"], {
      code: "artifact_invalid",
      message: /is nested more than 64 levels deep/,
    });
    assert.equal(error.field, `manifest${".a".repeat(63)}`);
    // exported_from 10,000 levels deep (the cross-runtime repro) fails the same way.
    const exported = join(sb.root, "exported.json");
    writeFileSync(exported, JSON.stringify(artifact(1, { exported_from: nested(10_000) })));
    await expectFailure(sb, ["--profile", exported], {
      code: "artifact_invalid",
      message: /profile\.exported_from(\.a)+ is nested more than 64 levels deep/,
    });
  }));

Deno.test("D5: a record that could not be read back is never written (snapshot_invalid)", () =>
  inSandbox(async (sb) => {
    // Inside the artifact limit, but one level too deep once wrapped into the Pod record.
    const file = join(sb.root, "edge.json");
    writeFileSync(file, JSON.stringify(artifact(1, { exported_from: nested(61, {}) })));
    const error = await expectFailure(sb, ["--profile", file], {
      code: "snapshot_invalid",
      message: /cannot store Pod "big": its record would have profile\.metadata\.exported_from/,
    });
    assert.match(error.message, /Nothing was changed/);
  }));

Deno.test("D5: a Pod record nested too deeply is listed as broken and resumes with snapshot_invalid", () =>
  inSandbox(async (sb) => {
    const created = await runCli(["--profile", "builtin:coder", "-q", "--json"], {
      cwd: sb.workspace,
      env: sb.env,
    });
    assert.equal(created.code, 0, created.stderr);
    const record = (parseJson(created) as Json).pod;
    const manifest = (parseJson(created) as Json).manifest;
    // A record a build without the limit could have written: valid hashes, 80 levels deep.
    const deep = podRecordOf(
      {
        name: "coder",
        id: record.id,
        session_id: record.session_id,
        created_at: record.created_at,
        updated_at: record.updated_at,
      },
      { exported_from: nested(80) },
      null,
      { sha256: canonicalSha256(manifest), manifest },
      0,
    );
    const podFile = join(sb.store, "pods", "coder", "pod.json");
    writeFileSync(podFile, JSON.stringify(deep, null, 2));
    const list = await runCli(["pods", "list", "--json"], { cwd: sb.workspace, env: sb.env });
    assert.equal(list.code, 0, list.stderr);
    const [row] = (parseJson(list) as Json).pods;
    assert.equal(row.ok, false);
    assert.equal(row.error.code, "snapshot_invalid");
    assert.match(row.error.message, /profile(\.exported_from)?(\.a)+ is nested more than 64/);
    await expectFailure(sb, ["--pod", "coder"], {
      code: "snapshot_invalid",
      message: /nested more than 64 levels deep/,
    });
  }));

Deno.test("D5: a TOML manifest nested too deeply is manifest_invalid with the field path", () =>
  inSandbox(async (sb) => {
    const file = writeFile(
      join(sb.root, "deep.toml"),
      `[worker.tool_output.per_tool]\nx = 1\n[pod]\nname = "x"\n[extra]\nv = ${"[".repeat(100)}${
        "]".repeat(100)
      }\n`,
    );
    const error = await expectFailure(sb, ["--manifest", file, "--dry-run"], {
      code: "manifest_invalid",
      message: /extra\.v(\[0\])+ is nested more than 64 levels deep/,
    });
    assert.equal(error.field, `extra.v${"[0]".repeat(62)}`);
  }));

// ---- D9, D10, D19, D30: one bounded, typed reader --------------------------------------------

Deno.test("D9: /dev/zero and a FIFO as a .json profile are artifact_invalid at once", () =>
  inSandbox(async (sb) => {
    symlinkSync("/dev/zero", join(sb.root, "zero.json"));
    await expectFailure(sb, ["--profile", join(sb.root, "zero.json")], {
      code: "artifact_invalid",
      message: /zero\.json is a character device, not a regular file/,
      withinMs: 20_000,
    });
    const fifo = join(sb.root, "f.json");
    new Deno.Command("mkfifo", { args: [fifo] }).outputSync();
    await expectFailure(sb, ["--profile", fifo], {
      code: "artifact_invalid",
      message: /f\.json is a FIFO \(named pipe\), not a regular file/,
      withinMs: 20_000,
    });
    // A FIFO named like a Nix profile is refused before nix is started (nix would hang on it).
    const nixFifo = join(sb.root, "p.nix");
    new Deno.Command("mkfifo", { args: [nixFifo] }).outputSync();
    await expectFailure(sb, ["--profile", nixFifo, "--dry-run"], {
      code: "artifact_invalid",
      message: /p\.nix is a FIFO/,
      withinMs: 20_000,
    });
  }));

Deno.test("D9: /dev/zero and a FIFO as --manifest are manifest_parse at once", () =>
  inSandbox(async (sb) => {
    symlinkSync("/dev/zero", join(sb.root, "zero.toml"));
    await expectFailure(sb, ["--manifest", join(sb.root, "zero.toml"), "--dry-run"], {
      code: "manifest_parse",
      message: /^cannot read manifest .*zero\.toml: the file is a character device/,
      withinMs: 20_000,
    });
    const fifo = join(sb.root, "f.toml");
    new Deno.Command("mkfifo", { args: [fifo] }).outputSync();
    await expectFailure(sb, ["--manifest", fifo, "--dry-run"], {
      code: "manifest_parse",
      message: /the file is a FIFO/,
      withinMs: 20_000,
    });
  }));

Deno.test("D9: a file larger than 16 MiB is refused without reading it whole", () =>
  inSandbox(async (sb) => {
    const file = join(sb.root, "huge.json");
    using handle = Deno.openSync(file, { write: true, create: true });
    handle.truncateSync(17 * 1024 * 1024); // sparse: costs no disk
    await expectFailure(sb, ["--profile", file], {
      code: "artifact_invalid",
      message: /huge\.json is larger than 16 MiB, the limit for files insomnia-pod reads/,
    });
  }));

Deno.test("D9: a /dev/zero or FIFO project registry breaks only that source, never hangs", () =>
  inSandbox(async (sb) => {
    // Outside the snapshotted directories: the snapshot itself must not read the device.
    const cwd = join(sb.root, "repo");
    const project = join(cwd, ".insomnia");
    mkdirSync(project, { recursive: true });
    symlinkSync("/dev/zero", join(project, "manifest.toml"));
    await expectFailure(sb, ["--profile", "project:x", "--dry-run"], {
      cwd,
      code: "registry_invalid",
      message:
        /the project profile registry .*manifest\.toml cannot be read: it is a character device/,
      withinMs: 20_000,
    });
    const builtin = await runCli(["--profile", "builtin:coder", "--dry-run", "-q"], {
      cwd,
      env: sb.env,
      timeoutMs: 20_000,
    });
    assert.equal(builtin.code, 0, builtin.stderr);
    Deno.removeSync(join(project, "manifest.toml"));
    new Deno.Command("mkfifo", { args: [join(project, "manifest.toml")] }).outputSync();
    await expectFailure(sb, ["profiles", "list"], {
      cwd,
      code: "registry_invalid",
      message: /is a FIFO \(named pipe\)/,
      withinMs: 20_000,
    });
  }));

/**
 * Feeds `chunk` to `secrets set` `times` times or until it exits (like `yes |`), then closes
 * stdin; returns its result and how long it took.
 */
async function floodSecretsSet(sb: Sandbox, chunk: Uint8Array, times = Infinity) {
  const [cmd, ...prefix] = podCommand();
  const child = new Deno.Command(cmd, {
    args: [...prefix, "secrets", "set", "a.d", "--json"],
    cwd: sb.workspace,
    env: {
      ...sb.env,
      DENO_DIR: Deno.env.get("DENO_DIR") ?? join(Deno.env.get("HOME")!, ".cache", "deno"),
    },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const started = Date.now();
  const writer = child.stdin.getWriter();
  const feeding = (async () => {
    try {
      for (let i = 0; i < times; i++) await writer.write(chunk);
      await writer.close();
    } catch {
      // the CLI stopped reading and exited: the pipe broke
    }
  })();
  const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const out = await child.output();
  clearTimeout(killer);
  await feeding;
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return {
    result: { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) },
    ms: Date.now() - started,
  };
}

Deno.test("D10: `yes | secrets set` stops after 64 KiB with a usage error, no stack trace", () =>
  inSandbox(async (sb) => {
    const before = stateOf(sb);
    const yes = new TextEncoder().encode("y\n".repeat(32 * 1024));
    const { result, ms } = await floodSecretsSet(sb, yes);
    assert.ok(ms < 20_000, `took ${ms} ms`);
    assert.equal(result.code, 2, result.stderr);
    assertNoStack(result);
    const error = (parseJson(result) as Json).error;
    assert.equal(error.code, "usage");
    assert.match(
      error.message,
      /larger than 65536 bytes, the limit for a secret; nothing was stored/,
    );
    assert.deepEqual(stateOf(sb), before);
    assert.equal(existsSync(join(sb.data, "secrets")), false);
  }));

Deno.test("D10: a value of exactly 64 KiB plus a newline is stored; one byte more is refused", () =>
  inSandbox(async (sb) => {
    const ok = await runCli(["secrets", "set", "a.b", "-q"], {
      cwd: sb.workspace,
      env: sb.env,
      stdin: "v".repeat(65536) + "\n",
    });
    assert.equal(ok.code, 0, ok.stderr);
    await expectFailure(sb, ["secrets", "set", "a.c"], {
      code: "usage",
      exit: 2,
      stdin: "v".repeat(65537),
      message: /larger than 65536 bytes/,
    });
    const latin1 = await floodSecretsSet(sb, new Uint8Array([0x61, 0xe9, 0x0a]), 1);
    assert.equal(latin1.result.code, 2, latin1.result.stderr);
    assert.match((parseJson(latin1.result) as Json).error.message, /not valid UTF-8/);
  }));

Deno.test("D19: an unreadable artifact is artifact_invalid (permission denied), not internal", () =>
  inSandbox(async (sb) => {
    const file = writeFile(join(sb.root, "np.json"), JSON.stringify(artifact()));
    Deno.chmodSync(file, 0o000);
    // As root, drop the capabilities that bypass file modes (what an ordinary user has).
    const [cmd, ...prefix] = podCommand();
    const asUser = Deno.uid() === 0
      ? ["setpriv", "--bounding-set=-dac_override,-dac_read_search", cmd, ...prefix]
      : [cmd, ...prefix];
    const out = await new Deno.Command(asUser[0], {
      args: [...asUser.slice(1), "--profile", file, "--json"],
      cwd: sb.workspace,
      env: {
        ...sb.env,
        DENO_DIR: Deno.env.get("DENO_DIR") ?? join(Deno.env.get("HOME")!, ".cache", "deno"),
      },
    }).output();
    const result = {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
    };
    assert.equal(result.code, 1, result.stderr);
    assertNoStack(result);
    const error = (parseJson(result) as Json).error;
    assert.equal(error.code, "artifact_invalid");
    assert.match(error.message, /np\.json cannot be read \(permission denied\)/);
    assert.equal(error.errno, "EACCES");
  }));

Deno.test("D30: non-UTF-8 bytes from Nix are artifact_invalid, not replaced", () =>
  inSandbox(async (sb) => {
    Deno.writeFileSync(join(sb.root, "latin1.txt"), new Uint8Array([0xe9, 0xe8, 0xff, 0xfe]));
    const profile = writeFile(
      join(sb.root, "latin.nix"),
      Deno.readTextFileSync(join(FIXTURES, "profiles", "minimal.nix"))
        .replace(
          'description = "Example coding Pod";',
          "description = builtins.readFile ./latin1.txt;",
        ),
    );
    assert.match(Deno.readTextFileSync(profile), /readFile/);
    await expectFailure(sb, ["--profile", profile], {
      code: "artifact_invalid",
      message: /printed output that is not valid UTF-8 text/,
    });
  }));
