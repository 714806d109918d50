/**
 * Process-wide list of secret values resolved in this process, so redaction can hide them even
 * when they have no recognisable format.
 * @module
 */

/** Values shorter than this are not registered (too likely to hit ordinary text). */
export const MIN_REGISTERED_LENGTH = 4;

const values = new Set<string>();
let sorted: string[] | undefined;
let generation = 0;

/**
 * Registers a resolved secret value for redaction by `redactText`. Values shorter than
 * {@link MIN_REGISTERED_LENGTH} characters are ignored. The JSON-escaped spelling is registered too,
 * so the value is also hidden inside serialised JSON.
 */
export function registerSecretValue(value: string): void {
  if (typeof value !== "string" || value.length < MIN_REGISTERED_LENGTH) return;
  values.add(value);
  const escaped = JSON.stringify(value).slice(1, -1);
  if (escaped !== value) values.add(escaped);
  const trimmed = value.trim();
  if (trimmed !== value && trimmed.length >= MIN_REGISTERED_LENGTH) values.add(trimmed);
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
