/**
 * The environment variables that carry secret values (`INSOMNIA_SECRET_<ID>`): their names, and
 * the environment without them. Pure, and free of the secret store, so the evaluator and the
 * early start of an evaluation can use it without loading the store.
 * @module
 */
import type { Env } from "../env.ts";

/** Prefix of the environment variables that carry secret values. */
export const SECRET_ENV_PREFIX = "INSOMNIA_SECRET_";

/** Environment variable that provides secret `ref`: `llm.anthropic.default` → `INSOMNIA_SECRET_LLM_ANTHROPIC_DEFAULT`. */
export function envVarForRef(ref: string): string {
  return SECRET_ENV_PREFIX + ref.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/** `env` without the `INSOMNIA_SECRET_*` variables: what child processes (nix) may see. */
export function withoutSecretEnv(env: Env): Env {
  return Object.fromEntries(
    Object.entries(env).filter(([name]) => !name.startsWith(SECRET_ENV_PREFIX)),
  );
}
