/**
 * Evaluates a Nix profile to JSON with `nix eval`, bounded in time and output size.
 *
 * Files are evaluated against the `dummy://` store: a pure profile then needs no daemon, works for
 * a non-root user and can never write to /nix/store. Flakes must copy their sources into the store,
 * so they use the configured store instead.
 * @module
 */
import process from "node:process";
import { type Env, envValue, processEnv } from "../env.ts";
import { InsomniaError } from "../errors.ts";
import {
  buildNixArgs,
  DEFAULT_MAX_OUTPUT_BYTES,
  MAX_STDERR_BYTES,
  type NixArgsRequest,
  type NixTarget,
} from "./args.ts";
import { formatDuration } from "./duration.ts";
import {
  accessedPaths,
  defaultTraceDir,
  parseNixStderr,
  stripAnsi,
  withoutAccessLines,
  withoutSourceExcerpts,
  writeTraceFile,
} from "./diagnostics.ts";
import { adoptPrestartedNix, discardPrestartedNix, type NixRunSpec } from "./prestart.ts";
import {
  binaryIdentity,
  type EvalCacheSpec,
  lookupEvalCache,
  rememberEvaluation,
} from "./eval_cache.ts";
import { findExecutable, runProcessGroup, type RunResult, SpawnError } from "./process.ts";
import { nixEnv, sandboxHint } from "./sandbox.ts";
import { evalGuard, outOfMemory } from "./guard.ts";
import { decodeUtf8, formatSize } from "../fs/read_bounded.ts";
import { mark } from "../timing.ts";
import { cachedVersion, rememberVersion, versionCacheFile } from "./version_cache.ts";

/** One evaluation request for {@link evaluateNix}. */
export interface NixEvalRequest extends NixArgsRequest {
  /** Wall-clock limit in milliseconds; the process group is then killed (`nix_eval_timeout`). */
  timeoutMs: number;
  /** External cancellation (e.g. Ctrl-C wired to an AbortController). */
  signal?: AbortSignal;
  /** Default: `INSOMNIA_NIX_BIN` from `env`, else `nix` looked up on `env.PATH`. */
  nixBin?: string;
  /** Environment of the child (default: the process environment). */
  env?: Env;
  /** Working directory of the child (default: the process cwd). */
  cwd?: string;
  /** Default 16 MiB. */
  maxOutputBytes?: number;
  /** Where the full trace of a failure is written (default `<tmpdir>/insomnia-pod-traces`). */
  traceDir?: string;
  /** Applied to stderr before it reaches any message, detail or trace file. */
  redact?: (text: string) => string;
  /** How the profile is named in messages (default: the file path or flake reference). */
  label?: string;
  /**
   * The evaluation cache directory (src/nix/eval_cache.ts); unset: no cache. Only sandboxed file
   * evaluations are cached.
   */
  cacheDir?: string;
}

/** A successful evaluation. */
export interface NixEvalResult {
  /** The profile's value: `nix eval --json` output, parsed (not yet validated). */
  value: unknown;
  /** Version of the Nix binary used (`2.8.0`, see {@link nixVersion}); undefined if unknown. */
  nixVersion: string | undefined;
  /** Wall-clock run time of the `nix eval` child, in whole milliseconds. */
  durationMs: number;
  /** When the `nix eval` child started (epoch ms; earlier than the call when it was prestarted). */
  startedAtMs: number;
  /**
   * Every path the evaluation touched (files read or imported, directories listed, existence
   * tests), when it ran in the sandbox, which reports them; undefined for an impure evaluation.
   */
  accessed?: string[];
  /** True when the result came from the evaluation cache (no Nix ran). */
  cached?: boolean;
  /**
   * Offers this result to the evaluation cache (written when the command succeeds). The caller
   * calls it only once the artifact passed validation and the plaintext gate, so a value that
   * was refused — a pasted key — is never kept.
   */
  cacheable?: () => void;
}

export { buildNixArgs, DEFAULT_MAX_OUTPUT_BYTES, type NixArgsRequest, type NixTarget };

const VERSION_TIMEOUT_MS = 10_000;
/** How long a finished evaluation waits for a `nix --version` probe still running. */
const VERSION_GRACE_MS = 2_000;
const versionCache = new Map<string, Promise<string | undefined>>();

/**
 * The version of Nix (`nix --version` → `2.8.0`), memoised per resolved binary in this process and
 * on disk (`<cache_dir>/nix-versions.json`, keyed by the binary's real path, size and mtime), so
 * an evaluation does not pay for a second nix process on a 2-core machine; undefined when Nix is
 * missing or its output is not understood. `signal` stops a probe this call starts, `timeoutMs`
 * bounds it (default 10 s).
 *
 * @example
 * ```ts
 * import process from "node:process";
 * import { nixVersion } from "./evaluate.ts";
 * console.log(await nixVersion("nix", process.env)); // e.g. "2.8.0", or undefined
 * ```
 */
export function nixVersion(
  nixBin?: string,
  env: Env = processEnv(),
  signal?: AbortSignal,
  timeoutMs: number = VERSION_TIMEOUT_MS,
): Promise<string | undefined> {
  const bin = findExecutable(nixBin ?? envValue(env, "INSOMNIA_NIX_BIN") ?? "nix", env);
  if (bin === undefined) return Promise.resolve(undefined);
  let cached = versionCache.get(bin);
  if (!cached) {
    const key = binaryIdentity(bin);
    const file = versionCacheFile(env);
    const known = key && file ? cachedVersion(file, key) : undefined;
    cached = known !== undefined ? Promise.resolve(known) : runProcessGroup(bin, ["--version"], {
      env,
      timeoutMs,
      signal,
      maxStdoutBytes: 4096,
      maxStderrBytes: 4096,
    }).then((run) => {
      // A cancelled probe says nothing about the version: the next call asks again.
      if (run.outcome === "aborted") versionCache.delete(bin);
      if (run.outcome !== "exited" || run.code !== 0) return undefined;
      const version = parseNixVersion(new TextDecoder().decode(run.stdout));
      // Recorded only when an evaluation succeeds (commitVersionCache): a failed run writes nothing.
      if (version && key && file) rememberVersion(file, key, version);
      return version;
    }, () => undefined);
    versionCache.set(bin, cached);
  }
  return cached;
}

/**
 * Runs `nix eval --json` for the request and returns the parsed value. The child runs in its own
 * process group, which is SIGKILLed on timeout, abort or oversized output; the promise settles
 * only after the child has exited. Failures are {@link InsomniaError}s: `nix_unavailable`,
 * `nix_eval_failed`, `nix_eval_timeout`, `nix_eval_cancelled` or `artifact_invalid`.
 *
 * @example
 * ```ts
 * import process from "node:process";
 * import { evaluateNix } from "./evaluate.ts";
 * const { value } = await evaluateNix({
 *   target: { kind: "file", file: "/srv/profiles/coder.nix" },
 *   env: process.env,
 *   timeoutMs: 30_000,
 * });
 * console.log(value);
 * ```
 */
export async function evaluateNix(req: NixEvalRequest): Promise<NixEvalResult> {
  const label = req.label ?? targetLabel(req.target);
  const file = req.target.kind === "file" ? req.target.file : undefined;
  const args = buildNixArgs(req);
  if (req.signal?.aborted) throw cancelled(label, file);

  const env = req.env ?? processEnv();
  const requested = req.nixBin ?? envValue(env, "INSOMNIA_NIX_BIN") ?? "nix";
  // A relative INSOMNIA_NIX_BIN is relative to where the user ran the command, not the profile.
  const bin = findExecutable(requested, env, process.cwd());
  if (bin === undefined) throw unavailable(label, requested, "was not found or is not executable");

  const cache = cacheSpecOf(req, bin, args, env);
  if (cache) {
    const hit = lookupEvalCache(cache.dir, cache.spec);
    mark("eval cache checked");
    if (hit) {
      discardPrestartedNix(); // an early start of the same evaluation is not needed any more
      return { ...hit, durationMs: 0, startedAtMs: Date.now(), cached: true };
    }
  }

  // Started alongside the evaluation and always awaited, so no child outlives this call. It never
  // holds up a result for long: a probe still running VERSION_GRACE_MS after the evaluation, or
  // when the evaluation fails or is cancelled, is stopped and the version recorded as unknown.
  const probe = new AbortController();
  const stopProbe = () => probe.abort();
  req.signal?.addEventListener("abort", stopProbe, { once: true });
  const version = nixVersion(bin, env, probe.signal, Math.min(VERSION_TIMEOUT_MS, req.timeoutMs));
  mark("nix eval requested");
  try {
    const run = await runNix(req, bin, requested, args, label, file);
    mark("nix eval done");
    const value = parseOutput(run, requested, label, file);
    const grace = setTimeout(stopProbe, VERSION_GRACE_MS);
    try {
      // A truncated stderr may have lost access lines: then the inputs are unknown, not partial.
      const sandboxed = req.target.kind === "file" && !req.impure && !run.stderrTruncated;
      const accessed = sandboxed ? accessedPaths(decodeUtf8(run.stderr) ?? "") : undefined;
      const nixVersion = await version;
      const cacheable = cache && accessed
        ? () => rememberEvaluation(cache.dir, cache.spec, { value, nixVersion, accessed })
        : undefined;
      return {
        ...(cacheable && { cacheable }),
        value,
        nixVersion,
        durationMs: run.durationMs,
        startedAtMs: run.startedAtMs,
        ...(accessed && { accessed }),
      };
    } finally {
      clearTimeout(grace);
    }
  } finally {
    stopProbe();
    await version;
    req.signal?.removeEventListener("abort", stopProbe);
  }
}

async function runNix(
  req: NixEvalRequest,
  bin: string,
  requested: string,
  args: string[],
  label: string,
  file: string | undefined,
): Promise<RunResult> {
  const maxOutputBytes = req.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const spec: NixRunSpec = {
    bin,
    args,
    cwd: req.cwd ?? process.cwd(),
    // Nix must never see secret values: a profile could read them with builtins.getEnv.
    env: nixEnv(req.env ?? processEnv()),
    timeoutMs: req.timeoutMs,
    maxStdoutBytes: maxOutputBytes,
    maxStderrBytes: MAX_STDERR_BYTES,
    guard: evalGuard(req.timeoutMs, req.env ?? processEnv()),
  };
  let run: RunResult;
  try {
    run = await (adoptPrestartedNix(spec, req.signal) ?? runProcessGroup(bin, args, {
      ...spec,
      signal: req.signal,
    }));
  } catch (error) {
    if (error instanceof InsomniaError) throw error; // permission_denied from the runtime
    if (error instanceof SpawnError && ["ENOENT", "EACCES", "ENOTDIR"].includes(error.code ?? "")) {
      throw unavailable(label, requested, `could not be started (${error.code})`);
    }
    throw new InsomniaError(
      "nix_eval_failed",
      `could not run ${requested} for profile ${label}: ${
        error instanceof Error ? error.message : String(error)
      }`,
      { file },
    );
  }

  switch (run.outcome) {
    case "aborted":
      throw cancelled(label, file);
    case "timeout":
      throw new InsomniaError(
        "nix_eval_timeout",
        `nix eval for profile ${label} did not finish within ${
          formatDuration(req.timeoutMs)
        } and was stopped. If the profile is legitimately slow (for example it fetches sources), ` +
          `raise the limit with --eval-timeout 2m or INSOMNIA_EVAL_TIMEOUT=2m; otherwise look for ` +
          `runaway recursion in the profile.`,
        { file, timeoutMs: req.timeoutMs },
      );
    case "overflow":
      throw new InsomniaError(
        "nix_eval_failed",
        `nix eval for profile ${label} produced more than ${
          formatSize(maxOutputBytes)
        } of output and was stopped; a profile should evaluate to a small manifest, so check it ` +
          `for a runaway list or a large file pulled in with builtins.readFile.`,
        { file, maxOutputBytes },
      );
  }
  if (run.code !== 0) throw failed(req, label, args, run);
  return run;
}

/** Parses stdout of a successful run; only ever called when nix exited with status 0. */
function parseOutput(
  run: RunResult,
  requested: string,
  label: string,
  file: string | undefined,
): unknown {
  const text = decodeUtf8(run.stdout);
  if (text === undefined) {
    throw new InsomniaError(
      "artifact_invalid",
      `nix eval for profile ${label} printed output that is not valid UTF-8 text (a string in ` +
        `the profile holds bytes of another encoding, e.g. from builtins.readFile of a Latin-1 ` +
        `file); re-save that file as UTF-8.`,
      { file },
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InsomniaError(
      "artifact_invalid",
      `nix eval for profile ${label} exited successfully but did not print valid JSON (${
        error instanceof Error ? error.message : String(error)
      }); check that ${requested} is a real Nix and that the profile evaluates to an attribute set.`,
      { file },
    );
  }
}

/** Where and under what key this evaluation is cached; undefined when it is not cacheable. */
function cacheSpecOf(
  req: NixEvalRequest,
  bin: string,
  args: string[],
  env: Env,
): { dir: string; spec: EvalCacheSpec } | undefined {
  if (!req.cacheDir || req.target.kind !== "file" || req.impure) return undefined;
  const binary = binaryIdentity(bin);
  if (!binary) return undefined;
  return {
    dir: req.cacheDir,
    spec: { binary, args, cwd: req.cwd ?? process.cwd(), env: nixEnv(env) },
  };
}

function targetLabel(target: NixTarget): string {
  if (target.kind === "expr") return `(expression ${target.expr})`;
  return target.kind === "file" ? target.file : `${target.ref}#insomniaProfiles.${target.name}`;
}

/** The version in `nix --version` output (`nix (Nix) 2.8.0` → `2.8.0`), if any. */
export function parseNixVersion(text: string): string | undefined {
  return /(\d+\.\d+(?:\.\d+)*\S*)/.exec(text)?.[1];
}

function cancelled(label: string, file: string | undefined): InsomniaError {
  return new InsomniaError(
    "nix_eval_cancelled",
    `nix eval for profile ${label} was cancelled and the nix process was stopped.`,
    { file },
  );
}

function unavailable(label: string, bin: string, why: string): InsomniaError {
  return new InsomniaError(
    "nix_unavailable",
    `profile ${label} is a Nix profile and resolving it requires Nix, but the nix command ` +
      `${bin} ${why}. Install Nix (on Debian/Ubuntu: apt-get install nix-bin; elsewhere see ` +
      `https://nixos.org/download) or set INSOMNIA_NIX_BIN, or skip Nix with --manifest FILE.toml ` +
      `or an already-evaluated artifact --profile path:FILE.json.`,
    { bin },
  );
}

function failed(
  req: NixEvalRequest,
  label: string,
  args: string[],
  run: RunResult,
): InsomniaError {
  const redact = req.redact ?? ((text: string) => text);
  const raw = new TextDecoder().decode(run.stderr) +
    (run.stderrTruncated ? `\n[stderr truncated after ${formatSize(MAX_STDERR_BYTES)}]\n` : "");
  const stderr = redact(withoutAccessLines(stripAnsi(raw)));
  if (outOfMemory(stderr)) return memoryExhausted(req, label);
  const diagnostic = parseNixStderr(stderr, Object.values(req.includePaths ?? {}));
  const status = run.code !== null ? `status ${run.code}` : `signal ${run.signal}`;
  const trace = writeTraceFile(
    req.traceDir ?? defaultTraceDir(),
    `# insomnia-pod: nix eval failed (${status}) for profile ${label}\n` +
      `# command: nix ${args.join(" ")}\n\n${withoutSourceExcerpts(stderr)}`,
  );
  const traceNote = trace ? ` Full trace: ${trace}` : " (The full trace could not be saved.)";
  const location = diagnostic.location;
  const details = {
    file: location?.file ?? (req.target.kind === "file" ? req.target.file : undefined),
    line: location?.line,
    column: location?.column,
    trace,
  };

  if (diagnostic.needsStore && req.target.kind === "file") {
    return new InsomniaError(
      "nix_eval_failed",
      `nix eval failed for profile ${label}: the profile produced a Nix path literal (such as ` +
        `./prompt.md) or a derivation, which would have to be copied into the Nix store${
          at(location)
        }, and ` +
        `profiles are evaluated without a store. Write paths as strings with toString ./prompt.md, ` +
        `or build the profile with the library's mkProfile, which converts path literals to ` +
        `strings.${traceNote}`,
      details,
    );
  }
  const summary = `${diagnostic.error ?? `nix exited with ${status}`}${at(location)}`;
  const sandbox = sandboxHint(stderr);
  return new InsomniaError(
    "nix_eval_failed",
    `nix eval failed for profile ${label}: ${summary}${/[.!?]$/.test(summary) ? "" : "."}${
      sandbox ? ` ${sandbox}` : ""
    }${traceNote}`,
    { ...details, ...(sandbox && { sandbox: true }) },
  );
}

function memoryExhausted(req: NixEvalRequest, label: string): InsomniaError {
  const limit = evalGuard(req.timeoutMs, req.env ?? processEnv()).memoryBytes;
  return new InsomniaError(
    "nix_eval_memory",
    `nix eval for profile ${label} ran out of the memory an evaluation may use${
      limit > 0 ? ` (${formatSize(limit)})` : ""
    } and was stopped; nothing was created. A profile should evaluate to a small manifest, so ` +
      "look for a runaway list or recursion; if the profile really needs more, raise the limit " +
      "with INSOMNIA_EVAL_MEMORY=4G (0 = unlimited).",
    { file: req.target.kind === "file" ? req.target.file : undefined, memoryBytes: limit },
  );
}

function at(location: { file: string; line: number; column: number } | undefined): string {
  return location ? ` (at ${location.file}:${location.line}:${location.column})` : "";
}
