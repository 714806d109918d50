/**
 * Schema rules of the partial manifest (src/manifest/schema.ts, normalize.ts, validate.ts, toml.ts):
 * every enum, integer bound, unknown key (with its suggestion), removed key and TOML alias, plus
 * TOML syntax errors with file/line/column. Resolve-time rules live in manifest_resolve_test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InsomniaError } from "../src/errors.ts";
import { COMPACTION_ALIASES, REMOVED_KEYS } from "../src/manifest/normalize.ts";
import { ManifestConfigSchema } from "../src/manifest/schema.ts";
import type { ManifestConfig } from "../src/manifest/schema.ts";
import { parseTomlText, readTomlFile } from "../src/manifest/toml.ts";
import {
  type FieldIssue,
  formatPath,
  knownKeysAt,
  parseManifestConfig,
  parsePodManifest,
  suggestKey,
} from "../src/manifest/validate.ts";

/** Parses TOML text as one manifest layer named `t.toml`. */
function parse(toml: string): ManifestConfig {
  return parseManifestConfig(parseTomlText(toml, "t.toml"), "t.toml");
}

/** Runs `fn`, asserts it throws an InsomniaError and returns it. */
function catchError(fn: () => unknown): InsomniaError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof InsomniaError, `expected InsomniaError, got ${error}`);
    return error;
  }
  assert.fail("expected an error, but the call succeeded");
}

interface Expect {
  code?: string;
  /** `details.field` (the first issue's field). */
  field?: string;
  /** A field that must appear among `details.issues` (when it is not the first one). */
  issue?: string;
  includes?: (string | RegExp)[];
}

function expectInvalid(toml: string, expect: Expect): InsomniaError {
  const error = catchError(() => parse(toml));
  assert.equal(error.code, expect.code ?? "manifest_invalid", error.message);
  if (expect.field !== undefined) assert.equal(error.details.field, expect.field, error.message);
  if (expect.issue !== undefined) {
    const issues = error.details.issues as FieldIssue[];
    assert.ok(
      issues.some((i) => i.field === expect.issue),
      `no issue for ${expect.issue} in ${error.message}`,
    );
  }
  for (const fragment of expect.includes ?? []) {
    if (typeof fragment === "string") {
      assert.ok(error.message.includes(fragment), `"${fragment}" not in: ${error.message}`);
    } else assert.match(error.message, fragment);
  }
  // Every validation message names its input and points at the documentation or a fix.
  assert.ok(error.message.startsWith("t.toml"), error.message);
  return error;
}

// ---- enums ------------------------------------------------------------------------------------

const ENUM_CASES: Array<[string, string, string, string[]]> = [
  // [name, toml, field, allowed values]
  ["model.scheme", `[model]\nscheme = "antropic"`, "model.scheme", [
    "anthropic",
    "openai_chat",
    "openai_responses",
    "gemini",
  ]],
  [
    "scope.allow permission",
    `[[scope.allow]]\ntarget = "."\npermission = "execute"`,
    "scope.allow[0].permission",
    ["read", "write"],
  ],
  [
    "scope.deny permission",
    `[[scope.deny]]\ntarget = "."\npermission = "all"`,
    "scope.deny[0].permission",
    ["read", "write"],
  ],
  [
    "capability.tool_calling",
    `[model.capability]\ntool_calling = "many"`,
    "model.capability.tool_calling",
    ["none", "sequential", "parallel"],
  ],
  [
    "capability.structured_output",
    `[model.capability]\nstructured_output = "xml"`,
    "model.capability.structured_output",
    ["none", "json_object", "json_schema"],
  ],
  [
    "capability.reasoning",
    `[model.capability]\nreasoning = "deep"`,
    "model.capability.reasoning",
    ["effort", "budget_tokens", "both"],
  ],
  [
    "capability.prompt_caching.kind",
    `[model.capability]\nprompt_caching = { kind = "manual" }`,
    "model.capability.prompt_caching.kind",
    ["explicit", "auto"],
  ],
  [
    "permissions.default_action",
    `[permissions]\ndefault_action = "maybe"`,
    "permissions.default_action",
    ["allow", "deny", "ask"],
  ],
  [
    "permissions.rule action",
    `[[permissions.rule]]\ntool = "bash"\naction = "perhaps"`,
    "permissions.rule[0].action",
    ["allow", "deny", "ask"],
  ],
  [
    "model.auth.kind",
    `[model]\nauth = { kind = "password" }`,
    "model.auth.kind",
    ["none", "api_key", "codex_oauth", "secret_ref"],
  ],
  [
    "compaction.model.auth.kind",
    `[compaction.model]\nauth = { kind = "oauth" }`,
    "compaction.model.auth.kind",
    ["none", "api_key", "codex_oauth", "secret_ref"],
  ],
  [
    "memory.extract_model.scheme",
    `[memory.extract_model]\nscheme = "claude"`,
    "memory.extract_model.scheme",
    ["anthropic", "gemini"],
  ],
  [
    "web.search.provider",
    `[web.search]\nprovider = "google"`,
    "web.search.provider",
    ["brave"],
  ],
  [
    "workspace path kind",
    `[[scope.allow]]\ntarget = { kind = "workspace", path = "." }\npermission = "read"`,
    "scope.allow[0].target.kind",
    ["workspace_path"],
  ],
];

const BAD_VALUES = [
  "antropic",
  "execute",
  "all",
  "many",
  "xml",
  "deep",
  "manual",
  "maybe",
  "perhaps",
  "password",
  "oauth",
  "claude",
  "google",
  "workspace",
];

for (const [name, toml, field, allowed] of ENUM_CASES) {
  Deno.test(`schema: wrong enum value is rejected: ${name}`, () => {
    const bad = BAD_VALUES.find((v) => toml.includes(`"${v}"`));
    assert.ok(bad, `no bad value in ${toml}`);
    expectInvalid(toml, {
      field,
      includes: [
        `${field}: must be one of`,
        ...allowed.map((v) => `"${v}"`),
        `got "${bad}"`,
        "`insomnia-pod schema --manifest` lists every field",
      ],
    });
  });
}

Deno.test("schema: every valid enum value is accepted", () => {
  for (const scheme of ["anthropic", "openai_chat", "openai_responses", "gemini"]) {
    assert.equal(parse(`[model]\nscheme = "${scheme}"`).model?.scheme, scheme);
  }
  for (const permission of ["read", "write"]) {
    parse(`[[scope.allow]]\ntarget = "."\npermission = "${permission}"`);
  }
  for (const action of ["allow", "deny", "ask"]) {
    parse(
      `[permissions]\ndefault_action = "${action}"\n[[permissions.rule]]\ntool = "t"\naction = "${action}"`,
    );
  }
  for (const tool_calling of ["none", "sequential", "parallel"]) {
    parse(`[model.capability]\ntool_calling = "${tool_calling}"`);
  }
  for (const so of ["none", "json_object", "json_schema"]) {
    parse(`[model.capability]\nstructured_output = "${so}"`);
  }
  for (const reasoning of ["effort", "budget_tokens", "both"]) {
    parse(`[model.capability]\nreasoning = "${reasoning}"`);
  }
  parse(`[model.capability]\nprompt_caching = { kind = "auto" }`);
  parse(`[model.capability]\nprompt_caching = { kind = "explicit", max_breakpoints = 4 }`);
  for (
    const auth of [
      `{ kind = "none" }`,
      `{ kind = "api_key" }`,
      `{ kind = "api_key", env = "MY_KEY", file = "k" }`,
      `{ kind = "codex_oauth" }`,
      `{ kind = "secret_ref", ref = "llm.anthropic.default" }`,
    ]
  ) {
    parse(`[model]\nauth = ${auth}`);
  }
  parse(`[web.search]\nprovider = "brave"`);
});

// ---- integers ---------------------------------------------------------------------------------

Deno.test("schema: zero in a non-zero field (worker.max_turns = 0)", () => {
  expectInvalid(`[worker]\nmax_turns = 0`, {
    field: "worker.max_turns",
    includes: ["worker.max_turns: must be at least 1"],
  });
  assert.equal(parse(`[worker]\nmax_turns = 1`).worker?.max_turns, 1);
});

const INTEGER_FIELDS: Array<[string, (v: string) => string]> = [
  ["worker.max_tokens", (v) => `[worker]\nmax_tokens = ${v}`],
  ["worker.max_turns", (v) => `[worker]\nmax_turns = ${v}`],
  ["worker.top_k", (v) => `[worker]\ntop_k = ${v}`],
  ["worker.tool_output.default_max_bytes", (v) => `[worker.tool_output]\ndefault_max_bytes = ${v}`],
  ["worker.tool_output.per_tool.bash", (v) => `[worker.tool_output.per_tool]\nbash = ${v}`],
  ["worker.file_upload.max_bytes", (v) => `[worker.file_upload]\nmax_bytes = ${v}`],
  ["model.context_window", (v) => `[model]\ncontext_window = ${v}`],
  ["model.max_context_window", (v) => `[model]\nmax_context_window = ${v}`],
  [
    "model.capability.prompt_caching.max_breakpoints",
    (v) => `[model.capability]\nprompt_caching = { kind = "explicit", max_breakpoints = ${v} }`,
  ],
  ["compaction.threshold", (v) => `[compaction]\nthreshold = ${v}`],
  ["compaction.retained_tokens", (v) => `[compaction]\nretained_tokens = ${v}`],
  ["compaction.worker_max_turns", (v) => `[compaction]\nworker_max_turns = ${v}`],
  ["compaction.result_context_max_tokens", (v) => `[compaction]\nresult_context_max_tokens = ${v}`],
  ["memory.query_result_limit", (v) => `[memory]\nquery_result_limit = ${v}`],
  ["memory.extract_threshold", (v) => `[memory]\nextract_threshold = ${v}`],
  ["memory.consolidation_threshold_files", (v) => `[memory]\nconsolidation_threshold_files = ${v}`],
  ["web.fetch.timeout_secs", (v) => `[web.fetch]\ntimeout_secs = ${v}`],
  ["web.fetch.max_response_bytes", (v) => `[web.fetch]\nmax_response_bytes = ${v}`],
  ["web.search.timeout_secs", (v) => `[web.search]\ntimeout_secs = ${v}`],
];

for (const [field, toml] of INTEGER_FIELDS) {
  Deno.test(`schema: integer field ${field} rejects negatives, floats and strings`, () => {
    expectInvalid(toml("-5"), { field, includes: [`${field}:`, /too small|at least|>=\s*[01]/i] });
    expectInvalid(toml("1.5"), { field, includes: [`${field}: expected int`] });
    expectInvalid(toml(`"7"`), { field, includes: [`${field}: expected number, got a string`] });
    // a plain positive integer is fine
    parse(toml("7"));
  });
}

Deno.test("schema: integer upper bounds (u8 breakpoints, u32 fields)", () => {
  expectInvalid(
    `[model.capability]\nprompt_caching = { kind = "explicit", max_breakpoints = 256 }`,
    { field: "model.capability.prompt_caching.max_breakpoints", includes: ["255"] },
  );
  expectInvalid(`[worker]\nmax_tokens = 4294967296`, {
    field: "worker.max_tokens",
    includes: ["4294967295"],
  });
  parse(`[worker]\nmax_tokens = 4294967295`);
});

Deno.test("schema: worker.reasoning is an effort label or an integer budget (-1 = dynamic)", () => {
  assert.equal(parse(`[worker]\nreasoning = "high"`).worker?.reasoning, "high");
  assert.equal(
    parse(`[worker]\nreasoning = "provider-native"`).worker?.reasoning,
    "provider-native",
  );
  assert.equal(parse(`[worker]\nreasoning = -1`).worker?.reasoning, -1);
  assert.equal(parse(`[worker]\nreasoning = 2048`).worker?.reasoning, 2048);
  expectInvalid(`[worker]\nreasoning = -2`, { field: "worker.reasoning" });
  expectInvalid(`[worker]\nreasoning = ""`, { field: "worker.reasoning" });
});

// Regression (src/manifest/validate.ts, describeIssues): a failing non-object value in ANY plain
// union falls through to the path-union message, so `worker.reasoning = 1.5` is reported as
// "expected a path string or { kind = "workspace_path", … }". The message must describe the
// reasoning union (an effort string or an integer budget), not a path.
Deno.test("schema: worker.reasoning = 1.5 is reported as a reasoning value, not a path", () => {
  const error = expectInvalid(`[worker]\nreasoning = 1.5`, { field: "worker.reasoning" });
  assert.doesNotMatch(error.message, /workspace_path|path string/, error.message);
});

Deno.test("schema: wrong types name the expected and the given type", () => {
  expectInvalid(`[worker]\nmax_tokens = "x"`, {
    field: "worker.max_tokens",
    includes: ["worker.max_tokens: expected number, got a string"],
  });
  expectInvalid(`[session]\nrecord_event_trace = "yes"`, {
    field: "session.record_event_trace",
    includes: ["expected boolean, got a string"],
  });
  expectInvalid(`[worker]\nstop_sequences = "END"`, {
    field: "worker.stop_sequences",
    includes: ["expected array, got a string"],
  });
  expectInvalid(`scope = 3`, { field: "scope", includes: ["expected object, got number"] });
  expectInvalid(`[pod]\nname = ""`, {
    field: "pod.name",
    includes: ["pod.name: must not be empty"],
  });
  expectInvalid(`[web.search]\napi_key_env = "not a name"`, {
    field: "web.search.api_key_env",
    includes: ["must be an environment variable name"],
  });
});

Deno.test("schema: path fields take a string or a workspace path, nothing else", () => {
  expectInvalid(`[[scope.allow]]\ntarget = 3\npermission = "read"`, {
    field: "scope.allow[0].target",
    includes: [`expected a path string or { kind = "workspace_path", path = "…" }, got number`],
  });
  expectInvalid(`[pod]\nprompt_pack = ["a"]`, {
    field: "pod.prompt_pack",
    includes: ["expected a path string", "got a list"],
  });
  expectInvalid(`[model]\nauth = { kind = "api_key", file = 3 }`, { field: "model.auth.file" });
  expectInvalid(`[skills]\ndirectories = ["a", 3]`, { field: "skills.directories[1]" });
  expectInvalid(`[[scope.allow]]\ntarget = ""\npermission = "read"`, {
    field: "scope.allow[0].target",
  });
  expectInvalid(
    `[[scope.allow]]\ntarget = { kind = "workspace_path", pth = "." }\npermission = "read"`,
    { field: "scope.allow[0].target" },
  );
  const ok = parse(
    `[[scope.allow]]\ntarget = { kind = "workspace_path", path = "." }\npermission = "read"`,
  );
  assert.deepEqual(ok.scope?.allow?.[0].target, { kind: "workspace_path", path: "." });
});

Deno.test("schema: required fields inside a rule or a tagged table", () => {
  expectInvalid(`[[scope.allow]]\ntarget = "."`, { field: "scope.allow[0].permission" });
  expectInvalid(`[[scope.allow]]\npermission = "read"`, { field: "scope.allow[0].target" });
  expectInvalid(`[[permissions.rule]]\naction = "allow"`, {
    field: "permissions.rule[0].tool",
    includes: ["missing required field"],
  });
  expectInvalid(`[model.capability]\nprompt_caching = { kind = "explicit" }`, {
    field: "model.capability.prompt_caching.max_breakpoints",
    includes: ["missing required field"],
  });
  expectInvalid(`[model]\nauth = { kind = "secret_ref" }`, { field: "model.auth.ref" });
});

// ---- unknown keys -----------------------------------------------------------------------------

const UNKNOWN_KEY_CASES: Array<[string, string, string, string]> = [
  // [toml, unknown field, suggestion, first issue field]
  [
    `[compaction.model]\nauth = { kind = "api_key", enf = "X" }`,
    "compaction.model.auth.enf",
    "compaction.model.auth.env",
    "compaction.model.auth.enf",
  ],
  [
    `[[scope.allow]]\ntarget = "."\npermision = "read"`,
    "scope.allow[0].permision",
    "scope.allow[0].permission",
    "scope.allow[0].permission",
  ],
  [`[modle]\nref = "a/b"`, "modle", "model", "modle"],
  [`[worker.tool_ouput]\ndefault_max_bytes = 1`, "worker.tool_ouput", "worker.tool_output", ""],
  [`[web.serch]\nenabled = true`, "web.serch", "web.search", "web.serch"],
  [
    `[memory.extract_model]\nauht = { kind = "none" }`,
    "memory.extract_model.auht",
    "memory.extract_model.auth",
    "memory.extract_model.auht",
  ],
  [
    `[model.capability]\nvison = true`,
    "model.capability.vison",
    "model.capability.vision",
    "model.capability.vison",
  ],
  [
    `[compaction]\nthreshhold = 5`,
    "compaction.threshhold",
    "compaction.threshold",
    "compaction.threshhold",
  ],
  [
    `[[permissions.rule]]\ntool = "x"\naction = "allow"\npatern = "y"`,
    "permissions.rule[0].patern",
    "permissions.rule[0].pattern",
    "permissions.rule[0].patern",
  ],
];

for (const [toml, field, suggestion, first] of UNKNOWN_KEY_CASES) {
  Deno.test(`schema: unknown key ${field} suggests ${suggestion}`, () => {
    const error = expectInvalid(toml, {
      ...(first ? { field: first } : {}),
      issue: field,
      includes: [`${field}: unknown field (did you mean \`${suggestion}\`?)`],
    });
    assert.ok(Array.isArray(error.details.issues));
  });
}

// Regression (src/manifest/validate.ts, suggestKey): the edit-distance limit is
// max(2, floor(len/3)), so a truncated key such as `web.fetch.timeout` (distance 5 from
// `timeout_secs`) gets no suggestion, only the list of known fields. Fix: also suggest a known key
// that starts with (or is a prefix of) the unknown key, e.g. before the distance check:
//   const prefix = known.find((k) => k.startsWith(key) || key.startsWith(k));
//   if (key.length >= 3 && prefix) return prefix;
Deno.test("schema: unknown key web.fetch.timeout suggests web.fetch.timeout_secs", () => {
  expectInvalid(`[web.fetch]\ntimeout = 3`, {
    field: "web.fetch.timeout",
    includes: ["web.fetch.timeout: unknown field (did you mean `web.fetch.timeout_secs`?)"],
  });
});

Deno.test("schema: an unknown key with no close match lists the known fields at that level", () => {
  expectInvalid(`bogus = 1`, {
    field: "bogus",
    includes: [
      "bogus: unknown field (known fields here: compaction, memory, model, permissions, pod, scope, session, skills, web, worker)",
    ],
  });
  expectInvalid(`[web.fetch]\nzzzzzzzz = 1`, {
    field: "web.fetch.zzzzzzzz",
    includes: ["known fields here:", "timeout_secs", "redirect_limit"],
  });
});

Deno.test("schema: [profiles] is not a manifest section (the cascade strips it before validation)", () => {
  expectInvalid(`[profiles]\ndefault = "coder"`, {
    field: "profiles",
    includes: ["unknown field"],
  });
});

Deno.test("schema: several problems are reported together", () => {
  const error = expectInvalid(
    `[worker]\nmax_turns = 0\nmax_tokens = "x"\n[model]\nscheme = "bad"`,
    { includes: ["worker.max_turns", "worker.max_tokens", "model.scheme", "Fix the fields"] },
  );
  assert.equal((error.details.issues as FieldIssue[]).length, 3);
});

Deno.test("schema: more than eight problems are summarised", () => {
  const keys = Array.from({ length: 11 }, (_, i) => `unknown${i} = 1`).join("\n");
  const error = expectInvalid(keys, { includes: ["; and 3 more."] });
  assert.equal((error.details.issues as FieldIssue[]).length, 11);
});

Deno.test("schema: the top level must be a table", () => {
  for (const raw of [[], "x", 3, null]) {
    const error = catchError(() => parseManifestConfig(raw, "raw"));
    assert.equal(error.code, "manifest_invalid");
    assert.match(error.message, /raw is not a valid manifest: expected a table\/object/);
  }
});

// ---- removed keys and aliases -----------------------------------------------------------------

const REMOVED_CASES: Array<[string, string, string]> = [
  [
    "compaction.prune_protected_turns",
    `[compaction]\nprune_protected_turns = 3`,
    "prune_protected_tokens",
  ],
  [
    "memory.extract_worker_max_input_tokens",
    `[memory]\nextract_worker_max_input_tokens = 1000`,
    "context window",
  ],
  ["pod.pwd", `[pod]\npwd = "."`, "--workspace"],
];

Deno.test("schema: the removed-key table is what the tests cover", () => {
  assert.deepEqual(Object.keys(REMOVED_KEYS).sort(), REMOVED_CASES.map(([k]) => k).sort());
});

for (const [key, toml, advice] of REMOVED_CASES) {
  Deno.test(`schema: removed key ${key} has its own message`, () => {
    const error = expectInvalid(toml, {
      field: key,
      includes: [
        `t.toml: unknown field in manifest: ${key} (it was removed`,
        advice,
        "Remove it from the manifest.",
      ],
    });
    assert.equal(error.details.removed, true);
  });
}

Deno.test("schema: the alias table is what the tests cover", () => {
  assert.deepEqual(COMPACTION_ALIASES, {
    compact_threshold: "threshold",
    compact_request_threshold: "request_threshold",
    compact_retained_tokens: "retained_tokens",
    compact_worker_max_input_tokens: "worker_context_max_tokens",
    compact_worker_max_turns: "worker_max_turns",
    compact_auto_read_budget: "auto_read_budget_tokens",
  });
});

for (const [alias, canonical] of Object.entries(COMPACTION_ALIASES)) {
  Deno.test(`schema: TOML alias compaction.${alias} → compaction.${canonical}`, () => {
    const parsed = parse(`[compaction]\n${alias} = 77`);
    assert.deepEqual(parsed.compaction, { [canonical]: 77 });
    assert.ok(!(alias in (parsed.compaction ?? {})), "the alias must not survive");
  });

  Deno.test(`schema: alias compaction.${alias} together with ${canonical} is an error`, () => {
    for (const order of [[alias, canonical], [canonical, alias]]) {
      expectInvalid(`[compaction]\n${order[0]} = 1\n${order[1]} = 2`, {
        field: `compaction.${alias}`,
        includes: [
          `compaction.${alias} is an alias of compaction.${canonical}, and both are set`,
          `Keep only compaction.${canonical}.`,
        ],
      });
    }
  });
}

Deno.test("schema: aliases only exist under [compaction]", () => {
  expectInvalid(`[worker]\ncompact_threshold = 1`, {
    field: "worker.compact_threshold",
    includes: ["unknown field"],
  });
});

Deno.test("schema: alias values are validated under their canonical name", () => {
  expectInvalid(`[compaction]\ncompact_threshold = -1`, { field: "compaction.threshold" });
});

// ---- TOML syntax ------------------------------------------------------------------------------

const SYNTAX_CASES: Array<[string, number, number]> = [
  [`[pod\nname = "x"`, 1, 5],
  [`a = 1\na = 2`, 2, 1],
  [`[pod]\nname = "x" y`, 2, 12],
  [`\n\n  x = `, 3, 7],
];

for (const [text, line, column] of SYNTAX_CASES) {
  Deno.test(`toml: syntax error reported at ${line}:${column}`, () => {
    const error = catchError(() => parseTomlText(text, "/abs/pod.toml"));
    assert.equal(error.code, "manifest_parse");
    assert.deepEqual(
      { file: error.details.file, line: error.details.line, column: error.details.column },
      { file: "/abs/pod.toml", line, column },
    );
    assert.ok(error.message.startsWith(`/abs/pod.toml:${line}:${column}: invalid TOML: `));
    assert.ok(error.message.endsWith("Fix the syntax at that position."));
    assert.ok(!error.message.includes("\n"), "one-line message");
  });
}

Deno.test("toml: readTomlFile reports a missing file and a syntax error with the file's path", () => {
  const dir = mkdtempSync(join(tmpdir(), "insomnia-schema-"));
  try {
    const missing = join(dir, "nope.toml");
    const error = catchError(() => readTomlFile(missing));
    assert.equal(error.code, "manifest_parse");
    assert.equal(error.details.file, missing);
    assert.equal(
      error.message,
      `cannot read manifest ${missing}: the file does not exist. Check the path.`,
    );
    const broken = join(dir, "broken.toml");
    writeFileSync(broken, `[pod]\nname = "ok"\n[model\n`);
    const syntax = catchError(() => readTomlFile(broken));
    assert.equal(syntax.code, "manifest_parse");
    assert.equal(syntax.details.file, broken);
    assert.equal(syntax.details.line, 3);
    assert.ok(syntax.message.startsWith(`${broken}:3:`));
    const asDir = catchError(() => readTomlFile(dir));
    assert.equal(asDir.code, "manifest_parse");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- helpers and the resolved schema ----------------------------------------------------------

Deno.test("validate: formatPath, knownKeysAt and suggestKey", () => {
  assert.equal(formatPath(["scope", "allow", 0, "target"]), "scope.allow[0].target");
  assert.equal(formatPath([]), "");
  assert.deepEqual(knownKeysAt(ManifestConfigSchema, ["model", "auth"]), [
    "env",
    "file",
    "kind",
    "ref",
  ]);
  assert.deepEqual(knownKeysAt(ManifestConfigSchema, ["scope", "allow", 0]), [
    "permission",
    "recursive",
    "target",
  ]);
  assert.deepEqual(knownKeysAt(ManifestConfigSchema, ["nope"]), []);
  assert.equal(suggestKey("enf", ["env", "file", "kind"]), "env");
  assert.equal(suggestKey("zzzzzz", ["env", "file"]), undefined);
  assert.equal(suggestKey("x", []), undefined);
});

Deno.test("validate: the resolved form requires absolute paths (parsePodManifest)", () => {
  const manifest = {
    pod: { name: "p" },
    model: {
      scheme: "anthropic",
      base_url: "https://a",
      model_id: "m",
      auth: { kind: "none" },
      capability: {
        tool_calling: "parallel",
        structured_output: "json_schema",
        prompt_caching: { kind: "auto" },
      },
      context_window: 1,
    },
    worker: {
      instruction: "$insomnia/default",
      language: "English",
      stop_sequences: [],
      tool_output: { default_max_bytes: 1, per_tool: {} },
      file_upload: { max_bytes: 1 },
    },
    scope: { allow: [{ target: "relative", permission: "read", recursive: true }], deny: [] },
    session: { record_event_trace: false },
    web: { enabled: false, allow_private_addresses: false },
    skills: { directories: [] },
  };
  const error = catchError(() => parsePodManifest(manifest, "snapshot"));
  assert.equal(error.code, "manifest_invalid");
  assert.equal(error.details.field, "scope.allow[0].target");
  assert.match(error.message, /must be an absolute path/);
  const stored = catchError(() => parsePodManifest(manifest, "stored", "snapshot_invalid"));
  assert.equal(stored.code, "snapshot_invalid");
  const fixed = structuredClone(manifest);
  fixed.scope.allow[0].target = "/abs";
  assert.equal(parsePodManifest(fixed, "ok").scope.allow[0].target, "/abs");
  const empty = structuredClone(fixed);
  empty.scope.allow = [];
  assert.equal(catchError(() => parsePodManifest(empty, "x")).details.field, "scope.allow");
});
