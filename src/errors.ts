/**
 * Typed errors shared by every step of the pipeline.
 *
 * Every failure the product reports carries a stable {@link ErrorCode}; the CLI maps codes to exit
 * statuses (2 for usage errors, 1 for everything else) and to the `--json` error object.
 * @module
 */

/** Stable error codes. Add new ones when needed; never rename an existing one. */
export const ERROR_CODES = [
  "usage",
  "manifest_parse",
  "manifest_invalid",
  "selector_invalid",
  "profile_not_found",
  "profile_ambiguous",
  "no_default_profile",
  "registry_invalid",
  "nix_unavailable",
  "nix_eval_failed",
  "nix_eval_timeout",
  "nix_eval_cancelled",
  "nix_eval_memory",
  "artifact_invalid",
  "artifact_format_unsupported",
  "secret_plaintext",
  "secret_unresolved",
  "secret_ref_invalid",
  "pod_exists",
  "profile_exists",
  "pod_not_found",
  "pod_name_invalid",
  "snapshot_invalid",
  "store_io",
  "cancelled",
  "permission_denied",
  "scope_violation",
  "project_untrusted",
  "profile_drift",
  "internal",
] as const;

/** One of the stable error codes in {@link ERROR_CODES}. */
export type ErrorCode = typeof ERROR_CODES[number];

/** Extra structured context attached to an error (never secret values). */
export interface ErrorDetails {
  /** Dotted field path inside a manifest or artifact, e.g. `scope.allow[0].target`. */
  field?: string;
  /** File the error is about, when there is one. */
  file?: string;
  /** 1-based line in {@link file}. */
  line?: number;
  /** 1-based column in {@link file}. */
  column?: number;
  /** Anything else a machine reader may want (lists of choices, paths of trace files, …). */
  [key: string]: unknown;
}

/**
 * The one error type of the product: a code, a one-paragraph message and optional details.
 *
 * @example
 * ```ts
 * import { InsomniaError } from "./errors.ts";
 * const error = new InsomniaError("usage", "--pod needs a name", { field: "--pod" });
 * console.log(error.exitCode); // 2
 * ```
 */
export class InsomniaError extends Error {
  /** Stable code; see {@link ERROR_CODES}. */
  readonly code: ErrorCode;
  /** Structured context for `--json` output. */
  readonly details: ErrorDetails;

  /** Creates an error with a stable code and a human message. */
  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = "InsomniaError";
    this.code = code;
    this.details = details;
  }

  /** Process exit status: 2 for usage errors, 130 for cancellation (Esc, Ctrl-C), else 1. */
  get exitCode(): number {
    if (this.code === "usage") return 2;
    if (this.code === "cancelled" || this.code === "nix_eval_cancelled") return 130;
    return 1;
  }
}

/**
 * True when `value` is an {@link InsomniaError}.
 *
 * @example
 * ```ts
 * import { InsomniaError, isInsomniaError } from "./errors.ts";
 * const error: unknown = new InsomniaError("pod_not_found", "no Pod named coder");
 * if (isInsomniaError(error)) console.log(error.code, error.exitCode); // pod_not_found 1
 * ```
 */
export function isInsomniaError(value: unknown): value is InsomniaError {
  return value instanceof InsomniaError;
}

/**
 * Maps the runtime's own permission refusal (Deno's `NotCapable`, thrown when the process was
 * started without e.g. `--allow-sys=uid`) to `permission_denied`, naming what to grant; any other
 * value gives undefined. Without this a missing permission would read as "Nix is not installed".
 *
 * @example
 * ```ts
 * import { runtimePermissionError } from "./errors.ts";
 * const denied = new Error('Requires sys access to "uid", run again with the --allow-sys flag');
 * denied.name = "NotCapable";
 * runtimePermissionError(denied)?.code; // "permission_denied"
 * ```
 */
export function runtimePermissionError(value: unknown): InsomniaError | undefined {
  if (
    !(value instanceof Error) || (value.name !== "NotCapable" && value.name !== "PermissionDenied")
  ) {
    return undefined;
  }
  const flag = /--allow-[a-z]+/.exec(value.message)?.[0];
  return new InsomniaError(
    "permission_denied",
    `the Deno runtime refused an operation insomnia-pod needs (${value.message}). Grant it` +
      `${
        flag ? ` with ${flag}` : ""
      }; the library needs --allow-read, --allow-write, --allow-env, ` +
      `--allow-run=nix,/bin/sh and --allow-sys=uid (see "Permissions" in docs/library.md), the CLI -A.`,
    flag ? { flag } : {},
  );
}

/**
 * Wraps any thrown value as an {@link InsomniaError} without leaking a stack trace.
 *
 * @example
 * ```ts
 * import { toInsomniaError } from "./errors.ts";
 * const failure = toInsomniaError(new Error("boom"));
 * console.log(failure.code); // internal
 * ```
 */
export function toInsomniaError(value: unknown): InsomniaError {
  if (value instanceof InsomniaError) return value;
  const denied = runtimePermissionError(value);
  if (denied) return denied;
  const message = value instanceof Error ? value.message : String(value);
  return new InsomniaError("internal", `unexpected internal error: ${message}`);
}
