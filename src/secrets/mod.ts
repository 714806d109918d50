/**
 * Secrets: typed references, plaintext rejection, redaction, the file store and the resolver.
 * See docs/secrets.md.
 * @module
 */
export {
  collectSecretRefs,
  isSecretRef,
  MAX_SECRET_REF_BYTES,
  type SecretRef,
  secretRef,
  validateSecretRefId,
} from "./refs.ts";
export {
  assertManifestSecretsSafe,
  assertNoPlaintextSecrets,
  checkCredentialPositions,
  CREDENTIAL_POSITIONS,
  type CredentialPosition,
  detectSecretKinds,
  findPlaintextSecrets,
  type PlaintextFinding,
  SECRET_DETECTORS,
  type SecretDetector,
  secretKindLabel,
} from "./plaintext.ts";
export {
  type CredentialProblem,
  credentialProblems,
  ENV_NAME_POSITIONS,
  isEnvVarName,
  isValidCredentialValue,
} from "./credentials.ts";
export {
  redactCredentialPositions,
  REDACTED,
  redactJson,
  redactText,
  registerSecretValue,
} from "./redact.ts";
export {
  deleteSecret,
  listSecretIds,
  listSecrets,
  readSecretFromStore,
  secretStorePath,
  setSecret,
  STORE_FORMAT,
  type StoredSecretInfo,
  type StoreOptions,
} from "./file_store.ts";
export {
  assertSecretRefsResolve,
  checkSecretRefs,
  envVarForRef,
  type ResolveOptions,
  resolveSecret,
  type SecretBackend,
  type SecretRefCheck,
  SecretValue,
} from "./resolve.ts";
