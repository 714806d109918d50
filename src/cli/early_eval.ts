/**
 * Starts the Nix evaluation a command line is going to need before the CLI has loaded, so that
 * `nix eval` and the CLI's start-up run side by side (see src/nix/prestart.ts for why this can
 * never change a result). Only the plain create form qualifies — `--profile SEL` naming a `.nix`
 * file, directly or through a user/project registry — and only when the library is already on
 * disk; anything unusual, invalid or ambiguous simply starts nothing, and the normal pipeline then
 * reports it.
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { type Env, envValue } from "../env.ts";
import { HELP_OPTION, launchFlags, longOf, VERSION_OPTION } from "../app/launch_flags.ts";
import { readRootFlags } from "./root_argv.ts";
import { buildNixArgs, DEFAULT_MAX_OUTPUT_BYTES, MAX_STDERR_BYTES } from "../nix/args.ts";
import { DEFAULT_EVAL_TIMEOUT_MS, parseDuration } from "../nix/duration.ts";
import { prestartNix } from "../nix/prestart.ts";
import { findExecutable } from "../nix/process.ts";
import { handOverRegistry, loadProfileRegistry } from "../profile/discovery.ts";
import { profileFileFor } from "../profile/profile_file.ts";
import { type Registry, selectEntry } from "../profile/registry.ts";
import { assertProjectEntryTrusted, rememberEarlyTrust } from "../profile/project_trust.ts";
import { parseSelector } from "../profile/selector.ts";
import { resourceDirIfPresent } from "../resources.ts";
import { impureEvalRequested, nixEnv } from "../nix/sandbox.ts";
import { evalGuard } from "../nix/guard.ts";
import { mark } from "../timing.ts";
import {
  binaryIdentity,
  evalCacheDir,
  evalCacheEnabled,
  peekEvalCache,
} from "../nix/eval_cache.ts";

/** What the early start read that the pipeline would read again (see {@link startEarlyEvaluation}). */
interface HandOver {
  registry: Registry;
  /** The project entry whose trust was checked. */
  trusted?: string;
  /** `--trust` given (the check was made with it). */
  trustAll: boolean;
}

/** Long names of the flags that resume, use TOML, or print and exit: not a create from a profile. */
function otherForms(): string[] {
  const forms = launchFlags().filter(([, spec]) => spec.form).map(([, spec]) => spec);
  return [...forms, HELP_OPTION, VERSION_OPTION].map(({ flags }) => longOf(flags).slice(2));
}

/**
 * The profile file `argv` (the root command's arguments) will evaluate with Nix, and its
 * evaluation limit; undefined when it will not evaluate a `.nix` file or cannot be read for sure.
 */
export function plannedEvaluation(
  argv: string[],
  env: Env,
  cwd: string,
): {
  file: string;
  timeoutMs: number;
  impure: boolean;
  allow?: string[];
  noCache: boolean;
  /** For a registry name: the registry it was found in, and the entry whose trust was checked. */
  handOver?: HandOver;
} | undefined {
  const values = readRootFlags(argv);
  if (values === undefined) return undefined; // a subcommand, or a line the CLI will explain
  const selector = values.profile;
  if (typeof selector !== "string" || otherForms().some((name) => values[name] !== undefined)) {
    return undefined;
  }
  try {
    const sel = parseSelector(selector);
    let file: string;
    let allow: string[] | undefined;
    let handOver: HandOver | undefined;
    if (sel.kind === "path") file = profileFileFor(resolve(cwd, sel.path), selector);
    else if (sel.kind === "named" && sel.source === "builtin") {
      return undefined; // shipped evaluated: no Nix, and no registry to load for it
    } else if (sel.kind === "named" || sel.kind === "default") {
      // Loading the registries would unpack the builtin resources if they are not on disk yet;
      // nothing may be written before the command line is validated.
      if (!resourceDirIfPresent(env)) return undefined;
      const registry = loadProfileRegistry(env, cwd);
      const entry = selectEntry(registry, sel);
      if (entry.source === "builtin") return undefined; // shipped evaluated: no Nix
      // An untrusted project's code runs for nobody, not even ahead of time (throws if untrusted).
      if (entry.source === "project") {
        assertProjectEntryTrusted(registry, entry.qualified, {
          env,
          trustAll: values.trust === true,
        });
      }
      handOver = {
        registry,
        ...(entry.source === "project" && { trusted: entry.qualified }),
        trustAll: values.trust === true,
      };
      file = profileFileFor(entry.path, selector);
      allow = entry.allow;
    } else return undefined;
    if (!file.endsWith(".nix")) return undefined;
    const limit = values["eval-timeout"] ?? envValue(env, "INSOMNIA_EVAL_TIMEOUT");
    const timeoutMs = typeof limit === "string"
      ? parseDuration(limit, "--eval-timeout")
      : DEFAULT_EVAL_TIMEOUT_MS;
    return {
      file,
      timeoutMs,
      impure: impureEvalRequested(values["impure-eval"] === true, env),
      ...(allow && { allow }),
      noCache: values["no-cache"] === true,
      ...(handOver && { handOver }),
    };
  } catch {
    return undefined;
  }
}

/**
 * Starts `nix eval` for the profile `argv` will evaluate, when that is certain (see the module
 * doc). Returns true when an evaluation was started. `INSOMNIA_EARLY_EVAL=0` (or `false`, `off`, `no`) turns this off.
 */
export function startEarlyEvaluation(argv: string[], env: Env, cwd: string): boolean {
  const setting = envValue(env, "INSOMNIA_EARLY_EVAL")?.trim().toLowerCase();
  if (setting !== undefined && ["0", "false", "off", "no"].includes(setting)) return false;
  const planned = plannedEvaluation(argv, env, cwd);
  mark("early start planned");
  if (!planned) return false;
  if (planned.handOver) {
    // The pipeline takes the registry (and the entry's trust check) instead of reading it again.
    handOverRegistry(env, cwd, planned.handOver.registry);
    if (planned.handOver.trusted) {
      rememberEarlyTrust(planned.handOver.registry, planned.handOver.trusted, {
        env,
        trustAll: planned.handOver.trustAll,
      });
    }
  }
  const library = resourceDirIfPresent(env);
  const requested = envValue(env, "INSOMNIA_NIX_BIN") ?? "nix";
  const bin = findExecutable(requested, env, cwd);
  if (!library || !bin) return false;
  let guard;
  try {
    guard = evalGuard(planned.timeoutMs, env);
  } catch {
    return false; // a malformed limit is reported by the pipeline itself
  }
  const target = { kind: "file" as const, file: planned.file };
  const args = buildNixArgs({
    target,
    includePaths: { insomnia: join(library, "nix") },
    impure: planned.impure,
    allow: planned.allow,
  });
  const evalCwd = dirname(planned.file);
  // A cached result needs no Nix: starting one would only cost a core.
  const cacheDir = evalCacheDir(env);
  const binary = binaryIdentity(bin);
  if (!planned.impure && evalCacheEnabled(planned.noCache, env) && cacheDir && binary) {
    const hit = peekEvalCache(cacheDir, { binary, args, cwd: evalCwd, env: nixEnv(env) });
    mark("early cache lookup");
    if (hit) return false;
  }
  prestartNix({
    bin,
    args,
    cwd: evalCwd,
    env: nixEnv(env),
    timeoutMs: planned.timeoutMs,
    maxStdoutBytes: DEFAULT_MAX_OUTPUT_BYTES,
    maxStderrBytes: MAX_STDERR_BYTES,
    guard,
  });
  return true;
}
