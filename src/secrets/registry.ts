/**
 * Process-wide list of secret values resolved in this process, so redaction can hide them even
 * when they have no recognisable format.
 * @module
 */

/** Values shorter than this are never registered (too likely to hit ordinary text). */
export const MIN_REGISTERED_LENGTH = 8;
/** Values at least this long are registered whatever characters they use. */
const ALWAYS_REGISTERED_LENGTH = 20;

/**
 * Whether `value` is distinctive enough to be hidden by matching it in any text: at least
 * {@link MIN_REGISTERED_LENGTH} characters, and either {@link ALWAYS_REGISTERED_LENGTH} or more or
 * three of the four kinds lower case, upper case, digit, other. A common word (`write`,
 * `anthropic`) or a manifest keyword (`secret_ref`, `workspace_path`: lower case and `_` only)
 * never is, so redaction can never rewrite an enum or identifier field of a manifest, and the
 * plaintext gate never mistakes one for a secret. Such a value is still used, just not matched.
 */
export function isRedactableValue(value: string): boolean {
  if (value.length < MIN_REGISTERED_LENGTH) return false;
  if (value.length >= ALWAYS_REGISTERED_LENGTH) return true;
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(value));
  return kinds.length >= 3;
}

const values = new Set<string>();
let sorted: string[] | undefined;
let generation = 0;

/**
 * Registers a resolved secret value for redaction by `redactText`. Values that are not
 * {@link isRedactableValue} are ignored. The JSON-escaped spelling is registered too, so the value
 * is also hidden inside serialised JSON.
 */
export function registerSecretValue(value: string): void {
  if (typeof value !== "string" || !isRedactableValue(value)) return;
  values.add(value);
  const escaped = JSON.stringify(value).slice(1, -1);
  if (escaped !== value) values.add(escaped);
  const trimmed = value.trim();
  if (trimmed !== value && isRedactableValue(trimmed)) values.add(trimmed);
  sorted = undefined;
  generation++;
}

/** A number that changes whenever the registered values change (for caches derived from them). */
export function registeredSecretsGeneration(): number {
  return generation;
}

/** Registered values, longest first (so a value containing another is replaced whole). */
export function registeredSecretValues(): readonly string[] {
  if (!sorted) sorted = [...values].sort((a, b) => b.length - a.length);
  return sorted;
}

/** Forgets every registered value. For tests only. */
export function resetRegisteredSecretValues(): void {
  values.clear();
  sorted = undefined;
  generation++;
}
