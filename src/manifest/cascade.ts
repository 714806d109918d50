/**
 * The TOML compatibility paths: a single `--manifest` file, and the cascade
 * builtin defaults → user manifest → nearest project manifest → `--overlay` (anchor-facts §5).
 * `[profiles]` tables are registry metadata and are ignored here.
 * @module
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type Env, findProjectManifest, userManifestPath } from "../env.ts";
import { InsomniaError } from "../errors.ts";
import { loadCatalog } from "./catalog.ts";
import { loadLayer } from "./layer.ts";
import { mergeConfigs } from "./merge.ts";
import { type ResolvedManifest, resolveManifest } from "./resolve_manifest.ts";
import type { ManifestConfig } from "./schema.ts";
import { parseTomlText, readTomlFile } from "./toml.ts";
import { tolerateUnknownKeys, withIgnoredKeys } from "./toml_compat.ts";
import { guardPlaintext } from "../secrets/guard.ts";

/** One layer that contributed to a cascade. */
export interface LayerSource {
  /** User manifest, nearest project manifest, inline `--overlay`, or a lone `--manifest` file. */
  kind: "user" | "project" | "overlay" | "file";
  /** The TOML file the layer was read from; null for the inline `--overlay`. */
  path: string | null;
}

/** A resolved TOML manifest with the layers it came from. */
export interface ManifestResult extends ResolvedManifest {
  /** The layers found and merged, lowest priority first (empty when there were none). */
  layers: LayerSource[];
}

/** Common inputs of the TOML paths. */
export interface TomlOptions {
  /** Environment: locates the user manifest and the model/provider catalogs (config dir). */
  env: Env;
  /** Base of relative inputs: the `--manifest` file, `--project` and the overlay's paths. */
  cwd: string;
  /** Launch workspace (absolute) for workspace paths. */
  workspace: string;
  /** Pod name given at runtime (`--pod`, `--profile-pod-name`), wins over `pod.name`. */
  podName?: string;
}

/** A TOML file as a layer: `[profiles]` is the registry's, unknown keys are ignored with a warning. */
function tomlLayer(
  doc: Record<string, unknown>,
  origin: string,
  warnings: string[],
): Record<string, unknown> {
  const { profiles: _registry, ...rest } = doc;
  // A plaintext credential fails closed wherever it is, also under a key that is then ignored.
  guardPlaintext(rest, origin);
  const tolerated = tolerateUnknownKeys(rest, origin);
  warnings.push(...tolerated.warnings);
  return tolerated.doc;
}

/**
 * `--manifest FILE`: that file alone, paths against its directory, builtin defaults, validation.
 *
 * @example
 * ```ts
 * import process from "node:process";
 * import { resolveManifestFile } from "./cascade.ts";
 * const { manifest } = resolveManifestFile("./manifest.toml", {
 *   env: process.env,
 *   cwd: process.cwd(),
 *   workspace: process.cwd(),
 * });
 * console.log(manifest.pod.name);
 * ```
 */
export function resolveManifestFile(file: string, options: TomlOptions): ManifestResult {
  const path = resolve(options.cwd, file);
  const ignored: string[] = [];
  let resolved: ResolvedManifest;
  try {
    const layer = loadLayer(tomlLayer(readTomlFile(path), path, ignored), path, {
      base: dirname(path),
      workspace: options.workspace,
    });
    resolved = resolveManifest(layer, path, {
      catalog: loadCatalog(options.env),
      podName: options.podName,
      podNameHint: "set pod.name in the file or pass --pod NAME",
    });
  } catch (error) {
    throw withIgnoredKeys(error, ignored);
  }
  return {
    ...resolved,
    warnings: [...ignored, ...resolved.warnings],
    layers: [{ kind: "file", path }],
  };
}

/** Inputs of the cascade. */
export interface CascadeOptions extends TomlOptions {
  /** Start directory of the project-manifest walk (`--project`; default the cwd). */
  projectStart?: string;
  /** Inline TOML overlay (`--overlay`), highest priority, paths against the cwd. */
  overlay?: string;
}

/**
 * Where the cascade looks for its project layer: `--project DIR` against `cwd`, or `cwd`.
 * A `--project` that does not exist is a usage error (never a walk up from a missing path).
 *
 * @example
 * ```ts
 * import { cascadeProjectStart } from "./cascade.ts";
 * cascadeProjectStart("/home/me/project", undefined); // "/home/me/project"
 * ```
 */
export function cascadeProjectStart(cwd: string, projectStart: string | undefined): string {
  const start = resolve(cwd, projectStart ?? ".");
  if (projectStart && !existsSync(start)) {
    throw new InsomniaError(
      "usage",
      `--project ${projectStart}: no such directory. Pass an existing directory.`,
    );
  }
  return start;
}

/**
 * The manifest cascade: user → project → overlay over builtin defaults.
 *
 * @example
 * ```ts
 * import process from "node:process";
 * import { resolveCascade } from "./cascade.ts";
 * const { manifest, layers } = resolveCascade({
 *   env: process.env,
 *   cwd: process.cwd(),
 *   workspace: process.cwd(),
 * });
 * console.log(manifest.pod.name, layers.length);
 * ```
 */
export function resolveCascade(options: CascadeOptions): ManifestResult {
  const ignored: string[] = [];
  try {
    return cascade(options, ignored);
  } catch (error) {
    throw withIgnoredKeys(error, ignored);
  }
}

function cascade(options: CascadeOptions, ignored: string[]): ManifestResult {
  const layers: LayerSource[] = [];
  let merged: ManifestConfig = {};
  const user = userManifestPath(options.env);
  if (user && (user.explicit || existsSync(user.path))) {
    if (user.explicit && !existsSync(user.path)) {
      throw new InsomniaError(
        "manifest_parse",
        `INSOMNIA_USER_MANIFEST points to ${user.path}, which does not exist. Create it or unset the variable.`,
        { file: user.path },
      );
    }
    const doc = tomlLayer(readTomlFile(user.path), user.path, ignored);
    merged = mergeConfigs(
      merged,
      loadLayer(doc, user.path, { base: dirname(user.path), workspace: options.workspace }),
    );
    layers.push({ kind: "user", path: user.path });
  }
  const project = findProjectManifest(cascadeProjectStart(options.cwd, options.projectStart));
  if (project) {
    const root = dirname(dirname(project));
    const doc = tomlLayer(readTomlFile(project), project, ignored);
    merged = mergeConfigs(
      merged,
      loadLayer(doc, project, { base: root, workspace: options.workspace }),
    );
    layers.push({ kind: "project", path: project });
  }
  if (options.overlay !== undefined) {
    const doc = parseTomlText(options.overlay, "--overlay");
    merged = mergeConfigs(
      merged,
      loadLayer(doc, "--overlay", { base: options.cwd, workspace: options.workspace }),
    );
    layers.push({ kind: "overlay", path: null });
  }
  const origin = layers.length
    ? `manifest cascade (${layers.map((l) => l.path ?? l.kind).join(" → ")})`
    : "manifest cascade (no layers found)";
  const resolved = resolveManifest(merged, origin, {
    catalog: loadCatalog(options.env),
    podName: options.podName,
    podNameHint: "set pod.name in a layer or pass --pod NAME",
  });
  return { ...resolved, warnings: [...ignored, ...resolved.warnings], layers };
}
