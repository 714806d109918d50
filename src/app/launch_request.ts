/**
 * What a launch asks for: ONE typed request taken by every use case (create, resume, reload), built
 * from the root command's options by the CLI and from the plan of the New Pod dialog.
 * @module
 */
import type { Env } from "../env.ts";
import { parseDuration } from "../nix/duration.ts";
import { isOn, type LaunchOptions, longFlag } from "./launch_flags.ts";

/** Where a new Pod's manifest comes from. */
export type LaunchSource =
  /** A profile selector: `./coder.nix`, `path:…`, `coder`, `project:coder`, `flake:ref#name`, `default`. */
  | { kind: "profile"; selector: string }
  /** One TOML manifest file, alone (the compatibility path). */
  | { kind: "manifest"; file: string }
  /** The TOML cascade: user manifest → project manifest (walked up from `projectStart`) → `overlay`. */
  | { kind: "cascade"; projectStart?: string; overlay?: string };

/** The source used when a request names none: the default profile. */
export const DEFAULT_SOURCE = { kind: "profile", selector: "default" } as const;

/** One launch: what to create, resume or re-resolve, where, and how. Only `name`/`session` and
 * `source` depend on the use case; everything else has a default. */
export interface LaunchRequest {
  /** create: where the manifest comes from (default: the default profile). */
  source?: LaunchSource;
  /**
   * create: the new Pod's name (chosen by the user: a taken name is `pod_exists`; without one the
   * manifest's name, suffixed `-2`, `-3`… when taken). resume, reload: the Pod.
   */
  name?: string;
  /** resume: the Pod that owns this session id (instead of `name`). */
  session?: string;
  /** Pod store directory (default `<data_dir>/sessions`); relative to `cwd`. */
  store?: string;
  /** Launch workspace, an existing directory (default: `cwd`; reload: the recorded one). */
  workspace?: string;
  /** Nix evaluation limit in ms (default `INSOMNIA_EVAL_TIMEOUT`, else 30 s). */
  timeoutMs?: number;
  /** create: fail with `secret_unresolved` unless every secret reference resolves. */
  checkSecrets?: boolean;
  /** Evaluate Nix profiles without the sandbox (`--impure-eval`; src/nix/sandbox.ts). */
  impureEval?: boolean;
  /**
   * Trust every project for this run (`--trust`; also `INSOMNIA_TRUST_ALL=1`). Default: a
   * project's profiles and TOML layer are used only when the project is trusted.
   */
  trustAll?: boolean;
  /** Evaluate with Nix even when the evaluation cache holds the result (`--no-cache`). */
  noCache?: boolean;
  /** Environment (default: the process environment). */
  env?: Env;
  /** Working directory for relative paths and selectors (default: the process cwd). */
  cwd?: string;
  /** Cancels a running evaluation. */
  signal?: AbortSignal;
  /** Told each warning of the resolved manifest as soon as it is known (results list them too). */
  onWarning?: (message: string) => void;
  /** Told each note on how the source was read (a builtin shadowed by the user's profile). */
  onNote?: (message: string) => void;
  /** Wraps the slow step (the Nix evaluation), e.g. to show a spinner; resolves like `work`. */
  progress?: <T>(label: string, work: Promise<T>) => Promise<T>;
}

/** The request the root command's options (or the dialog's plan, in the same terms) stand for. */
export function launchRequest(options: LaunchOptions): LaunchRequest {
  const source: LaunchSource = options.manifest
    ? { kind: "manifest", file: options.manifest }
    : isOn(options, "manifestCascade")
    ? { kind: "cascade", projectStart: options.project, overlay: options.overlay }
    : { kind: "profile", selector: options.profile ?? DEFAULT_SOURCE.selector };
  return {
    source,
    name: options.profilePodName ?? options.pod,
    session: options.session,
    store: options.store,
    workspace: options.workspace,
    timeoutMs: options.evalTimeout === undefined
      ? undefined
      : parseDuration(options.evalTimeout, longFlag("evalTimeout")),
    checkSecrets: options.checkSecrets,
    impureEval: options.impureEval,
    trustAll: options.trust,
    noCache: options.cache === false,
  };
}
