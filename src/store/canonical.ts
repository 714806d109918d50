/**
 * Canonical JSON and hashing for Pod snapshots.
 *
 * `snapshot.sha256` in a Pod record is the SHA-256 of the canonical JSON of the manifest: object
 * keys sorted recursively (UTF-16 code-unit order, the default `Array.prototype.sort` order), no
 * whitespace, and JSON value semantics (`undefined` members dropped, non-finite numbers as `null`).
 * @module
 */
import { MAX_WALK_DEPTH } from "../json_shape.ts";
import { sha256Hex } from "../sha256.ts";

/**
 * Serializes `value` as canonical JSON: keys sorted recursively, no whitespace.
 * Throws a `TypeError` when the value is not JSON-serializable (a bigint, a cycle, `undefined`)
 * or nests deeper than `MAX_WALK_DEPTH` (src/json_shape.ts).
 */
export function canonicalJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError("value is not representable as JSON");
  return JSON.stringify(sortKeys(JSON.parse(text)));
}

/** SHA-256 of the canonical JSON of `value` (the `snapshot.sha256` of a manifest). */
export function canonicalSha256(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

/** Returns a deep copy of `value` as plain JSON data (the shape it has after a write and a read). */
export function toJsonValue<T>(value: T): T {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError("value is not representable as JSON");
  return JSON.parse(text) as T;
}

function sortKeys(value: unknown, depth = 1): unknown {
  if (value === null || typeof value !== "object") return value;
  if (depth > MAX_WALK_DEPTH) {
    throw new TypeError(`value is nested more than ${MAX_WALK_DEPTH} levels deep`);
  }
  if (Array.isArray(value)) return value.map((item) => sortKeys(item, depth + 1));
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source).sort()) out[key] = sortKeys(source[key], depth + 1);
  return out;
}
