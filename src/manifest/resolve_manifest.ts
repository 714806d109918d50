/**
 * Partial manifest → resolved runtime manifest: required fields checked, builtin defaults applied,
 * models resolved through the catalogs. Every problem is reported at once with its field path.
 * @module
 */
import { closest } from "npm:fastest-levenshtein@1.0.16";
import type { Catalog } from "./catalog.ts";
import {
  CODEX_OAUTH_BASE_URL,
  COMPACTION_DEFAULTS,
  DEFAULT_CONTEXT_WINDOW,
  SCHEME_BASE_URLS,
  WORKER_DEFAULTS,
} from "./defaults.ts";
import type { ManifestConfig, ModelConfig, PodManifest, ResolvedModel } from "./schema.ts";
import { type FieldIssue, parsePodManifest, throwIssues } from "./validate.ts";
import {
  askWarning,
  completeCapability,
  instructionRefProblem,
  runtimeTool,
  unknownToolProblem,
} from "./runtime_contract.ts";

/** Inputs to {@link resolveManifest}. */
export interface ResolveOptions {
  catalog: Catalog;
  /** Runtime Pod name; wins over `pod.name` in the config. */
  podName?: string;
  /** Hint appended when `pod.name` is missing (e.g. "pass --profile-pod-name"). */
  podNameHint?: string;
}

/** A resolved manifest and the non-fatal warnings found on the way. */
export interface ResolvedManifest {
  /** The resolved manifest, validated against `PodManifestSchema`. */
  manifest: PodManifest;
  /** Non-fatal problems as one-line messages (e.g. a model missing from its provider's catalog). */
  warnings: string[];
}

function resolveModel(
  model: ModelConfig,
  field: string,
  catalog: Catalog,
  issues: FieldIssue[],
  warnings: string[],
): ResolvedModel | undefined {
  if (model.ref === undefined) {
    const missing = (["scheme", "model_id", "auth"] as const).filter((k) => model[k] === undefined);
    if (missing.length > 0) {
      issues.push({
        field,
        message: `model.ref omitted, so the inline form needs scheme, model_id and auth (missing: ${
          missing.join(", ")
        })`,
      });
      return undefined;
    }
    const scheme = model.scheme!;
    const auth = model.auth!;
    return {
      scheme,
      base_url: model.base_url ??
        (auth.kind === "codex_oauth" ? CODEX_OAUTH_BASE_URL : SCHEME_BASE_URLS[scheme]),
      model_id: model.model_id!,
      auth: auth as ResolvedModel["auth"],
      capability: completeCapability(scheme, model.capability),
      context_window: clampWindow(
        model.context_window ?? DEFAULT_CONTEXT_WINDOW,
        model.max_context_window,
      ),
      ...(model.max_context_window !== undefined &&
        { max_context_window: model.max_context_window }),
    };
  }
  const slash = model.ref.indexOf("/");
  if (slash <= 0 || slash === model.ref.length - 1) {
    issues.push({
      field: `${field}.ref`,
      message: `invalid model.ref \`${model.ref}\`: must be \`<provider>/<model_id>\``,
    });
    return undefined;
  }
  const providerId = model.ref.slice(0, slash);
  const tail = model.ref.slice(slash + 1);
  const provider = catalog.providers.find((p) => p.id === providerId);
  if (!provider) {
    const known = catalog.providers.map((p) => p.id);
    const hint = known.length ? closest(providerId, known) : undefined;
    issues.push({
      field: `${field}.ref`,
      message: `points to unknown provider \`${providerId}\`` +
        (hint ? ` (did you mean \`${hint}\`? known: ${known.join(", ")})` : ""),
    });
    return undefined;
  }
  const row = catalog.models.find((m) => m.provider === providerId && m.id === tail);
  if (!row) {
    warnings.push(
      `${field}.ref: model \`${tail}\` is not in the catalog of provider \`${providerId}\`; using the provider's defaults`,
    );
  }
  const auth = model.auth ?? provider.auth_hint;
  if (!auth) {
    issues.push({
      field: `${field}.auth`,
      message: `provider \`${providerId}\` has no default auth, so ${field}.auth is required`,
    });
    return undefined;
  }
  const scheme = model.scheme ?? provider.scheme;
  const max = model.max_context_window ?? row?.max_context_window;
  return {
    ref: model.ref,
    scheme,
    base_url: model.base_url ?? provider.base_url ??
      (auth.kind === "codex_oauth" ? CODEX_OAUTH_BASE_URL : SCHEME_BASE_URLS[scheme]),
    model_id: model.model_id ?? tail,
    auth: auth as ResolvedModel["auth"],
    capability: completeCapability(
      scheme,
      model.capability ?? row?.capability ?? provider.default_capability,
    ),
    context_window: clampWindow(
      model.context_window ?? row?.context_window ?? provider.default_context_window ??
        DEFAULT_CONTEXT_WINDOW,
      max,
    ),
    ...(max !== undefined && { max_context_window: max }),
  };
}

function clampWindow(window: number, max: number | undefined): number {
  return max !== undefined && window > max ? max : window;
}

/**
 * Resolves a merged, path-resolved partial manifest into the runtime contract. `origin` names the
 * input in error messages. Throws `manifest_invalid` listing every problem.
 */
export function resolveManifest(
  config: ManifestConfig,
  origin: string,
  options: ResolveOptions,
): ResolvedManifest {
  const issues: FieldIssue[] = [];
  const warnings: string[] = [];
  const name = options.podName ?? config.pod?.name;
  if (!name) {
    issues.push({
      field: "pod.name",
      message: `missing required field${options.podNameHint ? ` (${options.podNameHint})` : ""}`,
    });
  }
  let model: ResolvedModel | undefined;
  if (!config.model) issues.push({ field: "model", message: "missing required section" });
  else model = resolveModel(config.model, "model", options.catalog, issues, warnings);

  const allow = config.scope?.allow ?? [];
  if (allow.length === 0) {
    issues.push({ field: "scope.allow", message: "must declare at least one rule" });
  }
  if (config.permissions && config.permissions.default_action === undefined) {
    issues.push({
      field: "permissions.default_action",
      message: "missing required field (required when [permissions] is present)",
    });
  }

  // What the runtime would drop or refuse, said now (runtime_contract.ts).
  (config.permissions?.rule ?? []).forEach((rule, i) => {
    const problem = unknownToolProblem(rule.tool);
    if (problem) issues.push({ field: `permissions.rule[${i}].tool`, message: problem });
  });
  if (config.web?.search?.api_key !== undefined) {
    issues.push({
      field: "web.search.api_key",
      message: "the runtime does not read a search key from the manifest (it would be dropped " +
        "silently); name the environment variable that holds it with web.search.api_key_env " +
        '(in Nix: web.search { apiKeyEnv = "BRAVE_SEARCH_API_KEY"; })',
    });
  }
  if (config.worker?.instruction !== undefined) {
    const problem = instructionRefProblem(config.worker.instruction);
    if (problem) issues.push({ field: "worker.instruction", message: problem });
  }

  let compaction: PodManifest["compaction"];
  if (config.compaction) {
    const { model: compactionModel, ...numbers } = config.compaction;
    compaction = { ...COMPACTION_DEFAULTS, ...dropUndefined(numbers) } as PodManifest["compaction"];
    if (compactionModel) {
      const resolved = resolveModel(
        compactionModel,
        "compaction.model",
        options.catalog,
        issues,
        warnings,
      );
      if (resolved) compaction!.model = resolved;
    }
    const { threshold, request_threshold } = compaction!;
    if (
      threshold !== undefined && request_threshold !== undefined && threshold >= request_threshold
    ) {
      warnings.push(
        `compaction.threshold (${threshold}) should be below compaction.request_threshold (${request_threshold})`,
      );
    }
  }

  let memory: PodManifest["memory"];
  if (config.memory) {
    const { extract_model, consolidation_model, ...rest } = config.memory;
    memory = { ...rest } as PodManifest["memory"];
    for (
      const [key, value] of [["extract_model", extract_model], [
        "consolidation_model",
        consolidation_model,
      ]] as const
    ) {
      if (!value) continue;
      const resolved = resolveModel(value, `memory.${key}`, options.catalog, issues, warnings);
      if (resolved) memory![key] = resolved;
    }
  }

  if (issues.length > 0) throwIssues(origin, issues);

  const worker = config.worker ?? {};
  const manifest = {
    pod: { name: name!, ...(config.pod?.prompt_pack && { prompt_pack: config.pod.prompt_pack }) },
    model: model!,
    worker: {
      ...worker,
      instruction: worker.instruction ?? WORKER_DEFAULTS.instruction,
      language: worker.language ?? WORKER_DEFAULTS.language,
      stop_sequences: worker.stop_sequences ?? [],
      tool_output: {
        default_max_bytes: worker.tool_output?.default_max_bytes ??
          WORKER_DEFAULTS.tool_output_max_bytes,
        per_tool: worker.tool_output?.per_tool ?? {},
      },
      file_upload: {
        max_bytes: worker.file_upload?.max_bytes ?? WORKER_DEFAULTS.file_upload_max_bytes,
      },
    },
    scope: {
      allow: allow.map((r) => ({ ...r, recursive: r.recursive ?? true })),
      deny: (config.scope?.deny ?? []).map((r) => ({ ...r, recursive: r.recursive ?? true })),
    },
    session: { record_event_trace: config.session?.record_event_trace ?? false },
    ...(config.permissions && {
      permissions: {
        default_action: config.permissions.default_action!,
        // The runtime's tool spelling, and "*" (any call) where a rule names no pattern.
        rule: (config.permissions.rule ?? []).map((rule) => ({
          tool: runtimeTool(rule.tool) ?? rule.tool,
          pattern: rule.pattern ?? "*",
          action: rule.action,
        })),
      },
    }),
    ...(compaction && { compaction }),
    ...(memory && { memory }),
    web: {
      ...config.web,
      enabled: config.web?.enabled ?? false,
      allow_private_addresses: config.web?.allow_private_addresses ?? false,
    },
    skills: { directories: config.skills?.directories ?? [] },
  };
  const resolved = parsePodManifest(manifest, origin);
  const asks = askWarning(resolved);
  if (asks) warnings.push(asks);
  return { manifest: resolved, warnings };
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
