/**
 * Small predicates over parsed JSON/TOML data.
 * @module
 */

/** True for a plain object (a JSON object / TOML table), not null or an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
