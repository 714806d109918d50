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

/** The store at `root`, checking every snapshot manifest. */
export function storeAt(root: string): StoreOptions {
  return { root, validateManifest: validateSnapshotManifest };
}

function bound(opts: StoreOptions): StoreOptions {
  return opts.validateManifest ? opts : { ...opts, validateManifest: validateSnapshotManifest };
}

/** {@link store.createPod} with the snapshot check bound. */
export function createPod(opts: StoreOptions, input: CreatePodInput): StoredPod {
  return store.createPod(bound(opts), input);
}

/** {@link store.readPod} with the snapshot check bound. */
export function readPod(opts: StoreOptions, name: string): StoredPod {
  return store.readPod(bound(opts), name);
}

/** {@link store.readPodBySession} with the snapshot check bound. */
export function readPodBySession(opts: StoreOptions, sessionId: string): StoredPod {
  return store.readPodBySession(bound(opts), sessionId);
}

/** {@link store.listPods} with the snapshot check bound. */
export function listPods(opts: StoreOptions): PodListEntry[] {
  return store.listPods(bound(opts));
}

/** {@link store.replaceSnapshot} with the snapshot check bound. */
export function replaceSnapshot(
  opts: StoreOptions,
  name: string,
  next: ReplaceSnapshotInput,
): StoredPod {
  return store.replaceSnapshot(bound(opts), name, next);
}
