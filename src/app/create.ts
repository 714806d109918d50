/**
 * Use case: create a Pod from a profile or the TOML path. {@link create} resolves and checks
 * everything and writes nothing; the plan's `apply()` records the Pod.
 * @module
 */
import { type Env, findProjectManifest } from "../env.ts";
import { addedSections } from "../manifest/diff.ts";
import { validatePodName } from "../manifest/pod_name.ts";
import type { PodManifest } from "../manifest/schema.ts";
import type { Registry } from "../profile/registry.ts";
import { isProfileProvenance, type RecordedProvenance } from "../profile/provenance.ts";
import { checkStore, planPodName } from "../store/pod_store.ts";
import { assertStartsIn } from "../manifest/runtime_contract.ts";
import { launchedPod, type Planned, runEnvOf, waitingPlan } from "./launched.ts";
import { DEFAULT_SOURCE, type LaunchRequest, type LaunchSource } from "./launch_request.ts";
import { checkedWorkspace, evalTimeout, storeOptions } from "./options.ts";

/** A source resolved to a manifest. */
export interface ResolvedSource {
  /** The resolved, validated manifest. */
  manifest: PodManifest;
  /** Warnings of the resolution (shown to the user, never fatal). */
  warnings: string[];
  /** Notes on how the selector was read (a builtin shadowed by the user's profile). */
  notes: string[];
  /** Where it came from: the profile, or the TOML layers. */
  provenance: Exclude<RecordedProvenance, null>;
}

/** What {@link resolveSource} needs besides the source. */
export interface ResolveSourceOptions {
  /** Environment. */
  env: Env;
  /** Working directory. */
  cwd: string;
  /** Launch workspace (absolute, existing). */
  workspace: string;
  /** The Pod's name, when chosen. */
  podName?: string;
  /** Nix evaluation limit (default `INSOMNIA_EVAL_TIMEOUT`, else 30 s). */
  timeoutMs?: number;
  /** Cancels the evaluation. */
  signal?: AbortSignal;
  /** Evaluate without the sandbox (`--impure-eval`). */
  impureEval?: boolean;
  /** Trust every project for this run (`--trust`). */
  trustAll?: boolean;
  /** Bypass the evaluation cache (`--no-cache`). */
  noCache?: boolean;
  /** Registries already loaded by the caller. */
  registry?: Registry;
  /** Wraps the evaluation (see {@link LaunchRequest.progress}). */
  progress?: LaunchRequest["progress"];
}

/**
 * Resolves a source to a manifest without touching the store: the profile pipeline (which loads
 * only now, so resuming never does) or the TOML path.
 */
export async function resolveSource(
  source: LaunchSource,
  options: ResolveSourceOptions,
): Promise<ResolvedSource> {
  const { env, cwd, workspace, podName } = options;
  if (source.kind === "profile") {
    const timeoutMs = options.timeoutMs ?? evalTimeout({}, env);
    const { resolveProfile } = await import("../profile/resolve_profile.ts");
    const work = resolveProfile(source.selector, {
      env,
      cwd,
      workspace,
      podName,
      timeoutMs,
      signal: options.signal,
      impureEval: options.impureEval,
      trustAll: options.trustAll,
      noCache: options.noCache,
      ...(options.registry && { registry: options.registry }),
    });
    const label = `evaluating profile ${source.selector}`;
    const { manifest, warnings, provenance, notes } =
      await (options.progress?.(label, work) ?? work);
    return { manifest, warnings, provenance, notes };
  }
  const { cascadeProjectStart, resolveCascade, resolveManifestFile } = await import(
    "../manifest/cascade.ts"
  );
  const common = { env, cwd, workspace, podName };
  if (source.kind === "cascade") {
    // The project layer is a stranger's settings (base_url, scope) until its project is trusted.
    const project = findProjectManifest(cascadeProjectStart(cwd, source.projectStart));
    if (project !== undefined) {
      const { assertManifestTrusted } = await import("../profile/project_trust.ts");
      assertManifestTrusted(project, "its TOML settings (the cascade's project layer)", {
        env,
        trustAll: options.trustAll,
      });
    }
  }
  const { manifest, warnings, layers } = source.kind === "manifest"
    ? resolveManifestFile(source.file, common)
    : resolveCascade({ ...common, projectStart: source.projectStart, overlay: source.overlay });
  return {
    manifest,
    warnings,
    notes: [],
    provenance: { selector: null, source: { kind: "manifest", layers } },
  };
}

/** A Pod about to be created. */
export interface CreatePlan extends Planned {
  /** The name `apply()` gives the Pod, as of now (another writer may take it first). */
  name: string;
  /** The resolved manifest, with that name. */
  manifest: PodManifest;
  /** Warnings of the resolution (also told to `onWarning`). */
  warnings: string[];
  /** Where the manifest came from. */
  provenance: Exclude<RecordedProvenance, null>;
}

/**
 * Resolves `request.source` (default: the default profile) and checks everything a create needs —
 * workspace, store, name, and with `checkSecrets` every secret reference — without writing.
 *
 * @example
 * ```ts
 * import { create } from "./create.ts";
 * const plan = await create({
 *   source: { kind: "profile", selector: "path:./profiles/coder.nix" },
 *   store: "/tmp/my-store",
 * });
 * console.log(plan.name, plan.changes.length); // nothing written yet
 * const pod = plan.apply();
 * console.log(pod.dir);
 * ```
 */
export async function create(request: LaunchRequest): Promise<CreatePlan> {
  const { env, cwd } = runEnvOf(request);
  const workspace = checkedWorkspace(request.workspace, { env, cwd });
  // A store that cannot be used fails now, not after a slow evaluation.
  const store = storeOptions({ store: request.store }, { env, cwd });
  checkStore(store);
  const explicitName = request.name !== undefined;
  // A chosen name is checked before evaluating; otherwise the manifest's, once it is known.
  if (explicitName) validatePodName(request.name!);
  const { manifest, warnings, provenance, notes } = await resolveSource(
    request.source ?? DEFAULT_SOURCE,
    {
      env,
      cwd,
      workspace,
      podName: request.name,
      timeoutMs: request.timeoutMs,
      impureEval: request.impureEval,
      trustAll: request.trustAll,
      noCache: request.noCache,
      signal: request.signal,
      progress: request.progress,
    },
  );
  if (!explicitName) validatePodName(manifest.pod.name);
  // The runtime refuses to start a Pod outside its scope: say so now, before anything is written.
  assertStartsIn(manifest, workspace);
  for (const note of notes) request.onNote?.(note);
  for (const warning of warnings) request.onWarning?.(warning);
  const secrets = await import("../secrets/resolve_secret.ts");
  if (request.checkSecrets) secrets.assertSecretRefsResolve(manifest, { env });
  else {
    // A Pod whose references resolve nowhere is still created (the secret may be set later),
    // but never silently.
    for (const warning of secrets.unresolvedSecretWarnings(manifest, { env })) {
      warnings.push(warning);
      request.onWarning?.(warning);
    }
  }
  // Loaded here, not at the top: a resume (which imports this module) needs no manifest schema.
  const { createPod } = await import("../store/validated_store.ts");
  const name = planPodName(store, manifest.pod.name, explicitName);
  const planned = { ...manifest, pod: { ...manifest.pod, name } };
  return waitingPlan(store, {
    name,
    manifest: planned,
    warnings,
    provenance,
    changes: addedSections(planned),
    apply: () =>
      launchedPod(createPod(store, {
        name: manifest.pod.name,
        explicitName,
        profile: provenance,
        fingerprint: isProfileProvenance(provenance) ? provenance.fingerprint : null,
        manifest: manifest as unknown as Record<string, unknown>,
      })),
  });
}
