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
import { parseArgs } from "node:util";
import { type Env, envValue } from "../env.ts";
import { buildNixArgs, DEFAULT_MAX_OUTPUT_BYTES, MAX_STDERR_BYTES } from "../nix/args.ts";
import { DEFAULT_EVAL_TIMEOUT_MS, parseDuration } from "../nix/duration.ts";
import { prestartNix } from "../nix/prestart.ts";
import { findExecutable } from "../nix/process.ts";
import { loadProfileRegistry } from "../profile/discovery.ts";
import { profileFileFor } from "../profile/profile_file.ts";
import { selectEntry } from "../profile/registry.ts";
import { parseSelector } from "../profile/selector.ts";
import { resourceDirIfPresent } from "../resources.ts";
import { withoutSecretEnv } from "../secrets/secret_env.ts";

const text = { type: "string" } as const;
const flag = { type: "boolean" } as const;
/** The root command's options (src/cli/program.ts); an argv outside them starts nothing. */
const ROOT_OPTIONS = {
  profile: text,
  "profile-pod-name": text,
  manifest: text,
  "manifest-cascade": flag,
  project: text,
  overlay: text,
  pod: text,
  session: text,
  "require-pod-state": flag,
  "reload-profile": flag,
  yes: { ...flag, short: "y" },
  "check-secrets": flag,
  "dry-run": flag,
  json: flag,
  quiet: { ...flag, short: "q" },
  store: { ...text, short: "s" },
  workspace: text,
  "eval-timeout": text,
  help: { ...flag, short: "h" },
  version: { ...flag, short: "V" },
} as const;

/** Not the create-from-a-profile form: these resume, use TOML, or print and exit. */
const OTHER_FORMS = [
  "manifest",
  "manifest-cascade",
  "project",
  "overlay",
  "pod",
  "session",
  "reload-profile",
  "help",
  "version",
] as const;

/**
 * The profile file `argv` (the root command's arguments) will evaluate with Nix, and its
 * evaluation limit; undefined when it will not evaluate a `.nix` file or cannot be read for sure.
 */
export function plannedEvaluation(
  argv: string[],
  env: Env,
  cwd: string,
): { file: string; timeoutMs: number } | undefined {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: ROOT_OPTIONS, strict: true }));
  } catch {
    return undefined; // a subcommand, or a usage error the CLI will explain
  }
  const selector = values.profile;
  if (typeof selector !== "string" || OTHER_FORMS.some((name) => values[name] !== undefined)) {
    return undefined;
  }
  try {
    const sel = parseSelector(selector);
    let file: string;
    if (sel.kind === "path") file = profileFileFor(resolve(cwd, sel.path), selector);
    else if (sel.kind === "named" || sel.kind === "default") {
      // Loading the registries would unpack the builtin resources if they are not on disk yet;
      // nothing may be written before the command line is validated.
      if (!resourceDirIfPresent(env)) return undefined;
      const entry = selectEntry(loadProfileRegistry(env, cwd), sel);
      if (entry.source === "builtin") return undefined; // shipped evaluated: no Nix
      file = profileFileFor(entry.path, selector);
    } else return undefined;
    if (!file.endsWith(".nix")) return undefined;
    const limit = values["eval-timeout"] ?? envValue(env, "INSOMNIA_EVAL_TIMEOUT");
    const timeoutMs = typeof limit === "string"
      ? parseDuration(limit, "--eval-timeout")
      : DEFAULT_EVAL_TIMEOUT_MS;
    return { file, timeoutMs };
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
  if (!planned) return false;
  const library = resourceDirIfPresent(env);
  const requested = envValue(env, "INSOMNIA_NIX_BIN") ?? "nix";
  const bin = findExecutable(requested, env, cwd);
  if (!library || !bin) return false;
  const target = { kind: "file" as const, file: planned.file };
  prestartNix({
    bin,
    args: buildNixArgs({ target, includePaths: { insomnia: join(library, "nix") } }),
    cwd: dirname(planned.file),
    env: withoutSecretEnv(env),
    timeoutMs: planned.timeoutMs,
    maxStdoutBytes: DEFAULT_MAX_OUTPUT_BYTES,
    maxStderrBytes: MAX_STDERR_BYTES,
  });
  return true;
}
