/**
 * Semantic diff between two resolved manifests, grouped by what a person cares about before
 * accepting a re-resolved profile: model, auth, scope, permissions and tools, compaction, memory,
 * web, and the rest. Lists of rules are compared as sets (added / removed).
 * @module
 */
import { isRecord } from "../json.ts";

/** One change. `before`/`after` are JSON values (undefined when added/removed). */
export interface ManifestChange {
  /** Group shown to the user: `model`, `auth`, `scope`, `permissions and tools`, … or `other`. */
  area: string;
  /** Dotted field path (`model.model_id`); for a list item added or removed, the list's path. */
  field: string;
  /** `changed` also covers a reordered `permissions.rule` (rules are checked in order). */
  kind: "changed" | "added" | "removed";
  /** The old value, or the removed list item. */
  before?: unknown;
  /** The new value, or the added list item. */
  after?: unknown;
}

const AREAS: Array<[string, string]> = [
  ["model.auth", "auth"],
  ["model", "model"],
  ["scope", "scope"],
  ["permissions", "permissions and tools"],
  ["compaction", "compaction"],
  ["memory", "memory"],
  ["web", "web"],
  ["worker", "worker"],
  ["skills", "skills"],
  ["session", "session"],
  ["pod", "pod"],
];

/** The area a field belongs to. */
export function areaOf(field: string): string {
  for (const [prefix, area] of AREAS) {
    if (field === prefix || field.startsWith(prefix + ".") || field.startsWith(prefix + "[")) {
      return area;
    }
  }
  return "other";
}

function walk(before: unknown, after: unknown, field: string, out: ManifestChange[]): void {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) walk(before[key], after[key], field ? `${field}.${key}` : key, out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const b = before.map((x) => JSON.stringify(x));
    const a = after.map((x) => JSON.stringify(x));
    // Permission rules are checked in order (first match wins): a pure reordering is a change.
    const sameSet = a.length === b.length && a.every((x) => b.includes(x));
    if (field === "permissions.rule" && sameSet && a.join() !== b.join()) {
      out.push({ area: areaOf(field), field, kind: "changed", before, after });
      return;
    }
    after.forEach((item, i) => {
      if (!b.includes(a[i])) out.push({ area: areaOf(field), field, kind: "added", after: item });
    });
    before.forEach((item, i) => {
      if (!a.includes(b[i])) {
        out.push({ area: areaOf(field), field, kind: "removed", before: item });
      }
    });
    return;
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  const kind = before === undefined ? "added" : after === undefined ? "removed" : "changed";
  out.push({
    area: areaOf(field),
    field,
    kind,
    ...(before !== undefined && { before }),
    ...(after !== undefined && { after }),
  });
}

function byArea(changes: ManifestChange[]): ManifestChange[] {
  const order = AREAS.map(([, area]) => area).concat("other");
  return changes.sort((x, y) => order.indexOf(x.area) - order.indexOf(y.area));
}

/**
 * Every semantic change from `before` to `after`, ordered by area then field.
 *
 * @example
 * ```ts
 * import { diffManifests } from "./diff.ts";
 * const changes = diffManifests({ web: { fetch: true } }, { web: { fetch: false } });
 * console.log(changes.map((c) => c.field)); // [ "web.fetch" ]
 * ```
 */
export function diffManifests(before: unknown, after: unknown): ManifestChange[] {
  const out: ManifestChange[] = [];
  walk(before, after, "", out);
  return byArea(out);
}

/**
 * What creating `manifest` adds: each top-level section as `added` — the same list as
 * `diffManifests({}, manifest)`, without comparing anything.
 */
export function addedSections(manifest: Record<string, unknown>): ManifestChange[] {
  const fields = Object.keys(manifest).filter((field) => manifest[field] !== undefined).sort();
  return byArea(
    fields.map((field) => ({ area: areaOf(field), field, kind: "added", after: manifest[field] })),
  );
}

function show(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  if (isRecord(value) && "target" in value && "permission" in value) {
    return `${value.permission} ${value.target}${
      value.recursive === false ? " (non-recursive)" : ""
    }`;
  }
  if (isRecord(value) && "tool" in value && "action" in value) {
    return `${value.action} ${value.tool}${value.pattern ? ` ${value.pattern}` : ""}`;
  }
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Renders changes as grouped text lines. */
export function renderChanges(changes: ManifestChange[]): string {
  if (changes.length === 0) return "  no changes";
  const lines: string[] = [];
  let area = "";
  for (const c of changes) {
    if (c.area !== area) {
      area = c.area;
      lines.push(`  ${area}:`);
    }
    if (c.kind === "changed") lines.push(`    ~ ${c.field}: ${show(c.before)} → ${show(c.after)}`);
    else if (c.kind === "added") lines.push(`    + ${c.field}: ${show(c.after)}`);
    else lines.push(`    - ${c.field}: ${show(c.before)}`);
  }
  return lines.join("\n");
}
