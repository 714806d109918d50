/**
 * insomnia-pod as a library: resolve Nix profiles and TOML manifests into validated Pod manifests,
 * read and write the Pod store, and dereference secrets at the consumer boundary.
 *
 * ```ts
 * import { resolveProfile } from "@insomnia/pod";
 * const { manifest, provenance } = await resolveProfile("./profiles/coder.nix", { podName: "t" });
 * ```
 * @module
 */
export * from "./errors.ts";
export { NIX_LIBRARY_VERSION, PROFILE_FORMAT, VERSION } from "./version.ts";

export {
  loadProfileRegistry,
  type ProfileFingerprint,
  type ProfileProvenance,
  type ProfileResolution,
  type ProfileSource,
  resolveArtifact,
  resolveProfile,
  type ResolveProfileOptions,
} from "./profile/resolve.ts";
export { extractArtifact, type ProfileMetadata } from "./profile/artifact.ts";
export { parseSelector, type Selector, selectorLabel } from "./profile/selector.ts";
export {
  defaultEntry,
  listEntries,
  type Registry,
  type RegistryEntry,
  selectEntry,
} from "./profile/registry.ts";

export {
  type ManifestConfig,
  ManifestConfigSchema,
  type PodManifest,
  PodManifestSchema,
} from "./manifest/schema.ts";
export { parseManifestConfig, parsePodManifest } from "./manifest/validate.ts";
export { resolveCascade, resolveManifestFile } from "./manifest/cascade.ts";
export { MERGE_RULES, mergeConfigs } from "./manifest/merge.ts";
export { diffManifests, type ManifestChange } from "./manifest/diff.ts";

export { evaluateNix, nixVersion } from "./nix/evaluate.ts";
export { parseDuration } from "./nix/duration.ts";

export {
  createPod,
  listPods,
  readPod,
  readPodBySession,
  removePod,
  replaceSnapshot,
  type StoreOptions,
} from "./store/pod_store.ts";

export { checkSecretRefs, resolveSecret } from "./secrets/resolve.ts";
export { redactJson, redactText } from "./secrets/redact.ts";
