/**
 * The profile artifact contract (seed "Manifest profiles"): an evaluated profile is
 * `{ profile = { format = "insomnia.nix-profile.v1"; … }; manifest = … }` (or `config = …`), or a
 * raw manifest object for debug/test paths. Anything else fails closed. {@link ENVELOPE} is the
 * one description of the envelope: the reader takes its keys and types from it, `pods export`
 * writes it ({@link exportedArtifact}) and `insomnia-pod schema --artifact` prints it as JSON
 * Schema ({@link artifactSchema}, built only then, so reading a profile costs no schema building).
 * @module
 */
import * as z from "npm:zod@4.6.7/mini";
import { InsomniaError } from "../errors.ts";
import { ManifestConfigSchema } from "../manifest/schema.ts";
import { suggestKey } from "../manifest/validate.ts";
import { PROFILE_FORMAT } from "../version.ts";
import { isRecord } from "../json.ts";

/**
 * The envelope: its top-level keys (the `profile` metadata table; the manifest under `manifest`,
 * or `config`, its older name) and the metadata table's fields with the type of each.
 */
const ENVELOPE = {
  keys: { profile: "metadata", manifest: "manifest", config: "manifest" },
  metadata: {
    format: "format",
    name: "string",
    description: "string",
    library_version: "string",
    exported_from: "object",
  },
} as const;

/** The envelope as a zod schema, for `insomnia-pod schema --artifact`. */
export function artifactSchema(): z.ZodMiniType {
  const field = {
    format: z.literal(PROFILE_FORMAT),
    string: z.optional(z.string()),
    object: z.optional(z.record(z.string(), z.unknown())),
  };
  const metadata = z.strictObject(
    Object.fromEntries(Object.entries(ENVELOPE.metadata).map(([key, type]) => [key, field[type]])),
  );
  return z.strictObject(
    Object.fromEntries(
      Object.entries(ENVELOPE.keys).map((
        [key, part],
      ) => [key, part === "metadata" ? metadata : z.optional(ManifestConfigSchema)]),
    ),
  );
}

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

const ENVELOPE_KEYS = Object.keys(ENVELOPE.keys);
const METADATA_KEYS = Object.keys(ENVELOPE.metadata);
/** Metadata fields whose value must be a string (checked by hand for a precise message). */
const STRING_KEYS = METADATA_KEYS.filter((key) =>
  ENVELOPE.metadata[key as keyof typeof ENVELOPE.metadata] === "string"
);

// The documented interface names exactly the envelope's metadata fields.
type SameKeys<A, B> = [keyof A] extends [keyof B] ? [keyof B] extends [keyof A] ? true : false
  : false;
true satisfies SameKeys<ProfileMetadata, typeof ENVELOPE.metadata>;

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

/**
 * Splits an evaluated artifact into metadata and body, enforcing the envelope rules.
 *
 * @example
 * ```ts
 * import { extractArtifact } from "./artifact.ts";
 * const { metadata, body } = extractArtifact(
 *   { profile: { format: "insomnia.nix-profile.v1", name: "coder" }, manifest: {} },
 *   "coder.json",
 * );
 * console.log(metadata?.name, body); // coder {}
 * ```
 */
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
  for (const key of STRING_KEYS) {
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

/** Where an exported snapshot came from (`profile.exported_from`). */
export type ExportOrigin = Record<string, unknown>;

/**
 * The artifact `pods export` writes: a snapshot's manifest under the envelope, named after its
 * profile, with where it came from.
 */
export function exportedArtifact(
  metadata: { name: string; description?: string; exported_from: ExportOrigin },
  manifest: Record<string, unknown>,
): { profile: ProfileMetadata; manifest: Record<string, unknown> } {
  return {
    profile: {
      format: PROFILE_FORMAT,
      name: metadata.name,
      ...(metadata.description && { description: metadata.description }),
      exported_from: metadata.exported_from,
    },
    manifest,
  };
}
