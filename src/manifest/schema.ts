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
import * as z from "npm:zod@4.6.7";

// A CLI run parses each schema about once, so zod's JIT (new Function per schema on first parse)
// costs more than it saves: ~16 ms of a 50 ms builtin:default run (bench/results/latest.md).
z.config({ jitless: true });

// deno doc treats every npm type, zod's included, as private (denoland/deno#27364) and cannot show
// an inferred type. So the schemas exported from mod.ts are annotated with `@internal` aliases of
// their own types, and the manifest types use `Infer` instead of `z.infer`.
/** @internal `z.infer` under a local name, for deno doc (see above). */
type Infer<T> = z.infer<T>;
/** @internal A zod schema whose output is `T`, under a local name for deno doc (see above). */
type SchemaOf<T> = z.ZodType<T>;

const u32 = z.number().int().min(0).max(4_294_967_295);
const u64 = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const positiveU32 = z.number().int().min(1, "must be at least 1").max(4_294_967_295);
const nonEmpty = z.string().min(1, "must not be empty");

// A C consumer of a path stops at a NUL byte: "x\u0000/etc" would be granted as "x".
const NO_NUL = "must not contain a NUL byte";
const pathString = nonEmpty.refine((p) => !p.includes("\0"), NO_NUL);

/** A path written relative to the launch workspace (`workspace "."` in the Nix library). */
const WorkspacePathSchema = z.strictObject({
  kind: z.literal("workspace_path"),
  path: z.string().min(1, 'must not be empty (use "." for the workspace itself)')
    .refine((p) => !p.includes("\0"), NO_NUL)
    .refine(
      (p) => !p.startsWith("/"),
      "must be relative to the workspace (write an absolute path as a plain string)",
    )
    .refine(
      (p) => !/^\.\.(?:\/|$)/.test(posix.normalize(p)),
      "must stay inside the workspace (it leads out of it with `..`; write a path outside the " +
        "workspace as an absolute path or relative to the profile file)",
    ),
});
/** A path field before resolution: a string (relative to the layer's base) or a workspace path. */
export const PathValueSchema = z.union([pathString, WorkspacePathSchema]);

/** A typed reference to a secret held outside the manifest. */
const SecretRefSchema = z.strictObject({ kind: z.literal("secret_ref"), ref: nonEmpty });

const authKinds = <P extends z.ZodType>(path: P) =>
  z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("none") }),
    z.strictObject({
      kind: z.literal("api_key"),
      env: nonEmpty.optional(),
      file: path.optional(),
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
  tool_calling: z.enum(["none", "sequential", "parallel"]).optional(),
  structured_output: z.enum(["none", "json_object", "json_schema"]).optional(),
  reasoning: z.enum(["effort", "budget_tokens", "both"]).optional(),
  vision: z.boolean().optional(),
  prompt_caching: z.discriminatedUnion("kind", [
    z.strictObject({
      kind: z.literal("explicit"),
      max_breakpoints: z.number().int().min(0).max(255),
    }),
    z.strictObject({ kind: z.literal("auto") }),
  ]).optional(),
});

/** `[model]`: either `ref = "<provider>/<model_id>"` or inline scheme/model_id/auth. */
export const ModelConfigSchema = z.strictObject({
  ref: nonEmpty.optional(),
  scheme: SchemeSchema.optional(),
  base_url: nonEmpty.optional(),
  model_id: nonEmpty.optional(),
  auth: AuthRefSchema.optional(),
  capability: CapabilitySchema.optional(),
  context_window: u64.optional(),
  max_context_window: u64.optional(),
});

const ScopeRuleSchema = z.strictObject({
  target: PathValueSchema,
  permission: z.enum(["read", "write"]),
  recursive: z.boolean().optional(),
});

const ReasoningSchema = z.union([nonEmpty, z.number().int().min(-1).max(2_147_483_647)]);

const WorkerConfigSchema = z.strictObject({
  instruction: nonEmpty.optional(),
  language: nonEmpty.optional(),
  max_tokens: u32.optional(),
  max_turns: positiveU32.optional(),
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  top_k: u32.optional(),
  stop_sequences: z.array(z.string()).optional(),
  reasoning: ReasoningSchema.optional(),
  tool_output: z.strictObject({
    default_max_bytes: u64.optional(),
    per_tool: z.record(z.string(), u64).optional(),
  }).optional(),
  file_upload: z.strictObject({ max_bytes: u64.optional() }).optional(),
});

const PermissionRuleSchema = z.strictObject({
  tool: nonEmpty,
  pattern: z.string().optional(),
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
  COMPACTION_NUMBER_FIELDS.map((field) => [field, u64.optional()]),
) as Record<typeof COMPACTION_NUMBER_FIELDS[number], z.ZodOptional<typeof u64>>;

const CompactionConfigSchema = z.strictObject({
  ...compactionNumbers,
  worker_max_turns: u32.nullable().optional(),
  model: ModelConfigSchema.optional(),
});

const MemoryConfigSchema = z.strictObject({
  workspace_root: PathValueSchema.optional(),
  query_result_limit: u32.optional(),
  query_excerpt_lines: u32.optional(),
  inject_summary: z.boolean().optional(),
  language: nonEmpty.optional(),
  extract_model: ModelConfigSchema.optional(),
  extract_threshold: u64.optional(),
  extract_worker_max_turns: u32.optional(),
  consolidation_model: ModelConfigSchema.optional(),
  consolidation_threshold_files: u64.optional(),
  consolidation_threshold_bytes: u64.optional(),
});

const WebConfigSchema = z.strictObject({
  enabled: z.boolean().optional(),
  allow_private_addresses: z.boolean().optional(),
  search: z.strictObject({
    enabled: z.boolean().optional(),
    provider: z.literal("brave").optional(),
    api_key_env: z.string().regex(
      /^[A-Za-z_][A-Za-z0-9_]*$/,
      "must be an environment variable name",
    )
      .optional(),
    api_key: SecretRefSchema.optional(),
    timeout_secs: u32.optional(),
    base_url: nonEmpty.optional(),
    country: z.string().optional(),
    search_lang: z.string().optional(),
    ui_lang: z.string().optional(),
    safesearch: z.string().optional(),
  }).optional(),
  fetch: z.strictObject({
    enabled: z.boolean().optional(),
    timeout_secs: u32.optional(),
    redirect_limit: u32.optional(),
    max_response_bytes: u64.optional(),
    max_output_bytes: u64.optional(),
    allow_private_addresses: z.boolean().optional(),
  }).optional(),
});

// Exported below as ManifestConfigSchema.
/** @internal The partial manifest's zod schema as built (public: {@link ManifestConfigSchema}). */
export const manifestConfigSchema = z.strictObject({
  pod: z.strictObject({ name: nonEmpty.optional(), prompt_pack: PathValueSchema.optional() })
    .optional(),
  model: ModelConfigSchema.optional(),
  worker: WorkerConfigSchema.optional(),
  scope: z.strictObject({
    allow: z.array(ScopeRuleSchema).optional(),
    deny: z.array(ScopeRuleSchema).optional(),
  }).optional(),
  session: z.strictObject({ record_event_trace: z.boolean().optional() }).optional(),
  permissions: z.strictObject({
    default_action: z.enum(["allow", "deny", "ask"]).optional(),
    rule: z.array(PermissionRuleSchema).optional(),
  }).optional(),
  compaction: CompactionConfigSchema.optional(),
  memory: MemoryConfigSchema.optional(),
  web: WebConfigSchema.optional(),
  skills: z.strictObject({ directories: z.array(PathValueSchema).optional() }).optional(),
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
  profile: z.strictObject({
    name: z.string().optional(),
    description: z.string().optional(),
    format: z.string().optional(),
  }).optional(),
});

const absolutePath = z.string().refine((p) => p.startsWith("/"), "must be an absolute path")
  .refine((p) => !p.includes("\0"), NO_NUL);
const ResolvedAuthSchema = authKinds(absolutePath);

/** A model after catalog resolution: the effective values a runtime needs. */
export const ResolvedModelSchema = z.strictObject({
  ref: nonEmpty.optional(),
  scheme: SchemeSchema,
  base_url: nonEmpty,
  model_id: nonEmpty,
  auth: ResolvedAuthSchema,
  // The runtime requires these three once a capability is given (resolution fills them).
  capability: CapabilitySchema.required({
    tool_calling: true,
    structured_output: true,
    prompt_caching: true,
  }),
  context_window: u64,
  max_context_window: u64.optional(),
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
    field === "threshold" || field === "request_threshold" ? u64.optional() : u64,
  ]),
) as
  & Record<Exclude<typeof COMPACTION_NUMBER_FIELDS[number], OptionalThreshold>, typeof u64>
  & Record<OptionalThreshold, z.ZodOptional<typeof u64>>;

/** @internal The resolved manifest's zod schema as built (public: {@link PodManifestSchema}). */
export const podManifestSchema = z.strictObject({
  pod: z.strictObject({ name: nonEmpty, prompt_pack: absolutePath.optional() }),
  model: ResolvedModelSchema,
  worker: WorkerConfigSchema.extend({
    instruction: nonEmpty,
    language: nonEmpty,
    stop_sequences: z.array(z.string()),
    tool_output: z.strictObject({ default_max_bytes: u64, per_tool: z.record(z.string(), u64) }),
    file_upload: z.strictObject({ max_bytes: u64 }),
  }),
  scope: z.strictObject({
    allow: z.array(ResolvedScopeRuleSchema).min(1, "must declare at least one rule"),
    deny: z.array(ResolvedScopeRuleSchema),
  }),
  session: z.strictObject({ record_event_trace: z.boolean() }),
  permissions: z.strictObject({
    default_action: z.enum(["allow", "deny", "ask"]),
    // The runtime requires `pattern` ("*": any call of the tool).
    rule: z.array(PermissionRuleSchema.required({ pattern: true })),
  }).optional(),
  compaction: z.strictObject({
    ...resolvedCompactionNumbers,
    worker_max_turns: u32.nullable(),
    model: ResolvedModelSchema.optional(),
  }).optional(),
  memory: MemoryConfigSchema.extend({
    workspace_root: absolutePath.optional(),
    extract_model: ResolvedModelSchema.optional(),
    consolidation_model: ResolvedModelSchema.optional(),
  }).optional(),
  web: WebConfigSchema.extend({
    enabled: z.boolean(),
    allow_private_addresses: z.boolean(),
    // No `api_key`: the runtime reads only api_key_env (resolution refuses the key).
    search: WebConfigSchema.shape.search.unwrap().omit({ api_key: true }).optional(),
  }),
  skills: z.strictObject({ directories: z.array(absolutePath) }),
  // Where the manifest came from, in the runtime's shape (ProfileManifestSnapshot).
  profile: ProfileSnapshotSchema.optional(),
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
