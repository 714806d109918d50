/**
 * The environment variables that carry secret values (`INSOMNIA_SECRET_<ID>`): their names. Pure,
 * and free of the secret store, so start-up can use it without loading the store.
 * @module
 */

/** Prefix of the environment variables that carry secret values. */
export const SECRET_ENV_PREFIX = "INSOMNIA_SECRET_";

/** Environment variable that provides secret `ref`: `llm.anthropic.default` → `INSOMNIA_SECRET_LLM_ANTHROPIC_DEFAULT`. */
export function envVarForRef(ref: string): string {
  return SECRET_ENV_PREFIX + ref.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}
