/**
 * The Pod manifest contract as zod schemas.
 *
 * `ManifestConfigSchema` is the partial form (every field optional): one cascade layer, a `--manifest`
 * file or the body of a profile artifact. `PodManifestSchema` is the resolved runtime contract
 * written to snapshots. Both are strict: an unknown key is an error, never silently dropped.
 * Field names follow the original Rust implementation (anchor-facts §1–§3).
 * @module
 */
import { posix } from "node:path";
import * as z from "npm:zod@4.6.7/mini";
import en from "npm:zod@4.6.7/v4/locales/en.js";

// zod/mini: the same validation core and issues as zod's classic API, but a schema is built
// without chaining methods, which costs a run a third of the time (issue 18: start-up). The
// English messages classic registers by itself are configured here, once.
// A CLI run parses each schema about once, so zod's JIT (new Function per schema on first parse)
// costs more than it saves: ~16 ms of a 50 ms builtin:default run (bench/results/latest.md).
z.config({ ...en(), jitless: true });

// deno doc treats every npm type, zod's included, as private (denoland/deno#27364) and cannot show
// an inferred type. So the schemas exported from mod.ts are annotated with `@internal` aliases of
// their own types, and the manifest types use `Infer` instead of `z.infer`.
/** @internal `z.infer` under a local name, for deno doc (see above). */
type Infer<T> = z.infer<T>;
/** @internal A zod schema whose output is `T`, under a local name for deno doc (see above). */
type SchemaOf<T> = z.ZodMiniType<T>;

const u32 = z.number().check(z.int(), z.gte(0), z.lte(4_294_967_295));
const u64 = z.number().check(z.int(), z.gte(0), z.lte(Number.MAX_SAFE_INTEGER));
const positiveU32 = z.number().check(z.int(), z.gte(1, "must be at least 1"), z.lte(4_294_967_295));
const nonEmpty = z.string().check(z.minLength(1, "must not be empty"));

// A C consumer of a path stops at a NUL byte: "x\u0000/etc" would be granted as "x".
const NO_NUL = "must not contain a NUL byte";
const pathString = nonEmpty.check(z.refine((p) => !p.includes("\0"), NO_NUL));

/** A path written relative to the launch workspace (`workspace "."` in the Nix library). */
const WorkspacePathSchema = z.strictObject({
  kind: z.literal("workspace_path"),
  path: z.string().check(
    z.minLength(1, 'must not be empty (use "." for the workspace itself)'),
    z.refine((p) => !p.includes("\0"), NO_NUL),
    z.refine(
      (p) => !p.startsWith("/"),
      "must be relative to the workspace (write an absolute path as a plain string)",
    ),
    z.refine(
      (p) => !/^\.\.(?:\/|$)/.test(posix.normalize(p)),
      "must stay inside the workspace (it leads out of it with `..`; write a path outside the " +
        "workspace as an absolute path or relative to the profile file)",
    ),
  ),
});
/** A path field before resolution: a string (relative to the layer's base) or a workspace path. */
export const PathValueSchema = z.union([pathString, WorkspacePathSchema]);

/** A typed reference to a secret held outside the manifest. */
const SecretRefSchema = z.strictObject({ kind: z.literal("secret_ref"), ref: nonEmpty });

const authKinds = <P extends z.ZodMiniType>(path: P) =>
  z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("none") }),
    z.strictObject({
      kind: z.literal("api_key"),
      env: z.optional(nonEmpty),
      file: z.optional(path),
    }),
    z.strictObject({ kind: z.literal("codex_oauth") }),
    SecretRefSchema,
  ]);
/** How a model authenticates (partial form: `api_key.file` may be relative). */
export const AuthRefSchema = authKinds(PathValueSchema);

/** Provider wire protocols. */
export const SchemeSchema = z.enum(["anthropic", "openai_chat", "openai_responses", "gemini"]);

/** What a model can do (anchor-facts §3). */
export const CapabilitySchema = z.strictObject({
  tool_calling: z.optional(z.enum(["none", "sequential", "parallel"])),
  structured_output: z.optional(z.enum(["none", "json_object", "json_schema"])),
  reasoning: z.optional(z.enum(["effort", "budget_tokens", "both"])),
  vision: z.optional(z.boolean()),
  prompt_caching: z.optional(z.discriminatedUnion("kind", [
    z.strictObject({
      kind: z.literal("explicit"),
      max_breakpoints: z.number().check(z.int(), z.gte(0), z.lte(255)),
    }),
    z.strictObject({ kind: z.literal("auto") }),
  ])),
});

/** `[model]`: either `ref = "<provider>/<model_id>"` or inline scheme/model_id/auth. */
export const ModelConfigSchema = z.strictObject({
  ref: z.optional(nonEmpty),
  scheme: z.optional(SchemeSchema),
  base_url: z.optional(nonEmpty),
  model_id: z.optional(nonEmpty),
  auth: z.optional(AuthRefSchema),
  capability: z.optional(CapabilitySchema),
  context_window: z.optional(u64),
  max_context_window: z.optional(u64),
});

const ScopeRuleSchema = z.strictObject({
  target: PathValueSchema,
  permission: z.enum(["read", "write"]),
  recursive: z.optional(z.boolean()),
});

const ReasoningSchema = z.union([
  nonEmpty,
  z.number().check(z.int(), z.gte(-1), z.lte(2_147_483_647)),
]);

const WorkerConfigSchema = z.strictObject({
  instruction: z.optional(nonEmpty),
  language: z.optional(nonEmpty),
  max_tokens: z.optional(u32),
  max_turns: z.optional(positiveU32),
  temperature: z.optional(z.number()),
  top_p: z.optional(z.number()),
  top_k: z.optional(u32),
  stop_sequences: z.optional(z.array(z.string())),
  reasoning: z.optional(ReasoningSchema),
  tool_output: z.optional(z.strictObject({
    default_max_bytes: z.optional(u64),
    per_tool: z.optional(z.record(z.string(), u64)),
  })),
  file_upload: z.optional(z.strictObject({ max_bytes: z.optional(u64) })),
});

const PermissionRuleSchema = z.strictObject({
  tool: nonEmpty,
  pattern: z.optional(z.string()),
  action: z.enum(["allow", "deny", "ask"]),
});

/** Compaction numbers; every field optional in the partial form. */
const COMPACTION_NUMBER_FIELDS = [
  "prune_protected_tokens",
  "prune_min_savings",
  "threshold",
  "request_threshold",
  "retained_tokens",
  "overview_target_tokens",
  "overview_warning_tokens",
  "overview_deadline_tokens",
  "worker_context_max_tokens",
  "finish_warning_remaining_tokens",
  "final_reserve_tokens",
  "summary_target_tokens",
  "summary_max_tokens",
  "auto_read_budget_tokens",
  "result_context_max_tokens",
] as const;

const compactionNumbers = Object.fromEntries(
  COMPACTION_NUMBER_FIELDS.map((field) => [field, z.optional(u64)]),
) as Record<typeof COMPACTION_NUMBER_FIELDS[number], z.ZodMiniOptional<typeof u64>>;

const CompactionConfigSchema = z.strictObject({
  ...compactionNumbers,
  worker_max_turns: z.optional(z.nullable(u32)),
  model: z.optional(ModelConfigSchema),
});

const MemoryConfigSchema = z.strictObject({
  workspace_root: z.optional(PathValueSchema),
  query_result_limit: z.optional(u32),
  query_excerpt_lines: z.optional(u32),
  inject_summary: z.optional(z.boolean()),
  language: z.optional(nonEmpty),
  extract_model: z.optional(ModelConfigSchema),
  extract_threshold: z.optional(u64),
  extract_worker_max_turns: z.optional(u32),
  consolidation_model: z.optional(ModelConfigSchema),
  consolidation_threshold_files: z.optional(u64),
  consolidation_threshold_bytes: z.optional(u64),
});

const WebSearchSchema = z.strictObject({
  enabled: z.optional(z.boolean()),
  provider: z.optional(z.literal("brave")),
  api_key_env: z.optional(
    z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name")),
  ),
  api_key: z.optional(SecretRefSchema),
  timeout_secs: z.optional(u32),
  base_url: z.optional(nonEmpty),
  country: z.optional(z.string()),
  search_lang: z.optional(z.string()),
  ui_lang: z.optional(z.string()),
  safesearch: z.optional(z.string()),
});

const WebConfigSchema = z.strictObject({
  enabled: z.optional(z.boolean()),
  allow_private_addresses: z.optional(z.boolean()),
  search: z.optional(WebSearchSchema),
  fetch: z.optional(z.strictObject({
    enabled: z.optional(z.boolean()),
    timeout_secs: z.optional(u32),
    redirect_limit: z.optional(u32),
    max_response_bytes: z.optional(u64),
    max_output_bytes: z.optional(u64),
    allow_private_addresses: z.optional(z.boolean()),
  })),
});

// Exported below as ManifestConfigSchema.
/** @internal The partial manifest's zod schema as built (public: {@link ManifestConfigSchema}). */
export const manifestConfigSchema = z.strictObject({
  pod: z.optional(
    z.strictObject({ name: z.optional(nonEmpty), prompt_pack: z.optional(PathValueSchema) }),
  ),
  model: z.optional(ModelConfigSchema),
  worker: z.optional(WorkerConfigSchema),
  scope: z.optional(z.strictObject({
    allow: z.optional(z.array(ScopeRuleSchema)),
    deny: z.optional(z.array(ScopeRuleSchema)),
  })),
  session: z.optional(z.strictObject({ record_event_trace: z.optional(z.boolean()) })),
  permissions: z.optional(z.strictObject({
    default_action: z.optional(z.enum(["allow", "deny", "ask"])),
    rule: z.optional(z.array(PermissionRuleSchema)),
  })),
  compaction: z.optional(CompactionConfigSchema),
  memory: z.optional(MemoryConfigSchema),
  web: z.optional(WebConfigSchema),
  skills: z.optional(z.strictObject({ directories: z.optional(z.array(PathValueSchema)) })),
});
/** The partial manifest: a cascade layer, a `--manifest` file or a profile artifact's body. */
export const ManifestConfigSchema: SchemaOf<ManifestConfig> = manifestConfigSchema;

// ---- resolved form ----------------------------------------------------------------------------

/**
 * `manifest.profile`: the profile a manifest was resolved from, as the runtime records it
 * (crates/manifest/src/profile.rs `ProfileManifestSnapshot`).
 */
const ProfileSnapshotSchema = z.strictObject({
  source: z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("path"), path: nonEmpty }),
    z.strictObject({
      kind: z.literal("registry"),
      source: z.enum(["builtin", "user", "project"]),
      name: nonEmpty,
      path: nonEmpty,
    }),
  ]),
  profile: z.optional(z.strictObject({
    name: z.optional(z.string()),
    description: z.optional(z.string()),
    format: z.optional(z.string()),
  })),
});

const absolutePath = z.string().check(
  z.refine((p) => p.startsWith("/"), "must be an absolute path"),
  z.refine((p) => !p.includes("\0"), NO_NUL),
);
const ResolvedAuthSchema = authKinds(absolutePath);

/** A model after catalog resolution: the effective values a runtime needs. */
export const ResolvedModelSchema = z.strictObject({
  ref: z.optional(nonEmpty),
  scheme: SchemeSchema,
  base_url: nonEmpty,
  model_id: nonEmpty,
  auth: ResolvedAuthSchema,
  // The runtime requires these three once a capability is given (resolution fills them).
  capability: z.required(CapabilitySchema, {
    tool_calling: true,
    structured_output: true,
    prompt_caching: true,
  }),
  context_window: u64,
  max_context_window: z.optional(u64),
});

const ResolvedScopeRuleSchema = z.strictObject({
  target: absolutePath,
  permission: z.enum(["read", "write"]),
  recursive: z.boolean(),
});

type OptionalThreshold = "threshold" | "request_threshold";
const resolvedCompactionNumbers = Object.fromEntries(
  COMPACTION_NUMBER_FIELDS.map((field) => [
    field,
    field === "threshold" || field === "request_threshold" ? z.optional(u64) : u64,
  ]),
) as
  & Record<Exclude<typeof COMPACTION_NUMBER_FIELDS[number], OptionalThreshold>, typeof u64>
  & Record<OptionalThreshold, z.ZodMiniOptional<typeof u64>>;

/** @internal The resolved manifest's zod schema as built (public: {@link PodManifestSchema}). */
export const podManifestSchema = z.strictObject({
  pod: z.strictObject({ name: nonEmpty, prompt_pack: z.optional(absolutePath) }),
  model: ResolvedModelSchema,
  worker: z.extend(WorkerConfigSchema, {
    instruction: nonEmpty,
    language: nonEmpty,
    stop_sequences: z.array(z.string()),
    tool_output: z.strictObject({ default_max_bytes: u64, per_tool: z.record(z.string(), u64) }),
    file_upload: z.strictObject({ max_bytes: u64 }),
  }),
  scope: z.strictObject({
    allow: z.array(ResolvedScopeRuleSchema).check(z.minLength(1, "must declare at least one rule")),
    deny: z.array(ResolvedScopeRuleSchema),
  }),
  session: z.strictObject({ record_event_trace: z.boolean() }),
  permissions: z.optional(z.strictObject({
    default_action: z.enum(["allow", "deny", "ask"]),
    // The runtime requires `pattern` ("*": any call of the tool).
    rule: z.array(z.required(PermissionRuleSchema, { pattern: true })),
  })),
  compaction: z.optional(z.strictObject({
    ...resolvedCompactionNumbers,
    worker_max_turns: z.nullable(u32),
    model: z.optional(ResolvedModelSchema),
  })),
  memory: z.optional(z.extend(MemoryConfigSchema, {
    workspace_root: z.optional(absolutePath),
    extract_model: z.optional(ResolvedModelSchema),
    consolidation_model: z.optional(ResolvedModelSchema),
  })),
  web: z.extend(WebConfigSchema, {
    enabled: z.boolean(),
    allow_private_addresses: z.boolean(),
    // No `api_key`: the runtime reads only api_key_env (resolution refuses the key).
    search: z.optional(z.omit(WebSearchSchema, { api_key: true })),
  }),
  skills: z.strictObject({ directories: z.array(absolutePath) }),
  // Where the manifest came from, in the runtime's shape (ProfileManifestSnapshot).
  profile: z.optional(ProfileSnapshotSchema),
});
/** The resolved runtime contract: what a Pod runs with and what its snapshot stores. */
export const PodManifestSchema: SchemaOf<PodManifest> = podManifestSchema;

// The manifest types, spelled out (a library's public API needs explicit types, which
// `z.infer` is not) by scripts/gen_manifest_types.ts from the schemas above. When a schema changes
// and the file was not regenerated (`deno task gen`), the check below fails to type-check.
import type {
  ManifestConfig,
  ModelConfig,
  PathValue,
  PodManifest,
  ResolvedModel,
} from "../generated/manifest_types.ts";
export type { ManifestConfig, ModelConfig, PathValue, PodManifest, ResolvedModel };
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;
/** @internal True when every generated manifest type equals its schema's inferred type. */
export type GeneratedTypesAreCurrent = [
  Same<Infer<typeof manifestConfigSchema>, ManifestConfig>,
  Same<Infer<typeof ModelConfigSchema>, ModelConfig>,
  Same<Infer<typeof PathValueSchema>, PathValue>,
  Same<Infer<typeof podManifestSchema>, PodManifest>,
  Same<Infer<typeof ResolvedModelSchema>, ResolvedModel>,
] extends [true, true, true, true, true] ? true : never;
const generatedTypesAreCurrent: GeneratedTypesAreCurrent = true;
void generatedTypesAreCurrent;
