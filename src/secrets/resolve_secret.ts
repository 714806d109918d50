/**
 * The consumer boundary: turns a secret reference into a value, from the environment
 * (`INSOMNIA_SECRET_<ID>`) first, then the file store. Values travel as {@link SecretValue}, which
 * prints as `[redacted]` everywhere; only `.reveal()` gives the value.
 * @module
 */
import { InsomniaError } from "../errors.ts";
import { type Env, envValue } from "../env.ts";
import {
  listSecretIds,
  readSecretFromStore,
  registerStoredSecrets,
  secretStorePath,
} from "./file_store.ts";
import { collectSecretRefs, type SecretRef, validateSecretRefId } from "./refs.ts";
import { registerSecretValue } from "./registry.ts";
import { envVarForRef, SECRET_ENV_PREFIX } from "./secret_env.ts";

/** Where a resolved value came from. */
export type SecretBackend = "env" | "file";

/** Options of the resolver: the environment (env backend and data directory) and an optional store dir. */
export interface ResolveOptions {
  /** Read for `INSOMNIA_SECRET_<ID>` values and for the data directory of the file store. */
  env: Env;
  /** Overrides `<data_dir>/secrets` for the file backend. */
  dir?: string;
}

const REDACTED = "[redacted]";

/**
 * A resolved secret. Every way of printing it yields `[redacted]`; read it with {@link reveal}.
 *
 * @example
 * ```ts
 * import process from "node:process";
 * import { resolveSecret } from "./resolve_secret.ts";
 * const value = resolveSecret("llm.anthropic.default", { env: process.env });
 * console.log(`${value}`); // [redacted]; value.reveal() gives the plaintext
 * ```
 */
export class SecretValue {
  readonly #value: string;
  /** The reference id this value was resolved from. */
  readonly ref: string;
  /** The backend that provided it. */
  readonly backend: SecretBackend;

  /** Wraps `value` and registers it for redaction. */
  constructor(value: string, ref: string, backend: SecretBackend) {
    this.#value = value;
    this.ref = ref;
    this.backend = backend;
    registerSecretValue(value);
  }

  /** The secret itself. Pass it straight to the consumer (HTTP header, child env); never log it. */
  reveal(): string {
    return this.#value;
  }

  /** Always `[redacted]`. */
  toString(): string {
    return REDACTED;
  }

  /** Always `[redacted]` (so `JSON.stringify` never serialises the value). */
  toJSON(): string {
    return REDACTED;
  }

  /** Always `[redacted]` (template strings and `+`). */
  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  /** Deno's console/inspect hook. */
  [Symbol.for("Deno.customInspect")](): string {
    return REDACTED;
  }

  /** Node's and Bun's util.inspect hook. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return REDACTED;
  }
}

function unresolvedHint(ref: string): string {
  return `store it with \`printf %s "$KEY" | insomnia-pod secrets set ${ref}\` or set the ` +
    `environment variable ${envVarForRef(ref)}`;
}

/**
 * Resolves a secret: `INSOMNIA_SECRET_<ID>` (empty counts as unset), then the file store.
 * Throws `secret_ref_invalid` for a bad id and `secret_unresolved` when neither backend has it.
 *
 * @example
 * ```ts
 * import process from "node:process";
 * import { resolveSecret } from "./resolve_secret.ts";
 * const key = resolveSecret("llm.anthropic.default", { env: process.env });
 * console.log(String(key)); // [redacted]
 * const value: string = key.reveal(); // only at the consumer boundary
 * ```
 */
export function resolveSecret(ref: string | SecretRef, options: ResolveOptions): SecretValue {
  const id = typeof ref === "string" ? ref : ref.ref;
  validateSecretRefId(id);
  const fromEnv = envValue(options.env, envVarForRef(id));
  if (fromEnv !== undefined) return new SecretValue(fromEnv, id, "env");
  const fromFile = readSecretFromStore(id, options);
  if (fromFile !== undefined) return new SecretValue(fromFile, id, "file");
  throw new InsomniaError(
    "secret_unresolved",
    `secret "${id}" is not set: ${unresolvedHint(id)}.`,
    { ref: id, env_var: envVarForRef(id), store: secretStorePath(options) },
  );
}

/** Whether one reference of a manifest resolves, and from where (never the value). */
export interface SecretRefCheck {
  /** Field path of the reference (`model.auth`); empty when the checked value is the reference. */
  path: string;
  /** The secret id. */
  ref: string;
  /** Whether a backend provides the value. */
  resolved: boolean;
  /** The backend that provides it (the environment wins); absent when unresolved. */
  backend?: SecretBackend;
}

/**
 * Checks every secret reference of a manifest without reading values into the result. Invalid ids
 * throw `secret_ref_invalid` (with the field path); a malformed store throws `store_io`.
 *
 * @example
 * ```ts
 * import process from "node:process";
 * import { checkSecretRefs } from "./resolve_secret.ts";
 * declare const manifest: unknown; // a resolved manifest
 * for (const check of checkSecretRefs(manifest, { env: process.env })) {
 *   console.log(check.ref, check.resolved);
 * }
 * ```
 */
export function checkSecretRefs(manifest: unknown, options: ResolveOptions): SecretRefCheck[] {
  const refs = collectSecretRefs(manifest);
  for (const { path, ref } of refs) validateSecretRefId(ref, path);
  let stored: Set<string> | undefined;
  // Values found are registered for redaction (never returned), so a checked secret can never be
  // printed even if it also turned up somewhere else in the output.
  return refs.map(({ path, ref }) => {
    const fromEnv = envValue(options.env, envVarForRef(ref));
    if (fromEnv !== undefined) {
      registerSecretValue(fromEnv);
      return { path, ref, resolved: true, backend: "env" };
    }
    stored ??= new Set(listSecretIds(options));
    if (!stored.has(ref)) return { path, ref, resolved: false };
    readSecretFromStore(ref, options);
    return { path, ref, resolved: true, backend: "file" };
  });
}

/**
 * Fails with `secret_unresolved` naming every reference (and its field path) that neither backend
 * provides. Returns the checks when all resolve.
 */
export function assertSecretRefsResolve(
  manifest: unknown,
  options: ResolveOptions,
): SecretRefCheck[] {
  const checks = checkSecretRefs(manifest, options);
  const missing = checks.filter((c) => !c.resolved);
  if (missing.length === 0) return checks;
  const list = missing.map((c) =>
    `${c.path || "the value"} → "${c.ref}" (${unresolvedHint(c.ref)})`
  );
  const head = missing.length === 1
    ? "a secret reference does not resolve"
    : `${missing.length} secret references do not resolve`;
  throw new InsomniaError("secret_unresolved", `${head}: ${list.join("; ")}.`, {
    field: missing[0].path,
    ref: missing[0].ref,
    unresolved: missing.map((c) => ({ field: c.path, ref: c.ref, env_var: envVarForRef(c.ref) })),
  });
}

/**
 * One warning line per secret reference that resolves nowhere (field path and id only, never a
 * value); empty when all resolve. A reference that cannot be checked is left to `--check-secrets`.
 */
export function unresolvedSecretWarnings(manifest: unknown, options: ResolveOptions): string[] {
  let checks: SecretRefCheck[];
  try {
    checks = checkSecretRefs(manifest, options);
  } catch {
    return [];
  }
  return checks.filter((c) => !c.resolved).map((c) =>
    `secret reference "${c.ref}" (${c.path || "the value"}) does not resolve yet: ` +
    `${unresolvedHint(c.ref)} (--check-secrets makes this an error)`
  );
}

/**
 * Registers every known secret value for redaction: all `INSOMNIA_SECRET_*` values of `env` and
 * every value in the file store, so no output can show one even where it was not reached through
 * a reference (a profile reading the environment, a pasted key in a `throw`).
 *
 * @example
 * ```ts
 * import process from "node:process";
 * import { registerKnownSecrets } from "./resolve_secret.ts";
 * registerKnownSecrets(process.env); // from now on redaction knows every secret value
 * ```
 */
export function registerKnownSecrets(env: Env): void {
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith(SECRET_ENV_PREFIX) && value) registerSecretValue(value);
  }
  registerStoredSecrets({ env });
}
