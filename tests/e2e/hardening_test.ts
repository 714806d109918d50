/**
 * Regression tests for the hostile review's defects (/work/shared/reference/hostile-findings.md),
 * one or more per D-number, each named for it and built on the review's repro. Every failure case
 * asserts the exit status, the error code (`--json`) and the human form (`error[<code>]:` on
 * stderr), the message, that no stack trace was printed and that nothing was written to the
 * sandbox's data, config, home and workspace directories.
 */
import assert from "node:assert/strict";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import {
  type CliResult,
  denoDir,
  FIXTURES,
  makeSandbox,
  nixRunning,
  parseJson,
  podCommand,
  REPO_ROOT,
  runCli,
  type Sandbox,
  spawnCli,
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

/** The minimal example profile with its description replaced by the Nix expression `expr`. */
function minimalWith(dir: string, name: string, expr: string): string {
  return writeFile(
    join(dir, name),
    Deno.readTextFileSync(join(FIXTURES, "profiles", "minimal.nix"))
      .replace('description = "Example coding Pod";', `description = ${expr};`),
  );
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
  // Warnings known before the failure (an unresolved secret reference) may come first.
  assert.match(human.stderr, new RegExp(`^error\\[${want.code}\\]: `, "m"));
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

Deno.test("D4: at the limits (10,000 rules, exported_from 60 deep) the Pod is created and rendered in both forms", () =>
  inSandbox(async (sb) => {
    // What the limits let through must also render: nothing can fail after the Pod is written.
    const file = writeFile(
      join(sb.root, "edge.json"),
      JSON.stringify(artifact(10_000, { exported_from: nested(60) })),
    );
    for (const [name, json] of [["edge-json", true], ["edge-human", false]] as const) {
      const result = await runCli(
        ["--profile", file, "--profile-pod-name", name, ...(json ? ["--json"] : [])],
        { cwd: sb.workspace, env: sb.env },
      );
      assert.equal(result.code, 0, result.stderr.slice(0, 2000));
      assertNoStack(result);
      if (json) assert.equal((parseJson(result) as Json).pod.name, name);
      else assert.match(result.stdout, new RegExp(`created Pod ${name}`));
    }
    const shown = await runCli(["pods", "show", "edge-json", "--json"], {
      cwd: sb.workspace,
      env: sb.env,
    });
    assert.equal(shown.code, 0, shown.stderr);
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
      DENO_DIR: denoDir(),
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
        DENO_DIR: denoDir(),
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
    const profile = minimalWith(sb.root, "latin.nix", "builtins.readFile ./latin1.txt");
    assert.match(Deno.readTextFileSync(profile), /readFile/);
    await expectFailure(sb, ["--profile", profile], {
      code: "artifact_invalid",
      message: /printed output that is not valid UTF-8 text/,
    });
  }));

// ---- D7, D8: one redactor for every output -----------------------------------------------------

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
function random(length: number, alphabet = ALNUM): string {
  return [...crypto.getRandomValues(new Uint8Array(length))]
    .map((b) => alphabet[b % alphabet.length]).join("");
}

/** Every file under `dir` (trace files included) as one string. */
function allText(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of Deno.readDirSync(d)) {
      const p = join(d, entry.name);
      if (entry.isDirectory) walk(p);
      else if (entry.isFile) out.push(Deno.readTextFileSync(p));
    }
  };
  walk(dir);
  return out.join("\n");
}

Deno.test("D7: keys after an escaped newline or a word character never reach stderr, --json or traces", () =>
  inSandbox(async (sb) => {
    const key = "sk-" + "ant-api03-" + random(40);
    const escaped = writeFile(
      join(sb.root, "t.nix"),
      `throw (builtins.toJSON { k = "line1\\n${key}"; })\n`,
    );
    const glued = writeFile(join(sb.root, "u.nix"), `throw "token_${key}"\n`);
    for (const file of [escaped, glued]) {
      const error = await expectFailure(sb, ["--profile", file, "--dry-run"], {
        code: "nix_eval_failed",
        message: /\[redacted:anthropic_api_key\]/,
      });
      assert.ok(!JSON.stringify(error).includes(key.slice(14)));
      const human = await runCli(["--profile", file], { cwd: sb.workspace, env: sb.env });
      assert.ok(!human.stderr.includes(key.slice(14)), "stderr leaks the key");
    }
    const tmp = allText(sb.env.TMPDIR);
    assert.match(tmp, /nix eval failed/, "trace files were written");
    assert.ok(!tmp.includes(key.slice(14)), "a trace file leaks the key");
  }));

Deno.test("D7: a PEM body cut out with builtins.substring is rejected as plaintext, never stored", () =>
  inSandbox(async (sb) => {
    const b64 = ALNUM + "+/";
    const body = Array.from({ length: 8 }, () => "M" + random(63, b64)).join("\n");
    const pem = "-----BEGIN RSA " + "PRIVATE KEY-----\n" + body +
      "\n-----END RSA PRIVATE KEY-----\n";
    writeFileSync(join(sb.root, "key.pem"), pem);
    const profile = minimalWith(
      sb.root,
      "pem.nix",
      "builtins.substring 40 200 (builtins.readFile ./key.pem)",
    );
    const error = await expectFailure(sb, ["--profile", profile], {
      code: "secret_plaintext",
      message: /profile\.description holds a PEM private key in plaintext/,
    });
    const line = body.split("\n")[1];
    assert.ok(!JSON.stringify(error).includes(line));
    assert.equal(existsSync(join(sb.store, "pods")), false);
  }));

Deno.test("D8: a trace file keeps no source excerpt and no secret of a non-Nix file", () =>
  inSandbox(async (sb) => {
    const id = "AK" + "IA" + random(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
    const secret = random(20) + "/" + random(9) + "+" + random(9);
    const creds = writeFile(
      join(sb.root, "creds"),
      `[default]\naws_access_key_id = ${id}\naws_secret_access_key = ${secret}\n`,
    );
    const error = await expectFailure(sb, ["--profile", `path:${creds}`], {
      code: "nix_eval_failed",
      message: /syntax error/,
    });
    const trace = Deno.readTextFileSync(error.trace);
    assert.match(trace, /at .*creds:2:\d+:/);
    assert.match(trace, /\| \[source lines omitted\]/);
    for (const leak of [id, secret, "[default]", "2| aws"]) {
      assert.ok(
        !trace.includes(leak),
        `the trace keeps ${leak === id || leak === secret ? "a secret" : leak}`,
      );
    }
    const tmp = allText(sb.env.TMPDIR);
    assert.ok(!tmp.includes(secret) && !tmp.includes(id));
  }));

// ---- D13: a secret whose value is a common word -------------------------------------------------

Deno.test("D13: a secret valued `write` or `anthropic` neither breaks create nor rewrites resume output", () =>
  inSandbox(async (sb) => {
    const run = (args: string[], env: Record<string, string>) =>
      runCli(args, { cwd: sb.workspace, env: { ...sb.env, ...env } });
    const created = await run(["--profile", "builtin:coder", "-q"], {});
    assert.equal(created.code, 0, created.stderr);
    const write = await run(["--pod", "coder", "--json"], { INSOMNIA_SECRET_X: "write" });
    assert.equal(write.code, 0, write.stderr);
    const manifest = (parseJson(write) as Json).manifest;
    assert.equal(manifest.scope.allow[0].permission, "write");
    const anthropic = await run(["--pod", "coder", "--json"], { INSOMNIA_SECRET_X: "anthropic" });
    const model = (parseJson(anthropic) as Json).manifest.model;
    assert.equal(model.scheme, "anthropic");
    assert.equal(model.auth.ref, "llm.anthropic.default");
    assert.doesNotMatch(anthropic.stdout, /\[redacted\]/);
    const dry = await run(["--profile", "builtin:coder", "--dry-run", "--json"], {
      INSOMNIA_SECRET_X: "write",
    });
    assert.equal(dry.code, 0, dry.stdout);
    // Storing such a value works, with a warning that it cannot be hidden by matching.
    const set = await runCli(["secrets", "set", "weak.word"], {
      cwd: sb.workspace,
      env: sb.env,
      stdin: "write",
    });
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stderr, /warning: the value of secret weak\.word is short or simple/);
    assert.ok(!set.stderr.includes("write\n") && !set.stdout.includes("write"));
  }));

// ---- D14: paths --------------------------------------------------------------------------------

Deno.test("D14: a NUL byte in a path and a workspace_path leading out of the workspace are rejected", () =>
  inSandbox(async (sb) => {
    const escape = artifact();
    escape.manifest.scope.allow[0].target = { kind: "workspace_path", path: "../../../../etc" };
    const esc = writeFile(join(sb.root, "esc.json"), JSON.stringify(escape));
    const error = await expectFailure(sb, ["--profile", esc, "--dry-run"], {
      code: "manifest_invalid",
      message: /scope\.allow\[0\]\.target\.path: must stay inside the workspace/,
    });
    assert.equal(error.field, "scope.allow[0].target.path");
    const nul = artifact();
    nul.manifest.scope.allow[0].target = "x\u0000/etc";
    const nulFile = writeFile(join(sb.root, "nul.json"), JSON.stringify(nul));
    await expectFailure(sb, ["--profile", nulFile], {
      code: "manifest_invalid",
      message: /scope\.allow\[0\]\.target: must not contain a NUL byte/,
    });
    // The same through TOML, in every path field.
    const toml = (target: string) =>
      writeFile(
        join(sb.root, `m${Math.random().toString(36).slice(2)}.toml`),
        `[pod]\nname = "p"\n[model]\nscheme = "anthropic"\nmodel_id = "claude-sonnet-4-6"\n` +
          `auth = { kind = "secret_ref", ref = "llm.anthropic.default" }\n` +
          `[[scope.allow]]\ntarget = ${target}\npermission = "read"\n` +
          // The launch workspace itself, so the Pod can start there (the runtime's check).
          `[[scope.allow]]\ntarget = { kind = "workspace_path", path = "." }\npermission = "read"\n`,
      );
    await expectFailure(
      sb,
      ["--manifest", toml('{ kind = "workspace_path", path = "a/../../up" }'), "--dry-run"],
      { code: "manifest_invalid", message: /target\.path: must stay inside the workspace/ },
    );
    await expectFailure(sb, ["--manifest", toml('"x\\u0000/etc"'), "--dry-run"], {
      code: "manifest_invalid",
      message: /target: must not contain a NUL byte/,
    });
    await expectFailure(
      sb,
      ["--manifest", toml('{ kind = "workspace_path", path = "x\\u0000y" }'), "--dry-run"],
      { code: "manifest_invalid", message: /target\.path: must not contain a NUL byte/ },
    );
    // Paths that normalise inside the workspace stay valid.
    const inside = await runCli(
      ["--manifest", toml('{ kind = "workspace_path", path = "a/../b" }'), "--dry-run", "--json"],
      { cwd: sb.workspace, env: sb.env },
    );
    assert.equal(inside.code, 0, inside.stdout);
    assert.equal(
      (parseJson(inside) as Json).manifest.scope.allow[0].target,
      join(sb.workspace, "b"),
    );
  }));

// ---- D16: the binary's resource cache ----------------------------------------------------------

Deno.test({
  name:
    "D16: the binary unpacks its library privately under umask 000 and re-unpacks a deleted file",
  // Only a compiled binary unpacks (the source build reads resources/ in place).
  ignore: !Deno.env.get("INSOMNIA_POD_BIN"),
  fn: () =>
    inSandbox(async (sb) => {
      // In the workspace: its scope "." (next to the file) is then where the Pod starts.
      const profile = writeFile(
        join(sb.workspace, "minimal.nix"),
        Deno.readTextFileSync(join(FIXTURES, "profiles", "minimal.nix")),
      );
      const run = (umask: string) =>
        new Deno.Command("sh", {
          args: ["-c", `umask ${umask}; exec "$@"`, "sh", ...podCommand(), "--profile", profile],
          cwd: sb.workspace,
          env: { ...sb.env, PATH: Deno.env.get("PATH")! },
          stdout: "piped",
          stderr: "piped",
        }).output();
      const first = await run("000");
      assert.equal(first.code, 0, new TextDecoder().decode(first.stderr));
      const cache = sb.env.INSOMNIA_CACHE_DIR;
      const [copy] = [...Deno.readDirSync(cache)].filter((e) => e.name.startsWith("resources-"));
      const dir = join(cache, copy.name);
      const find = new Deno.Command("find", { args: [dir, "-printf", "%m %y %p\\n"] }).outputSync();
      for (const line of new TextDecoder().decode(find.stdout).trim().split("\n")) {
        const [mode, type] = line.split(" ");
        assert.equal(mode, type === "d" ? "700" : "600", line);
      }
      Deno.removeSync(join(dir, "nix", "profile-lib.nix"));
      const again = await run("022");
      assert.equal(again.code, 0, new TextDecoder().decode(again.stderr));
      assert.ok(existsSync(join(dir, "nix", "profile-lib.nix")));
    }),
});

// ---- D20, D21, D22, D29: arguments and environment --------------------------------------------

Deno.test("D20: INSOMNIA_TASK_CWD is honoured only under deno task; a missing directory is a usage error", () =>
  inSandbox(async (sb) => {
    const missing = join(sb.root, "no-such-dir");
    const underTask = { INSOMNIA_TASK_CWD: missing, npm_config_user_agent: "deno/2.9.6 npm/?" };
    const binary = Boolean(Deno.env.get("INSOMNIA_POD_BIN"));
    if (binary) {
      // A compiled binary never honours the variable.
      const out = await runCli(["--version"], {
        cwd: sb.workspace,
        env: { ...sb.env, ...underTask },
      });
      assert.equal(out.code, 0, out.stderr);
    } else {
      await expectFailure(sb, ["--version"], {
        code: "usage",
        exit: 2,
        env: underTask,
        message: /cannot run in the directory deno task was started from, .*no-such-dir \(ENOENT\)/,
      });
      // Honoured: a relative --profile resolves against the task's directory.
      const dir = join(sb.root, "task");
      writeFile(join(dir, "p.json"), JSON.stringify(artifact()));
      const ok = await runCli(["--profile", "./p.json", "--dry-run", "-q"], {
        cwd: sb.workspace,
        env: { ...sb.env, INSOMNIA_TASK_CWD: dir, npm_config_user_agent: "deno/2.9.6" },
      });
      assert.equal(ok.code, 0, ok.stderr);
    }
    // Outside deno task the variable is ignored, even when it names nothing.
    const plain = await runCli(["--version"], {
      cwd: sb.workspace,
      env: { ...sb.env, INSOMNIA_TASK_CWD: missing, npm_config_user_agent: "npm/10" },
    });
    assert.equal(plain.code, 0, plain.stderr);
    assertNoStack(plain);
  }));

Deno.test('D21: --store "" is a usage error and writes nothing into the current directory', () =>
  inSandbox(async (sb) => {
    for (const flag of ["--store", "--workspace"]) {
      await expectFailure(sb, ["--profile", "builtin:coder", flag, ""], {
        code: "usage",
        exit: 2,
        message: new RegExp(`^${flag} was given an empty path`),
      });
    }
    await expectFailure(sb, ["pods", "list", "--store", ""], {
      code: "usage",
      exit: 2,
      message: /--store was given an empty path/,
    });
    assert.deepEqual([...Deno.readDirSync(sb.workspace)], []);
  }));

Deno.test("D21: a relative HOME or INSOMNIA_* directory is a usage error; a relative XDG dir is ignored", () =>
  inSandbox(async (sb) => {
    for (const name of ["HOME", "INSOMNIA_DATA_DIR", "INSOMNIA_HOME", "INSOMNIA_CACHE_DIR"]) {
      await expectFailure(sb, ["--profile", "builtin:coder", "-q"], {
        code: "usage",
        exit: 2,
        env: { [name]: "relative/dir" },
        message: new RegExp(`^${name} is the relative path "relative/dir"; set it to an absolute`),
      });
    }
    assert.ok(!existsSync(join(sb.workspace, "relative")));
    const xdg = await runCli(["profiles", "list", "-q"], {
      cwd: sb.workspace,
      env: { ...sb.env, XDG_CACHE_HOME: "rel-cache", XDG_CONFIG_HOME: "rel-config" },
    });
    assert.equal(xdg.code, 0, xdg.stderr);
    assert.deepEqual([...Deno.readDirSync(sb.workspace)], []);
  }));

Deno.test("D22: a flake reference starting with `-` is selector_invalid and never reaches nix", () =>
  inSandbox(async (sb) => {
    const target = writeFile(join(sb.root, "x#insomniaProfiles.a"), "{ }\n");
    for (
      const selector of [
        `flake:-f${target.slice(0, -"#insomniaProfiles.a".length)}#a`,
        "flake:-I/etc#a",
      ]
    ) {
      const error = await expectFailure(sb, ["--profile", selector, "--dry-run"], {
        code: "selector_invalid",
        message: /the flake reference starts with `-`/,
      });
      assert.equal(error.reason, "leading_dash");
    }
    assert.equal(nixRunning(target), false);
  }));

Deno.test("D29: Pod and profile names may not start with `-`", () =>
  inSandbox(async (sb) => {
    await expectFailure(sb, ["--profile", "builtin:coder", "--profile-pod-name", "-rf"], {
      code: "pod_name_invalid",
      message: /invalid Pod name "-rf": it starts with "-"/,
    });
    await expectFailure(sb, ["--profile", "user:-rf"], {
      code: "selector_invalid",
      message: /the profile name starts with `-`/,
    });
    writeFile(join(sb.config, "manifest.toml"), '[profiles.profile]\n"-x" = "x.nix"\n');
    const list = await runCli(["profiles", "list", "--json"], { cwd: sb.workspace, env: sb.env });
    assert.notEqual(list.code, 0);
    assert.equal((parseJson(list) as Json).error.code, "registry_invalid");
  }));

// ---- D1, D17, D18: the one safe writer and store directories that are links -----------------

/** Kind of `path` without following a link: "file", "link", "fifo", "char", "dir". */
function kindOf(path: string): string {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return "link";
  if (st.isFIFO()) return "fifo";
  if (st.isCharacterDevice()) return "char";
  return st.isDirectory() ? "dir" : "file";
}

Deno.test("D1: pods export never renames over a device, a FIFO or a symbolic link", () =>
  inSandbox(async (sb) => {
    const created = await runCli(["--profile", "builtin:coder", "-q"], {
      cwd: sb.workspace,
      env: sb.env,
    });
    assert.equal(created.code, 0, created.stderr);
    const dir = join(sb.root, "special");
    mkdirSync(dir);
    const victim = writeFile(join(dir, "victim.json"), "keep");
    const targets = [join(dir, "fifo"), join(dir, "link")];
    assert.equal(spawnSync("mkfifo", [targets[0]]).status, 0);
    symlinkSync(victim, targets[1]);
    // A copy of /dev/null (root only): the real one is never put at risk.
    if (spawnSync("mknod", [join(dir, "null"), "c", "1", "3"]).status === 0) {
      targets.push(join(dir, "null"));
    }
    for (const target of targets) {
      const kind = kindOf(target);
      await expectFailure(sb, ["pods", "export", "coder", "-o", target], {
        code: "usage",
        exit: 2,
        message: /writes exports only to regular files/,
      });
      assert.equal(kindOf(target), kind, `${target} is still a ${kind}`);
    }
    assert.equal(readFileSync(victim, "utf8"), "keep");
    assert.deepEqual(
      Deno.readDirSync(dir).map((e) => e.name).toArray().sort(),
      ["fifo", "link", "victim.json", ...(targets.length > 2 ? ["null"] : [])].sort(),
      "no temp file left beside the target",
    );
  }));

Deno.test("D17: a symlinked history/ or sessions/ is store_io; nothing outside the store is touched", () =>
  inSandbox(async (sb) => {
    const profile = minimalWith(sb.workspace, "p.nix", '"one"');
    const created = await runCli(["--profile", profile, "--profile-pod-name", "a", "-q"], {
      cwd: sb.workspace,
      env: sb.env,
    });
    assert.equal(created.code, 0, created.stderr);
    const victim = join(sb.root, "victim");
    mkdirSync(victim);
    writeFile(join(victim, "000005-x.json"), "{}");
    const stale = writeFile(join(victim, ".tmp-keep.999999.ab"), "x");
    Deno.utimeSync(stale, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    const before = treeSnapshot(victim);

    const history = join(sb.store, "pods", "a", "history");
    rmSync(history, { recursive: true });
    symlinkSync(victim, history);
    minimalWith(sb.workspace, "p.nix", '"two"');
    await expectFailure(sb, ["--pod", "a", "--reload-profile", "--yes", "-q"], {
      code: "store_io",
      message: /is a symbolic link; insomnia-pod never follows links inside a store/,
    });
    assert.deepEqual(treeSnapshot(victim), before);

    rmSync(history);
    mkdirSync(history);
    const sessions = join(sb.store, "sessions");
    renameSync(sessions, join(sb.root, "sessions-real"));
    symlinkSync(victim, sessions);
    await expectFailure(sb, ["--profile", "builtin:coder", "-q"], {
      code: "store_io",
      message: /the store directory .*sessions is a symbolic link/,
    });
    assert.deepEqual(treeSnapshot(victim), before);
  }));

Deno.test("D18: profiles init refuses to replace a symlinked registry file; nothing is written", () =>
  inSandbox(async (sb) => {
    const dotfiles = join(sb.root, "dotfiles");
    const real = writeFile(join(dotfiles, "manifest.toml"), "[profiles]\n");
    mkdirSync(sb.config, { recursive: true });
    symlinkSync(real, join(sb.config, "manifest.toml"));
    await expectFailure(sb, ["profiles", "init", "mine", "--source", "user"], {
      code: "store_io",
      message:
        /manifest\.toml: it is a symbolic link, and insomnia-pod only replaces regular files/,
    });
    assert.equal(kindOf(join(sb.config, "manifest.toml")), "link");
    assert.equal(readFileSync(real, "utf8"), "[profiles]\n");
  }));

// ---- D11, D15, D24, D27, D28: store locks and records, failed removals, read-only stores ----

Deno.test("D11: a FIFO as the store lock is store_io at once, never a hang", () =>
  inSandbox(async (sb) => {
    const created = await runCli(["--profile", "builtin:coder", "-q"], {
      cwd: sb.workspace,
      env: sb.env,
    });
    assert.equal(created.code, 0, created.stderr);
    const lock = join(sb.store, ".lock");
    assert.equal(spawnSync("mkfifo", [lock]).status, 0);
    for (const args of [["--pod", "coder"], ["pods", "rm", "coder"]]) {
      const result = await runCli([...args, "--json"], {
        cwd: sb.workspace,
        env: sb.env,
        timeoutMs: 15_000,
      });
      assert.equal(result.code, 1, result.stderr);
      assertNoStack(result);
      const error = (parseJson(result) as Json).error;
      assert.equal(error.code, "store_io");
      assert.match(error.message, /the store lock .*\.lock is a FIFO, not a lock file/);
    }
    assert.ok(existsSync(join(sb.store, "pods", "coder", "pod.json")), "the Pod is still there");
  }));

Deno.test("D15: Ctrl-C while waiting for the store lock ends at once with cancelled (130)", () =>
  inSandbox(async (sb) => {
    const created = await runCli(["--profile", "builtin:coder", "-q"], {
      cwd: sb.workspace,
      env: sb.env,
    });
    assert.equal(created.code, 0, created.stderr);
    // Held by a live process (pid 1) and fresh: not stale, so a create must wait for it.
    writeFile(join(sb.store, ".lock"), '{"pid":1,"token":"x"}\n');
    const before = stateOf(sb);
    const child = spawnCli(["--profile", "builtin:coder", "--profile-pod-name", "c", "--json"], {
      cwd: sb.workspace,
      env: sb.env,
    });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const sent = Date.now();
    child.kill("SIGINT");
    const result = await child.output();
    assert.ok(Date.now() - sent < 3_000, `took ${Date.now() - sent} ms after SIGINT`);
    const stdout = new TextDecoder().decode(result.stdout);
    assert.equal(result.code, 130, new TextDecoder().decode(result.stderr));
    assert.equal((JSON.parse(stdout) as Json).error.code, "cancelled");
    assert.deepEqual(stateOf(sb), before, "nothing written");
  }));

Deno.test("D24: a pod.json directory and unknown keys in a record are snapshot_invalid", () =>
  inSandbox(async (sb) => {
    for (const name of ["a", "b"]) {
      const created = await runCli(
        ["--profile", "builtin:coder", "--profile-pod-name", name, "-q"],
        {
          cwd: sb.workspace,
          env: sb.env,
        },
      );
      assert.equal(created.code, 0, created.stderr);
    }
    const recordA = join(sb.store, "pods", "a", "pod.json");
    writeFileSync(
      recordA,
      JSON.stringify({ ...JSON.parse(readFileSync(recordA, "utf8")), evil: { x: 1 } }),
    );
    await expectFailure(sb, ["--pod", "a"], {
      code: "snapshot_invalid",
      message: /key\(s\) a Pod record never contains \(evil\)/,
    });
    const recordB = join(sb.store, "pods", "b", "pod.json");
    rmSync(recordB);
    mkdirSync(recordB);
    await expectFailure(sb, ["--pod", "b"], {
      code: "snapshot_invalid",
      message: /pod\.json is invalid: it is a directory, not a regular file/,
    });
  }));

Deno.test("D27: secrets rm of an unknown id creates nothing", () =>
  inSandbox(async (sb) => {
    await expectFailure(sb, ["secrets", "rm", "a.b"], {
      code: "secret_unresolved",
      message: /no secret "a\.b"/,
    });
    assert.ok(!existsSync(join(sb.data, "secrets")), "no secrets/ directory");
  }));

const unshareWorks = spawnSync("unshare", ["-m", "--propagation", "private", "true"]).status === 0;

Deno.test({
  name: "D28: a Pod on a read-only store resumes (with a warning), and writes nothing",
  ignore: !unshareWorks, // needs a private mount namespace (root); printed as ignored
  fn: () =>
    inSandbox(async (sb) => {
      const created = await runCli(["--profile", "builtin:coder", "-q"], {
        cwd: sb.workspace,
        env: sb.env,
      });
      assert.equal(created.code, 0, created.stderr);
      const before = treeSnapshot(sb.store);
      // The store becomes a read-only bind mount inside a private mount namespace.
      const script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && exec "$@"';
      const run = spawnSync(
        "unshare",
        [
          "-m",
          "--propagation",
          "private",
          "sh",
          "-c",
          script,
          sb.store,
          ...podCommand(),
          "--pod",
          "coder",
          "--json",
        ],
        { cwd: sb.workspace, env: { ...Deno.env.toObject(), ...sb.env }, encoding: "utf8" },
      );
      assert.equal(run.status, 0, run.stderr);
      assert.equal((JSON.parse(run.stdout) as Json).pod.name, "coder");
      assert.match(
        run.stderr,
        /warning: the store .* is read-only, so this resume was not recorded/,
      );
      assert.deepEqual(treeSnapshot(sb.store), before);
    }),
});

Deno.test("D26: a Ctrl-C that arrives while the CLI loads ends it with cancelled (130), nothing written", () =>
  inSandbox((sb) => {
    // The interruption is sent by the process to itself after the first module (what main.ts
    // imports first) and before the CLI loads: deterministic, unlike a race against start-up.
    const script = writeFile(
      join(sb.root, "early.ts"),
      `import ${JSON.stringify(join(REPO_ROOT, "src", "interrupt.ts"))};
import process from "node:process";
process.kill(process.pid, "SIGINT");
await new Promise((resolve) => setTimeout(resolve, 100));
const { main } = await import(${JSON.stringify(join(REPO_ROOT, "src", "cli", "run.ts"))});
process.exit(await main(["--profile", "builtin:coder", "--json"]));
`,
    );
    const before = stateOf(sb);
    const run = spawnSync(Deno.execPath(), [
      "run",
      "-A",
      "--config",
      join(REPO_ROOT, "deno.json"),
      script,
    ], {
      cwd: sb.workspace,
      env: {
        ...Deno.env.toObject(),
        ...sb.env,
        DENO_DIR: denoDir(),
      },
      encoding: "utf8",
    });
    assert.equal(run.status, 130, run.stderr);
    const error = (JSON.parse(run.stdout) as Json).error;
    assert.equal(error.code, "cancelled");
    assert.match(error.message, /interrupted before the command started; nothing was written/);
    assert.deepEqual(stateOf(sb), before);
    return Promise.resolve();
  }));
