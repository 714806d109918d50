/**
 * End-to-end: `insomnia-pod doctor [--json]` — every check with a hint, exit 1 when a check of
 * severity `error` fails, warnings (no real Nix store) reported without failing. Nix problems are
 * simulated with a missing binary, a PATH without nix, and small fake `nix` scripts.
 */
import assert from "node:assert/strict";
import { chmodSync, chownSync, existsSync, readdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import process from "node:process";
import {
  parseJson,
  podCommand,
  runCli,
  type Sandbox,
  treeSnapshot,
  withSandbox as withSandboxIn,
  writeFile,
} from "../helpers/cli.ts";

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  hint?: string;
  severity: "error" | "warning";
}
interface Report {
  checks: Check[];
  ok: boolean;
}

const ALL_CHECKS = [
  "nix",
  "nix-version",
  "nix-eval",
  "nix-store",
  "eval-timeout",
  "nix-library",
  "registries",
  "default-profile",
  "pod-store",
];

const HAS_NIX = (Deno.env.get("PATH") ?? "").split(delimiter).some((dir) =>
  dir !== "" && existsSync(join(dir, "nix"))
);
const IS_ROOT = process.getuid?.() === 0;

function withSandbox(fn: (sb: Sandbox) => Promise<void>): Promise<void> {
  return withSandboxIn(fn, "insomnia-doctor-");
}

async function doctor(
  sb: Sandbox,
  extra: string[] = [],
  env: Record<string, string> = {},
  cleanEnv = false,
): Promise<{ code: number; report: Report; stderr: string }> {
  const result = await runCli(["doctor", "--json", ...extra], {
    cwd: sb.workspace,
    env: { ...sb.env, ...env },
    cleanEnv,
  });
  const report = parseJson(result) as unknown as Report;
  return { code: result.code, report, stderr: result.stderr };
}

function check(report: Report, name: string): Check {
  const found = report.checks.find((c) => c.name === name);
  assert.ok(found, `no check ${name} in ${JSON.stringify(report.checks.map((c) => c.name))}`);
  return found;
}

function assertShape(report: Report): void {
  assert.equal(typeof report.ok, "boolean");
  assert.ok(Array.isArray(report.checks) && report.checks.length > 0);
  for (const c of report.checks) {
    assert.deepEqual(
      Object.keys(c).filter((k) => !["name", "ok", "detail", "hint", "severity"].includes(k)),
      [],
    );
    assert.equal(typeof c.name, "string");
    assert.equal(typeof c.ok, "boolean");
    assert.ok(typeof c.detail === "string" && c.detail.length > 0, c.name);
    assert.ok(c.severity === "error" || c.severity === "warning", c.name);
    if (!c.ok) assert.ok(typeof c.hint === "string" && c.hint.length > 0, `${c.name} has a hint`);
  }
  const failed = report.checks.some((c) => !c.ok && c.severity === "error");
  assert.equal(report.ok, !failed, "ok is false exactly when an error-severity check failed");
}

/** A fake `nix`: version, `1+1` and `store ping` behaviours chosen by FAKE_NIX_* variables. */
function fakeNix(sb: Sandbox): string {
  return writeFile(
    join(sb.root, "fakebin", "nix"),
    `#!/bin/sh
case "$*" in
  --version) echo "nix (Nix) \${FAKE_NIX_VERSION:-2.8.0}" ;;
  *"store ping"*)
    if [ -n "$FAKE_NIX_NO_STORE" ]; then
      echo "error: getting status of /nix/var/nix/daemon-socket/socket: Permission denied" >&2
      exit 1
    fi
    echo "Store URL: daemon" ;;
  *"--expr 1+1"*)
    # (the evaluator passes only NIX_* variables to nix)
    if [ -n "$NIX_FAKE_NO_EVAL" ]; then
      echo "error: experimental Nix feature 'nix-command' is disabled" >&2
      exit 1
    fi
    echo 2 ;;
  *) echo "error: fake nix cannot do: $*" >&2; exit 1 ;;
esac
`,
  );
}

function makeExecutable(path: string): string {
  chmodSync(path, 0o755);
  return path;
}

Deno.test({
  name: "doctor: a healthy setup passes every check (exit 0) and writes nothing",
  ignore: !HAS_NIX,
  fn: () =>
    withSandbox(async (sb) => {
      const before = treeSnapshot(sb.data);
      const { code, report, stderr } = await doctor(sb, ["-s", sb.store]);
      assertShape(report);
      assert.deepEqual(report.checks.map((c) => c.name), ALL_CHECKS);
      for (const c of report.checks) {
        if (c.name !== "nix-store") assert.ok(c.ok, `${c.name}: ${c.detail}`);
      }
      assert.equal(report.ok, true);
      assert.equal(code, 0, stderr);
      assert.match(check(report, "default-profile").detail, /^default → builtin:default/);
      assert.match(check(report, "pod-store").detail, /does not exist yet; .* is writable/);
      assert.deepEqual(treeSnapshot(sb.data), before, "doctor must not create the store");
    }),
});

Deno.test({
  name: "doctor: human output lists each check and a summary",
  ignore: !HAS_NIX,
  fn: () =>
    withSandbox(async (sb) => {
      const result = await runCli(["doctor"], { cwd: sb.workspace, env: sb.env });
      assert.equal(result.code, 0, result.stdout + result.stderr);
      for (const name of ALL_CHECKS) {
        assert.match(result.stdout, new RegExp(`^(ok {2}|warn) {2}${name} `, "m"));
      }
      assert.match(result.stdout, /\nall checks passed/);
    }),
});

Deno.test("doctor: INSOMNIA_NIX_BIN=/nonexistent fails the nix check with an install hint", async () => {
  await withSandbox(async (sb) => {
    const { code, report } = await doctor(sb, [], { INSOMNIA_NIX_BIN: "/nonexistent" });
    assertShape(report);
    assert.equal(code, 1);
    assert.equal(report.ok, false);
    const nix = check(report, "nix");
    assert.equal(nix.ok, false);
    assert.equal(nix.severity, "error");
    assert.match(nix.detail, /Nix not found: INSOMNIA_NIX_BIN=\/nonexistent/);
    assert.match(nix.hint!, /apt-get install nix-bin/);
    assert.ok(!report.checks.some((c) => c.name === "nix-eval"), "nothing runs a missing nix");
    // Everything that does not need Nix is still checked (the builtin default is shipped).
    assert.equal(
      check(report, "default-profile").ok,
      true,
      check(report, "default-profile").detail,
    );
    assert.equal(check(report, "pod-store").ok, true);
  });
});

Deno.test("doctor: a PATH without nix is reported (human output: FAIL and hint)", async () => {
  await withSandbox(async (sb) => {
    const empty = join(sb.root, "emptybin");
    Deno.mkdirSync(empty);
    const result = await runCli(["doctor"], {
      cwd: sb.workspace,
      env: { ...sb.env, PATH: empty },
      cleanEnv: true,
    });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /^FAIL {2}nix +Nix not found: no executable `nix` on PATH/m);
    assert.match(result.stdout, /^ +hint: install Nix/m);
    assert.match(result.stdout, /\n1 check failed/);
  });
});

Deno.test("doctor: no real store is a warning only (dummy store: flakes unavailable)", async () => {
  await withSandbox(async (sb) => {
    const nix = makeExecutable(fakeNix(sb));
    const { code, report } = await doctor(sb, [], {
      INSOMNIA_NIX_BIN: nix,
      FAKE_NIX_NO_STORE: "1",
    });
    assertShape(report);
    const store = check(report, "nix-store");
    assert.equal(store.ok, false);
    assert.equal(store.severity, "warning");
    assert.match(store.detail, /^dummy store only: flakes unavailable/);
    assert.match(store.detail, /Permission denied/);
    assert.match(store.hint!, /nix daemon/);
    assert.equal(check(report, "nix-eval").ok, true);
    assert.equal(report.ok, true);
    assert.equal(code, 0);
  });
});

Deno.test("doctor: a Nix that cannot run nix-command evaluations fails nix-eval", async () => {
  await withSandbox(async (sb) => {
    const nix = makeExecutable(fakeNix(sb));
    const { code, report } = await doctor(sb, [], { INSOMNIA_NIX_BIN: nix, NIX_FAKE_NO_EVAL: "1" });
    assertShape(report);
    const evalCheck = check(report, "nix-eval");
    assert.equal(evalCheck.ok, false);
    assert.match(
      evalCheck.detail,
      /the way profiles are evaluated failed: .*experimental Nix feature/,
    );
    assert.equal(code, 1);
  });
});

Deno.test("doctor: a Nix older than 2.4 fails nix-version", async () => {
  await withSandbox(async (sb) => {
    const nix = makeExecutable(fakeNix(sb));
    const { code, report } = await doctor(sb, [], {
      INSOMNIA_NIX_BIN: nix,
      FAKE_NIX_VERSION: "2.3.16",
    });
    const version = check(report, "nix-version");
    assert.equal(version.ok, false);
    assert.match(version.detail, /Nix 2\.3\.16 is older than 2\.4/);
    assert.equal(code, 1);
  });
});

Deno.test("doctor: a store path under a regular file is not writable (even for root)", async () => {
  await withSandbox(async (sb) => {
    const file = writeFile(join(sb.root, "not-a-dir"), "x");
    const { code, report } = await doctor(sb, ["--store", join(file, "sessions")]);
    assertShape(report);
    const store = check(report, "pod-store");
    assert.equal(store.ok, false);
    assert.equal(store.severity, "error");
    assert.match(store.detail, /cannot be created: .*not-a-dir is not a directory/);
    assert.match(store.hint!, /-s\/--store/);
    assert.equal(code, 1);
    // A store that is itself a file.
    const asFile = await doctor(sb, ["-s", file]);
    assert.match(check(asFile.report, "pod-store").detail, /not-a-dir is not a directory/);
  });
});

Deno.test("doctor: an existing writable store passes and the probe file is removed", async () => {
  await withSandbox(async (sb) => {
    Deno.mkdirSync(sb.store, { recursive: true });
    const { report } = await doctor(sb, ["-s", sb.store], { INSOMNIA_NIX_BIN: "/nonexistent" });
    const store = check(report, "pod-store");
    assert.equal(store.ok, true, store.detail);
    assert.equal(store.detail, `${sb.store} is writable`);
    assert.deepEqual(readdirSync(sb.store), []);
  });
});

Deno.test("doctor: a broken user registry fails registries and default-profile", async () => {
  await withSandbox(async (sb) => {
    const manifest = writeFile(join(sb.config, "manifest.toml"), "[profiles\ndefault = 1\n");
    const { code, report } = await doctor(sb, [], { INSOMNIA_NIX_BIN: "/nonexistent" });
    assertShape(report);
    const registries = check(report, "registries");
    assert.equal(registries.ok, false);
    assert.ok(registries.detail.includes(manifest), registries.detail);
    assert.equal(check(report, "default-profile").ok, false);
    assert.equal(code, 1);
  });
});

/** A default profile whose evaluation takes about a second (a spinner must appear on a terminal). */
function slowDefault(sb: Sandbox): void {
  const file = writeFile(
    join(sb.config, "profiles", "slow.nix"),
    `let
  insomnia = import <insomnia> { };
  fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2);
in
builtins.seq (fib 32) (insomnia.mkProfile {
  name = "slow";
  manifest = insomnia.mkManifest {
    pod.name = "slow";
    model = {
      scheme = "anthropic";
      model_id = "claude-sonnet-4-20250514";
      auth = insomnia.secrets.ref "llm.anthropic.default";
    };
    scope.allow = [ { target = "."; permission = "read"; } ];
  };
})
`,
  );
  writeFile(
    join(sb.config, "manifest.toml"),
    `[profiles]\ndefault = "slow"\n\n[profiles.profile]\nslow = ${JSON.stringify(file)}\n`,
  );
}

const TMUX = (Deno.env.get("PATH") ?? "").split(delimiter).map((d) => join(d, "tmux")).find(
  existsSync,
);

Deno.test({
  name: "doctor: a slow evaluation prints nothing on stderr when it is not a terminal",
  ignore: !HAS_NIX,
  fn: () =>
    withSandbox(async (sb) => {
      slowDefault(sb);
      const result = await runCli(["doctor"], { cwd: sb.workspace, env: sb.env });
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /default → user:slow \(evaluated with Nix/);
      assert.equal(result.stderr, "");
    }),
});

Deno.test({
  name: "doctor: on a terminal a slow evaluation shows a spinner, erased when done" +
    (TMUX && HAS_NIX ? "" : " (skipped: needs tmux and nix)"),
  ignore: !TMUX || !HAS_NIX,
  fn: () =>
    withSandbox(async (sb) => {
      slowDefault(sb);
      const session = `insomnia-spin-${Deno.pid}-${Date.now()}`;
      const denoDir = Deno.env.get("DENO_DIR") ??
        (Deno.env.get("HOME") ? join(Deno.env.get("HOME")!, ".cache", "deno") : "");
      const env = Object.entries({
        ...sb.env,
        PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
        TERM: "xterm",
        ...(denoDir && { DENO_DIR: denoDir }),
      }).map(([k, v]) => `${k}='${v}'`).join(" ");
      const cmd = podCommand().map((a) => `'${a}'`).join(" ");
      const tmux = (...args: string[]) =>
        new Deno.Command(TMUX!, { args, stdout: "piped", stderr: "null" }).output();
      await tmux(
        "new-session",
        "-d",
        "-s",
        session,
        "-x",
        "150",
        "-y",
        "30",
        `cd '${sb.workspace}' && env -i ${env} ${cmd} doctor; echo EXIT=$?; sleep 30`,
      );
      try {
        const seen: string[] = [];
        let screen = "";
        for (let i = 0; i < 300 && !screen.includes("EXIT="); i++) {
          await new Promise((r) => setTimeout(r, 50));
          screen = new TextDecoder().decode(
            (await tmux("capture-pane", "-p", "-t", session)).stdout,
          );
          seen.push(screen);
        }
        assert.ok(screen.includes("EXIT=0"), screen);
        assert.ok(
          seen.some((s) => /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] resolving the default profile/.test(s)),
          "a spinner was shown while the default profile was evaluated",
        );
        assert.doesNotMatch(screen, /resolving the default profile/, "the spinner line is erased");
        assert.match(screen, /all checks passed/);
      } finally {
        await tmux("kill-session", "-t", session);
      }
    }),
});

// A store directory with mode 0500. Root ignores mode bits, so as root the check runs as `nobody`,
// which needs a command `nobody` can execute: the compiled binary (INSOMNIA_POD_BIN).
const bin = Deno.env.get("INSOMNIA_POD_BIN");
const canDropPrivileges = IS_ROOT && bin !== undefined &&
  ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].some((p) => existsSync(p));

Deno.test({
  name: "doctor: a store directory with mode 0500 is not writable" +
    (IS_ROOT && !canDropPrivileges
      ? " (skipped: root ignores mode bits; runs as nobody with INSOMNIA_POD_BIN, see binary_test)"
      : ""),
  ignore: IS_ROOT && !canDropPrivileges,
  fn: () =>
    withSandbox(async (sb) => {
      Deno.mkdirSync(sb.store, { recursive: true });
      let result: { code: number; stdout: string; stderr: string };
      if (IS_ROOT) {
        chmodSync(sb.root, 0o755);
        for (const dir of [sb.root, sb.home, sb.config, sb.data, sb.workspace, sb.env.TMPDIR]) {
          chownSync(dir, 65534, 65534);
        }
        chownSync(sb.store, 65534, 65534);
        chmodSync(sb.store, 0o500);
        const env = Object.entries({ ...sb.env, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" })
          .map(([k, v]) => `${k}=${v}`);
        const out = await new Deno.Command("runuser", {
          args: ["-u", "nobody", "--", "env", "-i", ...env, ...podCommand(), "doctor", "--json"]
            .concat(["-s", sb.store]),
          cwd: sb.workspace,
          stdout: "piped",
          stderr: "piped",
        }).output();
        const decode = (b: Uint8Array) => new TextDecoder().decode(b);
        result = { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
      } else {
        chmodSync(sb.store, 0o500);
        result = await runCli(["doctor", "--json", "-s", sb.store], {
          cwd: sb.workspace,
          env: sb.env,
        });
      }
      chmodSync(sb.store, 0o700);
      const report = parseJson(result) as unknown as Report;
      assertShape(report);
      const store = check(report, "pod-store");
      assert.equal(store.ok, false, store.detail);
      assert.match(store.detail, /is not writable: .*(EACCES|permission denied)/i);
      assert.equal(result.code, 1);
    }),
});

Deno.test("doctor: a bad INSOMNIA_EVAL_TIMEOUT is a failed check (exit 1); a bad flag is usage", async () => {
  await withSandbox(async (sb) => {
    const { code, report } = await doctor(sb, ["-s", sb.store], {
      INSOMNIA_EVAL_TIMEOUT: "forever",
    });
    assert.equal(code, 1);
    const limit = check(report, "eval-timeout");
    assert.equal(limit.ok, false);
    assert.match(limit.detail, /INSOMNIA_EVAL_TIMEOUT/);
    assert.match(limit.hint ?? "", /default 30s/);
    const flagged = await doctor(sb, ["-s", sb.store, "--eval-timeout", "5s"], {
      INSOMNIA_EVAL_TIMEOUT: "forever",
    });
    assert.equal(check(flagged.report, "eval-timeout").ok, true, "the flag wins over the variable");
    const bad = await runCli(["doctor", "--json", "--eval-timeout", "soon"], {
      cwd: sb.workspace,
      env: sb.env,
    });
    assert.equal(bad.code, 2);
    assert.equal((parseJson(bad) as { error: { code: string } }).error.code, "usage");
  });
});
