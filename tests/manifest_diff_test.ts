/**
 * Semantic manifest diff (src/manifest/diff.ts): changes grouped by area in a fixed order, lists
 * compared as sets (added / removed items), and the grouped text rendering.
 */
import assert from "node:assert/strict";
import { areaOf, diffManifests, type ManifestChange, renderChanges } from "../src/manifest/diff.ts";

function base() {
  return {
    pod: { name: "coder" },
    model: {
      ref: "anthropic/claude-sonnet-4-6",
      scheme: "anthropic",
      base_url: "https://api.anthropic.com",
      model_id: "claude-sonnet-4-6",
      auth: { kind: "secret_ref", ref: "llm.anthropic.default" },
      capability: { tool_calling: "parallel" },
      context_window: 200000,
    },
    worker: { instruction: "$insomnia/default", stop_sequences: ["END"] },
    scope: {
      allow: [
        { target: "/w", permission: "write", recursive: true },
        { target: "/docs", permission: "read", recursive: false },
      ],
      deny: [] as Array<{ target: string; permission: string; recursive: boolean }>,
    },
    permissions: {
      default_action: "ask",
      rule: [{ tool: "bash", pattern: "git *", action: "allow" }],
    },
    web: { enabled: false, allow_private_addresses: false },
    skills: { directories: ["/s"] },
  };
}

Deno.test("diff: identical manifests have no changes", () => {
  assert.deepEqual(diffManifests(base(), base()), []);
  assert.equal(renderChanges([]), "  no changes");
});

Deno.test("diff: areaOf maps fields to areas (auth before model)", () => {
  const cases: Array<[string, string]> = [
    ["model.auth", "auth"],
    ["model.auth.ref", "auth"],
    ["model.authority", "model"],
    ["model.context_window", "model"],
    ["model", "model"],
    ["scope.allow", "scope"],
    ["scope.allow[0]", "scope"],
    ["permissions.rule", "permissions and tools"],
    ["compaction.threshold", "compaction"],
    ["memory.language", "memory"],
    ["web.search.enabled", "web"],
    ["worker.max_turns", "worker"],
    ["skills.directories", "skills"],
    ["session.record_event_trace", "session"],
    ["pod.name", "pod"],
    ["podcast", "other"],
    ["profile", "other"],
  ];
  for (const [field, area] of cases) assert.equal(areaOf(field), area, field);
});

Deno.test("diff: scalar changes, added and removed fields", () => {
  const after = base() as Record<string, unknown> & ReturnType<typeof base>;
  after.model.context_window = 100000;
  (after.worker as Record<string, unknown>).max_turns = 5;
  delete (after.model as Record<string, unknown>).ref;
  assert.deepEqual(diffManifests(base(), after), [
    {
      area: "model",
      field: "model.context_window",
      kind: "changed",
      before: 200000,
      after: 100000,
    },
    {
      area: "model",
      field: "model.ref",
      kind: "removed",
      before: "anthropic/claude-sonnet-4-6",
    },
    { area: "worker", field: "worker.max_turns", kind: "added", after: 5 },
  ]);
});

Deno.test("diff: list items are added/removed as sets; reordering is not a change", () => {
  const after = base();
  after.scope.allow = [
    after.scope.allow[1], // reordered
    { target: "/w", permission: "read", recursive: true }, // /w write → read
  ];
  after.skills.directories = ["/s", "/t"];
  const changes = diffManifests(base(), after);
  assert.deepEqual(changes, [
    {
      area: "scope",
      field: "scope.allow",
      kind: "added",
      after: { target: "/w", permission: "read", recursive: true },
    },
    {
      area: "scope",
      field: "scope.allow",
      kind: "removed",
      before: { target: "/w", permission: "write", recursive: true },
    },
    { area: "skills", field: "skills.directories", kind: "added", after: "/t" },
  ]);
  const reordered = base();
  reordered.scope.allow.reverse();
  assert.deepEqual(diffManifests(base(), reordered), []);
});

Deno.test("diff: a whole section appearing or disappearing is one change", () => {
  const before = base() as Record<string, unknown>;
  const after = base() as Record<string, unknown>;
  delete after.permissions;
  after.compaction = { threshold: 1000 };
  assert.deepEqual(diffManifests(before, after), [
    {
      area: "permissions and tools",
      field: "permissions",
      kind: "removed",
      before: before.permissions,
    },
    { area: "compaction", field: "compaction", kind: "added", after: { threshold: 1000 } },
  ]);
});

Deno.test("diff: changes are ordered by area: auth, model, scope, permissions, …, pod, other", () => {
  const after = base() as Record<string, unknown> & ReturnType<typeof base>;
  after.pod.name = "renamed";
  after.skills.directories = [];
  after.web.enabled = true;
  after.permissions.default_action = "deny";
  after.scope.deny = [{ target: "/w/.git", permission: "write", recursive: true }];
  after.model.model_id = "other";
  after.model.auth = { kind: "secret_ref", ref: "llm.anthropic.work" };
  after.worker.stop_sequences = [];
  (after as Record<string, unknown>).extra = 1;
  (after as Record<string, unknown>).memory = { language: "English" };
  (after as Record<string, unknown>).session = { record_event_trace: true };
  const areas = diffManifests(base(), after).map((c) => c.area);
  assert.deepEqual(areas, [
    "auth",
    "model",
    "scope",
    "permissions and tools",
    "memory",
    "web",
    "worker",
    "skills",
    "session",
    "pod",
    "other",
  ]);
});

Deno.test("diff: renderChanges groups by area with ~ / + / - markers and readable rules", () => {
  const after = base();
  after.model.auth = { kind: "secret_ref", ref: "llm.anthropic.work" };
  after.model.context_window = 100000;
  after.scope.allow = [after.scope.allow[0], {
    target: "/etc",
    permission: "read",
    recursive: false,
  }];
  after.permissions.rule = [
    { tool: "web_fetch", action: "deny" } as typeof after.permissions.rule[0],
  ];
  const text = renderChanges(diffManifests(base(), after));
  assert.equal(
    text,
    [
      "  auth:",
      "    ~ model.auth.ref: llm.anthropic.default → llm.anthropic.work",
      "  model:",
      "    ~ model.context_window: 200000 → 100000",
      "  scope:",
      "    + scope.allow: read /etc (non-recursive)",
      "    - scope.allow: read /docs (non-recursive)",
      "  permissions and tools:",
      "    + permissions.rule: deny web_fetch",
      "    - permissions.rule: allow bash git *",
    ].join("\n"),
  );
});

Deno.test("diff: renderChanges shows JSON for structured values", () => {
  const changes: ManifestChange[] = [
    { area: "compaction", field: "compaction", kind: "added", after: { threshold: 5 } },
    { area: "web", field: "web.enabled", kind: "changed", before: false, after: true },
  ];
  assert.equal(
    renderChanges(changes),
    '  compaction:\n    + compaction: {"threshold":5}\n  web:\n    ~ web.enabled: false → true',
  );
});

Deno.test("diff: reordering permission rules is reported (the first matching rule wins)", () => {
  const before = base();
  before.permissions.rule = [
    { tool: "bash", action: "ask" } as typeof before.permissions.rule[0],
    { tool: "bash", pattern: "git *", action: "allow" } as typeof before.permissions.rule[0],
  ];
  const after = base();
  after.permissions.rule = [before.permissions.rule[1], before.permissions.rule[0]];
  const changes = diffManifests(before, after);
  assert.equal(changes.length, 1);
  assert.equal(changes[0].kind, "changed");
  assert.match(
    renderChanges(changes),
    /~ permissions\.rule: \[ask bash, allow bash git \*\] → \[allow bash git \*, ask bash\]/,
  );
});
