/**
 * Pre-validation rewrites of a raw manifest object: removed keys get their own message, and the
 * historical TOML aliases (`compact_threshold`, …) are renamed to their canonical names.
 * @module
 */
import { InsomniaError } from "../errors.ts";
import { isRecord } from "../json.ts";

/** Keys that existed once and were removed, with what to do instead. */
export const REMOVED_KEYS: Record<string, string> = {
  "compaction.prune_protected_turns":
    "it was removed; protect recent context by size with compaction.prune_protected_tokens",
  "memory.extract_worker_max_input_tokens":
    "it was removed; the extract worker's input is bounded by the model's context window",
  "pod.pwd": "it was removed; the Pod's working directory is the launch workspace (--workspace)",
};

/** Historical compaction key → canonical key. */
export const COMPACTION_ALIASES: Record<string, string> = {
  compact_threshold: "threshold",
  compact_request_threshold: "request_threshold",
  compact_retained_tokens: "retained_tokens",
  compact_worker_max_input_tokens: "worker_context_max_tokens",
  compact_worker_max_turns: "worker_max_turns",
  compact_auto_read_budget: "auto_read_budget_tokens",
};

/**
 * Returns a copy of `raw` with aliases renamed; throws `manifest_invalid` for removed keys or for an
 * alias given together with its canonical name. `origin` names the input in messages.
 */
export function normalizeManifestObject(raw: unknown, origin: string): unknown {
  if (!isRecord(raw)) return raw;
  for (const [dotted, advice] of Object.entries(REMOVED_KEYS)) {
    const [section, key] = dotted.split(".");
    const table = raw[section];
    if (isRecord(table) && key in table) {
      throw new InsomniaError(
        "manifest_invalid",
        `${origin}: unknown field in manifest: ${dotted} (${advice}). Remove it from the manifest.`,
        { field: dotted, removed: true },
      );
    }
  }
  const compaction = raw.compaction;
  if (!isRecord(compaction)) return raw;
  const renamed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(compaction)) {
    const canonical = Object.hasOwn(COMPACTION_ALIASES, key) ? COMPACTION_ALIASES[key] : undefined;
    if (canonical === undefined) {
      renamed[key] = value;
      continue;
    }
    if (canonical in compaction) {
      throw new InsomniaError(
        "manifest_invalid",
        `${origin}: compaction.${key} is an alias of compaction.${canonical}, and both are set. ` +
          `Keep only compaction.${canonical}.`,
        { field: `compaction.${key}` },
      );
    }
    renamed[canonical] = value;
  }
  return { ...raw, compaction: renamed };
}
