/**
 * The Pod store with its snapshot check bound: every manifest it stores or reads must be a valid
 * resolved Pod manifest, unless the caller passes its own `validateManifest`. The CLI, the use
 * cases (src/app/) and the library entry use these; src/store/pod_store.ts itself stays generic
 * (its manifests are opaque JSON), which is what its own tests exercise.
 * @module
 */
import { parsePodManifest } from "../manifest/validate.ts";
import * as store from "./pod_store.ts";
import type {
  CreatePodInput,
  PodListEntry,
  ReplaceSnapshotInput,
  StoredPod,
  StoreOptions,
} from "./pod_store.ts";

/** Throws `snapshot_invalid` unless `manifest` is a valid resolved Pod manifest. */
function validateSnapshotManifest(manifest: unknown): void {
  parsePodManifest(manifest, "stored snapshot", "snapshot_invalid");
}

/**
 * The store at `root`, checking every snapshot manifest.
 *
 * @example
 * ```ts
 * import { listPods, storeAt } from "./validated_store.ts";
 * const store = storeAt("/tmp/my-store");
 * console.log(listPods(store).map((pod) => pod.name));
 * ```
 */
export function storeAt(root: string): StoreOptions {
  return { root, validateManifest: validateSnapshotManifest };
}

function bound(opts: StoreOptions): StoreOptions {
  return opts.validateManifest ? opts : { ...opts, validateManifest: validateSnapshotManifest };
}

/**
 * {@link store.createPod} with the snapshot check bound.
 *
 * @example
 * ```ts
 * import { createPod, storeAt } from "./validated_store.ts";
 * import type { PodManifest } from "../manifest/schema.ts";
 * declare const manifest: PodManifest; // e.g. from resolveProfile()
 * const pod = createPod(storeAt("/tmp/my-store"), {
 *   name: manifest.pod.name,
 *   explicitName: false,
 *   profile: null,
 *   fingerprint: null,
 *   manifest: manifest as unknown as Record<string, unknown>,
 * });
 * console.log(pod.dir);
 * ```
 */
export function createPod(opts: StoreOptions, input: CreatePodInput): StoredPod {
  return store.createPod(bound(opts), input);
}

/**
 * {@link store.readPod} with the snapshot check bound.
 *
 * @example
 * ```ts
 * import { readPod, storeAt } from "./validated_store.ts";
 * const pod = readPod(storeAt("/tmp/my-store"), "coder");
 * console.log(pod.snapshot.sha256);
 * ```
 */
export function readPod(opts: StoreOptions, name: string): StoredPod {
  return store.readPod(bound(opts), name);
}

/**
 * {@link store.readPodBySession} with the snapshot check bound.
 *
 * @example
 * ```ts
 * import { readPodBySession, storeAt } from "./validated_store.ts";
 * const pod = readPodBySession(storeAt("/tmp/my-store"), "0b9c6a3e-7f5d-4c1e-9a51-2f3d4e5f6a7b");
 * console.log(pod.pod.name);
 * ```
 */
export function readPodBySession(opts: StoreOptions, sessionId: string): StoredPod {
  return store.readPodBySession(bound(opts), sessionId);
}

/**
 * {@link store.listPods} with the snapshot check bound.
 *
 * @example
 * ```ts
 * import { listPods, storeAt } from "./validated_store.ts";
 * for (const entry of listPods(storeAt("/tmp/my-store"))) console.log(entry.name);
 * ```
 */
export function listPods(opts: StoreOptions): PodListEntry[] {
  return store.listPods(bound(opts));
}

/**
 * {@link store.listPodSummaries} with the snapshot check bound (for records the index cannot
 * vouch for).
 *
 * @example
 * ```ts
 * import { listPodSummaries, storeAt } from "./validated_store.ts";
 * for (const pod of listPodSummaries(storeAt("/tmp/my-store"))) console.log(pod.name, pod.ok);
 * ```
 */
export function listPodSummaries(opts: StoreOptions): store.PodSummary[] {
  return store.listPodSummaries(bound(opts));
}

/**
 * {@link store.replaceSnapshot} with the snapshot check bound.
 *
 * @example
 * ```ts
 * import { readPod, replaceSnapshot, storeAt } from "./validated_store.ts";
 * const store = storeAt("/tmp/my-store");
 * const current = readPod(store, "coder");
 * replaceSnapshot(store, "coder", {
 *   manifest: current.snapshot.manifest,
 *   profile: current.profile,
 *   fingerprint: current.fingerprint,
 * });
 * ```
 */
export function replaceSnapshot(
  opts: StoreOptions,
  name: string,
  next: ReplaceSnapshotInput,
): StoredPod {
  return store.replaceSnapshot(bound(opts), name, next);
}
