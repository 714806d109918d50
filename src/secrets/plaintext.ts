/**
 * Plaintext rejection: configuration, artifacts and snapshots must hold references, never credential
 * values. Errors name the field and the kind of credential, never the value.
 * @module
 */
import { InsomniaError } from "../errors.ts";
import { registeredSecretValues } from "./registry.ts";
import { checkCredentialPositions, REFERENCE_HINT } from "./credentials.ts";
import { detectSecretKinds, secretKindLabel } from "./patterns.ts";
import { childPath, walkJson } from "./walk.ts";

export {
  checkCredentialPositions,
  CREDENTIAL_POSITIONS,
  type CredentialPosition,
  ENV_NAME_POSITIONS,
  REFERENCE_HINT,
} from "./credentials.ts";
export { detectSecretKinds, SECRET_DETECTORS, secretKindLabel } from "./patterns.ts";
export type { SecretDetector } from "./patterns.ts";

/** One plaintext credential found in a JSON value. */
export interface PlaintextFinding {
  /** Field path (`model.base_url`, `env[0]`); `""` when the root value itself is the string. */
  path: string;
  /** Detector kind, e.g. `anthropic_api_key`. */
  kind: string;
}

/**
 * Finds recognised credential formats in every string value and every object key of a JSON value.
 * A key that is itself a credential is reported at `<parent>["[redacted]"]`.
 */
export function findPlaintextSecrets(value: unknown): PlaintextFinding[] {
  const found: PlaintextFinding[] = [];
  const seen = new Set<string>();
  const add = (path: string, kinds: string[]) => {
    for (const kind of kinds) {
      const id = `${path}\u0000${kind}`;
      if (seen.has(id)) continue;
      seen.add(id);
      found.push({ path, kind });
    }
  };
  walkJson(value, {
    value(node, path) {
      if (typeof node === "string") {
        const kinds = detectSecretKinds(node);
        if (containsRegisteredSecret(node)) kinds.push("known_secret_value");
        if (kinds.length > 0) add(path(), kinds);
      }
    },
    key(key, path) {
      const kinds = detectSecretKinds(key);
      if (containsRegisteredSecret(key)) kinds.push("known_secret_value");
      if (kinds.length > 0) add(childPath(path(), key), kinds);
    },
  });
  return found;
}

function containsRegisteredSecret(text: string): boolean {
  return registeredSecretValues().some((value) => text.includes(value));
}

function describe(f: PlaintextFinding): string {
  return `${f.path === "" ? "the value" : f.path} (${secretKindLabel(f.kind)})`;
}

/**
 * Throws `secret_plaintext` when {@link findPlaintextSecrets} finds anything. `origin` names where
 * the value came from ("profile work (/home/me/profiles/work.nix)"). The message names the field
 * path(s) and kind(s) and how to use a reference instead; `details` is `{ field, kind }` of the
 * first finding plus `findings` when there are several.
 */
export function assertNoPlaintextSecrets(value: unknown, origin: string): void {
  const findings = findPlaintextSecrets(value);
  if (findings.length === 0) return;
  const [first] = findings;
  const what = findings.length === 1
    ? `${first.path === "" ? "the value" : first.path} holds ${
      secretKindLabel(first.kind)
    } in plaintext`
    : `plaintext credentials found at ${findings.map(describe).join(", ")}`;
  const details: Record<string, unknown> = { field: first.path, kind: first.kind };
  if (findings.length > 1) {
    details.findings = findings.map((f) => ({ field: f.path, kind: f.kind }));
  }
  throw new InsomniaError(
    "secret_plaintext",
    `${origin}: ${what}. Secrets must never be written into configuration. ${REFERENCE_HINT}`,
    details,
  );
}

/**
 * Both checks a loaded manifest needs: {@link checkCredentialPositions} (more specific messages),
 * then {@link assertNoPlaintextSecrets} over the whole value.
 */
export function assertManifestSecretsSafe(manifest: unknown, origin: string): void {
  checkCredentialPositions(manifest, origin);
  assertNoPlaintextSecrets(manifest, origin);
}
