/**
 * insomnia-pod as a library: create, resume and re-resolve Pods exactly as the CLI does (the use
 * cases `create`, `resume`, `reload`), resolve Nix profiles and TOML manifests into validated Pod
 * manifests, read and write the Pod store, and dereference secrets at the consumer boundary.
 *
 * Import it by path from any project (no import map needed; see docs/library.md for the
 * permissions):
 *
 * ```ts ignore
 * import { create, resolveProfile } from "../insomnia-pod/src/mod.ts";
 * const { manifest, provenance } = await resolveProfile("./profiles/coder.nix", { podName: "t" });
 * const pod = (await create({ source: { kind: "profile", selector: "./profiles/coder.nix" } })).apply();
 * ```
 * @module
 */
export * from "./errors.ts";

export { create, type CreatePlan } from "./app/create.ts";
export { resume, type ResumePlan } from "./app/resume.ts";
export { reload, type ReloadPlan } from "./app/reload.ts";
export type { LaunchedPod, Planned } from "./app/launched.ts";
export type { LaunchRequest, LaunchSource } from "./app/launch_request.ts";
export type { ManifestProvenance, RecordedProvenance } from "./profile/provenance.ts";
export type { ProfileInput } from "./nix/inputs.ts";
export type { Env } from "./env.ts";
export { NIX_LIBRARY_VERSION, PROFILE_FORMAT, VERSION } from "./version.ts";

export { loadProfileRegistry } from "./profile/discovery.ts";
export {
  type ProfileFingerprint,
  type ProfileProvenance,
  type ProfileResolution,
  type ProfileSource,
  resolveArtifact,
  resolveProfile,
  type ResolveProfileOptions,
} from "./profile/resolve_profile.ts";
export {
  extractArtifact,
  type ExtractedArtifact,
  type ProfileMetadata,
} from "./profile/artifact.ts";
export {
  parseSelector,
  type RegistrySource,
  type Selector,
  selectorLabel,
} from "./profile/selector.ts";
export type {
  DeclaredDefault,
  DeclaredEntry,
  QualifiedRef,
  RegistryAlias,
  RegistrySourceState,
} from "./profile/registry.ts";
export type { ResolvedManifest } from "./manifest/resolve_manifest.ts";
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
export {
  type CascadeOptions,
  type LayerSource,
  type ManifestResult,
  resolveCascade,
  resolveManifestFile,
  type TomlOptions,
} from "./manifest/cascade.ts";
export { MERGE_RULES, mergeConfigs, type MergeRule } from "./manifest/merge.ts";
export { diffManifests, type ManifestChange } from "./manifest/diff.ts";

export {
  evaluateNix,
  type NixArgsRequest,
  type NixEvalRequest,
  type NixEvalResult,
  type NixTarget,
  nixVersion,
} from "./nix/evaluate.ts";
export { parseDuration } from "./nix/duration.ts";

export {
  type CreatePodInput,
  type PodIdentity,
  type PodListEntry,
  type PodRecord,
  type PodSnapshot,
  removePod,
  type ReplaceSnapshotInput,
  type StoredPod,
  type StoreOptions,
} from "./store/pod_store.ts";
export {
  createPod,
  listPods,
  readPod,
  readPodBySession,
  replaceSnapshot,
  storeAt,
} from "./store/validated_store.ts";

export {
  checkSecretRefs,
  registerKnownSecrets,
  type ResolveOptions as SecretResolveOptions,
  resolveSecret,
  type SecretBackend,
  type SecretRefCheck,
  SecretValue,
} from "./secrets/resolve_secret.ts";
export type { SecretRef } from "./secrets/refs.ts";
export { redactJson, redactText } from "./secrets/redact.ts";
