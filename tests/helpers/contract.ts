/**
 * The runtime's contract (resources/contract/, the original's `PodManifest` as JSON Schema), made
 * strict: the runtime silently ignores keys it does not read, so here every object that the
 * contract describes rejects keys it does not list (`unevaluatedProperties: false`). A manifest
 * that passes carries nothing the runtime would drop and lacks nothing it needs.
 */
import { Ajv2020 } from "npm:ajv@8.20.0/dist/2020.js";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { strictContract } from "../../scripts/gen_contract_validator.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

// deno-lint-ignore no-explicit-any
type Json = any;

export const CONTRACT_FILE = join(
  REPO_ROOT,
  "resources",
  "contract",
  "pod-manifest.rust-d77a86d5.schema.json",
);

let validator: ((value: unknown) => boolean) & { errors?: Json[] | null } | undefined;

/** The problems `manifest` has against the strict contract (empty: it loads and means what it says). */
export function contractProblems(manifest: unknown): string[] {
  if (!validator) {
    const schema = strictContract(JSON.parse(readFileSync(CONTRACT_FILE, "utf8")));
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    validator = ajv.compile(schema);
  }
  if (validator(manifest)) return [];
  return (validator.errors ?? [])
    .filter((e: Json) => e.keyword !== "if" && e.keyword !== "allOf" && e.keyword !== "anyOf")
    .map((e: Json) =>
      `${e.instancePath || "/"} ${e.message}${
        e.params?.unevaluatedProperty ? ` (${e.params.unevaluatedProperty})` : ""
      }`
    );
}

/**
 * Every snapshot stored under the Pod store `store` (current records and their history) that the
 * strict contract refuses, as `<file>: <problems>`. Records that are not JSON, or carry no
 * snapshot, are the store's own business (tests corrupt them on purpose) and are skipped.
 */
export function storedSnapshotProblems(store: string): string[] {
  const out: string[] = [];
  const pods = join(store, "pods");
  let names: string[];
  try {
    names = readdirSync(pods).filter((n) => !n.startsWith("."));
  } catch {
    return out;
  }
  for (const name of names) {
    const files = [join(pods, name, "pod.json")];
    try {
      for (const h of readdirSync(join(pods, name, "history"))) {
        if (h.endsWith(".json")) files.push(join(pods, name, "history", h));
      }
    } catch {
      // no history
    }
    for (const file of files) {
      let manifest: unknown;
      try {
        manifest = JSON.parse(readFileSync(file, "utf8"))?.snapshot?.manifest;
      } catch {
        continue;
      }
      if (manifest === undefined || manifest === null) continue;
      const problems = contractProblems(manifest);
      if (problems.length) out.push(`${file}: ${problems.join("; ")}`);
    }
  }
  return out;
}
