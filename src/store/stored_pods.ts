/**
 * Reading the Pod store, every snapshot checked the way a read must be: its hashes (the store
 * itself) and the runtime's contract (a check compiled ahead of time, src/manifest/contract_check.ts).
 * Resume, `pods list|show|export` and `profiles check --frozen` read through this module, which
 * loads no schema library; writing goes through src/store/validated_store.ts.
 *
 * Why a read does not re-run the full manifest schema: a snapshot is validated by it when stored,
 * and its SHA-256 (checked on every read) proves it is still those bytes. What a read still checks
 * is what could have changed without the hashes noticing — a record written by another version,
 * or edited with its hashes recomputed — against what matters when it is used: that the runtime
 * loads it and reads every key. docs/session-store.md, "What a read verifies".
 * @module
 */
import { assertRuntimeContract } from "../manifest/contract_check.ts";
import * as store from "./pod_store.ts";
import type { PodListEntry, PodSummary, StoredPod, StoreOptions } from "./pod_store.ts";

/** Throws `snapshot_invalid` unless the runtime's strict contract accepts `manifest`. */
export function checkStoredSnapshot(manifest: unknown): void {
  assertRuntimeContract(manifest, "the stored snapshot");
}

/**
 * The store at `root`, for reading: every snapshot read is checked with
 * {@link checkStoredSnapshot}. (A create or replace through src/store/validated_store.ts adds the
 * full manifest validation to it.)
 *
 * @example
 * ```ts
 * import { listPods, readerAt } from "./stored_pods.ts";
 * console.log(listPods(readerAt("/tmp/my-store")).map((pod) => pod.name));
 * ```
 */
export function readerAt(root: string): StoreOptions {
  return { root, checkStoredManifest: checkStoredSnapshot };
}

function bound(opts: StoreOptions): StoreOptions {
  return opts.checkStoredManifest || opts.validateManifest
    ? opts
    : { ...opts, checkStoredManifest: checkStoredSnapshot };
}

/**
 * {@link store.readPod} with the read check bound.
 *
 * @example
 * ```ts
 * import { readerAt, readPod } from "./stored_pods.ts";
 * const pod = readPod(readerAt("/tmp/my-store"), "coder");
 * console.log(pod.snapshot.sha256);
 * ```
 */
export function readPod(opts: StoreOptions, name: string): StoredPod {
  return store.readPod(bound(opts), name);
}

/**
 * {@link store.readPodBySession} with the read check bound.
 *
 * @example
 * ```ts
 * import { readerAt, readPodBySession } from "./stored_pods.ts";
 * const pod = readPodBySession(readerAt("/tmp/my-store"), "0b9c6a3e-7f5d-4c1e-9a51-2f3d4e5f6a7b");
 * console.log(pod.pod.name);
 * ```
 */
export function readPodBySession(opts: StoreOptions, sessionId: string): StoredPod {
  return store.readPodBySession(bound(opts), sessionId);
}

/**
 * {@link store.listPods} with the read check bound.
 *
 * @example
 * ```ts
 * import { listPods, readerAt } from "./stored_pods.ts";
 * for (const entry of listPods(readerAt("/tmp/my-store"))) console.log(entry.name);
 * ```
 */
export function listPods(opts: StoreOptions): PodListEntry[] {
  return store.listPods(bound(opts));
}

/**
 * {@link store.listPodSummaries} with the read check bound (for records the index cannot vouch
 * for).
 *
 * @example
 * ```ts
 * import { listPodSummaries, readerAt } from "./stored_pods.ts";
 * for (const pod of listPodSummaries(readerAt("/tmp/my-store"))) console.log(pod.name, pod.ok);
 * ```
 */
export function listPodSummaries(opts: StoreOptions): PodSummary[] {
  return store.listPodSummaries(bound(opts));
}
