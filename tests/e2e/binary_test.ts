/**
 * End-to-end: the single executable (`deno task binary` → dist/insomnia-pod) copied alone into an
 * empty directory, run with a minimal environment (PATH, HOME) far from the repository.
 *
 * Uses INSOMNIA_POD_BIN when it names a file, else dist/insomnia-pod when it is newer than the
 * sources, else builds it with scripts/build_binary.ts. Skipped (with the reason in the test name)
 * only when there is no binary and Bun is not installed (`cd tools && npm ci`).
 */
import assert from "node:assert/strict";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import process from "node:process";
import { REPO_ROOT, writeFile } from "../helpers/cli.ts";
import { VERSION } from "../../src/version.ts";

const DIST_BIN = join(REPO_ROOT, "dist", "insomnia-pod");
const explicit = Deno.env.get("INSOMNIA_POD_BIN");

function which(name: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}
const NIX = which("nix");
const IS_ROOT = process.getuid?.() === 0;
const RUNUSER = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].find(existsSync);

function newestSourceMtime(): number {
  let newest = 0;
  const walk = (path: string) => {
    let st;
    try {
      st = statSync(path);
    } catch {
      return;
    }
    if (st.isDirectory()) { for (const name of readdirSync(path)) walk(join(path, name)); }
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ["src", "resources", "scripts/build_binary.ts", "deno.json", "deno.lock"]) {
    walk(join(REPO_ROOT, p));
  }
  return newest;
}

function bunAvailable(): boolean {
  if (Deno.env.get("BUN_BIN")) return true;
  const os = Deno.build.os === "darwin" ? "darwin" : "linux";
  const arch = Deno.build.arch === "aarch64" ? "aarch64" : "x64";
  const pkg = join(REPO_ROOT, "tools", "node_modules", "@oven", `bun-${os}-${arch}`, "bin", "bun");
  return existsSync(pkg) || which("bun") !== undefined;
}

const explicitBin = explicit && existsSync(explicit) && statSync(explicit).isFile()
  ? explicit
  : undefined;
const distFresh = existsSync(DIST_BIN) && statSync(DIST_BIN).mtimeMs >= newestSourceMtime();
const canBuild = bunAvailable();
const SKIP = !explicitBin && !distFresh && !canBuild;
const SKIP_NOTE = SKIP
  ? " (skipped: no dist/insomnia-pod and Bun is not installed; run `cd tools && npm ci`)"
  : "";

let binaryPromise: Promise<string> | undefined;
/** The binary under test, built on first use when needed. */
function binary(): Promise<string> {
  binaryPromise ??= (async () => {
    if (explicitBin) return explicitBin;
    if (distFresh) return DIST_BIN;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(REPO_ROOT, "scripts", "build_binary.ts")],
      cwd: REPO_ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const log = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, `deno task binary failed:\n${log}`);
    return DIST_BIN;
  })();
  return binaryPromise;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A lone copy of the binary in a fresh empty directory, with a HOME inside it. */
interface Lone {
  dir: string;
  bin: string;
  home: string;
  run(args: string[], env?: Record<string, string>, cwd?: string): Promise<Run>;
  cleanup(): void;
}

async function lone(): Promise<Lone> {
  const source = await binary();
  const dir = mkdtempSync(join(tmpdir(), "insomnia-lone-"));
  const bin = join(dir, "insomnia-pod");
  copyFileSync(source, bin);
  chmodSync(bin, 0o755);
  const home = join(dir, "home");
  mkdirSync(home);
  const path = NIX ? dirname(NIX) : "/usr/bin:/bin";
  return {
    dir,
    bin,
    home,
    run: async (args, env = {}, cwd = dir) => {
      const command = new Deno.Command(bin, {
        args,
        cwd,
        clearEnv: true,
        env: { PATH: path, HOME: home, ...env },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      });
      // A freshly copied binary can be "Text file busy" for a moment: a process forked by a
      // parallel test may still hold the copy's write descriptor (Linux ETXTBSY). Retry briefly.
      let out: Deno.CommandOutput | undefined;
      for (let attempt = 0; out === undefined; attempt++) {
        try {
          out = await command.output();
        } catch (error) {
          if (attempt >= 20 || !String(error).includes("Text file busy")) throw error;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      const decode = (b: Uint8Array) => new TextDecoder().decode(b);
      return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function withLone(fn: (l: Lone) => Promise<void>): Promise<void> {
  const l = await lone();
  try {
    await fn(l);
  } finally {
    l.cleanup();
  }
}

function json(run: Run): Record<string, unknown> {
  try {
    return JSON.parse(run.stdout);
  } catch {
    throw new Error(`stdout is not JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

const USER_PROFILE = `# A user profile that uses the library shipped inside the binary.
let
  insomnia = import <insomnia> { };
in
insomnia.mkProfile {
  name = "mine";
  description = "user profile next to a lone binary";
  manifest = insomnia.mkManifest {
    pod.name = "mine";
    model = {
      scheme = "anthropic";
      model_id = "claude-sonnet-4-20250514";
      auth = insomnia.secrets.ref "llm.anthropic.default";
    };
    scope.allow = [
      {
        target = ".";
        permission = "write";
      }
    ];
  };
}
`;

Deno.test({
  name: `binary: copied alone, it resolves builtin:default without unpacking anything${SKIP_NOTE}`,
  ignore: SKIP,
  fn: () =>
    withLone(async (l) => {
      const version = await l.run(["--version"]);
      assert.equal(version.stdout.trim(), VERSION);

      const first = await l.run(["--profile", "builtin:default", "--dry-run", "--json"]);
      assert.equal(first.code, 0, first.stdout + first.stderr);
      const body = json(first) as {
        action: string;
        profile: { source: { path: string }; fingerprint: { evaluator: string } };
        manifest: { pod: { name: string } };
      };
      assert.equal(body.action, "dry_run");
      assert.equal(body.manifest.pod.name, "default");
      const cache = join(l.home, ".cache", "insomnia");
      const path = body.profile.source.path;
      assert.ok(path.startsWith(join(cache, `resources-${VERSION}-`)), path);
      assert.ok(!path.startsWith(REPO_ROOT), "never the repository's resources/");
      // The shipped artifact needs no files: nothing is unpacked until Nix evaluates something,
      // and nothing is written next to the binary.
      assert.ok(!existsSync(cache), "builtin:default unpacks nothing");
      assert.deepEqual(readdirSync(l.dir).sort(), ["home", "insomnia-pod"]);
      const second = await l.run(["--profile", "builtin:default", "--dry-run", "--json"]);
      assert.equal(second.code, 0, second.stderr);
      assert.equal(
        (json(second) as { profile: { source: { path: string } } }).profile.source.path,
        path,
      );
    }),
});

Deno.test({
  name: `binary: copied alone, it evaluates a user profile using import <insomnia> {}${
    SKIP_NOTE || (NIX ? "" : " (skipped: nix is not installed)")
  }`,
  ignore: SKIP || !NIX,
  fn: () =>
    withLone(async (l) => {
      const file = writeFile(join(l.dir, "work", "mine.nix"), USER_PROFILE);
      const work = dirname(file);
      const byPath = await l.run(["--profile", "./mine.nix", "--dry-run", "--json"], {}, work);
      assert.equal(byPath.code, 0, byPath.stdout + byPath.stderr);
      const body = json(byPath) as {
        profile: { fingerprint: { evaluator: string; nix_version: string | null } };
        manifest: { pod: { name: string } };
      };
      assert.equal(body.profile.fingerprint.evaluator, "nix");
      assert.ok(body.profile.fingerprint.nix_version);
      assert.equal(body.manifest.pod.name, "mine");

      // The same profile registered in the user manifest, then checked with every builtin.
      writeFile(
        join(l.home, ".config", "insomnia", "manifest.toml"),
        `[profiles]\ndefault = "mine"\n\n[profiles.profile]\nmine = ${JSON.stringify(file)}\n`,
      );
      const byName = await l.run(["--profile", "user:mine", "--dry-run", "--json"], {}, work);
      assert.equal(byName.code, 0, byName.stdout + byName.stderr);
      const check = await l.run(["profiles", "check", "--all", "--json"], {}, work);
      assert.equal(check.code, 0, check.stdout + check.stderr);
      const doctor = await l.run(["doctor", "--json"], {}, work);
      const report = json(doctor) as {
        checks: Array<{ name: string; ok: boolean; detail: string }>;
      };
      const def = report.checks.find((c) => c.name === "default-profile")!;
      assert.equal(def.ok, true, def.detail);
      assert.match(def.detail, /user:mine \(evaluated with Nix/);
    }),
});

Deno.test({
  name: `binary: every lazily imported command module survived bundling${SKIP_NOTE}`,
  ignore: SKIP,
  fn: () =>
    withLone(async (l) => {
      const ok = async (args: string[], pattern: RegExp) => {
        const r = await l.run(args);
        assert.equal(r.code, 0, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
        assert.match(r.stdout, pattern, args.join(" "));
      };
      await ok(["profiles", "list"], /builtin:default/);
      await ok(["pods", "list", "--json"], /"pods"/);
      await ok(["secrets", "list", "--json"], /"secrets"/);
      await ok(["completions", "bash"], /complete -F _insomnia_pod insomnia-pod/);
      await ok(["schema"], /"\$schema"/);
      await ok(["--help"], /Exit status: 0 success/);
      const doctor = await l.run(["doctor", "--json"]);
      assert.match(doctor.stdout, /"checks"/, doctor.stderr);
      const dialog = await l.run(["new"]);
      assert.equal(dialog.code, 2, "the New Pod dialog refuses to run without a terminal");
      assert.match(dialog.stderr, /^error\[usage\]: .*terminal/m);
    }),
});

Deno.test({
  name: `binary: doctor reports a missing Nix (PATH without nix)${SKIP_NOTE}`,
  ignore: SKIP,
  fn: () =>
    withLone(async (l) => {
      const empty = join(l.dir, "empty-bin");
      mkdirSync(empty);
      const r = await l.run(["doctor", "--json"], { PATH: empty });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const report = json(r) as { ok: boolean; checks: Array<{ name: string; ok: boolean }> };
      assert.equal(report.ok, false);
      assert.equal(report.checks.find((c) => c.name === "nix")?.ok, false);
      assert.equal(report.checks.find((c) => c.name === "nix-library")?.ok, true);
      assert.equal(report.checks.find((c) => c.name === "default-profile")?.ok, true);
    }),
});

Deno.test({
  name: `binary: doctor reports a store directory with mode 0500${
    SKIP_NOTE || (IS_ROOT && !RUNUSER ? " (skipped: root without runuser)" : "")
  }`,
  ignore: SKIP || (IS_ROOT && !RUNUSER),
  fn: () =>
    withLone(async (l) => {
      const store = join(l.dir, "store");
      mkdirSync(store);
      let r: Run;
      if (IS_ROOT) {
        // Root ignores mode bits: run as nobody, who owns everything here but may not write store/.
        for (const p of [l.dir, l.home, store]) chownSync(p, 65534, 65534);
        chmodSync(l.dir, 0o755);
        chmodSync(store, 0o500);
        const out = await new Deno.Command(RUNUSER!, {
          args: [
            "-u",
            "nobody",
            "--",
            "env",
            "-i",
            `PATH=${NIX ? dirname(NIX) : "/usr/bin:/bin"}`,
            `HOME=${l.home}`,
            l.bin,
            "doctor",
            "--json",
            "-s",
            store,
          ],
          cwd: l.dir,
          stdout: "piped",
          stderr: "piped",
        }).output();
        const decode = (b: Uint8Array) => new TextDecoder().decode(b);
        r = { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
      } else {
        chmodSync(store, 0o500);
        r = await l.run(["doctor", "--json", "-s", store]);
      }
      chmodSync(store, 0o700);
      const report = json(r) as {
        checks: Array<{ name: string; ok: boolean; detail: string; hint?: string }>;
      };
      const check = report.checks.find((c) => c.name === "pod-store")!;
      assert.equal(check.ok, false, check.detail);
      assert.match(check.detail, /is not writable/);
      assert.ok(check.hint);
      assert.equal(r.code, 1);
    }),
});
