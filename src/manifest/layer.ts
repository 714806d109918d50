/**
 * One manifest layer from raw data: validated strictly, then its paths resolved against its bases.
 * @module
 */
import type { ManifestConfig } from "./schema.ts";
import { parseManifestConfig } from "./validate.ts";
import { type PathBases, resolveConfigPaths } from "./paths.ts";
import { guardPlaintext } from "../secrets/guard.ts";

/** Validates `raw` as a partial manifest named `origin` and resolves its paths. */
export function loadLayer(raw: unknown, origin: string, bases: PathBases): ManifestConfig {
  guardPlaintext(raw, origin);
  return resolveConfigPaths(parseManifestConfig(raw, origin), bases);
}
