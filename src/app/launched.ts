/**
 * What the use cases answer with: a plan ({@link Planned}: what would change, and the one call
 * that records it) and, once applied, the Pod as stored ({@link LaunchedPod}).
 * @module
 */
import process from "node:process";
import { processEnv } from "../env.ts";
import type { ManifestChange } from "../manifest/diff.ts";
import type { PodManifest } from "../manifest/schema.ts";
import type { RecordedProvenance } from "../profile/provenance.ts";
import { type StoredPod, type StoreOptions, waitForStore } from "../store/pod_store.ts";
import type { LaunchRequest } from "./launch_request.ts";
import type { RunEnv } from "./options.ts";

/** A Pod as recorded in the store. */
export interface LaunchedPod {
  /** The Pod's name (its directory in the store). */
  name: string;
  /** The Pod's directory. */
  dir: string;
  /** The Pod's id (a UUID). */
  id: string;
  /** The id of its runtime session (a UUID). */
  session_id: string;
  /** The resolved manifest snapshot it resumes from. */
  manifest: PodManifest;
  /** Where the snapshot came from: a profile, the TOML layers, or null. */
  provenance: RecordedProvenance;
  /** sha256 of the canonical snapshot. */
  snapshot_sha256: string;
}

/** What a use case found: the manifest changes it would record, and the call that records them. */
export interface Planned {
  /** Manifest changes `apply()` records (a new Pod: every section it gets). */
  changes: ManifestChange[];
  /** Writes the result to the store (nothing is written before) and returns the Pod as stored. */
  apply(): LaunchedPod;
  /**
   * {@link apply}, after waiting without blocking until no other command holds the store's lock:
   * Ctrl-C (`signal`) during the wait ends it with `cancelled` and nothing written. What the CLI
   * and the dialog call; `apply()` alone waits too, but nothing can interrupt that wait.
   */
  applyWhenFree(signal?: AbortSignal): Promise<LaunchedPod>;
}

/** Gives a plan its {@link Planned.applyWhenFree}: the store's lock is waited for first. */
export function waitingPlan<T extends Omit<Planned, "applyWhenFree">>(
  store: StoreOptions,
  plan: T,
): T & Pick<Planned, "applyWhenFree"> {
  return {
    ...plan,
    applyWhenFree: async (signal?: AbortSignal) => {
      await waitForStore(store, signal);
      return plan.apply();
    },
  };
}

/** A stored record as a {@link LaunchedPod}. */
export function launchedPod(record: StoredPod): LaunchedPod {
  return {
    name: record.pod.name,
    dir: record.dir,
    id: record.pod.id,
    session_id: record.pod.session_id,
    manifest: record.snapshot.manifest as unknown as PodManifest,
    provenance: record.profile as RecordedProvenance,
    snapshot_sha256: record.snapshot.sha256,
  };
}

/** The environment and working directory of a request (defaults: the process's). */
export function runEnvOf(request: LaunchRequest): RunEnv {
  return { env: request.env ?? processEnv(), cwd: request.cwd ?? process.cwd() };
}
