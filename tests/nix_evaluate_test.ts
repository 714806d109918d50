/**
 * `evaluateNix` against the real `nix` binary and real processes: results, diagnostics, timeouts,
 * cancellation, output caps, trace files, redaction and a run as an unprivileged user.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { InsomniaError } from "../src/errors.ts";
import { buildNixArgs, evaluateNix, type NixEvalRequest, nixVersion } from "../src/nix/evaluate.ts";
import { profileRoots } from "../src/nix/args.ts";
import { parseNixStderr, stripAnsi, writeTraceFile } from "../src/nix/diagnostics.ts";
import { REPO_ROOT } from "./helpers/cli.ts";

const isRoot = Deno.uid() === 0;

/** A temp dir with `files` written into it; removed afterwards. */
async function withDir(
  files: Record<string, string>,
  fn: (dir: string) => Promise<void> | void,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "insomnia-nix-test-"));
  try {
    for (const [name, text] of Object.entries(files)) {
      const path = join(dir, name);
      mkdirSync(join(path, ".."), { recursive: true });
      writeFileSync(path, text);
    }
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function request(dir: string, file: string, extra: Partial<NixEvalRequest> = {}): NixEvalRequest {
  return {
    target: { kind: "file", file: join(dir, file) },
    timeoutMs: 20_000,
    traceDir: join(dir, "traces"),
    ...extra,
  };
}

/** Evaluates and returns the InsomniaError it must fail with. */
async function failure(req: NixEvalRequest): Promise<InsomniaError> {
  try {
    const result = await evaluateNix(req);
    assert.fail(`expected a failure, got ${JSON.stringify(result.value)}`);
  } catch (error) {
    if (!(error instanceof InsomniaError)) throw error;
    return error;
  }
}

/** pid and process-group id of every process whose command line contains `marker`. */
function processesWith(marker: string): Array<{ pid: number; pgid: number }> {
  const found = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === Deno.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      if (!cmdline.includes(marker)) continue;
      found.push({ pid: Number(entry), pgid: groupOf(Number(entry)) });
    } catch {
      continue; // exited while scanning
    }
  }
  return found;
}

/** `[state, pgid]` of a process from /proc/<pid>/stat. */
function statOf(pid: number): [string, number] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the parenthesised command name: state ppid pgrp …
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return [fields[0], Number(fields[2])];
}

function groupOf(pid: number): number {
  return statOf(pid)[1];
}

/** Every process in group `pgid` that is not a zombie (a zombie has exited, only unreaped). */
function groupMembers(pgid: number): number[] {
  const members = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const [state, group] = statOf(Number(entry));
      if (group === pgid && state !== "Z") members.push(Number(entry));
    } catch {
      continue;
    }
  }
  return members;
}

/** Waits up to `ms` for group `pgid` to be gone (SIGKILLed processes take a moment to die). */
async function groupMembersAfter(pgid: number, ms: number): Promise<number[]> {
  const deadline = performance.now() + ms;
  let members = groupMembers(pgid);
  while (members.length > 0 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    members = groupMembers(pgid);
  }
  return members;
}

/** Runs `fn` while recording the process groups of processes mentioning `marker`. */
async function watchGroups<T>(marker: string, fn: () => Promise<T>): Promise<[T, Set<number>]> {
  const groups = new Set<number>();
  const poll = setInterval(() => {
    for (const { pgid } of processesWith(marker)) groups.add(pgid);
  }, 25);
  try {
    return [await fn(), groups];
  } finally {
    clearInterval(poll);
  }
}

const FIB = "let fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2); in fib 40\n";

Deno.test("evaluates a tiny attrset and reports the Nix version", async () => {
  await withDir(
    { "p.nix": '{ pod.name = "coder"; n = 1 + 1; list = [ true null ]; }' },
    async (dir) => {
      const result = await evaluateNix(request(dir, "p.nix"));
      assert.deepEqual(result.value, { pod: { name: "coder" }, n: 2, list: [true, null] });
      assert.match(result.nixVersion ?? "", /^\d+\.\d+/);
      assert.equal(typeof result.durationMs, "number");
      assert.equal(await nixVersion(), result.nixVersion);
    },
  );
});

Deno.test("-I include paths make <insomnia> importable", async () => {
  await withDir({
    "lib/default.nix": '{}: { mkProfile = m: { profile.format = "v1"; manifest = m; }; }',
    "p.nix": 'let lib = import <insomnia> {}; in lib.mkProfile { pod.name = "x"; }',
  }, async (dir) => {
    const req = request(dir, "p.nix", { includePaths: { insomnia: join(dir, "lib") } });
    const result = await evaluateNix(req);
    assert.deepEqual(result.value, { profile: { format: "v1" }, manifest: { pod: { name: "x" } } });
  });
});

Deno.test("syntax error shows the error line and file:line:col, and writes a private trace", async () => {
  await withDir({ "p.nix": "{ a =" }, async (dir) => {
    const file = join(dir, "p.nix");
    const error = await failure(request(dir, "p.nix"));
    assert.equal(error.code, "nix_eval_failed");
    const trace = error.details.trace as string;
    assert.equal(
      error.message,
      `nix eval failed for profile ${file}: syntax error, unexpected end of file ` +
        `(at ${file}:1:5). Full trace: ${trace}`,
    );
    assert.deepEqual(
      { file: error.details.file, line: error.details.line, column: error.details.column },
      { file, line: 1, column: 5 },
    );
    assert.ok(trace.startsWith(join(dir, "traces")));
    assert.equal(statSync(trace).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, "traces")).mode & 0o777, 0o700);
    assert.match(readFileSync(trace, "utf8"), /error: syntax error, unexpected end of file/);
  });
});

Deno.test("throw message and infinite recursion are shown", async () => {
  await withDir({
    "throw.nix": '{ a = throw "boom"; }',
    "rec.nix": "let x = x; in x",
    "rec2.nix": "rec { a = b; b = a; }.a",
  }, async (dir) => {
    const thrown = await failure(request(dir, "throw.nix", { label: "user:coder" }));
    assert.equal(thrown.code, "nix_eval_failed");
    assert.match(thrown.message, /^nix eval failed for profile user:coder: boom/);
    assert.match(thrown.message, /Full trace: /);
    for (const file of ["rec.nix", "rec2.nix"]) {
      const error = await failure(request(dir, file));
      assert.equal(error.code, "nix_eval_failed");
      assert.match(error.message, /infinite recursion encountered \(at .*:1:\d+\)/);
      assert.equal(error.details.file, join(dir, file));
    }
  });
});

Deno.test("the location shown is the user's file, not the library's", async () => {
  await withDir({
    "lib/default.nix": '{}: { mk = x: if x ? bad then throw "bad attr in profile" else x; }',
    "p.nix": "let l = import <insomnia> {}; in\nl.mk { a = 1; bad = true; }\n",
  }, async (dir) => {
    const req = request(dir, "p.nix", { includePaths: { insomnia: join(dir, "lib") } });
    const error = await failure(req);
    assert.match(error.message, /bad attr in profile \(at .*\/p\.nix:2:1\)/);
    assert.equal(error.details.file, join(dir, "p.nix"));
    assert.match(readFileSync(error.details.trace as string, "utf8"), /lib\/default\.nix/);
  });
});

Deno.test("a top-level function is an evaluation failure", async () => {
  await withDir({ "p.nix": "{ lib }: { a = 1; }" }, async (dir) => {
    const error = await failure(request(dir, "p.nix"));
    assert.equal(error.code, "nix_eval_failed");
    assert.match(error.message, /cannot convert a function to JSON/);
  });
});

Deno.test("a path literal under the dummy store fails with the toString hint, no JSON parsed", async () => {
  await withDir({ "p.nix": "{ a = ./foo; }", "foo": "x" }, async (dir) => {
    const error = await failure(request(dir, "p.nix"));
    assert.equal(error.code, "nix_eval_failed");
    assert.match(error.message, /path literal/);
    assert.match(error.message, /toString \.\/prompt\.md/);
    assert.match(error.message, /mkProfile/);
    assert.doesNotMatch(error.message, /\{"a"/);
    assert.match(readFileSync(error.details.trace as string, "utf8"), /not supported by store/);
  });
});

Deno.test("oversized output is cut off", async () => {
  await withDir({
    "p.nix":
      'builtins.genList (i: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx") 1700',
  }, async (dir) => {
    const error = await failure(request(dir, "p.nix", { maxOutputBytes: 1000 }));
    assert.equal(error.code, "nix_eval_failed");
    assert.match(error.message, /more than 1000 bytes of output/);
    const ok = await evaluateNix(request(dir, "p.nix"));
    assert.equal((ok.value as string[]).length, 1700);
  });
});

Deno.test("a runaway evaluation times out and its whole process group is killed", async () => {
  await withDir({ "fib.nix": FIB }, async (dir) => {
    const started = performance.now();
    const [error, groups] = await watchGroups(
      dir,
      () => failure(request(dir, "fib.nix", { timeoutMs: 1000 })),
    );
    const elapsed = performance.now() - started;
    assert.equal(error.code, "nix_eval_timeout");
    assert.match(error.message, /within 1s/);
    assert.match(error.message, /--eval-timeout 2m/);
    assert.match(error.message, /INSOMNIA_EVAL_TIMEOUT/);
    assert.ok(elapsed < 3000, `took ${elapsed} ms`);
    assert.ok(groups.size > 0, "nix was never seen running");
    for (const pgid of groups) assert.deepEqual(groupMembers(pgid), [], `group ${pgid} survived`);
  });
});

Deno.test("aborting via AbortSignal cancels and kills the process group", async () => {
  await withDir({ "fib.nix": FIB }, async (dir) => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = performance.now();
    const [error, groups] = await watchGroups(
      dir,
      () => failure(request(dir, "fib.nix", { signal: controller.signal })),
    );
    assert.equal(error.code, "nix_eval_cancelled");
    assert.ok(performance.now() - started < 2500);
    assert.ok(groups.size > 0, "nix was never seen running");
    for (const pgid of groups) assert.deepEqual(groupMembers(pgid), [], `group ${pgid} survived`);

    const early = await failure(request(dir, "fib.nix", { signal: AbortSignal.abort() }));
    assert.equal(early.code, "nix_eval_cancelled");
  });
});

Deno.test("process.exit() while nix runs still kills the process group", async () => {
  await withDir({
    "fib.nix": FIB,
    "run.ts": `import process from "node:process";
import { evaluateNix } from ${
      JSON.stringify(new URL("src/nix/evaluate.ts", `file://${REPO_ROOT}/`).href)
    };
setTimeout(() => process.exit(7), 300);
await evaluateNix({ target: { kind: "file", file: Deno.args[0] }, timeoutMs: 20_000 });
`,
  }, async (dir) => {
    const [output, groups] = await watchGroups(dir, () =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--quiet", "--no-config", join(dir, "run.ts"), join(dir, "fib.nix")],
        stdout: "null",
        stderr: "piped",
      }).output());
    assert.equal(output.code, 7, new TextDecoder().decode(output.stderr));
    // The deno child shares our group; any other group seen is nix's own.
    const nixGroups = [...groups].filter((pgid) => pgid !== groupOf(Deno.pid));
    assert.ok(nixGroups.length > 0, "nix was never seen running");
    // The exit hook sends SIGKILL but cannot wait for the group to die before this process ends.
    for (const pgid of nixGroups) {
      assert.deepEqual(await groupMembersAfter(pgid, 2000), [], `group ${pgid} survived`);
    }
  });
});

Deno.test("missing nix is nix_unavailable with the fallbacks", async () => {
  await withDir({ "p.nix": "{ }" }, async (dir) => {
    const requests = [
      request(dir, "p.nix", { nixBin: "/nonexistent/nix" }),
      request(dir, "p.nix", { env: { PATH: join(dir, "empty-bin"), HOME: dir } }),
      request(dir, "p.nix", {
        env: { PATH: "/usr/bin:/bin", INSOMNIA_NIX_BIN: "/nonexistent/nix" },
      }),
    ];
    for (const req of requests) {
      const error = await failure(req);
      assert.equal(error.code, "nix_unavailable");
      assert.match(error.message, /requires Nix/);
      assert.match(error.message, /apt-get install nix-bin/);
      assert.match(error.message, /--manifest/);
      assert.match(error.message, /\.json/);
      assert.ok(error.message.includes(join(dir, "p.nix")));
    }
    const viaEnv = await evaluateNix(
      request(dir, "p.nix", {
        env: { PATH: "/nowhere", INSOMNIA_NIX_BIN: "/usr/bin/nix", HOME: dir },
      }),
    );
    assert.deepEqual(viaEnv.value, {});
  });
});

Deno.test("a successful exit with non-JSON output is artifact_invalid", async () => {
  await withDir({ "p.nix": "{ }" }, async (dir) => {
    const error = await failure(request(dir, "p.nix", { nixBin: "/bin/echo" }));
    assert.equal(error.code, "artifact_invalid");
    assert.match(error.message, /did not print valid JSON/);
  });
});

Deno.test("the redactor is applied before message, details and trace file", async () => {
  const canary = "sk-CANARY-0123456789";
  await withDir({ "p.nix": `{ auth = throw "bad token ${canary} here"; }` }, async (dir) => {
    const error = await failure(
      request(dir, "p.nix", { redact: (text) => text.replaceAll(canary, "[REDACTED]") }),
    );
    assert.equal(error.code, "nix_eval_failed");
    assert.match(error.message, /bad token \[REDACTED\] here/);
    assert.ok(!error.message.includes(canary));
    assert.ok(!JSON.stringify(error.details).includes(canary));
    const trace = readFileSync(error.details.trace as string, "utf8");
    assert.ok(!trace.includes(canary));
    assert.ok(trace.includes("[REDACTED]"));
  });
});

Deno.test("stderr parsing strips colours and skips «string» and library locations", () => {
  const esc = String.fromCharCode(27);
  const stderr = [
    `${esc}[31;1merror:${esc}[0m attribute 'x' missing`,
    "",
    `       at «string»:1:1:`,
    `       at ${esc}[35;1m/lib/insomnia/default.nix${esc}[0m:3:4:`,
    `       … while evaluating`,
    "",
    `       at /home/u/p.nix:7:2:`,
  ].join("\n");
  const parsed = parseNixStderr(stripAnsi(stderr), ["/lib/insomnia"]);
  assert.equal(parsed.error, "attribute 'x' missing");
  assert.deepEqual(parsed.location, { file: "/home/u/p.nix", line: 7, column: 2 });
  assert.equal(parsed.needsStore, false);
  assert.deepEqual(parseNixStderr(stripAnsi(stderr)).location, {
    file: "/lib/insomnia/default.nix",
    line: 3,
    column: 4,
  });
  const multi = parseNixStderr("warning: x\nerror: first\n  second\n\n       at /a.nix:1:2:\n");
  assert.equal(multi.error, "first second");
});

Deno.test("buildNixArgs for file and flake targets", () => {
  assert.deepEqual(
    buildNixArgs({
      target: { kind: "file", file: "/p/coder.nix" },
      includePaths: { insomnia: "/lib/insomnia" },
    }),
    [
      "--extra-experimental-features",
      "nix-command",
      "eval",
      "--json",
      "--show-trace",
      "--store",
      "dummy://",
      "-I",
      "insomnia=/lib/insomnia",
      // the sandbox: restricted mode, no URIs, readable roots = the profile's directory + library
      "--option",
      "restrict-eval",
      "true",
      "--option",
      "allowed-uris",
      "",
      "--option",
      "nix-path",
      "",
      "-I",
      "/p",
      "-I",
      "/lib/insomnia",
      // restricted mode then names every path it lets the profile read: the fingerprint's inputs
      "-vvv",
      "--file",
      "/p/coder.nix",
    ],
  );
  // --impure-eval drops it; a project profile may read its whole project
  assert.ok(
    !buildNixArgs({ target: { kind: "file", file: "/p/coder.nix" }, impure: true })
      .includes("restrict-eval"),
  );
  assert.deepEqual(profileRoots("/repo/.insomnia/profiles/x.nix"), [
    "/repo/.insomnia/profiles",
    "/repo",
  ]);
  assert.deepEqual(
    buildNixArgs({ target: { kind: "flake", ref: "github:o/r", name: "coder" } }),
    [
      "--extra-experimental-features",
      "nix-command flakes",
      "eval",
      "--json",
      "--show-trace",
      "--impure",
      "--",
      "github:o/r#insomniaProfiles.coder",
    ],
  );
  assert.equal(
    buildNixArgs({ target: { kind: "flake", ref: ".", name: "my.profile" } }).at(-1),
    '.#insomniaProfiles."my.profile"',
  );
  for (
    const req of [
      { target: { kind: "file" as const, file: "rel.nix" }, timeoutMs: 1 },
      { target: { kind: "flake" as const, ref: ".#x", name: "a" }, timeoutMs: 1 },
      {
        target: { kind: "file" as const, file: "/a.nix" },
        includePaths: { "a=b": "/x" },
        timeoutMs: 1,
      },
    ]
  ) {
    assert.throws(
      () => buildNixArgs(req),
      (e: unknown) => e instanceof InsomniaError && e.code === "usage",
    );
  }
});

Deno.test({
  name: "a pure profile evaluates as nobody and leaves /nix/store untouched",
  ignore: !isRoot,
  fn: async () => {
    await withDir({
      "p.nix": "let lib = import <insomnia> {}; in { pod.name = lib.name; n = 3; }",
      "lib/default.nix": '{}: { name = "nobody-pod"; }',
      "run.ts": `import { evaluateNix } from "./src/nix/evaluate.ts";
const [file, lib] = Deno.args;
const result = await evaluateNix({
  target: { kind: "file", file },
  includePaths: { insomnia: lib },
  timeoutMs: 20_000,
  traceDir: Deno.env.get("HOME") + "/traces",
});
console.log(JSON.stringify({ uid: Deno.uid(), value: result.value }));
`,
    }, (dir) => {
      for (const sub of ["home", "deno"]) mkdirSync(join(dir, sub));
      // nobody may not be able to read the checkout or the Deno binary (npx keeps it under
      // /root): give it copies of both.
      cpSync(join(REPO_ROOT, "src"), join(dir, "src"), { recursive: true });
      const denoBin = join(dir, "deno-bin");
      copyFileSync(Deno.execPath(), denoBin);
      chmodSync(denoBin, 0o755);
      spawnSync("chmod", ["-R", "a+rX", join(dir, "src")]);
      chmodSync(dir, 0o755);
      spawnSync("chown", ["nobody", join(dir, "home"), join(dir, "deno")]);
      const storeBefore = new Set(readdirSync("/nix/store"));
      const run = spawnSync("runuser", [
        "-u",
        "nobody",
        "--",
        "env",
        "-i",
        `PATH=/usr/local/bin:/usr/bin:/bin`,
        `HOME=${join(dir, "home")}`,
        `DENO_DIR=${join(dir, "deno")}`,
        "DENO_NO_UPDATE_CHECK=1",
        denoBin,
        "run",
        "-A",
        "--quiet",
        "--no-config",
        join(dir, "run.ts"),
        join(dir, "p.nix"),
        join(dir, "lib"),
      ], { encoding: "utf8", timeout: 30_000 });
      assert.equal(run.status, 0, `stdout: ${run.stdout}\nstderr: ${run.stderr}`);
      const nobody = Number(spawnSync("id", ["-u", "nobody"], { encoding: "utf8" }).stdout);
      assert.deepEqual(JSON.parse(run.stdout), {
        uid: nobody,
        value: { pod: { name: "nobody-pod" }, n: 3 },
      });
      // Other tests (a flake) may add to the store concurrently: look only for copies of our inputs.
      const added = readdirSync("/nix/store").filter((name) => !storeBefore.has(name));
      assert.deepEqual(
        added.filter((name) => /-(p\.nix|lib|default\.nix|run\.ts)$/.test(name)),
        [],
      );
    });
  },
});

Deno.test("writing a trace keeps the newest 50 and drops traces older than 14 days", () => {
  const dir = mkdtempSync(join(tmpdir(), "insomnia-traces-"));
  try {
    chmodSync(dir, 0o700);
    const now = Date.now();
    const day = 24 * 60 * 60 * 1000;
    // 60 recent traces (one minute apart), 3 stale ones, and files that are not traces.
    for (let i = 0; i < 60; i++) {
      const file = join(dir, `nix-eval-recent-${String(i).padStart(2, "0")}.log`);
      writeFileSync(file, "trace");
      utimesSync(file, new Date(now - (i + 1) * 60_000), new Date(now - (i + 1) * 60_000));
    }
    for (let i = 0; i < 3; i++) {
      const file = join(dir, `nix-eval-stale-${i}.log`);
      writeFileSync(file, "trace");
      utimesSync(file, new Date(now - 20 * day), new Date(now - 20 * day));
    }
    writeFileSync(join(dir, "notes.txt"), "mine");
    mkdirSync(join(dir, "nix-eval-dir.log"));
    const fresh = writeTraceFile(dir, "new trace");
    assert.ok(fresh);
    const left = readdirSync(dir).sort();
    assert.ok(left.includes(basename(fresh)), "the new trace stays");
    assert.ok(left.includes("notes.txt") && left.includes("nix-eval-dir.log"), "others untouched");
    const traces = left.filter((n) => /^nix-eval-.*\.log$/.test(n) && n !== "nix-eval-dir.log");
    assert.equal(traces.length, 50);
    assert.ok(!traces.some((n) => n.includes("stale")), "stale traces removed");
    // The newest: the fresh one and recent-00 … recent-48.
    assert.ok(
      traces.includes("nix-eval-recent-48.log") && !traces.includes("nix-eval-recent-49.log"),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
