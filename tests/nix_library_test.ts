/**
 * The Nix profile library (`resources/nix`), the builtin profiles (`resources/profiles`) and the
 * catalogs (`resources/catalog`), evaluated with the real `nix` exactly as insomnia-pod runs it.
 *
 * `deno run -A tests/nix_library_test.ts` prints the preset tables of docs/profile-lib.md, rendered
 * from `tests/fixtures/profiles/presets.json` (the same renderer the docs test below uses).
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { parse as parseToml } from "smol-toml";
import { FIXTURES, REPO_ROOT, writeFile } from "./helpers/cli.ts";
import { basename, join } from "./helpers/path.ts";

const LIB_DIR = join(REPO_ROOT, "resources", "nix");
const PROFILES_DIR = join(REPO_ROOT, "resources", "profiles");
const CATALOG_DIR = join(REPO_ROOT, "resources", "catalog");
const FIX = join(FIXTURES, "profiles");
const DOCS = join(REPO_ROOT, "docs", "profile-lib.md");

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The outcome of one `nix eval`. `json` is set only when nix exited 0 (stdout is discarded otherwise). */
interface NixResult {
  code: number;
  stderr: string;
  json?: Json;
}

/** Evaluates a profile file with the command line insomnia-pod uses. */
async function nixEval(file: string): Promise<NixResult> {
  const env = { ...Deno.env.toObject() };
  delete env.RUST_BACKTRACE;
  const out = await new Deno.Command("nix", {
    args: [
      "--extra-experimental-features",
      "nix-command",
      "eval",
      "--json",
      "--show-trace",
      "--store",
      "dummy://",
      "-I",
      `insomnia=${LIB_DIR}`,
      "--file",
      file,
    ],
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  if (out.code !== 0) return { code: out.code, stderr };
  const stdout = new TextDecoder().decode(out.stdout);
  assert.ok(!stdout.includes("/nix/store"), `store path in output of ${file}: ${stdout}`);
  return { code: 0, stderr, json: JSON.parse(stdout) };
}

/** Evaluates and returns the JSON, failing with nix's stderr otherwise. */
async function evalOk(file: string): Promise<JsonObject> {
  const r = await nixEval(file);
  assert.equal(r.code, 0, `nix eval ${file} failed:\n${r.stderr}`);
  return r.json as JsonObject;
}

const obj = (v: Json | undefined): JsonObject => {
  assert.ok(v !== null && typeof v === "object" && !Array.isArray(v), `not an object: ${v}`);
  return v as JsonObject;
};

const envelope = (extra: JsonObject = {}): JsonObject => ({
  format: "insomnia.nix-profile.v1",
  library_version: "1.0.0",
  ...extra,
});
const ws = (path: string): JsonObject => ({ kind: "workspace_path", path });
const secret = (ref: string): JsonObject => ({ kind: "secret_ref", ref });

// The numbers presets contribute, reused in the expectations below.
const CONTEXT_LARGE = {
  threshold: 147000,
  request_threshold: 176400,
  worker_context_max_tokens: 73600,
  overview_target_tokens: 5800,
  overview_warning_tokens: 11800,
  overview_deadline_tokens: 29400,
  result_context_max_tokens: 44000,
};
const CONTEXT_SMALL = {
  threshold: 47040,
  request_threshold: 56448,
  worker_context_max_tokens: 23552,
  overview_target_tokens: 1856,
  overview_warning_tokens: 3776,
  overview_deadline_tokens: 9408,
  result_context_max_tokens: 14080,
};
const BALANCED = {
  prune_protected_tokens: 8000,
  prune_min_savings: 4096,
  summary_target_tokens: 2000,
  summary_max_tokens: 4000,
  worker_max_turns: 20,
};
const STANDARD_MEMORY = {
  query_result_limit: 20,
  query_excerpt_lines: 3,
  extract_threshold: 50000,
  consolidation_threshold_files: 5,
  consolidation_threshold_bytes: 50000,
};
const GUARDED_RULES = [
  { tool: "Write", action: "ask" },
  { tool: "Edit", action: "ask" },
  { tool: "Bash", action: "ask" },
];

// ---- envelope and mkProfile ----------------------------------------------------------------

Deno.test("the seed's minimal profile evaluates to the documented envelope", async () => {
  assert.deepEqual(await evalOk(join(FIX, "minimal.nix")), {
    profile: envelope({ name: "coder", description: "Example coding Pod" }),
    manifest: {
      pod: { name: "coder" },
      model: {
        scheme: "anthropic",
        model_id: "claude-sonnet-4-20250514",
        auth: secret("llm.anthropic.default"),
      },
      scope: { allow: [{ target: ".", permission: "write" }] },
    },
  });
});

Deno.test("the library can also be imported by relative path", async () => {
  assert.deepEqual(await evalOk(join(FIX, "relative-import.nix")), {
    profile: envelope(),
    manifest: { scope: { allow: [{ target: ws("."), permission: "read" }] } },
  });
});

Deno.test("mkProfile with `config` emits it as `manifest` and omits null name/description", async () => {
  assert.deepEqual(await evalOk(join(FIX, "config.nix")), {
    profile: envelope(),
    manifest: {
      model: { ref: "ollama-local/llama3.1" },
      scope: { allow: [{ target: ws("src"), permission: "read", recursive: false }] },
    },
  });
});

Deno.test("mkProfile with loose fields takes them (and their `use`) as the manifest", async () => {
  assert.deepEqual(await evalOk(join(FIX, "loose.nix")), {
    profile: envelope({ name: "loose" }),
    manifest: {
      model: { ref: "ollama-local/qwen2.5-coder", auth: { kind: "none" } },
      worker: { max_turns: 12 },
      scope: { allow: [{ target: ws("."), permission: "write" }] },
    },
  });
});

Deno.test("path literals anywhere become absolute path strings under the dummy store", async () => {
  const at = (p: string) => join(FIX, p);
  assert.deepEqual(await evalOk(join(FIX, "paths.nix")), {
    profile: envelope({ name: "paths" }),
    manifest: {
      pod: { prompt_pack: at("prompts/pack.toml") },
      model: {
        ref: "anthropic/claude-sonnet-4-6",
        auth: { kind: "api_key", file: at("keys/anthropic.key") },
      },
      scope: {
        allow: [{ target: at("data"), permission: "read" }],
        deny: [{ target: at("data/secret"), permission: "read" }],
      },
      skills: { directories: [at("skills"), ws(".insomnia/skills"), "relative/skills"] },
      memory: { workspace_root: FIX },
      compaction: { model: { auth: { kind: "api_key", file: at("keys/nested/deep.key") } } },
      worker: { tool_output: { per_tool: { bash: 1024 } } },
    },
  });
});

Deno.test("a profile outside the repository imports <insomnia> and resolves its own paths", async () => {
  const dir = Deno.makeTempDirSync({ dir: tmpdir(), prefix: "insomnia-nix-lib-" });
  try {
    const file = writeFile(
      join(dir, "team", "profile.nix"),
      `let insomnia = import <insomnia> { }; in
with insomnia;
mkProfile {
  name = "outside";
  description = "A profile in a temporary directory";
  manifest = mkManifest {
    use = [ models.gpt5 context.medium scopes.workspaceWrite autonomy.autonomous ];
    pod.prompt_pack = ./prompts.toml;
    skills.directories = [ ../shared/skills ];
  };
}
`,
    );
    const realDir = Deno.realPathSync(dir);
    const out = await evalOk(file);
    assert.deepEqual(
      out.profile,
      envelope({
        name: "outside",
        description: "A profile in a temporary directory",
      }),
    );
    const manifest = obj(out.manifest);
    // Nix resolves path literals lexically against the file's directory (as given, so the
    // temp dir may appear unresolved or through its real path).
    const prompt = obj(manifest.pod).prompt_pack as string;
    assert.ok(
      prompt === join(dir, "team", "prompts.toml") ||
        prompt === join(realDir, "team", "prompts.toml"),
      prompt,
    );
    const skills = obj(manifest.skills).directories as string[];
    assert.ok(
      skills[0] === join(dir, "shared", "skills") ||
        skills[0] === join(realDir, "shared", "skills"),
    );
    assert.deepEqual(manifest.model, { ref: "codex-oauth/gpt-5", auth: { kind: "codex_oauth" } });
    assert.equal(obj(manifest.compaction).threshold, 94080);
    assert.deepEqual(manifest.scope, { allow: [{ target: ws("."), permission: "write" }] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- functions and constants -------------------------------------------------------------------

Deno.test("library functions and typed values have their documented shapes", async () => {
  const f = await evalOk(join(FIX, "functions.nix"));
  assert.equal(f.version, "1.0.0");
  assert.equal(f.profileFormat, "insomnia.nix-profile.v1");
  assert.deepEqual(f.workspaceDot, ws("."));
  assert.deepEqual(f.workspaceSub, ws("docs/notes"));
  assert.deepEqual(f.secret, secret("llm.anthropic.work"));
  assert.deepEqual(f.authNone, { kind: "none" });
  assert.deepEqual(f.authCodex, { kind: "codex_oauth" });
  assert.deepEqual(f.authEnv, { kind: "api_key", env: "OPENROUTER_KEY" });
  assert.deepEqual(f.authSecret, secret("llm.openrouter.default"));
  assert.deepEqual(f.contextRatios, {
    threshold: 735,
    request_threshold: 882,
    worker_context_max_tokens: 368,
    overview_target_tokens: 29,
    overview_warning_tokens: 59,
    overview_deadline_tokens: 147,
    result_context_max_tokens: 220,
  });
  assert.deepEqual(f.contextBudgets, {
    small: 64000,
    medium: 128000,
    large: 200000,
    xlarge: 272000,
    xxlarge: 400000,
  });
  assert.deepEqual(f.forWindow, {
    compaction: {
      threshold: 73500,
      request_threshold: 88200,
      worker_context_max_tokens: 36800,
      overview_target_tokens: 2900,
      overview_warning_tokens: 5900,
      overview_deadline_tokens: 14700,
      result_context_max_tokens: 22000,
    },
  });
  // gpt-5.5: context_window 1000000 clamped to max_context_window 272000 (= context.xlarge).
  const presets = readPresetsFixture();
  assert.deepEqual(f.forModelGpt55, presets.context.xlarge);
  assert.equal(obj(obj(f.forModelQwen).compaction).threshold, 94080);
  assert.deepEqual(f.budget, { worker: { reasoning: 12000 } });
  assert.deepEqual(f.byRef, {
    model: { ref: "anthropic/claude-sonnet-4-5", auth: secret("llm.anthropic.default") },
  });
  assert.deepEqual(f.byRefUnlisted, {
    model: { ref: "openrouter/meta-llama/llama-3.3-70b", auth: secret("llm.openrouter.default") },
  });
  assert.deepEqual(f.withAuthString, {
    model: { ref: "anthropic/claude-opus-4-1", auth: secret("llm.anthropic.work") },
  });
  assert.deepEqual(f.withAuthValue, {
    model: { ref: "ollama-local/qwen2.5-coder", auth: { kind: "api_key", env: "OLLAMA_KEY" } },
  });
  assert.deepEqual(f.scopesAllow, {
    scope: { allow: [{ target: ws("docs"), permission: "read" }] },
  });
  assert.deepEqual(f.scopesDeny, {
    scope: { deny: [{ target: ws(".git"), permission: "write" }] },
  });
  assert.deepEqual(f.searchCustomKey, {
    web: {
      enabled: true,
      search: { enabled: true, provider: "brave", api_key_env: "WORK_BRAVE_KEY" },
      fetch: { enabled: false },
    },
  });
  assert.deepEqual(f.searchEnvKey, {
    web: {
      enabled: true,
      search: { enabled: true, provider: "brave", api_key_env: "BRAVE_SEARCH_API_KEY" },
      fetch: { enabled: false },
    },
  });
  assert.deepEqual(f.fullDefault, presets.web.full);
  assert.deepEqual(f.permissionsAsk, {
    permissions: { rule: [{ tool: "Bash", action: "ask" }, { tool: "SpawnPod", action: "ask" }] },
  });
  assert.deepEqual(f.permissionsDenyOne, {
    permissions: { rule: [{ tool: "WebFetch", action: "deny" }] },
  });
  assert.deepEqual(f.toolNames, {
    read: ["Read", "Glob", "Grep"],
    write: ["Write", "Edit"],
    shell: ["Bash"],
    web: ["WebFetch", "WebSearch"],
    delegate: ["SpawnPod"],
  });
  // merge: lists concatenate; override: lists replace; both merge attribute sets.
  assert.deepEqual(f.merged, { scope: { allow: [1, 2] }, x: { a: 1, b: 2 } });
  assert.deepEqual(f.overridden, { scope: { allow: [2] }, x: { a: 1, b: 2 } });
  assert.deepEqual(f.mergedAll, { a: [1, 2, 3] });
  assert.deepEqual(f.extendedFragment, { a: 1, b: 2, l: [1, 2] });
  // mkManifest without `use` is the identity (apart from dropping null attributes).
  assert.deepEqual(f.identity, { pod: { name: "x" }, scope: { allow: [] } });
  assert.deepEqual(f.nullsDropped, { b: {}, d: [null] });
  assert.deepEqual(f.normalized, {
    p: join(FIX, "x"),
    l: [join(FIX, "y"), { z: join(FIX, "z") }],
    n: null,
  });
});

// ---- presets -------------------------------------------------------------------------------

type PresetTable = Record<string, Record<string, JsonObject>>;

function readPresetsFixture(): PresetTable {
  return JSON.parse(readFileSync(join(FIX, "presets.json"), "utf8"));
}

Deno.test("every preset yields exactly the documented values (presets.json)", async () => {
  const expected = readPresetsFixture();
  const actual = await evalOk(join(FIX, "presets.nix")) as unknown as PresetTable;
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), "preset families");
  for (const family of Object.keys(expected)) {
    assert.deepEqual(
      Object.keys(actual[family]).sort(),
      Object.keys(expected[family]).sort(),
      `presets of ${family}`,
    );
    for (const name of Object.keys(expected[family])) {
      assert.deepEqual(actual[family][name], expected[family][name], `${family}.${name}`);
    }
  }
});

Deno.test("context presets follow the documented ratios", () => {
  const ratios: Record<string, number> = {
    threshold: 735,
    request_threshold: 882,
    worker_context_max_tokens: 368,
    overview_target_tokens: 29,
    overview_warning_tokens: 59,
    overview_deadline_tokens: 147,
    result_context_max_tokens: 220,
  };
  const budgets: Record<string, number> = {
    small: 64000,
    medium: 128000,
    large: 200000,
    xlarge: 272000,
    xxlarge: 400000,
  };
  const presets = readPresetsFixture();
  for (const [name, budget] of Object.entries(budgets)) {
    const c = obj(presets.context[name].compaction);
    for (const [field, r] of Object.entries(ratios)) {
      assert.equal(c[field], Math.floor((budget * r) / 1000), `context.${name} ${field}`);
    }
    const n = c as Record<string, number>;
    assert.ok(n.threshold < n.request_threshold && n.request_threshold < budget);
    assert.ok(n.overview_deadline_tokens < n.worker_context_max_tokens);
    assert.ok(n.result_context_max_tokens < n.threshold);
  }
});

Deno.test("docs/profile-lib.md shows every preset table exactly as presets.json", () => {
  // `deno fmt` pads table cells, so compare with runs of spaces and dashes collapsed.
  const squeeze = (s: string) => s.replace(/ +/g, " ").replace(/-{3,}/g, "---");
  const docs = squeeze(readFileSync(DOCS, "utf8"));
  for (const [family, table] of Object.entries(renderPresetTables(readPresetsFixture()))) {
    assert.ok(
      docs.includes(squeeze(table)),
      `docs/profile-lib.md lacks the current \`${family}.*\` table:\n${table}\n` +
        "(print all tables with `deno run -A tests/nix_library_test.ts`)",
    );
  }
});

// ---- merging semantics ---------------------------------------------------------------------

Deno.test("raw fields win over presets (scalars, lists, tagged values; null removes)", async () => {
  const out = await evalOk(join(FIX, "raw-wins.nix"));
  const m = obj(out.manifest);
  // The raw threshold replaces the preset's; the raw null removes summary_max_tokens.
  assert.deepEqual(m.compaction, {
    ...CONTEXT_LARGE,
    threshold: 120000,
    prune_protected_tokens: 8000,
    prune_min_savings: 4096,
    summary_target_tokens: 2000,
    worker_max_turns: 20,
    retained_tokens: 8000,
    auto_read_budget_tokens: 8000,
  });
  // The auth is replaced whole, not merged field by field with the preset's secret_ref.
  assert.deepEqual(m.model, {
    ref: "anthropic/claude-sonnet-4-6",
    auth: { kind: "api_key", env: "MY_ANTHROPIC_KEY" },
  });
  // Raw lists replace the presets' lists.
  assert.deepEqual(m.permissions, {
    default_action: "allow",
    rule: [{ tool: "Bash", pattern: "git status*", action: "allow" }],
  });
  assert.deepEqual(m.scope, { allow: [{ target: ws("src"), permission: "write" }] });
  // Attribute sets merge: the raw country joins the preset's search settings.
  assert.deepEqual(m.web, {
    enabled: true,
    search: {
      enabled: true,
      provider: "brave",
      api_key_env: "BRAVE_SEARCH_API_KEY",
      country: "JP",
    },
    fetch: { enabled: true },
  });
  assert.equal(m.memory, undefined, "memory = null removes the retention preset's section");
});

Deno.test("preset lists concatenate; preset permission rules order deny > ask > allow", async () => {
  const out = await evalOk(join(FIX, "concat.nix"));
  assert.deepEqual(out.manifest, {
    permissions: {
      default_action: "allow",
      rule: [
        { tool: "Bash", pattern: "cargo test*", action: "allow" },
        { tool: "Write", action: "deny" },
        { tool: "Edit", action: "deny" },
        { tool: "Bash", action: "deny" },
        { tool: "WebFetch", action: "allow" },
      ],
    },
    scope: {
      allow: [
        { target: ws("."), permission: "write" },
        { target: "/opt/reference", permission: "read" },
      ],
    },
    skills: { directories: [ws("skills/a"), ws("skills/b")] },
    session: { record_event_trace: true },
    worker: { stop_sequences: ["END", "STOP"] },
  });
});

Deno.test("composition through imports: common.nix + coder.nix + coder-cheap.nix", async () => {
  const dir = join(FIX, "composed");
  const commonManifest = {
    compaction: { ...BALANCED, retained_tokens: 8000, auto_read_budget_tokens: 8000 },
    memory: STANDARD_MEMORY,
    permissions: { default_action: "allow", rule: GUARDED_RULES },
    scope: { allow: [{ target: ws("."), permission: "write" }] },
    session: { record_event_trace: true },
    skills: { directories: [join(dir, "skills")] },
    worker: { language: "English" },
  };
  assert.deepEqual(await evalOk(join(dir, "common.nix")), commonManifest);

  const coder = await evalOk(join(dir, "coder.nix"));
  assert.deepEqual(coder, {
    profile: envelope({ name: "coder", description: "Composed coder" }),
    manifest: {
      ...commonManifest,
      compaction: { ...commonManifest.compaction, ...CONTEXT_LARGE },
      model: { ref: "anthropic/claude-sonnet-4-6", auth: secret("llm.anthropic.default") },
      // tools.standard's `ask bash` duplicates guarded's and is dropped.
      permissions: { default_action: "allow", rule: GUARDED_RULES },
      worker: { language: "English", reasoning: "medium", max_turns: 200 },
    },
  });

  const cheap = await evalOk(join(dir, "coder-cheap.nix"));
  assert.deepEqual(cheap, {
    profile: envelope({ name: "coder-cheap", description: "Composed coder on a local model" }),
    manifest: {
      ...obj(coder.manifest),
      model: { ref: "ollama-local/qwen2.5-coder", auth: { kind: "none" } },
      compaction: {
        ...CONTEXT_SMALL,
        prune_protected_tokens: 4000,
        prune_min_savings: 2048,
        summary_target_tokens: 1200,
        summary_max_tokens: 2400,
        worker_max_turns: 12,
        retained_tokens: 4000,
        auto_read_budget_tokens: 4000,
      },
      // retention.minimal names every memory field, so standard's extraction is switched off.
      memory: { query_result_limit: 10, query_excerpt_lines: 2 },
      worker: { language: "English", max_turns: 60 },
    },
  });
});

// ---- errors --------------------------------------------------------------------------------

const ERROR_CASES: Record<string, string> = {
  "both-manifest-config.nix": "give either `manifest` or `config`, not both",
  "loose-next-to-manifest.nix": "unexpected attribute(s) `scope` next to `manifest`",
  "use-function.nix": "element 0 of `use` is a function; call it first",
  "function-in-output.nix": "`scope.allow[0]` is a function, not data",
  "bad-secret.nix": "invalid secret id `../escape`",
  "workspace-absolute.nix": "`/etc` is absolute",
  "rules-without-default.nix": "no permissions.default_action",
  "unknown-provider.nix": "unknown provider `acme`",
  "bad-permission.nix": 'permission must be "read" or "write", got `admin`',
  "interpolated-path.nix": "not supported by store 'dummy'",
};

for (const [file, message] of Object.entries(ERROR_CASES)) {
  Deno.test(`profile error: ${file}`, async () => {
    const r = await nixEval(join(FIX, "errors", file));
    assert.notEqual(r.code, 0, `${file} should fail`);
    assert.ok(r.stderr.includes(message), `stderr of ${file} lacks ${message}:\n${r.stderr}`);
  });
}

// ---- catalogs --------------------------------------------------------------------------------

interface ModelRow {
  id: string;
  provider: string;
  context_window?: number;
  max_context_window?: number;
  capability?: JsonObject;
}

function readCatalogs(): { providers: JsonObject[]; models: ModelRow[] } {
  // JSON round trip: smol-toml builds null-prototype objects, which deepEqual tells apart.
  const read = (file: string): unknown =>
    JSON.parse(JSON.stringify(parseToml(readFileSync(join(CATALOG_DIR, file), "utf8"))));
  const providers = (read("providers.toml") as { provider: JsonObject[] }).provider;
  const models = (read("models.toml") as { model: ModelRow[] }).model;
  return { providers, models };
}

const effectiveWindow = (row: ModelRow): number =>
  Math.min(row.context_window!, row.max_context_window ?? Infinity);

Deno.test("the catalogs hold exactly the anchor's providers and models", () => {
  const { providers, models } = readCatalogs();
  const explicit = { kind: "explicit", max_breakpoints: 4 };
  const auto = { kind: "auto" };
  const cap = (reasoning: string | undefined, vision: boolean, caching: JsonObject) => ({
    tool_calling: "parallel",
    structured_output: "json_schema",
    ...(reasoning ? { reasoning } : {}),
    vision,
    prompt_caching: caching,
  });
  assert.deepEqual(
    providers.map((p) => [p.id, p.scheme, p.base_url, p.auth_hint, p.default_context_window]),
    [
      ["anthropic", "anthropic", "https://api.anthropic.com", {
        kind: "api_key",
        env: "INSOMNIA_API_KEY_ANTHROPIC",
      }, 200000],
      ["ollama-local", "anthropic", "http://localhost:11434", { kind: "none" }, 128000],
      ["codex-oauth", "openai_responses", "https://chatgpt.com/backend-api/codex", {
        kind: "codex_oauth",
      }, 400000],
      ["openrouter", "openai_chat", "https://openrouter.ai/api/v1", {
        kind: "api_key",
        env: "INSOMNIA_API_KEY_OPENROUTER",
      }, 200000],
    ],
  );
  assert.deepEqual(providers.map((p) => p.default_capability), [
    cap("budget_tokens", true, explicit),
    cap(undefined, false, auto),
    cap("effort", true, auto),
    cap(undefined, true, auto),
  ]);
  for (const p of providers) assert.equal(typeof p.display_name, "string");
  assert.deepEqual(
    models.map((m) => [`${m.provider}/${m.id}`, m.context_window, m.max_context_window]),
    [
      ["anthropic/claude-sonnet-4-6", 200000, undefined],
      ["anthropic/claude-sonnet-4-5", 200000, undefined],
      ["anthropic/claude-opus-4-1", 200000, undefined],
      ["ollama-local/llama3.1", 128000, undefined],
      ["ollama-local/qwen2.5-coder", 128000, undefined],
      ["codex-oauth/gpt-5-codex", 400000, undefined],
      ["codex-oauth/gpt-5", 400000, undefined],
      ["codex-oauth/gpt-5.5", 1000000, 272000],
      ["openrouter/anthropic/claude-sonnet-4", 200000, undefined],
      ["openrouter/openai/gpt-5", 400000, undefined],
    ],
  );
  const reasoningOf = (ref: string) =>
    models.find((m) => `${m.provider}/${m.id}` === ref)?.capability?.reasoning;
  for (const ref of ["codex-oauth/gpt-5-codex", "codex-oauth/gpt-5", "codex-oauth/gpt-5.5"]) {
    assert.equal(reasoningOf(ref), "effort", ref);
  }
  assert.equal(reasoningOf("openrouter/anthropic/claude-sonnet-4"), "budget_tokens");
  assert.equal(reasoningOf("openrouter/openai/gpt-5"), "effort");
});

Deno.test("the Nix library's catalog table agrees with the TOML catalogs", async () => {
  const { providers, models } = readCatalogs();
  const f = await evalOk(join(FIX, "functions.nix"));
  const catalog = obj(f.catalog);
  assert.deepEqual(
    Object.keys(obj(catalog.providers)).sort(),
    providers.map((p) => p.id as string).sort(),
  );
  const nixModels = obj(catalog.models);
  assert.deepEqual(
    Object.keys(nixModels).sort(),
    models.map((m) => `${m.provider}/${m.id}`).sort(),
  );
  for (const m of models) {
    const row = obj(nixModels[`${m.provider}/${m.id}`]);
    assert.equal(row.context_window, m.context_window, `${m.provider}/${m.id}`);
    assert.equal(row.max_context_window, m.max_context_window, `${m.provider}/${m.id}`);
  }
  // Every model shortcut names a catalog row with its provider's profile auth.
  const presets = readPresetsFixture();
  for (const [name, preset] of Object.entries(presets.models)) {
    const model = obj(preset.model);
    const ref = model.ref as string;
    assert.ok(ref in nixModels, `models.${name}: ${ref} is not in the catalog`);
    const provider = ref.slice(0, ref.indexOf("/"));
    assert.deepEqual(model.auth, obj(obj(catalog.providers)[provider]).auth, `models.${name}`);
  }
});

// ---- builtin profiles ----------------------------------------------------------------------

const BUILTINS = [
  "coder",
  "coder-cheap",
  "coder-fast",
  "default",
  "orchestrator",
  "researcher",
  "reviewer",
];

Deno.test("the builtin profile set", () => {
  const files = readdirSync(PROFILES_DIR).filter((f) => f.endsWith(".nix")).sort();
  assert.deepEqual(files, BUILTINS.map((n) => `${n}.nix`).sort());
});

/** Collects every value of a path-typed field (anchor-facts §1.5 plus memory.workspace_root). */
function pathFields(m: JsonObject): [string, Json][] {
  const out: [string, Json][] = [];
  const pod = m.pod as JsonObject | undefined;
  if (pod?.prompt_pack !== undefined) out.push(["pod.prompt_pack", pod.prompt_pack]);
  const scope = (m.scope ?? {}) as JsonObject;
  for (const list of ["allow", "deny"]) {
    for (const rule of (scope[list] ?? []) as JsonObject[]) {
      out.push([`scope.${list}.target`, rule.target]);
    }
  }
  const memory = m.memory as JsonObject | undefined;
  if (memory?.workspace_root !== undefined) {
    out.push(["memory.workspace_root", memory.workspace_root]);
  }
  const skills = m.skills as JsonObject | undefined;
  for (const d of (skills?.directories ?? []) as Json[]) out.push(["skills.directories", d]);
  return out;
}

for (const name of BUILTINS) {
  Deno.test(`builtin profile ${name} evaluates to a complete, consistent profile`, async () => {
    const { models } = readCatalogs();
    const out = await evalOk(join(PROFILES_DIR, `${name}.nix`));
    assert.deepEqual(Object.keys(out).sort(), ["manifest", "profile"]);
    const profile = obj(out.profile);
    assert.equal(profile.format, "insomnia.nix-profile.v1");
    assert.equal(profile.library_version, "1.0.0");
    assert.equal(profile.name, name);
    const description = profile.description;
    assert.ok(typeof description === "string" && description.length > 20, "description");
    assert.ok(!description.includes("\n") && description.length <= 160, "one-line description");

    const m = obj(out.manifest);
    assert.equal(m.pod, undefined, "the Pod name is a runtime input");
    // Scope: the launch workspace, never the profile's own directory.
    const allow = obj(m.scope).allow as JsonObject[];
    assert.ok(allow.length > 0, "scope.allow");
    for (const [field, value] of pathFields(m)) {
      assert.equal(obj(value).kind, "workspace_path", `${field} must be a workspace path`);
    }
    // Model: a catalog ref with the provider's profile auth (no env-var credentials).
    const model = obj(m.model);
    const row = models.find((r) => `${r.provider}/${r.id}` === model.ref);
    assert.ok(row, `model.ref ${model.ref} is not in models.toml`);
    const authKind = obj(model.auth).kind;
    const expectedKind = {
      "anthropic": "secret_ref",
      "openrouter": "secret_ref",
      "codex-oauth": "codex_oauth",
      "ollama-local": "none",
    }[row.provider];
    assert.equal(authKind, expectedKind, "model.auth");
    assert.deepEqual(Object.keys(model).sort(), ["auth", "ref"]);
    // Compaction numbers fit the model's effective window and each other.
    const c = obj(m.compaction) as Record<string, number>;
    const window = effectiveWindow(row);
    assert.ok(c.threshold < c.request_threshold, "threshold < request_threshold");
    assert.ok(c.request_threshold < window, `request_threshold < window ${window}`);
    assert.ok(c.overview_deadline_tokens < c.worker_context_max_tokens, "overview fits worker");
    assert.ok(
      c.retained_tokens + c.auto_read_budget_tokens + c.summary_max_tokens <
        c.result_context_max_tokens,
      "retained + auto-read + summary fit the compacted context",
    );
    assert.ok(c.result_context_max_tokens < c.threshold, "compacted context < threshold");
    // Permissions are always explicit; web search names the environment variable holding its key
    // (the runtime reads only api_key_env) and never carries a key itself.
    assert.ok(["allow", "ask", "deny"].includes(obj(m.permissions).default_action as string));
    const search = obj(m.web).search as JsonObject | undefined;
    if (search?.enabled) assert.equal(search.api_key_env, "BRAVE_SEARCH_API_KEY");
    assert.ok(!JSON.stringify(m).includes('"api_key"'), "no key in the manifest");
  });
}

Deno.test("builtin default matches the original product's default", async () => {
  const m = obj((await evalOk(join(PROFILES_DIR, "default.nix"))).manifest);
  assert.deepEqual(m.model, { ref: "codex-oauth/gpt-5.5", auth: { kind: "codex_oauth" } });
  assert.equal(obj(m.worker).reasoning, "high");
  assert.deepEqual(m.session, { record_event_trace: true });
  assert.deepEqual(m.scope, { allow: [{ target: ws("."), permission: "write" }] });
  const c = obj(m.compaction) as Record<string, number>;
  // context.xlarge over gpt-5.5's 272k window: within 0.1 % of 200000 / 240000 / 100000.
  assert.deepEqual(
    [c.threshold, c.request_threshold, c.worker_context_max_tokens],
    [199920, 239904, 100096],
  );
  const memory = obj(m.memory);
  assert.equal(memory.extract_threshold, 50000);
  assert.equal(memory.consolidation_threshold_files, 5);
  assert.equal(memory.consolidation_threshold_bytes, 50000);
  assert.deepEqual(obj(obj(m.web).search), {
    enabled: true,
    provider: "brave",
    api_key_env: "BRAVE_SEARCH_API_KEY",
  });
  assert.equal(obj(m.web).enabled, true);
});

Deno.test("builtin role policies: reviewer and researcher cannot write, coder asks for shell", async () => {
  const manifest = async (n: string) =>
    obj((await evalOk(join(PROFILES_DIR, `${n}.nix`))).manifest);
  for (const name of ["reviewer", "researcher"]) {
    const m = await manifest(name);
    assert.deepEqual(m.scope, { allow: [{ target: ws("."), permission: "read" }] }, name);
    const rules = obj(m.permissions).rule as JsonObject[];
    for (const tool of ["Write", "Edit", "Bash"]) {
      assert.deepEqual(rules.find((r) => r.tool === tool)?.action, "deny", `${name} ${tool}`);
    }
  }
  const researcherWeb = obj((await manifest("researcher")).web);
  assert.equal(obj(researcherWeb.search).enabled, true);
  assert.equal(obj(researcherWeb.fetch).enabled, true);
  for (const name of ["coder", "coder-cheap", "coder-fast"]) {
    const m = await manifest(name);
    assert.deepEqual(
      m.permissions,
      { default_action: "allow", rule: [{ tool: "Bash", action: "ask" }] },
      name,
    );
  }
  assert.deepEqual((await manifest("orchestrator")).permissions, {
    default_action: "allow",
    rule: GUARDED_RULES,
  });
  const cheap = await manifest("coder-cheap");
  assert.equal(obj(cheap.model).ref, "ollama-local/qwen2.5-coder");
  assert.equal(obj(cheap.compaction).threshold, 47040);
  const fast = await manifest("coder-fast");
  assert.equal(obj(fast.worker).reasoning, "low");
});

// The manifest contract lives in src/manifest/schema.ts (owned elsewhere); when present, every
// artifact the library produces here must pass its strict partial-manifest schema.
const SCHEMA = join(REPO_ROOT, "src", "manifest", "schema.ts");
Deno.test({
  name: "builtin and fixture manifests pass the TypeScript manifest schema",
  ignore: !existsSync(SCHEMA),
  fn: async () => {
    const mod = await import(new URL(`file://${SCHEMA}`).href);
    const schema = mod.ManifestConfigSchema as {
      safeParse(v: unknown): { success: boolean; error?: unknown };
    };
    const files = [
      ...BUILTINS.map((n) => join(PROFILES_DIR, `${n}.nix`)),
      ...["minimal", "config", "loose", "paths", "raw-wins", "concat"].map((n) =>
        join(FIX, `${n}.nix`)
      ),
      ...["coder", "coder-cheap"].map((n) => join(FIX, "composed", `${n}.nix`)),
    ];
    for (const file of files) {
      const manifest = (await evalOk(file)).manifest;
      const result = schema.safeParse(manifest);
      assert.ok(result.success, `${basename(file)}: ${JSON.stringify(result.error)}`);
    }
  },
});

// ---- docs tables ---------------------------------------------------------------------------

/** Leaf fields in the order the manifest reference lists them (others follow, first seen). */
const FIELD_ORDER = [
  "model.ref",
  "model.auth",
  "worker.reasoning",
  "scope.allow",
  "session.record_event_trace",
  "permissions.default_action",
  "compaction",
  "compaction.threshold",
  "compaction.request_threshold",
  "compaction.worker_context_max_tokens",
  "compaction.overview_target_tokens",
  "compaction.overview_warning_tokens",
  "compaction.overview_deadline_tokens",
  "compaction.result_context_max_tokens",
  "compaction.prune_protected_tokens",
  "compaction.prune_min_savings",
  "compaction.summary_target_tokens",
  "compaction.summary_max_tokens",
  "compaction.worker_max_turns",
  "compaction.retained_tokens",
  "compaction.auto_read_budget_tokens",
  "memory",
  "memory.query_result_limit",
  "memory.query_excerpt_lines",
  "memory.extract_threshold",
  "memory.extract_worker_max_turns",
  "memory.consolidation_threshold_files",
  "memory.consolidation_threshold_bytes",
  "web.enabled",
  "web.search.enabled",
  "web.search.provider",
  "web.search.api_key",
  "web.fetch.enabled",
];

/** Renders one leaf value for a docs table cell. */
function cell(v: Json): string {
  if (v === null) return "_unset_"; // the emphasis style deno fmt keeps
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return `\`"${v}"\``;
  if (typeof v === "boolean") return `\`${v}\``;
  if (Array.isArray(v)) {
    return v.map((rule) => {
      const r = obj(rule);
      return `${cell(r.target)} ${r.permission}`;
    }).join("<br>");
  }
  if (v.kind === "secret_ref") return `\`secrets.ref "${v.ref}"\``;
  if (v.kind === "workspace_path") return `\`workspace "${v.path}"\``;
  const fields = Object.entries(v).map(([k, x]) => `${k} = ${JSON.stringify(x)};`).join(" ");
  return `\`{ ${fields} }\``;
}

/** Flattens a preset into `field -> value` leaves; permission rules become `rule[tool]` rows. */
function leaves(v: Json, path: string[] = [], out = new Map<string, Json>()): Map<string, Json> {
  const key = path.join(".");
  const isObject = v !== null && typeof v === "object" && !Array.isArray(v);
  if (isObject && !("kind" in v)) {
    for (const [k, x] of Object.entries(v)) leaves(x, [...path, k], out);
  } else if (key === "permissions.rule" && Array.isArray(v)) {
    for (const rule of v) out.set(`permissions.rule[${obj(rule).tool}]`, obj(rule).action);
  } else {
    out.set(key, v);
  }
  return out;
}

/** Renders one markdown table per preset family (the tables in docs/profile-lib.md). */
export function renderPresetTables(presets: PresetTable): Record<string, string> {
  const tables: Record<string, string> = {};
  for (const [family, members] of Object.entries(presets)) {
    const names = Object.keys(members);
    const flat = names.map((n) => leaves(members[n]));
    const seen: string[] = [];
    for (const f of flat) for (const k of f.keys()) if (!seen.includes(k)) seen.push(k);
    const rank = (k: string) => {
      const i = FIELD_ORDER.indexOf(k);
      return i < 0 ? FIELD_ORDER.length + seen.indexOf(k) : i;
    };
    const fields = [...seen].sort((a, b) => rank(a) - rank(b));
    const value = (i: number, field: string) =>
      flat[i].has(field) ? cell(flat[i].get(field)!) : "—";
    const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
    const lines: string[] = [];
    if (names.length > fields.length) {
      lines.push(row(["preset", ...fields.map((f) => `\`${f}\``)]));
      lines.push(row(["---", ...fields.map(() => "---")]));
      names.forEach((n, i) =>
        lines.push(row([`\`${family}.${n}\``, ...fields.map((f) => value(i, f))]))
      );
    } else {
      lines.push(row(["field", ...names.map((n) => `\`${family}.${n}\``)]));
      lines.push(row(["---", ...names.map(() => "---")]));
      for (const f of fields) lines.push(row([`\`${f}\``, ...names.map((_, i) => value(i, f))]));
    }
    tables[family] = lines.join("\n");
  }
  return tables;
}

if (import.meta.main) {
  for (const [family, table] of Object.entries(renderPresetTables(readPresetsFixture()))) {
    console.log(`<!-- ${family} -->\n${table}\n`);
  }
}
