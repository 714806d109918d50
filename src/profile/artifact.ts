/**
 * The profile artifact contract (seed "Manifest profiles"): an evaluated profile is
 * `{ profile = { format = "insomnia.nix-profile.v1"; … }; manifest = … }` (or `config = …`), or a
 * raw manifest object for debug/test paths. Anything else fails closed.
 * @module
 */
import { InsomniaError } from "../errors.ts";
import { suggestKey } from "../manifest/validate.ts";
import { PROFILE_FORMAT } from "../version.ts";
import { isRecord } from "../json.ts";

/** Metadata of the envelope's `profile` table. */
export interface ProfileMetadata {
  /** Envelope format; always `insomnia.nix-profile.v1` (`PROFILE_FORMAT`), anything else fails. */
  format: string;
  /** Profile name (`mkProfile { name }`); the Pod's name unless `podName` or `pod.name` is set. */
  name?: string;
  /** Free-text description (`mkProfile { description }`). */
  description?: string;
  /** Version of the insomnia Nix library that built the artifact (e.g. `1.0.0`). */
  library_version?: string;
  /** Set by `pods export`: where the exported snapshot came from. */
  exported_from?: Record<string, unknown>;
}

/** The parts of an artifact. */
export interface ExtractedArtifact {
  /** Envelope metadata, or null for the raw-manifest form. */
  metadata: ProfileMetadata | null;
  /** The manifest/config object (not yet validated). */
  body: unknown;
}

const ENVELOPE_KEYS = ["profile", "manifest", "config"];
const METADATA_KEYS = ["format", "name", "description", "library_version", "exported_from"];

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function unknownKey(origin: string, where: string, key: string, known: string[]): never {
  const hint = suggestKey(key, known);
  throw new InsomniaError(
    "artifact_invalid",
    `profile artifact ${origin}: unknown key \`${where}${key}\`` +
      (hint ? ` (did you mean \`${where}${hint}\`?)` : ` (allowed: ${known.join(", ")})`) +
      ". Build the profile with mkProfile from the insomnia Nix library.",
    { field: `${where}${key}` },
  );
}

/** Splits an evaluated artifact into metadata and body, enforcing the envelope rules. */
export function extractArtifact(raw: unknown, origin: string): ExtractedArtifact {
  if (!isRecord(raw)) {
    throw new InsomniaError(
      "artifact_invalid",
      `profile artifact ${origin} must be an object (an attribute set), but it is ${
        kindOf(raw)
      }. ` +
        "A profile file must evaluate to `mkProfile { … }` (or a manifest attribute set), not a function or a list.",
    );
  }
  const isEnvelope = "profile" in raw || "manifest" in raw || "config" in raw;
  if (!isEnvelope) return { metadata: null, body: raw };
  for (const key of Object.keys(raw)) {
    if (!ENVELOPE_KEYS.includes(key)) unknownKey(origin, "", key, ENVELOPE_KEYS);
  }
  if ("manifest" in raw && "config" in raw) {
    throw new InsomniaError(
      "artifact_invalid",
      `profile artifact ${origin} contains both \`manifest\` and \`config\`; keep exactly one of them.`,
      { field: "manifest" },
    );
  }
  const profile = raw.profile;
  const format = isRecord(profile) ? profile.format : undefined;
  if (profile !== undefined && !isRecord(profile)) {
    throw new InsomniaError(
      "artifact_invalid",
      `profile artifact ${origin}: \`profile\` must be an object with format/name/description, but it is ${
        kindOf(profile)
      }.`,
      { field: "profile" },
    );
  }
  if (format !== PROFILE_FORMAT) {
    const found = format === undefined
      ? "no profile.format"
      : `profile.format ${JSON.stringify(format)}`;
    throw new InsomniaError(
      "artifact_format_unsupported",
      `profile artifact ${origin} has ${found}; this insomnia-pod reads only "${PROFILE_FORMAT}". ` +
        "Build the profile with mkProfile from the insomnia Nix library (it sets the format), " +
        "or upgrade insomnia-pod if the profile was written for a newer version.",
      { field: "profile.format", found: format ?? null, expected: PROFILE_FORMAT },
    );
  }
  const metadata = profile as Record<string, unknown>;
  for (const key of Object.keys(metadata)) {
    if (!METADATA_KEYS.includes(key)) unknownKey(origin, "profile.", key, METADATA_KEYS);
  }
  for (const key of ["name", "description", "library_version"]) {
    if (metadata[key] !== undefined && typeof metadata[key] !== "string") {
      throw new InsomniaError(
        "artifact_invalid",
        `profile artifact ${origin}: profile.${key} must be a string, but it is ${
          kindOf(metadata[key])
        }.`,
        { field: `profile.${key}` },
      );
    }
  }
  const bodyKey = "manifest" in raw ? "manifest" : "config" in raw ? "config" : undefined;
  if (!bodyKey) {
    throw new InsomniaError(
      "artifact_invalid",
      `profile artifact ${origin} has a profile envelope but neither \`manifest\` nor \`config\`. ` +
        "Pass the manifest to mkProfile as `manifest = mkManifest { … };`.",
      { field: "manifest" },
    );
  }
  return { metadata: metadata as unknown as ProfileMetadata, body: raw[bodyKey] };
}
