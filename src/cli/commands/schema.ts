/**
 * `schema [--artifact|--manifest|--resolved]`: JSON Schema generated from the zod schemas, for
 * editor completion and validation of profile artifacts, TOML/JSON manifests and snapshots.
 * @module
 */
import * as z from "npm:zod@4.6.7/mini";
import { InsomniaError } from "../../errors.ts";
import { ManifestConfigSchema, PodManifestSchema } from "../../manifest/schema.ts";
import { VERSION } from "../../version.ts";
import { artifactSchema } from "../../profile/artifact.ts";
import type { CliContext, CommandOutput } from "../context.ts";

/** JSON Schema of one of the documents. */
function jsonSchemaFor(kind: "artifact" | "manifest" | "resolved"): Record<string, unknown> {
  const schema = kind === "artifact"
    ? artifactSchema()
    : kind === "manifest"
    ? ManifestConfigSchema
    : PodManifestSchema;
  const title = kind === "artifact"
    ? "insomnia-pod profile artifact"
    : kind === "manifest"
    ? "insomnia-pod manifest (partial: TOML/JSON layer or profile body)"
    : "insomnia-pod resolved Pod manifest";
  return {
    $id: `https://insomnia-pod.invalid/schema/${kind}-${VERSION}.json`,
    title,
    ...z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }),
  };
}

/** `schema` handler. */
// deno-lint-ignore require-await
export async function schema(
  opts: Record<string, unknown>,
  _args: string[],
  _ctx: CliContext,
): Promise<CommandOutput> {
  const chosen = (["artifact", "manifest", "resolved"] as const).filter((k) => opts[k]);
  if (chosen.length > 1) {
    throw new InsomniaError("usage", "schema: choose one of --artifact, --manifest, --resolved.");
  }
  const doc = jsonSchemaFor(chosen[0] ?? "artifact");
  return { json: doc, human: JSON.stringify(doc, null, 2), document: true };
}
