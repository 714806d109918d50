/**
 * Layer merging with one declared rule per field (documented in docs/manifest.md):
 * - `replace`: the upper layer's value replaces the lower one whole (scalars, model sections, …);
 * - `append`: lists are concatenated, lower first (scope rules, permission rules, skills);
 * - `per_key`: maps merge key by key, upper wins (`worker.tool_output.per_tool`);
 * - `fields`: tables merge field by field, each field by its own rule;
 * - `model`: a model section merges field by field like the original (yoi `ModelManifest::merge`),
 *   except that an upper `ref` without an inline identity re-selects the model: the lower layer's
 *   `scheme`, `model_id` and `base_url` (which describe another model) are dropped first.
 * @module
 */
import type { ManifestConfig } from "./schema.ts";
import { isRecord } from "../json.ts";

/** How a field combines across layers. */
export type MergeRule = "replace" | "append" | "per_key" | "fields" | "model";

/** Fields whose rule is not the default (`fields` for tables, `replace` for everything else). */
export const MERGE_RULES: Record<string, MergeRule> = {
  "model": "model",
  "model.auth": "replace",
  "model.capability": "replace",
  "compaction.model": "model",
  "compaction.model.auth": "replace",
  "compaction.model.capability": "replace",
  "memory.extract_model": "replace",
  "memory.consolidation_model": "replace",
  "scope.allow": "append",
  "scope.deny": "append",
  "permissions.rule": "append",
  "skills.directories": "append",
  "worker.stop_sequences": "replace",
  "worker.tool_output.per_tool": "per_key",
};

/** The rule for a dotted field path. */
export function mergeRuleFor(field: string, upper: unknown): MergeRule {
  return MERGE_RULES[field] ?? (isRecord(upper) ? "fields" : "replace");
}

const IDENTITY = ["scheme", "model_id", "base_url"] as const;

/** The lower model without the identity an upper `ref` replaces (see the module doc). */
function withoutStaleIdentity(
  lower: Record<string, unknown>,
  upper: Record<string, unknown>,
): Record<string, unknown> {
  if (upper.ref === undefined || IDENTITY.some((key) => upper[key] !== undefined)) return lower;
  const kept = { ...lower };
  for (const key of IDENTITY) delete kept[key];
  return kept;
}

function mergeAt(field: string, lower: unknown, upper: unknown, rule?: MergeRule): unknown {
  if (upper === undefined) return lower;
  if (lower === undefined) return upper;
  switch (rule ?? mergeRuleFor(field, upper)) {
    case "append":
      return [...(lower as unknown[]), ...(upper as unknown[])];
    case "per_key":
      return { ...(lower as object), ...(upper as object) };
    case "model":
      if (!isRecord(lower) || !isRecord(upper)) return upper;
      return mergeAt(field, withoutStaleIdentity(lower, upper), upper, "fields");
    case "fields": {
      if (!isRecord(lower)) return upper;
      const out: Record<string, unknown> = { ...lower };
      for (const [key, value] of Object.entries(upper as Record<string, unknown>)) {
        out[key] = mergeAt(field === "" ? key : `${field}.${key}`, lower[key], value);
      }
      return out;
    }
    default:
      return upper;
  }
}

/**
 * Merges `upper` over `lower` following {@link MERGE_RULES}.
 *
 * @example
 * ```ts
 * import { mergeConfigs } from "./merge.ts";
 * const merged = mergeConfigs({ web: { fetch: { enabled: true, timeout_secs: 10 } } }, {
 *   web: { fetch: { enabled: false } },
 * });
 * console.log(merged.web?.fetch); // { enabled: false, timeout_secs: 10 }
 * ```
 */
export function mergeConfigs(lower: ManifestConfig, upper: ManifestConfig): ManifestConfig {
  return mergeAt("", lower, upper) as ManifestConfig;
}
