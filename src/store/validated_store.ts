/**
 * The Pod store with its snapshot checks bound: every manifest it stores must be a valid resolved
 * Pod manifest (the full schema, src/manifest/validate.ts), unless the caller passes its own
 * `validateManifest`; every snapshot it reads is checked as src/store/stored_pods.ts does (hashes,
 * then the runtime's contract). The use cases (src/app/) and the library entry use these;
 * src/store/pod_store.ts itself stays generic (its manifests are opaque JSON), which is what its
 * own tests exercise.
 * @module
 */
import { parsePodManifest } from "../manifest/validate.ts";
import * as store from "./pod_store.ts";
import type { CreatePodInput, ReplaceSnapshotInput, StoredPod, StoreOptions } from "./pod_store.ts";
import { checkStoredSnapshot } from "./stored_pods.ts";

export { listPods, listPodSummaries, readPod, readPodBySession } from "./stored_pods.ts";

/** Throws `snapshot_invalid` unless `manifest` is a valid resolved Pod manifest. */
function validateSnapshotManifest(manifest: unknown): void {
  parsePodManifest(manifest, "stored snapshot", "snapshot_invalid");
}

/**
 * The store at `root`: every manifest stored is validated in full, every snapshot read is checked
 * against its hashes and the runtime's contract.
 *
 * @example
 * ```ts
 * import { listPods, storeAt } from "./validated_store.ts";
 * const store = storeAt("/tmp/my-store");
 * console.log(listPods(store).map((pod) => pod.name));
 * ```
 */
export function storeAt(root: string): StoreOptions {
  return {
    root,
    validateManifest: validateSnapshotManifest,
    checkStoredManifest: checkStoredSnapshot,
  };
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
