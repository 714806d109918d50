/**
 * How every message names a manifest field: `scope.allow[0].target`. Kept apart from the schema so
 * the readers that need no schema library (src/manifest/contract_check.ts) can use it too.
 * @module
 */

/**
 * Formats a path like `scope.allow[0].target`.
 *
 * @example
 * ```ts
 * import { formatPath } from "./field_path.ts";
 * formatPath(["scope", "allow", 0, "target"]); // "scope.allow[0].target"
 * ```
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}
