/**
 * Turns zod issues into one clear `manifest_invalid` error: every problem with its field path,
 * unknown keys with the closest known key as a suggestion.
 * @module
 */
import type * as z from "npm:zod@4.6.7/mini";
import { closest, distance } from "npm:fastest-levenshtein@1.0.16";
import { InsomniaError } from "../errors.ts";
import { type ManifestConfig, ManifestConfigSchema, PodManifestSchema } from "./schema.ts";
import type { PodManifest } from "./schema.ts";
import { normalizeManifestObject } from "./normalize.ts";
import { formatPath } from "./field_path.ts";

/** One validation problem. */
export interface FieldIssue {
  field: string;
  message: string;
}

export { formatPath } from "./field_path.ts";

// deno-lint-ignore no-explicit-any
type AnyDef = any;

function unwrap(schema: z.ZodMiniType): AnyDef {
  let def: AnyDef = (schema as AnyDef)._zod.def;
  while (["optional", "nullable", "default", "readonly", "pipe"].includes(def.type)) {
    def = (def.innerType ?? def.in)._zod.def;
  }
  return def;
}

/** Known keys of the object schema found at `path` (union members merged). */
export function knownKeysAt(schema: z.ZodMiniType, path: readonly PropertyKey[]): string[] {
  let defs: AnyDef[] = [unwrap(schema)];
  for (const part of path) {
    const next: AnyDef[] = [];
    for (const def of defs) {
      for (const d of def.type === "union" ? def.options.map(unwrap) : [def]) {
        if (d.type === "object" && typeof part === "string" && d.shape[part]) {
          next.push(unwrap(d.shape[part]));
        } else if (d.type === "array" && typeof part === "number") next.push(unwrap(d.element));
        else if (d.type === "record") next.push(unwrap(d.valueType));
      }
    }
    defs = next;
  }
  const keys = new Set<string>();
  for (const def of defs) {
    for (const d of def.type === "union" ? def.options.map(unwrap) : [def]) {
      if (d.type === "object") Object.keys(d.shape).forEach((k) => keys.add(k));
    }
  }
  return [...keys].sort();
}

/** The closest key to `key` among `known`, if it is close enough to be a plausible typo. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  if (key.length >= 3) {
    const prefixed = known.filter((k) => k.startsWith(key) || key.startsWith(k));
    if (prefixed.length === 1) return prefixed[0];
  }
  const best = closest(key, known as string[]);
  const limit = Math.max(2, Math.floor(key.length / 3));
  return distance(key, best) <= limit ? best : undefined;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value instanceof Date) {
    return "a date/time (TOML dates are not allowed here; quote the value)";
  }
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a table";
  return typeof value === "string" ? "a string" : `${typeof value}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const part of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[part];
  }
  return cur;
}

/** Converts zod issues to {@link FieldIssue}s with readable messages and suggestions. */
export function describeIssues(
  schema: z.ZodMiniType,
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of issues) {
    const path = issue.path as PropertyKey[];
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(schema, path);
      for (const key of issue.keys) {
        const field = formatPath([...path, key]);
        const hint = suggestKey(key, known);
        out.push({
          field,
          message: hint
            ? `unknown field (did you mean \`${formatPath([...path, hint])}\`?)`
            : `unknown field (known fields here: ${known.join(", ")})`,
        });
      }
      continue;
    }
    if (issue.code === "invalid_union") {
      const value = valueAt(input, path);
      const discriminated = issue as unknown as { discriminator?: string; options?: unknown[] };
      if (discriminated.discriminator) {
        out.push({
          field: formatPath(path),
          message: `must be one of ${
            (discriminated.options ?? []).map((o) => JSON.stringify(o)).join(", ")
          }` +
            (value === undefined ? "" : `, got ${JSON.stringify(value)}`),
        });
        continue;
      }
      // An object value failed every branch: report the branch that got furthest into it.
      const deeper = value !== null && typeof value === "object"
        ? issue.errors.find((errs) => errs.length > 0 && errs.every((e) => e.path.length > 0))
        : undefined;
      if (deeper) {
        const nested = deeper.map((e) => ({ ...e, path: [...path, ...e.path] }));
        out.push(...describeIssues(schema, nested as z.core.$ZodIssue[], input));
        continue;
      }
      out.push({ field: formatPath(path), message: unionMismatch(issue.errors, value) });
      continue;
    }
    const field = formatPath(path);
    const value = valueAt(input, path);
    if (issue.code === "invalid_type") {
      out.push({
        field,
        message: value === undefined
          ? `missing required field (expected ${issue.expected})`
          : `expected ${issue.expected}, got ${describeValue(value)}`,
      });
    } else if (issue.code === "invalid_value") {
      const choices = issue.values.map((v) => JSON.stringify(v)).join(", ");
      out.push({
        field,
        message: value === undefined
          ? `missing required field (one of ${choices})`
          : `must be one of ${choices}, got ${JSON.stringify(value)}`,
      });
    } else {
      out.push({ field, message: issue.message });
    }
  }
  return out;
}

/** Describes a value that matched no branch of a plain union, from what each branch expected. */
function unionMismatch(branches: readonly (readonly z.core.$ZodIssue[])[], value: unknown): string {
  const pathUnion = branches.some((errs) =>
    errs.some((e) =>
      (e.code === "invalid_value" && e.values.includes("workspace_path")) ||
      (e.code === "invalid_type" && e.expected === "object")
    )
  );
  if (pathUnion) {
    return `expected a path string or { kind = "workspace_path", path = "…" }, got ${
      describeValue(value)
    }`;
  }
  const expected = new Set<string>();
  for (const errs of branches) {
    for (const e of errs) {
      if (e.code === "invalid_type") {
        expected.add(e.expected === "int" ? "an integer" : `a ${e.expected}`);
      } else if (e.path.length === 0) expected.add(e.message.replace(/^Invalid input: /, ""));
    }
  }
  return `expected ${[...expected].join(" or ")}, got ${
    typeof value === "number" ? String(value) : describeValue(value)
  }`;
}

/** Throws one `manifest_invalid` error listing every issue. */
export function throwIssues(
  origin: string,
  issues: FieldIssue[],
  code: "manifest_invalid" | "snapshot_invalid" = "manifest_invalid",
): never {
  const list = issues.slice(0, 8).map((i) => `${i.field || "(top level)"}: ${i.message}`);
  const more = issues.length > 8 ? `; and ${issues.length - 8} more` : "";
  throw new InsomniaError(
    code,
    `${origin} is not a valid manifest: ${list.join("; ")}${more}. ` +
      `Fix the field${
        issues.length > 1 ? "s" : ""
      } named above (\`insomnia-pod schema --manifest\` lists every field).`,
    { field: issues[0]?.field, issues },
  );
}

/**
 * Validates one partial manifest layer (after normalisation); `origin` names it in messages.
 *
 * @example
 * ```ts
 * import { parseManifestConfig } from "./validate.ts";
 * const partial = parseManifestConfig({ web: { fetch: true } }, "layer.json");
 * console.log(partial.web);
 * ```
 */
export function parseManifestConfig(raw: unknown, origin: string): ManifestConfig {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new InsomniaError(
      "manifest_invalid",
      `${origin} is not a valid manifest: expected a table/object at the top level, got ${
        describeValue(raw)
      }.`,
    );
  }
  const normalized = normalizeManifestObject(raw, origin);
  const parsed = ManifestConfigSchema.safeParse(normalized);
  if (parsed.success) return parsed.data;
  throwIssues(origin, describeIssues(ManifestConfigSchema, parsed.error.issues, normalized));
}

/**
 * Validates a resolved manifest (e.g. a stored snapshot) against the runtime contract.
 *
 * @example
 * ```ts
 * import { parsePodManifest } from "./validate.ts";
 * declare const raw: unknown; // e.g. JSON.parse of a stored snapshot
 * const manifest = parsePodManifest(raw, "snapshot.json"); // throws manifest_invalid with the field
 * console.log(manifest.pod.name);
 * ```
 */
export function parsePodManifest(
  raw: unknown,
  origin: string,
  code: "manifest_invalid" | "snapshot_invalid" = "manifest_invalid",
): PodManifest {
  const parsed = PodManifestSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throwIssues(origin, describeIssues(PodManifestSchema, parsed.error.issues, raw), code);
}
