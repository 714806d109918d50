/**
 * The original tool's tolerance on the TOML path (yoi `crates/manifest/src/config.rs` at
 * d77a86d5, `PodManifestConfig::from_toml`): a key it does not know (`pod.pwd`, a key of a newer
 * or older version) is ignored with a warning, not an error — except the fields it removed on
 * purpose (`reject_removed_manifest_fields`), which stay errors with a hint. Profiles, our own
 * format, stay strict.
 * @module
 */
import { InsomniaError } from "../errors.ts";
import { isRecord } from "../json.ts";
import { ManifestConfigSchema } from "./schema.ts";
import { knownKeysAt, suggestKey } from "./validate.ts";
import { COMPACTION_ALIASES, REMOVED_KEYS } from "./normalize.ts";

/**
 * Removed fields the original rejects (all of REMOVED_KEYS but `pod.pwd`, which it ignored): kept
 * here, so validation refuses them with their hint (src/manifest/normalize.ts).
 */
const REJECTED = Object.keys(REMOVED_KEYS).filter((field) => field !== "pod.pwd");
/** The historical compaction spellings are known keys: validation renames them. */
const ALIASES = Object.keys(COMPACTION_ALIASES).map((key) => `compaction.${key}`);

function dotted(path: readonly (string | number)[]): string {
  return path.map((p, i) => typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`).join("");
}

/**
 * `doc` (a parsed TOML layer, `[profiles]` already removed) without the keys the manifest schema
 * does not know, and one warning per dropped key. The fields the original rejected are kept, so
 * validation refuses them.
 */
export function tolerateUnknownKeys(
  doc: Record<string, unknown>,
  origin: string,
): { doc: Record<string, unknown>; warnings: string[] } {
  const warnings: string[] = [];
  const walk = (value: unknown, path: (string | number)[]): unknown => {
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i]));
    if (!isRecord(value)) return value;
    const known = knownKeysAt(ManifestConfigSchema, path);
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const field = dotted([...path, key]);
      if (REJECTED.includes(field) || ALIASES.includes(field)) {
        out[key] = child;
        continue;
      }
      // A table of the schema (known keys) drops what it does not know; a map keeps every key.
      if (known.length > 0 && !known.includes(key)) {
        const hint = suggestKey(key, known);
        warnings.push(
          `${origin}: unknown key ${field} ignored (as the original did)${
            hint ? `; did you mean \`${dotted([...path, hint])}\`?` : ""
          }`,
        );
        continue;
      }
      out[key] = walk(child, [...path, key]);
    }
    return out;
  };
  return { doc: walk(doc, []) as Record<string, unknown>, warnings };
}

/**
 * `error` with the keys a TOML layer had ignored added to its message, when it is a validation
 * failure: an ignored typo (`permision`) is often why a field is missing (`permission`).
 */
export function withIgnoredKeys(error: unknown, ignored: readonly string[]): unknown {
  if (!(error instanceof InsomniaError) || error.code !== "manifest_invalid") return error;
  if (ignored.length === 0) return error;
  const keys = ignored.map((w) =>
    w.replace(/^.*?: unknown key /, "").replace(/ ignored \(as the original did\)/, "")
  );
  return new InsomniaError(
    error.code,
    `${error.message} Ignored as unknown (a typo there may be the cause): ${keys.join("; ")}${
      /[.?]$/.test(keys[keys.length - 1]) ? "" : "."
    }`,
    { ...error.details, ignored: keys },
  );
}
