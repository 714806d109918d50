/**
 * Human-readable summaries of a resolved manifest: the things a person checks before launching a
 * Pod (model, auth reference, scope, permissions, compaction and memory thresholds, web).
 * @module
 */
import type { PodManifest, ResolvedModel } from "./schema.ts";
import { oneLine } from "../terminal_text.ts";

/** Describes an auth reference without any secret value. */
export function describeAuth(auth: ResolvedModel["auth"]): string {
  switch (auth.kind) {
    case "secret_ref":
      return `secret_ref ${auth.ref}`;
    case "api_key":
      return `api_key (${
        [auth.env && `env ${auth.env}`, auth.file && `file ${auth.file}`].filter(Boolean).join(
          ", ",
        ) || "scheme default env"
      })`;
    default:
      return auth.kind;
  }
}

/** Describes a model in one line. */
export function describeModel(model: ResolvedModel): string {
  const ref = model.ref ? `${model.ref}` : `${model.scheme}/${model.model_id}`;
  return `${ref} (${model.scheme}, context ${model.context_window})`;
}

/** The summary lines of a manifest, as `key: value` rows. */
export function summaryRows(manifest: PodManifest): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  rows.push(["model", describeModel(manifest.model)]);
  rows.push(["auth", describeAuth(manifest.model.auth)]);
  if (manifest.worker.reasoning !== undefined) {
    rows.push(["reasoning", String(manifest.worker.reasoning)]);
  }
  for (const rule of manifest.scope.allow) {
    rows.push([
      "scope",
      `${rule.permission} ${rule.target}${rule.recursive ? "" : " (non-recursive)"}`,
    ]);
  }
  for (const rule of manifest.scope.deny) rows.push(["deny", `${rule.permission} ${rule.target}`]);
  if (manifest.permissions) {
    const rules = manifest.permissions.rule.map((r) =>
      `${r.action} ${r.tool}${r.pattern ? ` ${r.pattern}` : ""}`
    );
    rows.push([
      "permissions",
      `default ${manifest.permissions.default_action}${
        rules.length ? "; " + rules.join(", ") : ""
      }`,
    ]);
  } else {
    rows.push(["permissions", "off (every tool allowed within scope)"]);
  }
  const c = manifest.compaction;
  rows.push([
    "compaction",
    c
      ? `threshold ${c.threshold ?? "off"}, request ${
        c.request_threshold ?? "off"
      }, worker context ${c.worker_context_max_tokens}, retained ${c.retained_tokens}`
      : "off",
  ]);
  const m = manifest.memory;
  rows.push([
    "memory",
    m
      ? `on (extract ${m.extract_threshold ?? "manual"}, consolidate ${
        m.consolidation_threshold_files ?? "-"
      } files / ${m.consolidation_threshold_bytes ?? "-"} bytes)`
      : "off",
  ]);
  const web = manifest.web;
  const search = web.search?.enabled
    ? `search ${web.search.provider ?? "brave"}${
      web.search.api_key_env ? ` (env ${web.search.api_key_env})` : ""
    }`
    : undefined;
  const fetch = web.fetch?.enabled ? "fetch" : undefined;
  rows.push([
    "web",
    web.enabled ? [search, fetch].filter(Boolean).join(", ") || "enabled (no tools on)" : "off",
  ]);
  if (manifest.skills.directories.length) {
    rows.push(["skills", manifest.skills.directories.join(", ")]);
  }
  return rows;
}

/** Renders rows as aligned `key: value` lines with an indent. */
export function renderRows(rows: Array<[string, string]>, indent = "  "): string {
  let width = 0;
  for (const [k] of rows) width = Math.max(width, k.length);
  // Each value is one line, whatever a file put in it (a newline in a description or path).
  return rows.map(([k, v]) => `${indent}${(k + ":").padEnd(width + 1)} ${oneLine(v)}`).join("\n");
}
