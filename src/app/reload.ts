/**
 * Use case: re-resolve a Pod's recorded profile (the recorded file, not a new lookup) and show what
 * would change; `apply()` replaces the snapshot, keeping the previous one in the Pod's history.
 * @module
 */
import { InsomniaError } from "../errors.ts";
import type { PodManifest } from "../manifest/schema.ts";
import { isProfileProvenance, provenanceLabel, reselectorOf } from "../profile/provenance.ts";
import type { ProfileProvenance } from "../profile/resolve_profile.ts";
import { replaceSnapshot } from "../store/validated_store.ts";
import { readPod } from "../store/stored_pods.ts";
import { type LaunchedPod, launchedPod, type Planned, runEnvOf, waitingPlan } from "./launched.ts";
import type { LaunchRequest } from "./launch_request.ts";
import { checkedWorkspace, evalTimeout, storeOptions } from "./options.ts";

/** A Pod's profile re-resolved. */
export interface ReloadPlan extends Planned {
  /** The Pod as stored now. */
  pod: LaunchedPod;
  /** The fresh provenance (the recorded selector and source, a new fingerprint). */
  provenance: ProfileProvenance;
  /** The freshly resolved manifest. */
  manifest: PodManifest;
  /** Warnings of the resolution. */
  warnings: string[];
  /** Whether the profile's fingerprint differs from the recorded one. */
  fingerprintChanged: boolean;
  /**
   * Whether `apply()` would change the record: the manifest changed, or only the profile file did
   * (a comment), and its new fingerprint is worth recording.
   */
  pending: boolean;
}

/**
 * Re-evaluates the profile Pod `request.name` was created from; `usage` for a Pod created from the
 * TOML path. Writes nothing.
 *
 * @example
 * ```ts
 * import { reload } from "./reload.ts";
 * const plan = await reload({ name: "coder", store: "/tmp/my-store" });
 * for (const change of plan.changes) console.log(change.field);
 * if (plan.pending) plan.apply(); // the old snapshot goes to the Pod's history
 * ```
 */
export async function reload(request: LaunchRequest): Promise<ReloadPlan> {
  if (request.name === undefined) {
    throw new InsomniaError("usage", "reload needs the name of the Pod to re-resolve.");
  }
  const { env, cwd } = runEnvOf(request);
  const store = storeOptions({ store: request.store }, { env, cwd });
  const record = readPod(store, request.name);
  const before = record.profile;
  if (!isProfileProvenance(before)) {
    throw new InsomniaError(
      "usage",
      `Pod ${record.pod.name} was created from ${
        provenanceLabel(before)
      }, not from a profile, so there is no profile to re-resolve. Resume it with --pod ${record.pod.name}.`,
    );
  }
  const workspace = request.workspace
    ? checkedWorkspace(request.workspace, { env, cwd })
    : before.workspace ?? cwd;
  // Only explicit re-resolve and create load the resolver; resume reads the snapshot alone.
  const { resolveProfile } = await import("../profile/resolve_profile.ts");
  const { diffManifests } = await import("../manifest/diff.ts");
  if (before.source.kind === "registry" && before.source.source === "project") {
    // The project may have changed since the Pod was created (a `git pull`): trusted as it is now?
    const { assertProjectFileTrusted } = await import("../profile/project_trust.ts");
    assertProjectFileTrusted(before.source.path, { env, trustAll: request.trustAll });
  }
  const work = resolveProfile(reselectorOf(before), {
    env,
    cwd,
    workspace,
    podName: record.pod.name,
    timeoutMs: request.timeoutMs ?? evalTimeout({}, env),
    signal: request.signal,
    impureEval: request.impureEval,
    trustAll: request.trustAll,
    noCache: request.noCache,
    ...(before.source.kind === "registry" && before.source.allow &&
      { allow: before.source.allow }),
  });
  const label = `re-evaluating profile ${before.selector}`;
  const fresh = await (request.progress?.(label, work) ?? work);
  for (const warning of fresh.warnings) request.onWarning?.(warning);
  const provenance: ProfileProvenance = {
    ...fresh.provenance,
    selector: before.selector,
    source: before.source,
  };
  const changes = diffManifests(record.snapshot.manifest, fresh.manifest);
  // The file may change without changing the manifest (a comment): recording the new fingerprint
  // is then the only update, so `pods show` stops reporting the profile as changed.
  const fingerprintChanged =
    JSON.stringify(before.fingerprint) !== JSON.stringify(provenance.fingerprint);
  return waitingPlan(store, {
    pod: launchedPod(record),
    provenance,
    manifest: fresh.manifest,
    warnings: fresh.warnings,
    changes,
    fingerprintChanged,
    pending: changes.length > 0 || fingerprintChanged,
    apply: () =>
      launchedPod(replaceSnapshot(store, record.pod.name, {
        manifest: fresh.manifest as unknown as Record<string, unknown>,
        profile: provenance,
        fingerprint: provenance.fingerprint,
      })),
  });
}
