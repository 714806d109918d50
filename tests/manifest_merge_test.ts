/**
 * Layer merging (src/manifest/merge.ts): one test per rule in MERGE_RULES and for the defaults
 * (`fields` for tables, `replace` for everything else). docs/manifest.md documents the same table.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { MERGE_RULES, mergeConfigs, mergeRuleFor } from "../src/manifest/merge.ts";
import { type ManifestConfig, ManifestConfigSchema } from "../src/manifest/schema.ts";
import { knownKeysAt } from "../src/manifest/validate.ts";

/** The documented rule table (docs/manifest.md, "Merge rules"). A change here needs a doc change. */
const DOCUMENTED_RULES = {
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

Deno.test("merge: MERGE_RULES is exactly the documented table", () => {
  assert.deepEqual(MERGE_RULES, DOCUMENTED_RULES);
});

Deno.test("merge: mergeRuleFor falls back to fields for tables and replace for the rest", () => {
  for (const [field, rule] of Object.entries(MERGE_RULES)) {
    assert.equal(mergeRuleFor(field, {}), rule, field);
    assert.equal(mergeRuleFor(field, 1), rule, field);
  }
  assert.equal(mergeRuleFor("worker", {}), "fields");
  assert.equal(mergeRuleFor("worker.tool_output", {}), "fields");
  assert.equal(mergeRuleFor("web.search", {}), "fields");
  assert.equal(mergeRuleFor("worker.max_tokens", 3), "replace");
  assert.equal(mergeRuleFor("pod.name", "x"), "replace");
  assert.equal(mergeRuleFor("worker.stop_sequences", ["a"]), "replace");
});

const rule = (target: string, permission: "read" | "write" = "read") => ({ target, permission });

Deno.test("merge: replace — scalars: the upper layer wins, a missing upper keeps the lower", () => {
  const lower: ManifestConfig = {
    pod: { name: "lower", prompt_pack: "/lower/pack.toml" },
    worker: { max_tokens: 100, temperature: 0.1, instruction: "$user/a" },
    session: { record_event_trace: true },
  };
  const upper: ManifestConfig = {
    pod: { name: "upper" },
    worker: { max_tokens: 200 },
    session: { record_event_trace: false },
  };
  assert.deepEqual(mergeConfigs(lower, upper), {
    pod: { name: "upper", prompt_pack: "/lower/pack.toml" },
    worker: { max_tokens: 200, temperature: 0.1, instruction: "$user/a" },
    session: { record_event_trace: false },
  });
});

Deno.test("merge: model — field by field like the original; auth and capability whole", () => {
  // The case: a user `model.ref` plus a project `model.context_window`.
  assert.deepEqual(
    mergeConfigs({ model: { ref: "anthropic/claude-sonnet-4-6" } }, {
      model: { context_window: 64000 },
    }).model,
    { ref: "anthropic/claude-sonnet-4-6", context_window: 64000 },
  );
  const lower: ManifestConfig = {
    model: {
      scheme: "anthropic",
      model_id: "claude-opus-4-1",
      auth: { kind: "api_key", env: "A" },
      context_window: 100,
      capability: { vision: true, tool_calling: "parallel" },
    },
  };
  const upper: ManifestConfig = {
    model: { model_id: "claude-sonnet-4-6", capability: { vision: false } },
  };
  assert.deepEqual(mergeConfigs(lower, upper).model, {
    scheme: "anthropic",
    model_id: "claude-sonnet-4-6",
    auth: { kind: "api_key", env: "A" },
    context_window: 100,
    capability: { vision: false }, // replaced whole, not mixed
  });
  assert.deepEqual(mergeConfigs(lower, {}).model, lower.model);
});

Deno.test("merge: model — an upper ref re-selects the model: the lower inline identity goes", () => {
  const lower: ManifestConfig = {
    model: {
      scheme: "anthropic",
      model_id: "claude-opus-4-1",
      base_url: "https://proxy.example",
      auth: { kind: "api_key", env: "A" },
      context_window: 100,
    },
  };
  // The anchor kept the lower model_id next to the upper ref (a different model); the ref wins,
  // the rest (auth, window) still merges.
  assert.deepEqual(mergeConfigs(lower, { model: { ref: "codex-oauth/gpt-5" } }).model, {
    ref: "codex-oauth/gpt-5",
    auth: { kind: "api_key", env: "A" },
    context_window: 100,
  });
  // An upper layer that names its own identity keeps the field-by-field rule.
  assert.deepEqual(
    mergeConfigs(lower, { model: { ref: "anthropic/x", model_id: "claude-sonnet-4-6" } }).model
      ?.scheme,
    "anthropic",
  );
});

Deno.test("merge: model — compaction.model merges field by field too", () => {
  const merged = mergeConfigs(
    { compaction: { threshold: 1, model: { ref: "anthropic/claude-sonnet-4-6" } } },
    { compaction: { retained_tokens: 2, model: { context_window: 50000 } } },
  );
  assert.deepEqual(merged.compaction, {
    threshold: 1,
    retained_tokens: 2,
    model: { ref: "anthropic/claude-sonnet-4-6", context_window: 50000 },
  });
});

for (const key of ["memory.extract_model", "memory.consolidation_model"]) {
  Deno.test(`merge: replace — ${key} is replaced whole, its section's other fields merge`, () => {
    const [section, field] = key.split(".") as ["compaction" | "memory", string];
    const lowerModel = { scheme: "gemini", model_id: "flash", auth: { kind: "none" } };
    const upperModel = { ref: "anthropic/claude-sonnet-4-6" };
    const lower = {
      [section]: { [field]: lowerModel, ...(section === "compaction" ? { threshold: 1 } : {}) },
    } as ManifestConfig;
    const upper = {
      [section]: {
        [field]: upperModel,
        ...(section === "compaction" ? { retained_tokens: 2 } : { language: "English" }),
      },
    } as ManifestConfig;
    const merged = mergeConfigs(lower, upper) as Record<string, Record<string, unknown>>;
    assert.deepEqual(merged[section][field], upperModel);
    if (section === "compaction") {
      assert.deepEqual(merged.compaction, { model: upperModel, threshold: 1, retained_tokens: 2 });
    } else assert.deepEqual(merged.memory, { [field]: upperModel, language: "English" });
  });
}

Deno.test("merge: append — scope.allow and scope.deny concatenate, lower first", () => {
  const lower: ManifestConfig = {
    scope: { allow: [rule("/a"), rule("/b", "write")], deny: [rule("/a/secret")] },
  };
  const upper: ManifestConfig = { scope: { allow: [rule("/c")], deny: [rule("/b/x", "write")] } };
  assert.deepEqual(mergeConfigs(lower, upper).scope, {
    allow: [rule("/a"), rule("/b", "write"), rule("/c")],
    deny: [rule("/a/secret"), rule("/b/x", "write")],
  });
  // one side missing: the other list unchanged
  assert.deepEqual(mergeConfigs(lower, { scope: { allow: [rule("/d")] } }).scope, {
    allow: [rule("/a"), rule("/b", "write"), rule("/d")],
    deny: [rule("/a/secret")],
  });
  // identical rules are kept twice (order and count are what the layers said)
  assert.equal(
    mergeConfigs({ scope: { allow: [rule("/a")] } }, { scope: { allow: [rule("/a")] } }).scope
      ?.allow?.length,
    2,
  );
  // an empty upper list adds nothing; it cannot clear the lower rules
  assert.deepEqual(mergeConfigs(lower, { scope: { allow: [] } }).scope?.allow, lower.scope?.allow);
});

Deno.test("merge: append — permissions.rule concatenates; default_action replaces", () => {
  const lower: ManifestConfig = {
    permissions: { default_action: "deny", rule: [{ tool: "bash", action: "ask" }] },
  };
  const upper: ManifestConfig = {
    permissions: { default_action: "allow", rule: [{ tool: "web_fetch", action: "deny" }] },
  };
  assert.deepEqual(mergeConfigs(lower, upper).permissions, {
    default_action: "allow",
    rule: [{ tool: "bash", action: "ask" }, { tool: "web_fetch", action: "deny" }],
  });
  // an upper layer that only adds rules keeps the lower default action
  assert.deepEqual(
    mergeConfigs(lower, { permissions: { rule: [{ tool: "x", action: "allow" }] } }).permissions,
    {
      default_action: "deny",
      rule: [{ tool: "bash", action: "ask" }, { tool: "x", action: "allow" }],
    },
  );
});

Deno.test("merge: append — skills.directories concatenates", () => {
  assert.deepEqual(
    mergeConfigs({ skills: { directories: ["/a", "/b"] } }, { skills: { directories: ["/c"] } })
      .skills,
    { directories: ["/a", "/b", "/c"] },
  );
});

Deno.test("merge: replace — worker.stop_sequences is replaced whole", () => {
  assert.deepEqual(
    mergeConfigs(
      { worker: { stop_sequences: ["A", "B"], max_tokens: 5 } },
      { worker: { stop_sequences: ["C"] } },
    ).worker,
    { stop_sequences: ["C"], max_tokens: 5 },
  );
  assert.deepEqual(
    mergeConfigs({ worker: { stop_sequences: ["A"] } }, { worker: { stop_sequences: [] } }).worker
      ?.stop_sequences,
    [],
  );
});

Deno.test("merge: per_key — worker.tool_output.per_tool merges key by key, upper wins", () => {
  const merged = mergeConfigs(
    { worker: { tool_output: { default_max_bytes: 10, per_tool: { bash: 1, read: 2 } } } },
    { worker: { tool_output: { per_tool: { bash: 3, grep: 4 } } } },
  );
  assert.deepEqual(merged.worker?.tool_output, {
    default_max_bytes: 10,
    per_tool: { bash: 3, read: 2, grep: 4 },
  });
});

Deno.test("merge: fields — nested tables merge field by field at every depth", () => {
  const lower: ManifestConfig = {
    web: {
      enabled: true,
      search: { enabled: true, provider: "brave", timeout_secs: 5, country: "JP" },
      fetch: { redirect_limit: 2 },
    },
    memory: { language: "Japanese", query_result_limit: 5 },
    worker: { file_upload: { max_bytes: 1 }, tool_output: { default_max_bytes: 9 } },
    compaction: { threshold: 10, retained_tokens: 20 },
  };
  const upper: ManifestConfig = {
    web: { search: { timeout_secs: 9 }, fetch: { enabled: false } },
    memory: { query_result_limit: 7 },
    worker: { tool_output: { per_tool: { bash: 1 } } },
    compaction: { request_threshold: 30 },
  };
  assert.deepEqual(mergeConfigs(lower, upper), {
    web: {
      enabled: true,
      search: { enabled: true, provider: "brave", timeout_secs: 9, country: "JP" },
      fetch: { redirect_limit: 2, enabled: false },
    },
    memory: { language: "Japanese", query_result_limit: 7 },
    worker: {
      file_upload: { max_bytes: 1 },
      tool_output: { default_max_bytes: 9, per_tool: { bash: 1 } },
    },
    compaction: { threshold: 10, retained_tokens: 20, request_threshold: 30 },
  });
});

Deno.test("merge: a workspace-path or string value is replaced, not merged as a table", () => {
  const merged = mergeConfigs(
    {
      pod: { prompt_pack: { kind: "workspace_path", path: "a" } },
      memory: { workspace_root: "/x" },
    },
    {
      pod: { prompt_pack: "/b" },
      memory: { workspace_root: { kind: "workspace_path", path: "m" } },
    },
  );
  assert.deepEqual(merged.pod, { prompt_pack: "/b" });
  assert.deepEqual(merged.memory, { workspace_root: { kind: "workspace_path", path: "m" } });
});

Deno.test("merge: three layers fold left (user → project → overlay) and inputs are not mutated", () => {
  const user: ManifestConfig = {
    pod: { name: "u" },
    scope: { allow: [rule("/u")] },
    worker: { tool_output: { per_tool: { a: 1 } } },
  };
  const project: ManifestConfig = {
    scope: { allow: [rule("/p")] },
    worker: { tool_output: { per_tool: { b: 2 } } },
  };
  const overlay: ManifestConfig = { pod: { name: "o" }, scope: { deny: [rule("/p/x")] } };
  const snapshot = structuredClone([user, project, overlay]);
  const merged = [user, project, overlay].reduce(mergeConfigs, {} as ManifestConfig);
  assert.deepEqual(merged, {
    pod: { name: "o" },
    scope: { allow: [rule("/u"), rule("/p")], deny: [rule("/p/x")] },
    worker: { tool_output: { per_tool: { a: 1, b: 2 } } },
  });
  assert.deepEqual([user, project, overlay], snapshot);
});

Deno.test("merge: empty layers are neutral", () => {
  const layer: ManifestConfig = { pod: { name: "x" }, scope: { allow: [rule("/a")] } };
  assert.deepEqual(mergeConfigs({}, layer), layer);
  assert.deepEqual(mergeConfigs(layer, {}), layer);
  assert.deepEqual(mergeConfigs({}, {}), {});
});

// ---- docs/manifest.md stays in sync --------------------------------------------------------------

/** Every field of the partial schema, tables included; replaced tables are not entered. */
function schemaFields(path: string[] = []): string[] {
  const out: string[] = [];
  for (const key of knownKeysAt(ManifestConfigSchema, path)) {
    const child = [...path, key];
    const field = child.join(".");
    out.push(field);
    const keys = knownKeysAt(ManifestConfigSchema, child);
    const isWorkspacePath = keys.join(",") === "kind,path";
    const entered = !(field in MERGE_RULES) || MERGE_RULES[field] === "model";
    if (keys.length > 0 && !isWorkspacePath && entered) {
      out.push(...schemaFields(child));
    }
  }
  return out;
}

function isTableField(field: string): boolean {
  const keys = knownKeysAt(ManifestConfigSchema, field.split("."));
  return keys.length > 0 && keys.join(",") !== "kind,path";
}

Deno.test("merge: docs/manifest.md lists every field with the rule the code applies", () => {
  const doc = readFileSync(new URL("../docs/manifest.md", import.meta.url), "utf8");
  const section = doc.split("\n## Merge rules")[1]?.split("\n## ")[0];
  assert.ok(section, "docs/manifest.md has a Merge rules section");
  const rows = new Map<string, string>();
  for (const match of section.matchAll(/^\| `([^`]+)`\s*\| `(\w+)`\s*\|/gm)) {
    rows.set(match[1], match[2]);
  }
  const fields = schemaFields();
  assert.ok(fields.length > 50, `walked ${fields.length} fields`);
  for (const field of fields) {
    assert.ok(rows.has(field), `docs/manifest.md merge table lacks ${field}`);
    const sample = isTableField(field) ? {} : 1;
    assert.equal(rows.get(field), mergeRuleFor(field, sample), `rule of ${field}`);
  }
  for (const field of rows.keys()) {
    assert.ok(fields.includes(field), `unknown field ${field} in docs`);
  }
  for (const [field, rule] of Object.entries(MERGE_RULES)) assert.equal(rows.get(field), rule);
});
