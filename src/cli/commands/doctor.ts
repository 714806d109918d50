/**
 * `doctor [--json]`: checks what insomnia-pod depends on — Nix and its version, `nix eval` with the
 * flags profiles are evaluated with, store access, the shipped Nix library, the profile
 * registries, the default profile and the Pod store — and prints each result with a fix hint.
 * Exits 1 when a check of severity `error` fails; failed `warning` checks are reported only.
 * Writes nothing except a probe file it removes again (and the resource cache, like every command).
 * @module
 */
import { closeSync, existsSync, openSync, statSync, unlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { type Env, envValue, userManifestPath } from "../../env.ts";
import { InsomniaError, toInsomniaError } from "../../errors.ts";
import { stripAnsi } from "../../nix/diagnostics.ts";
import { DEFAULT_EVAL_TIMEOUT_MS, formatDuration } from "../../nix/duration.ts";
import { findExecutable, runProcessGroup, type RunResult } from "../../nix/process.ts";
import { evaluateNix, parseNixVersion } from "../../nix/evaluate.ts";
import { listEntries, registryProblems } from "../../profile/registry.ts";
import { loadProfileRegistry } from "../../profile/discovery.ts";
import { provenanceLabel } from "../../profile/provenance.ts";
import { resolveProfile } from "../../profile/resolve_profile.ts";
import { resourceDir } from "../../resources.ts";
import { tempName } from "../../fs/errno.ts";
import { checkedWorkspace, evalTimeout, storeRoot } from "../../app/options.ts";
import type { CliContext, CommandOutput } from "../context.ts";
import { withProgress } from "../progress.ts";

/** One doctor check. `severity` says what a failure means: `error` fails the run, `warning` not. */
export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  hint?: string;
  severity: "error" | "warning";
}

/** The `--json` document. `ok` is false when any check of severity `error` failed. */
export interface DoctorReport {
  checks: DoctorCheck[];
  ok: boolean;
}

/** Oldest Nix with `nix eval --json` behind `--extra-experimental-features nix-command`. */
const MIN_NIX = [2, 4];
const PROBE_TIMEOUT_MS = 15_000;
const INSTALL_HINT = "install Nix (Debian/Ubuntu: apt-get install nix-bin; elsewhere: " +
  "https://nixos.org/download), or point INSOMNIA_NIX_BIN at a nix binary. Without Nix, " +
  "--manifest FILE.toml, --profile path:FILE.json and builtin profiles still work.";

function pass(name: string, detail: string, severity: DoctorCheck["severity"] = "error") {
  return { name, ok: true, detail, severity } satisfies DoctorCheck;
}

function fail(
  name: string,
  detail: string,
  hint: string,
  severity: DoctorCheck["severity"] = "error",
): DoctorCheck {
  return { name, ok: false, detail, hint, severity };
}

function firstLine(bytes: Uint8Array): string {
  const text = stripAnsi(new TextDecoder().decode(bytes)).trim();
  const line = text.split("\n").find((l) => l.trim() !== "") ?? "";
  return line.length > 300 ? `${line.slice(0, 297)}…` : line;
}

function describeRun(run: RunResult, timeoutMs: number): string {
  if (run.outcome === "timeout") return `no answer within ${timeoutMs / 1000}s`;
  if (run.outcome !== "exited") return `stopped (${run.outcome})`;
  const why = firstLine(run.stderr);
  return why || (run.code !== null ? `exit status ${run.code}` : `signal ${run.signal}`);
}

async function runNix(
  bin: string,
  args: string[],
  env: Env,
  signal: AbortSignal,
): Promise<RunResult | string> {
  try {
    return await runProcessGroup(bin, args, {
      env,
      timeoutMs: PROBE_TIMEOUT_MS,
      signal,
      maxStdoutBytes: 64 * 1024,
      maxStderrBytes: 64 * 1024,
    });
  } catch (error) {
    return (error as Error).message;
  }
}

function versionAtLeast(version: string, min: number[]): boolean {
  const parts = version.split(/[.-]/).map((p) => parseInt(p, 10));
  for (let i = 0; i < min.length; i++) {
    const v = Number.isNaN(parts[i]) || parts[i] === undefined ? 0 : parts[i];
    if (v !== min[i]) return v > min[i];
  }
  return true;
}

/** Nix found, its version, `nix eval` as profiles use it, and real-store access. */
async function nixChecks(env: Env, cwd: string, signal: AbortSignal): Promise<DoctorCheck[]> {
  const explicit = envValue(env, "INSOMNIA_NIX_BIN");
  const requested = explicit ?? "nix";
  const bin = findExecutable(requested, env, cwd);
  if (bin === undefined) {
    const where = explicit
      ? `INSOMNIA_NIX_BIN=${explicit} is not an executable file`
      : "no executable `nix` on PATH";
    return [fail("nix", `Nix not found: ${where}`, INSTALL_HINT)];
  }
  const checks: DoctorCheck[] = [
    pass("nix", `${bin}${explicit ? " (from INSOMNIA_NIX_BIN)" : ""}`),
  ];

  const versionRun = await runNix(bin, ["--version"], env, signal);
  const version = typeof versionRun === "string" || versionRun.code !== 0
    ? undefined
    : parseNixVersion(new TextDecoder().decode(versionRun.stdout));
  if (version === undefined) {
    const why = typeof versionRun === "string" ? versionRun : describeRun(versionRun, 0);
    checks.push(
      fail(
        "nix-version",
        `\`${bin} --version\` failed or printed no version: ${why}`,
        INSTALL_HINT,
      ),
    );
    return checks;
  }
  checks.push(
    versionAtLeast(version, MIN_NIX) ? pass("nix-version", `Nix ${version}`) : fail(
      "nix-version",
      `Nix ${version} is older than ${MIN_NIX.join(".")}`,
      `upgrade Nix to ${MIN_NIX.join(".")} or later (\`nix eval --json\` is needed).`,
    ),
  );

  // The evaluator exactly as profiles use it (sandbox, guard, dummy store, the library on the
  // search path), on an expression instead of a file.
  try {
    const { value } = await evaluateNix({
      target: { kind: "expr", expr: "1+1" },
      includePaths: { insomnia: join(resourceDir(env), "nix") },
      timeoutMs: PROBE_TIMEOUT_MS,
      nixBin: bin,
      env,
      cwd,
      signal,
    });
    checks.push(
      value === 2
        ? pass(
          "nix-eval",
          "sandboxed `nix eval --json --store dummy://` works (nix-command enabled)",
        )
        : fail(
          "nix-eval",
          `the evaluator printed ${JSON.stringify(value).slice(0, 80)} for 1+1, not 2`,
          "check that INSOMNIA_NIX_BIN / PATH point at a real Nix.",
        ),
    );
  } catch (error) {
    checks.push(
      fail(
        "nix-eval",
        `evaluating 1+1 the way profiles are evaluated failed: ${toInsomniaError(error).message}`,
        "profiles are evaluated with `--extra-experimental-features nix-command`; make sure no " +
          "nix.conf setting forbids it (e.g. `accept-flake-config`/`experimental-features` " +
          "overrides in NIX_CONFIG) and that Nix is 2.4 or later.",
      ),
    );
  }

  const pingArgs = ["--extra-experimental-features", "nix-command", "store", "ping"];
  const ping = await runNix(bin, pingArgs, env, signal);
  if (typeof ping !== "string" && ping.code === 0) {
    const text = new TextDecoder().decode(ping.stdout) + new TextDecoder().decode(ping.stderr);
    const url = /Store URL:\s*(\S+)/.exec(text)?.[1];
    checks.push(pass("nix-store", `Nix store usable as this user${url ? ` (${url})` : ""}`));
  } else {
    const why = typeof ping === "string" ? ping : describeRun(ping, PROBE_TIMEOUT_MS);
    checks.push(
      fail(
        "nix-store",
        `dummy store only: flakes unavailable (\`nix store ping\`: ${why})`,
        "file profiles are evaluated with the dummy store and work; flake: profiles need a real " +
          "store: start the nix daemon (systemctl start nix-daemon) or let this user open " +
          "/nix/store (e.g. add it to the nix-users group).",
        "warning",
      ),
    );
  }
  return checks;
}

function evalTimeoutCheck(
  env: Env,
  flagMs: number | undefined,
): { check: DoctorCheck; timeoutMs: number } {
  if (flagMs !== undefined) {
    return {
      check: pass("eval-timeout", `${formatDuration(flagMs)} (--eval-timeout)`),
      timeoutMs: flagMs,
    };
  }
  try {
    const timeoutMs = evalTimeout({}, env);
    const from = envValue(env, "INSOMNIA_EVAL_TIMEOUT") ? "INSOMNIA_EVAL_TIMEOUT" : "default";
    return { check: pass("eval-timeout", `${formatDuration(timeoutMs)} (${from})`), timeoutMs };
  } catch (error) {
    return {
      check: fail(
        "eval-timeout",
        toInsomniaError(error).message,
        "fix or unset INSOMNIA_EVAL_TIMEOUT (e.g. 30s, 2m); this check used the default 30s.",
      ),
      timeoutMs: DEFAULT_EVAL_TIMEOUT_MS,
    };
  }
}

function libraryCheck(env: Env): DoctorCheck {
  try {
    const dir = resourceDir(env);
    const lib = join(dir, "nix", "profile-lib.nix");
    if (!existsSync(lib)) {
      return fail(
        "nix-library",
        `${lib} is missing`,
        "remove INSOMNIA_RESOURCE_DIR, or point it at a complete resources directory.",
      );
    }
    return pass("nix-library", `<insomnia> = ${join(dir, "nix")}`);
  } catch (error) {
    return fail(
      "nix-library",
      toInsomniaError(error).message,
      "set INSOMNIA_CACHE_DIR to a writable directory (the Nix library is unpacked there once).",
    );
  }
}

function registryCheck(env: Env, cwd: string): DoctorCheck {
  const user = userManifestPath(env);
  try {
    const registry = loadProfileRegistry(env, cwd);
    const problems = registryProblems(registry);
    const entries = listEntries(registry);
    const count = (s: string) => entries.filter((e) => e.source === s).length;
    const files = [
      `user manifest ${user?.path ?? "(none: no HOME)"}${
        user && !existsSync(user.path) ? " (absent)" : ""
      }`,
      registry.sources.project.file
        ? `project manifest ${registry.sources.project.file}`
        : "no project manifest",
    ];
    const summary = `${entries.length} profiles (${count("builtin")} builtin, ${count("user")} ` +
      `user, ${count("project")} project); ${files.join("; ")}`;
    if (problems.length > 0) {
      return fail(
        "registries",
        `${summary}; ${problems.map((p) => `[${p.code}] ${p.message}`).join(" ")}`,
        "fix the [profiles] table named above, then run `insomnia-pod profiles list`.",
      );
    }
    return pass("registries", summary);
  } catch (error) {
    const e = toInsomniaError(error);
    return fail(
      "registries",
      `[${e.code}] ${e.message}`,
      "fix or move the registry file named above (the [profiles] table of the user manifest or " +
        "the project's .insomnia/manifest.toml); see `insomnia-pod help profiles`.",
    );
  }
}

async function defaultProfileCheck(
  opts: Record<string, unknown>,
  ctx: CliContext,
  timeoutMs: number,
): Promise<DoctorCheck> {
  try {
    const resolved = await withProgress(
      "resolving the default profile",
      ctx,
      resolveProfile("default", {
        env: ctx.env,
        cwd: ctx.cwd,
        workspace: checkedWorkspace(opts.workspace as string | undefined, ctx),
        timeoutMs,
        signal: ctx.signal,
        trustAll: opts.trust === true,
      }),
    );
    const p = resolved.provenance;
    const where = provenanceLabel(p);
    const how = p.fingerprint.evaluator === "shipped"
      ? "shipped artifact"
      : p.fingerprint.evaluator === "nix"
      ? "evaluated with Nix"
      : "JSON artifact";
    return pass(
      "default-profile",
      `default → ${where} (${how}; Pod name ${resolved.manifest.pod.name})`,
    );
  } catch (error) {
    const e = toInsomniaError(error);
    const hint = e.code === "no_default_profile"
      ? 'set `default = "<name>"` under [profiles] in the user manifest or .insomnia/manifest.toml.'
      : e.code === "nix_unavailable"
      ? INSTALL_HINT
      : e.code === "project_untrusted"
      ? "review the project's .insomnia/ directory, then run the `insomnia-pod trust` command " +
        "named above (doctor never evaluates an untrusted project's code)."
      : "run `insomnia-pod profiles check default` for the full error, and fix the profile.";
    return fail("default-profile", `[${e.code}] ${e.message}`, hint);
  }
}

/** Why a new file cannot be created in `dir`, or undefined when it can (probe created, removed). */
function probeWrite(dir: string): string | undefined {
  const probe = join(dir, tempName("doctor"));
  try {
    closeSync(openSync(probe, "wx", 0o600));
  } catch (error) {
    return (error as Error).message;
  }
  try {
    unlinkSync(probe);
  } catch {
    // removed by someone else; the directory was writable either way
  }
  return undefined;
}

function statKind(path: string): "dir" | "other" | "missing" | string {
  try {
    return statSync(path).isDirectory() ? "dir" : "other";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR" ? "missing" : (error as Error).message;
  }
}

/** The Pod store directory (or, when it does not exist yet, its nearest existing parent) is writable. */
function storeCheck(root: string | undefined): DoctorCheck {
  const hint = (dir: string) =>
    `make ${dir} a directory this user can write to, or choose another store with ` +
    "-s/--store DIR (or INSOMNIA_DATA_DIR).";
  if (root === undefined) {
    return fail(
      "pod-store",
      "no Pod store directory: HOME, INSOMNIA_HOME and INSOMNIA_DATA_DIR are all unset",
      "set HOME or INSOMNIA_DATA_DIR, or pass -s/--store DIR.",
    );
  }
  let dir = root;
  let kind = statKind(dir);
  while (kind === "missing" && dirname(dir) !== dir) {
    dir = dirname(dir);
    kind = statKind(dir);
  }
  if (kind === "missing") return fail("pod-store", `${root}: no existing parent`, hint(root));
  if (kind === "other") {
    return fail(
      "pod-store",
      dir === root
        ? `${root} is not a directory`
        : `${root} cannot be created: ${dir} is not a directory`,
      hint(dir === root ? root : dir),
    );
  }
  if (kind !== "dir") return fail("pod-store", `${dir}: ${kind}`, hint(dir));
  const problem = probeWrite(dir);
  if (problem !== undefined) {
    return fail(
      "pod-store",
      dir === root
        ? `${root} is not writable: ${problem}`
        : `${root} does not exist and cannot be created in ${dir}: ${problem}`,
      hint(dir),
    );
  }
  return pass(
    "pod-store",
    dir === root
      ? `${root} is writable`
      : `${root} does not exist yet; ${dir} is writable, so it will be created on first use`,
  );
}

function renderHuman(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const lines: string[] = [];
  for (const c of report.checks) {
    const status = c.ok ? "ok  " : c.severity === "warning" ? "warn" : "FAIL";
    lines.push(`${status}  ${c.name.padEnd(width)}  ${c.detail}`);
    if (!c.ok && c.hint) lines.push(`${" ".repeat(width + 8)}hint: ${c.hint}`);
  }
  const errors = report.checks.filter((c) => !c.ok && c.severity === "error").length;
  const warnings = report.checks.filter((c) => !c.ok && c.severity === "warning").length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  lines.push(
    "",
    errors === 0
      ? `all checks passed${warnings ? ` (${plural(warnings, "warning")})` : ""}`
      : `${plural(errors, "check")} failed${warnings ? `, ${plural(warnings, "warning")}` : ""}`,
  );
  return lines.join("\n");
}

/** Runs every check; see the module doc. */
async function runDoctor(
  opts: Record<string, unknown>,
  ctx: CliContext,
): Promise<DoctorReport> {
  // A bad --eval-timeout flag is a usage error; a bad INSOMNIA_EVAL_TIMEOUT is a finding.
  const flag = opts.evalTimeout as string | undefined;
  const flagMs = flag !== undefined ? evalTimeout({ evalTimeout: flag }, ctx.env) : undefined;
  const checks = await nixChecks(ctx.env, ctx.cwd, ctx.signal);
  const limit = evalTimeoutCheck(ctx.env, flagMs);
  checks.push(limit.check);
  const timeoutMs = limit.timeoutMs;
  checks.push(libraryCheck(ctx.env));
  checks.push(registryCheck(ctx.env, ctx.cwd));
  checks.push(await defaultProfileCheck(opts, ctx, timeoutMs));
  checks.push(storeCheck(storeRoot(opts, ctx)));
  if (ctx.signal.aborted) throw new InsomniaError("cancelled", "doctor was interrupted.");
  return { checks, ok: checks.every((c) => c.ok || c.severity === "warning") };
}

/** `doctor` handler: exit status 1 when a check of severity `error` failed. */
export async function doctor(
  opts: Record<string, unknown>,
  _args: string[],
  ctx: CliContext,
): Promise<CommandOutput> {
  const report = await runDoctor(opts, ctx);
  return { json: report, human: renderHuman(report), exitCode: report.ok ? 0 : 1 };
}
