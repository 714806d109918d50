/**
 * Partial manifest → resolved manifest (src/manifest/resolve.ts, catalog.ts, cascade.ts): required
 * fields, builtin defaults, model resolution through the catalogs and its precedence, catalog
 * overrides, `[profiles]` tables ignored, and missing files.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { InsomniaError } from "../src/errors.ts";
import { type Catalog, loadCatalog } from "../src/manifest/catalog.ts";
import { resolveCascade, resolveManifestFile } from "../src/manifest/cascade.ts";
import {
  CODEX_OAUTH_BASE_URL,
  COMPACTION_DEFAULTS,
  DEFAULT_CONTEXT_WINDOW,
  SCHEME_BASE_URLS,
  WORKER_DEFAULTS,
} from "../src/manifest/defaults.ts";
import { resolveManifest, type ResolveOptions } from "../src/manifest/resolve_manifest.ts";
import type { ManifestConfig, ModelConfig } from "../src/manifest/schema.ts";
import type { FieldIssue } from "../src/manifest/validate.ts";
import { readResource } from "../src/resources.ts";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
const BUILTIN_CATALOG_DIR = join(REPO, "resources", "catalog");

function catchError(fn: () => unknown): InsomniaError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof InsomniaError, `expected InsomniaError, got ${error}`);
    return error;
  }
  assert.fail("expected an error, but the call succeeded");
}

/** A small catalog with every precedence level represented. */
const CATALOG: Catalog = {
  providers: [
    {
      id: "anthropic",
      scheme: "anthropic",
      base_url: "https://provider.example/anthropic",
      auth_hint: { kind: "api_key", env: "INSOMNIA_API_KEY_ANTHROPIC" },
      default_capability: { tool_calling: "parallel", vision: true },
      default_context_window: 150_000,
    },
    {
      id: "codex-oauth",
      scheme: "openai_responses",
      auth_hint: { kind: "codex_oauth" },
      default_context_window: 400_000,
    },
    { id: "bare", scheme: "gemini", auth_hint: { kind: "none" } },
    { id: "noauth", scheme: "openai_chat" },
    {
      id: "openrouter",
      scheme: "openai_chat",
      base_url: "https://openrouter.ai/api/v1",
      auth_hint: { kind: "api_key", env: "INSOMNIA_API_KEY_OPENROUTER" },
    },
  ],
  models: [
    {
      id: "gpt-5.5",
      provider: "codex-oauth",
      context_window: 1_000_000,
      max_context_window: 272_000,
      capability: { reasoning: "effort" },
    },
    { id: "big", provider: "anthropic", context_window: 500_000 },
    { id: "anthropic/claude-sonnet-4", provider: "openrouter", context_window: 123_000 },
  ],
  sources: { providers: "test", models: "test" },
};

const ALLOW = { allow: [{ target: "/w", permission: "read" as const }] };

function resolveWith(model: ModelConfig, options: Partial<ResolveOptions> = {}) {
  return resolveManifest({ pod: { name: "p" }, model, scope: ALLOW }, "o", {
    catalog: CATALOG,
    ...options,
  });
}

function issuesOf(error: InsomniaError): FieldIssue[] {
  return error.details.issues as FieldIssue[];
}

// ---- required fields --------------------------------------------------------------------------

const INLINE: ModelConfig = { scheme: "anthropic", model_id: "m", auth: { kind: "none" } };

const REQUIRED_CASES: Array<[string, ManifestConfig, string, string]> = [
  ["pod.name", { model: INLINE, scope: ALLOW }, "pod.name", "pod.name: missing required field"],
  ["model", { pod: { name: "p" }, scope: ALLOW }, "model", "model: missing required section"],
  [
    "scope.allow (no scope)",
    { pod: { name: "p" }, model: INLINE },
    "scope.allow",
    "scope.allow: must declare at least one rule",
  ],
  [
    "scope.allow (empty list)",
    { pod: { name: "p" }, model: INLINE, scope: { allow: [], deny: ALLOW.allow } },
    "scope.allow",
    "scope.allow: must declare at least one rule",
  ],
  [
    "permissions.default_action",
    {
      pod: { name: "p" },
      model: INLINE,
      scope: ALLOW,
      permissions: { rule: [{ tool: "bash", action: "allow" }] },
    },
    "permissions.default_action",
    "permissions.default_action: missing required field (required when [permissions] is present)",
  ],
  [
    "permissions.default_action (empty section)",
    { pod: { name: "p" }, model: INLINE, scope: ALLOW, permissions: {} },
    "permissions.default_action",
    "required when [permissions] is present",
  ],
  [
    "inline model without scheme",
    { pod: { name: "p" }, model: { model_id: "m", auth: { kind: "none" } }, scope: ALLOW },
    "model",
    "model.ref omitted, so the inline form needs scheme, model_id and auth (missing: scheme)",
  ],
  [
    "inline model without model_id",
    { pod: { name: "p" }, model: { scheme: "gemini", auth: { kind: "none" } }, scope: ALLOW },
    "model",
    "(missing: model_id)",
  ],
  [
    "inline model without auth",
    { pod: { name: "p" }, model: { scheme: "gemini", model_id: "m" }, scope: ALLOW },
    "model",
    "(missing: auth)",
  ],
  [
    "empty model",
    { pod: { name: "p" }, model: {}, scope: ALLOW },
    "model",
    "(missing: scheme, model_id, auth)",
  ],
  [
    "inline compaction.model",
    {
      pod: { name: "p" },
      model: INLINE,
      scope: ALLOW,
      compaction: { model: { scheme: "gemini" } },
    },
    "compaction.model",
    "compaction.model: model.ref omitted",
  ],
  [
    "inline memory.extract_model",
    {
      pod: { name: "p" },
      model: INLINE,
      scope: ALLOW,
      memory: { extract_model: { model_id: "x" } },
    },
    "memory.extract_model",
    "(missing: scheme, auth)",
  ],
  [
    "inline memory.consolidation_model",
    {
      pod: { name: "p" },
      model: INLINE,
      scope: ALLOW,
      memory: { consolidation_model: { auth: { kind: "none" } } },
    },
    "memory.consolidation_model",
    "(missing: scheme, model_id)",
  ],
];

for (const [name, config, field, fragment] of REQUIRED_CASES) {
  Deno.test(`resolve: missing ${name} is reported`, () => {
    const error = catchError(() => resolveManifest(config, "origin.toml", { catalog: CATALOG }));
    assert.equal(error.code, "manifest_invalid");
    assert.equal(error.details.field, field);
    assert.ok(error.message.includes(fragment), error.message);
    assert.ok(error.message.startsWith("origin.toml is not a valid manifest: "), error.message);
  });
}

Deno.test("resolve: every missing required field is reported at once", () => {
  const error = catchError(() =>
    resolveManifest({ permissions: {} }, "o", { catalog: CATALOG, podNameHint: "pass --pod NAME" })
  );
  assert.deepEqual(issuesOf(error).map((i) => i.field), [
    "pod.name",
    "model",
    "scope.allow",
    "permissions.default_action",
  ]);
  assert.ok(error.message.includes("pod.name: missing required field (pass --pod NAME)"));
  assert.ok(error.message.includes("Fix the fields named above"));
});

Deno.test("resolve: the runtime pod name wins over pod.name and satisfies the requirement", () => {
  const config = { model: INLINE, scope: ALLOW };
  assert.equal(
    resolveManifest(config, "o", { catalog: CATALOG, podName: "runtime" }).manifest.pod.name,
    "runtime",
  );
  assert.equal(
    resolveManifest({ ...config, pod: { name: "file" } }, "o", {
      catalog: CATALOG,
      podName: "runtime",
    }).manifest.pod.name,
    "runtime",
  );
});

// ---- defaults ---------------------------------------------------------------------------------

Deno.test("resolve: builtin defaults fill a minimal manifest", () => {
  const { manifest, warnings } = resolveManifest(
    { pod: { name: "p" }, model: INLINE, scope: ALLOW },
    "o",
    { catalog: CATALOG },
  );
  assert.deepEqual(warnings, []);
  assert.deepEqual(manifest, {
    pod: { name: "p" },
    model: {
      scheme: "anthropic",
      base_url: SCHEME_BASE_URLS.anthropic,
      model_id: "m",
      auth: { kind: "none" },
      // The runtime's anthropic defaults (a capability is always complete).
      capability: {
        tool_calling: "parallel",
        structured_output: "json_schema",
        vision: false,
        prompt_caching: { kind: "auto" },
      },
      context_window: DEFAULT_CONTEXT_WINDOW,
    },
    worker: {
      instruction: "$insomnia/default",
      language: "match the user's language unless they explicitly request another language",
      stop_sequences: [],
      tool_output: { default_max_bytes: 65_536, per_tool: {} },
      file_upload: { max_bytes: 262_144 },
    },
    scope: { allow: [{ target: "/w", permission: "read", recursive: true }], deny: [] },
    session: { record_event_trace: false },
    web: { enabled: false, allow_private_addresses: false },
    skills: { directories: [] },
  });
  // optional sections stay absent: no permissions layer, no compaction, no memory
  assert.ok(!("permissions" in manifest) && !("compaction" in manifest) && !("memory" in manifest));
  assert.equal(WORKER_DEFAULTS.instruction, "$insomnia/default");
});

Deno.test("resolve: [compaction] present → every default filled, given values kept", () => {
  const { manifest } = resolveManifest(
    { pod: { name: "p" }, model: INLINE, scope: ALLOW, compaction: { retained_tokens: 1 } },
    "o",
    { catalog: CATALOG },
  );
  assert.deepEqual(manifest.compaction, { ...COMPACTION_DEFAULTS, retained_tokens: 1 });
  assert.deepEqual(COMPACTION_DEFAULTS, {
    prune_protected_tokens: 8000,
    prune_min_savings: 4096,
    retained_tokens: 8000,
    overview_target_tokens: 8000,
    overview_warning_tokens: 16000,
    overview_deadline_tokens: 40000,
    worker_context_max_tokens: 50000,
    finish_warning_remaining_tokens: 8000,
    final_reserve_tokens: 4000,
    worker_max_turns: 20,
    summary_target_tokens: 2000,
    summary_max_tokens: 4000,
    auto_read_budget_tokens: 8000,
    result_context_max_tokens: 60000,
  });
  // threshold and request_threshold have no default (off)
  assert.ok(
    !("threshold" in manifest.compaction!) && !("request_threshold" in manifest.compaction!),
  );
});

Deno.test("resolve: compaction.worker_max_turns = null (JSON artifacts) means unlimited", () => {
  const { manifest } = resolveManifest(
    { pod: { name: "p" }, model: INLINE, scope: ALLOW, compaction: { worker_max_turns: null } },
    "o",
    { catalog: CATALOG },
  );
  assert.equal(manifest.compaction?.worker_max_turns, null);
});

Deno.test("resolve: threshold >= request_threshold is accepted with a warning", () => {
  const base = { pod: { name: "p" }, model: INLINE, scope: ALLOW };
  const { warnings } = resolveManifest(
    { ...base, compaction: { threshold: 9, request_threshold: 5 } },
    "o",
    { catalog: CATALOG },
  );
  assert.deepEqual(warnings, [
    "compaction.threshold (9) should be below compaction.request_threshold (5)",
  ]);
  assert.equal(
    resolveManifest({ ...base, compaction: { threshold: 5, request_threshold: 5 } }, "o", {
      catalog: CATALOG,
    }).warnings.length,
    1,
  );
  assert.deepEqual(
    resolveManifest({ ...base, compaction: { threshold: 4, request_threshold: 5 } }, "o", {
      catalog: CATALOG,
    }).warnings,
    [],
  );
});

Deno.test("resolve: permissions, memory, web, skills, scope.recursive", () => {
  const { manifest } = resolveManifest(
    {
      pod: { name: "p" },
      model: INLINE,
      scope: {
        allow: [{ target: "/a", permission: "write", recursive: false }],
        deny: [{ target: "/a/b", permission: "read" }],
      },
      permissions: { default_action: "ask" },
      memory: { language: "English", extract_model: { ref: "bare/flash" } },
      web: { search: { enabled: true } },
      skills: { directories: ["/s"] },
    },
    "o",
    { catalog: CATALOG },
  );
  assert.deepEqual(manifest.scope, {
    allow: [{ target: "/a", permission: "write", recursive: false }],
    deny: [{ target: "/a/b", permission: "read", recursive: true }],
  });
  assert.deepEqual(manifest.permissions, { default_action: "ask", rule: [] });
  assert.equal(manifest.memory?.language, "English");
  assert.equal(manifest.memory?.extract_model?.model_id, "flash");
  assert.equal(manifest.memory?.extract_model?.base_url, SCHEME_BASE_URLS.gemini);
  assert.ok(!("workspace_root" in manifest.memory!), "memory defaults are applied by consumers");
  assert.deepEqual(manifest.web, {
    search: { enabled: true },
    enabled: false,
    allow_private_addresses: false,
  });
  assert.deepEqual(manifest.skills, { directories: ["/s"] });
});

// ---- model resolution -------------------------------------------------------------------------

Deno.test("resolve: inline model — base URL from the scheme (codex_oauth has its own)", () => {
  for (const scheme of ["anthropic", "openai_chat", "openai_responses", "gemini"] as const) {
    const { manifest } = resolveWith({ scheme, model_id: "m", auth: { kind: "none" } });
    assert.equal(manifest.model.base_url, SCHEME_BASE_URLS[scheme]);
    assert.ok(!("ref" in manifest.model));
  }
  assert.equal(
    resolveWith({ scheme: "openai_responses", model_id: "m", auth: { kind: "codex_oauth" } })
      .manifest.model.base_url,
    CODEX_OAUTH_BASE_URL,
  );
  assert.equal(
    resolveWith({ ...INLINE, base_url: "http://localhost:1" }).manifest.model.base_url,
    "http://localhost:1",
  );
});

Deno.test("resolve: inline model — context window default and clamp", () => {
  assert.equal(resolveWith(INLINE).manifest.model.context_window, 200_000);
  assert.equal(resolveWith({ ...INLINE, context_window: 5 }).manifest.model.context_window, 5);
  const clamped = resolveWith({ ...INLINE, context_window: 500, max_context_window: 300 });
  assert.equal(clamped.manifest.model.context_window, 300);
  assert.equal(clamped.manifest.model.max_context_window, 300);
  assert.equal(
    resolveWith({ ...INLINE, max_context_window: 100 }).manifest.model.context_window,
    100,
  );
});

const INVALID_REFS = ["x", "/x", "x/", "/"];

for (const ref of INVALID_REFS) {
  Deno.test(`resolve: invalid model.ref \`${ref}\``, () => {
    const error = catchError(() => resolveWith({ ref }));
    assert.equal(error.code, "manifest_invalid");
    assert.equal(error.details.field, "model.ref");
    assert.ok(
      error.message.includes(
        `model.ref: invalid model.ref \`${ref}\`: must be \`<provider>/<model_id>\``,
      ),
      error.message,
    );
  });
}

Deno.test("resolve: invalid ref in compaction.model names that field", () => {
  const error = catchError(() =>
    resolveManifest(
      { pod: { name: "p" }, model: INLINE, scope: ALLOW, compaction: { model: { ref: "nope" } } },
      "o",
      { catalog: CATALOG },
    )
  );
  assert.equal(error.details.field, "compaction.model.ref");
});

Deno.test("resolve: unknown provider is an error with a suggestion and the known providers", () => {
  const error = catchError(() => resolveWith({ ref: "anthropc/claude" }));
  assert.equal(error.details.field, "model.ref");
  assert.ok(
    error.message.includes(
      "model.ref: points to unknown provider `anthropc` (did you mean `anthropic`? known: anthropic, codex-oauth, bare, noauth, openrouter)",
    ),
    error.message,
  );
});

Deno.test("resolve: a model missing from the catalog is only a warning", () => {
  const { manifest, warnings } = resolveWith({ ref: "anthropic/claude-next" });
  assert.deepEqual(warnings, [
    "model.ref: model `claude-next` is not in the catalog of provider `anthropic`; using the provider's defaults",
  ]);
  assert.equal(manifest.model.model_id, "claude-next");
  assert.equal(manifest.model.context_window, 150_000);
});

Deno.test("resolve: the ref splits on the first slash only", () => {
  const { manifest, warnings } = resolveWith({ ref: "openrouter/anthropic/claude-sonnet-4" });
  assert.deepEqual(warnings, []);
  assert.equal(manifest.model.model_id, "anthropic/claude-sonnet-4");
  assert.equal(manifest.model.context_window, 123_000);
  assert.equal(manifest.model.ref, "openrouter/anthropic/claude-sonnet-4");
});

Deno.test("resolve: a provider without auth_hint needs model.auth", () => {
  const error = catchError(() => resolveWith({ ref: "noauth/m" }));
  assert.equal(error.details.field, "model.auth");
  assert.match(error.message, /provider `noauth` has no default auth, so model\.auth is required/);
  assert.deepEqual(
    resolveWith({ ref: "noauth/m", auth: { kind: "none" } }).manifest.model.auth,
    { kind: "none" },
  );
});

Deno.test("resolve: precedence — manifest > model row > provider default > scheme default", () => {
  // provider defaults only (row has no capability)
  const fromProvider = resolveWith({ ref: "anthropic/big" }).manifest.model;
  assert.deepEqual(fromProvider, {
    ref: "anthropic/big",
    scheme: "anthropic",
    base_url: "https://provider.example/anthropic",
    model_id: "big",
    auth: { kind: "api_key", env: "INSOMNIA_API_KEY_ANTHROPIC" },
    // the provider's fields over the scheme's defaults
    capability: {
      tool_calling: "parallel",
      structured_output: "json_schema",
      vision: true,
      prompt_caching: { kind: "auto" },
    },
    context_window: 500_000, // row beats provider default 150000
  });
  // model row capability beats provider default (completed by the scheme's defaults)
  assert.deepEqual(resolveWith({ ref: "codex-oauth/gpt-5.5" }).manifest.model.capability, {
    tool_calling: "parallel",
    structured_output: "json_schema",
    vision: false,
    prompt_caching: { kind: "auto" },
    reasoning: "effort",
  });
  // scheme default when neither row nor provider has a capability (bare is gemini: vision)
  assert.deepEqual(resolveWith({ ref: "bare/x" }).manifest.model.capability, {
    tool_calling: "parallel",
    structured_output: "json_schema",
    vision: true,
    prompt_caching: { kind: "auto" },
  });
  assert.equal(resolveWith({ ref: "bare/x" }).manifest.model.context_window, 200_000);
  // manifest wins over everything
  const manifestWins = resolveWith({
    ref: "anthropic/big",
    scheme: "openai_chat",
    base_url: "https://mine",
    model_id: "renamed",
    auth: { kind: "secret_ref", ref: "llm.mine" },
    capability: { tool_calling: "none" },
    context_window: 1000,
  }).manifest.model;
  assert.deepEqual(manifestWins, {
    ref: "anthropic/big",
    scheme: "openai_chat",
    base_url: "https://mine",
    model_id: "renamed",
    auth: { kind: "secret_ref", ref: "llm.mine" },
    capability: {
      tool_calling: "none",
      structured_output: "json_schema",
      vision: false,
      prompt_caching: { kind: "auto" },
    },
    context_window: 1000,
  });
});

Deno.test("resolve: base URL — manifest > provider > codex_oauth default > scheme default", () => {
  assert.equal(
    resolveWith({ ref: "codex-oauth/gpt-5.5" }).manifest.model.base_url,
    CODEX_OAUTH_BASE_URL,
  );
  assert.equal(
    resolveWith({ ref: "codex-oauth/gpt-5.5", auth: { kind: "none" } }).manifest.model.base_url,
    SCHEME_BASE_URLS.openai_responses,
  );
  assert.equal(
    resolveWith({ ref: "anthropic/x", scheme: "gemini" }).manifest.model.base_url,
    "https://provider.example/anthropic",
  );
  assert.equal(resolveWith({ ref: "bare/x" }).manifest.model.base_url, SCHEME_BASE_URLS.gemini);
});

Deno.test("resolve: context window clamped to max_context_window (manifest > row)", () => {
  const row = resolveWith({ ref: "codex-oauth/gpt-5.5" }).manifest.model;
  assert.equal(row.context_window, 272_000);
  assert.equal(row.max_context_window, 272_000);
  assert.equal(
    resolveWith({ ref: "codex-oauth/gpt-5.5", context_window: 100_000 }).manifest.model
      .context_window,
    100_000,
  );
  assert.equal(
    resolveWith({ ref: "codex-oauth/gpt-5.5", context_window: 900_000 }).manifest.model
      .context_window,
    272_000,
  );
  const raised = resolveWith({ ref: "codex-oauth/gpt-5.5", max_context_window: 2_000_000 });
  assert.equal(raised.manifest.model.context_window, 1_000_000);
  assert.equal(raised.manifest.model.max_context_window, 2_000_000);
  assert.equal(
    resolveWith({ ref: "anthropic/big", max_context_window: 10 }).manifest.model.context_window,
    10,
  );
  // no max anywhere: no max in the output
  assert.ok(!("max_context_window" in resolveWith({ ref: "anthropic/big" }).manifest.model));
});

// ---- catalogs: builtin files and overrides ----------------------------------------------------

function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "insomnia-catalog-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

Deno.test("catalog: the builtin catalog files resolve codex-oauth/gpt-5.5 to 272000", () => {
  // The shipped TOML files, used as overrides so this runs whether or not resources are embedded.
  const t = tempDir();
  try {
    copyFileSync(join(BUILTIN_CATALOG_DIR, "providers.toml"), join(t.dir, "providers.toml"));
    copyFileSync(join(BUILTIN_CATALOG_DIR, "models.toml"), join(t.dir, "models.toml"));
    const catalog = loadCatalog({ INSOMNIA_CONFIG_DIR: t.dir });
    assert.deepEqual(catalog.providers.map((p) => p.id).sort(), [
      "anthropic",
      "codex-oauth",
      "ollama-local",
      "openrouter",
    ]);
    const resolve = (ref: string) =>
      resolveManifest({ pod: { name: "p" }, model: { ref }, scope: ALLOW }, "o", { catalog });
    const gpt = resolve("codex-oauth/gpt-5.5");
    assert.deepEqual(gpt.warnings, []);
    assert.equal(gpt.manifest.model.context_window, 272_000);
    assert.equal(gpt.manifest.model.max_context_window, 272_000);
    assert.deepEqual(gpt.manifest.model.auth, { kind: "codex_oauth" });
    assert.equal(gpt.manifest.model.base_url, "https://chatgpt.com/backend-api/codex");
    assert.equal(gpt.manifest.model.scheme, "openai_responses");
    const sonnet = resolve("anthropic/claude-sonnet-4-6").manifest.model;
    assert.equal(sonnet.context_window, 200_000);
    assert.deepEqual(sonnet.auth, { kind: "api_key", env: "INSOMNIA_API_KEY_ANTHROPIC" });
    assert.deepEqual(sonnet.capability.prompt_caching, { kind: "explicit", max_breakpoints: 4 });
    assert.equal(resolve("ollama-local/llama3.1").manifest.model.context_window, 128_000);
    assert.deepEqual(resolve("ollama-local/llama3.1").manifest.model.auth, { kind: "none" });
    assert.equal(resolve("openrouter/openai/gpt-5").manifest.model.context_window, 400_000);
    assert.equal(resolve("codex-oauth/gpt-5-codex").manifest.model.context_window, 400_000);
  } finally {
    t.cleanup();
  }
});

const embedded = readResource("catalog/providers.toml") !== undefined &&
  readResource("catalog/models.toml") !== undefined;

Deno.test({
  name: "catalog: the embedded builtin catalog equals resources/catalog/*.toml",
  ignore: !embedded, // src/generated/resources.ts not regenerated yet (`deno task gen`)
  fn() {
    assert.equal(
      readResource("catalog/providers.toml"),
      readFileSync(join(BUILTIN_CATALOG_DIR, "providers.toml"), "utf8"),
    );
    const catalog = loadCatalog({});
    assert.equal(catalog.sources.providers, "builtin:catalog/providers.toml");
    const gpt = resolveManifest(
      { pod: { name: "p" }, model: { ref: "codex-oauth/gpt-5.5" }, scope: ALLOW },
      "o",
      { catalog },
    );
    assert.equal(gpt.manifest.model.context_window, 272_000);
  },
});

Deno.test("catalog: an override file replaces the builtin one entirely; the other stays builtin", () => {
  const t = tempDir();
  try {
    const override = join(t.dir, "providers.toml");
    writeFileSync(
      override,
      `[[provider]]\nid = "only"\nscheme = "gemini"\nauth_hint = { kind = "none" }\ndefault_context_window = 77\n`,
    );
    const catalog = loadCatalog({ INSOMNIA_CONFIG_DIR: t.dir });
    assert.deepEqual(catalog.providers.map((p) => p.id), ["only"]);
    assert.equal(catalog.sources.providers, override);
    assert.equal(catalog.sources.models, "builtin:catalog/models.toml");
    const error = catchError(() =>
      resolveManifest(
        { pod: { name: "p" }, model: { ref: "anthropic/claude-sonnet-4-6" }, scope: ALLOW },
        "o",
        { catalog },
      )
    );
    assert.match(
      error.message,
      /unknown provider `anthropic` \(did you mean `only`\? known: only\)/,
    );
    const ok = resolveManifest(
      { pod: { name: "p" }, model: { ref: "only/m" }, scope: ALLOW },
      "o",
      { catalog },
    );
    assert.equal(ok.manifest.model.context_window, 77);
  } finally {
    t.cleanup();
  }
});

Deno.test("catalog: an empty override file means an empty catalog", () => {
  const t = tempDir();
  try {
    writeFileSync(join(t.dir, "models.toml"), "# nothing\n");
    assert.deepEqual(loadCatalog({ INSOMNIA_CONFIG_DIR: t.dir }).models, []);
  } finally {
    t.cleanup();
  }
});

Deno.test("catalog: a broken override is an error (syntax → manifest_parse with line)", () => {
  const t = tempDir();
  try {
    const file = join(t.dir, "models.toml");
    writeFileSync(file, `[[model]]\nid = "x"\nprovider = \n`);
    const error = catchError(() => loadCatalog({ INSOMNIA_CONFIG_DIR: t.dir }));
    assert.equal(error.code, "manifest_parse");
    assert.equal(error.details.file, file);
    assert.equal(error.details.line, 3);
    assert.ok(error.message.startsWith(`${file}:3:`), error.message);
  } finally {
    t.cleanup();
  }
});

Deno.test("catalog: an override with wrong rows is manifest_invalid naming the file and field", () => {
  const cases: Array<[string, string, RegExp]> = [
    ["providers.toml", `[[provider]]\nid = "x"\nscheme = "nope"\n`, /provider\[0\]\.scheme/],
    ["providers.toml", `[[provider]]\nscheme = "gemini"\n`, /provider\[0\]\.id/],
    ["models.toml", `[[model]]\nid = "x"\nprovider = "y"\ncontext = 3\n`, /model\[0\]\.context/],
    ["models.toml", `[[models]]\nid = "x"\n`, /models: unknown field/],
    ["models.toml", `[[model]]\nid = "x"\nprovider = "y"\ncontext_window = 0\n`, /context_window/],
  ];
  for (const [name, text, field] of cases) {
    const t = tempDir();
    try {
      const file = join(t.dir, name);
      writeFileSync(file, text);
      const error = catchError(() => loadCatalog({ INSOMNIA_CONFIG_DIR: t.dir }));
      assert.equal(error.code, "manifest_invalid", error.message);
      assert.equal(error.details.file, file);
      assert.ok(error.message.startsWith(`catalog ${file} is invalid: `), error.message);
      assert.match(error.message, field);
      assert.ok(error.message.endsWith("Fix or remove the file."), error.message);
    } finally {
      t.cleanup();
    }
  }
});

// ---- the TOML paths: [profiles], missing files ------------------------------------------------

function sandbox() {
  const t = tempDir();
  const config = join(t.dir, "config");
  const ws = join(t.dir, "ws");
  mkdirSync(config, { recursive: true });
  mkdirSync(ws, { recursive: true });
  return { ...t, config, ws, env: { INSOMNIA_CONFIG_DIR: config } };
}

const MINIMAL =
  `[pod]\nname = "p"\n[model]\nscheme = "anthropic"\nmodel_id = "m"\nauth = { kind = "none" }\n[[scope.allow]]\ntarget = "."\npermission = "read"\n`;
const PROFILES =
  `[profiles]\ndefault = "coder"\n[profiles.profile]\ncoder = "coder.nix"\n[profiles.alias]\nc = "coder"\n`;

Deno.test("cascade: [profiles] tables in user and project manifests are ignored", () => {
  const s = sandbox();
  try {
    writeFileSync(join(s.config, "manifest.toml"), PROFILES + MINIMAL.replace("[pod]", "\n[pod]"));
    const project = join(s.dir, "proj");
    mkdirSync(join(project, ".insomnia"), { recursive: true });
    writeFileSync(join(project, ".insomnia", "manifest.toml"), PROFILES);
    const { manifest, layers } = resolveCascade({
      env: s.env,
      cwd: project,
      workspace: s.ws,
    });
    assert.equal(layers.length, 2);
    assert.equal(manifest.pod.name, "p");
    assert.ok(!("profiles" in manifest));
  } finally {
    s.cleanup();
  }
});

Deno.test("cascade: --manifest ignores [profiles] too", () => {
  const s = sandbox();
  try {
    const file = join(s.dir, "pod.toml");
    writeFileSync(file, MINIMAL + "\n" + PROFILES);
    const { manifest } = resolveManifestFile(file, { env: s.env, cwd: s.dir, workspace: s.ws });
    assert.equal(manifest.pod.name, "p");
  } finally {
    s.cleanup();
  }
});

Deno.test("cascade: INSOMNIA_USER_MANIFEST pointing to a missing file is an error", () => {
  const s = sandbox();
  try {
    const missing = join(s.dir, "nope.toml");
    const error = catchError(() =>
      resolveCascade({
        env: { ...s.env, INSOMNIA_USER_MANIFEST: missing },
        cwd: s.ws,
        workspace: s.ws,
      })
    );
    assert.equal(error.code, "manifest_parse");
    assert.equal(error.details.file, missing);
    assert.equal(
      error.message,
      `INSOMNIA_USER_MANIFEST points to ${missing}, which does not exist. Create it or unset the variable.`,
    );
    // an empty variable counts as unset: the missing auto-discovered file is simply skipped
    const none = catchError(() =>
      resolveCascade({ env: { ...s.env, INSOMNIA_USER_MANIFEST: "" }, cwd: s.ws, workspace: s.ws })
    );
    assert.ok(
      none.message.startsWith("manifest cascade (no layers found) is not a valid manifest:"),
      none.message,
    );
  } finally {
    s.cleanup();
  }
});

Deno.test("cascade: errors name the layer file; the resolved origin lists every layer", () => {
  const s = sandbox();
  try {
    const user = join(s.config, "manifest.toml");
    writeFileSync(user, `[worker]\nmax_turns = 0\n`);
    const error = catchError(() => resolveCascade({ env: s.env, cwd: s.ws, workspace: s.ws }));
    assert.equal(error.details.field, "worker.max_turns");
    assert.ok(error.message.startsWith(`${user} is not a valid manifest:`), error.message);

    writeFileSync(user, `[pod]\nname = "x"\n`);
    const missing = catchError(() =>
      resolveCascade({
        env: s.env,
        cwd: s.ws,
        workspace: s.ws,
        overlay: `[worker]\nmax_tokens = 1`,
      })
    );
    assert.ok(
      missing.message.startsWith(
        `manifest cascade (${user} → overlay) is not a valid manifest: model: missing required section`,
      ),
      missing.message,
    );

    const overlay = catchError(() =>
      resolveCascade({ env: s.env, cwd: s.ws, workspace: s.ws, overlay: `[pod\n` })
    );
    assert.equal(overlay.code, "manifest_parse");
    assert.ok(overlay.message.startsWith("--overlay:1:"), overlay.message);

    const badOverlay = catchError(() =>
      resolveCascade({ env: s.env, cwd: s.ws, workspace: s.ws, overlay: `[pod]\npwd = "."` })
    );
    assert.equal(badOverlay.details.field, "pod.pwd");
    assert.ok(badOverlay.message.startsWith("--overlay: unknown field in manifest: pod.pwd"));
  } finally {
    s.cleanup();
  }
});

Deno.test("cascade: --manifest with --pod needs no pod.name; a missing name gets a hint", () => {
  const s = sandbox();
  try {
    const file = join(s.dir, "pod.toml");
    writeFileSync(file, MINIMAL.replace(`[pod]\nname = "p"\n`, ""));
    const error = catchError(() =>
      resolveManifestFile(file, { env: s.env, cwd: s.dir, workspace: s.ws })
    );
    assert.ok(
      error.message.includes(
        "pod.name: missing required field (set pod.name in the file or pass --pod NAME)",
      ),
      error.message,
    );
    const { manifest } = resolveManifestFile(file, {
      env: s.env,
      cwd: s.dir,
      workspace: s.ws,
      podName: "given",
    });
    assert.equal(manifest.pod.name, "given");
  } finally {
    s.cleanup();
  }
});

// ---- the runtime's contract (src/manifest/runtime_contract.ts) --------------------------------

Deno.test("resolve: rules name the runtime's tools, with a did-you-mean for old or misspelt names", () => {
  const base = { pod: { name: "p" }, model: INLINE, scope: ALLOW };
  const withRules = (
    rule: Array<{ tool: string; action: "allow" | "deny" | "ask"; pattern?: string }>,
  ) =>
    resolveManifest({ ...base, permissions: { default_action: "allow", rule } }, "o", {
      catalog: CATALOG,
    });
  const error = catchError(() => withRules([{ tool: "write_file", action: "deny" }]));
  assert.equal(error.code, "manifest_invalid");
  assert.equal(error.details.field, "permissions.rule[0].tool");
  assert.match(error.message, /unknown tool `write_file` \(did you mean `Write`\?\)/);
  assert.match(catchError(() => withRules([{ tool: "Bsh", action: "deny" }])).message, /`Bash`/);
  // case-insensitive like the runtime, written in its spelling, "*" for the whole tool
  assert.deepEqual(
    withRules([{ tool: "bash", action: "deny" }, {
      tool: "Read",
      pattern: "src/*",
      action: "allow",
    }])
      .manifest.permissions?.rule,
    [
      { tool: "Bash", pattern: "*", action: "deny" },
      { tool: "Read", pattern: "src/*", action: "allow" },
    ],
  );
});

Deno.test("resolve: prompt references, web search keys and ask, as the runtime sees them", () => {
  const base = { pod: { name: "p" }, model: INLINE, scope: ALLOW };
  for (const bad of ["$bogus/nothing", "default", "$insomnia/", "$workspace/../x"]) {
    const error = catchError(() =>
      resolveManifest({ ...base, worker: { instruction: bad } }, "o", { catalog: CATALOG })
    );
    assert.equal(error.details.field, "worker.instruction", bad);
  }
  const search = catchError(() =>
    resolveManifest(
      {
        ...base,
        web: { search: { api_key: { kind: "secret_ref", ref: "web.brave.default" } } },
      },
      "o",
      { catalog: CATALOG },
    )
  );
  assert.equal(search.details.field, "web.search.api_key");
  assert.match(search.message, /api_key_env/);
  const { warnings } = resolveManifest(
    {
      ...base,
      permissions: { default_action: "allow", rule: [{ tool: "Bash", action: "ask" }] },
    },
    "o",
    { catalog: CATALOG },
  );
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /permissions use `ask` \(Bash\).*denies every `ask` call/);
});
