/**
 * Path resolution for one manifest layer. Relative strings are joined onto the layer's base (the
 * directory of the file that declared them); `{ kind = "workspace_path" }` values onto the launch
 * workspace. After this step every path field is an absolute string.
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import type { ManifestConfig, ModelConfig, PathValue } from "./schema.ts";

/** Where relative paths of a layer point. Both must be absolute. */
export interface PathBases {
  /** Base for plain relative strings. */
  base: string;
  /** Base for workspace paths: the directory the Pod is launched for. */
  workspace: string;
}

/** Resolves one path value against the bases. */
export function resolvePathValue(value: PathValue, bases: PathBases): string {
  if (typeof value === "string") {
    return isAbsolute(value) ? resolve(value) : resolve(bases.base, value);
  }
  return resolve(bases.workspace, value.path);
}

function mapModel(model: ModelConfig | undefined, path: PathMap): ModelConfig | undefined {
  if (!model?.auth || model.auth.kind !== "api_key" || model.auth.file === undefined) return model;
  return { ...model, auth: { ...model.auth, file: path(model.auth.file) } };
}

/** Returns a copy of `config` with every path field resolved to an absolute string. */
export function resolveConfigPaths(config: ManifestConfig, bases: PathBases): ManifestConfig {
  return mapPathFields(config, (value) => resolvePathValue(value, bases));
}

/** What {@link mapPathFields} does to each path value. */
export type PathMap = (value: PathValue) => PathValue;

/**
 * Returns a copy of `config` with `path` applied to every path field — the one list of them:
 * `pod.prompt_pack`, the `api_key` auth file of `model`, `compaction.model`,
 * `memory.extract_model` and `memory.consolidation_model`, scope allow/deny targets,
 * `memory.workspace_root` and `skills.directories`. Key order is kept.
 */
export function mapPathFields(config: ManifestConfig, path: PathMap): ManifestConfig {
  const out: ManifestConfig = { ...config };
  if (config.pod?.prompt_pack !== undefined) {
    out.pod = { ...config.pod, prompt_pack: path(config.pod.prompt_pack) };
  }
  if (config.model) out.model = mapModel(config.model, path);
  if (config.scope) {
    out.scope = {
      ...config.scope,
      ...(config.scope.allow && {
        allow: config.scope.allow.map((r) => ({ ...r, target: path(r.target) })),
      }),
      ...(config.scope.deny && {
        deny: config.scope.deny.map((r) => ({ ...r, target: path(r.target) })),
      }),
    };
  }
  if (config.compaction?.model) {
    out.compaction = { ...config.compaction, model: mapModel(config.compaction.model, path) };
  }
  if (config.memory) {
    out.memory = {
      ...config.memory,
      ...(config.memory.workspace_root !== undefined &&
        { workspace_root: path(config.memory.workspace_root) }),
      ...(config.memory.extract_model &&
        { extract_model: mapModel(config.memory.extract_model, path) }),
      ...(config.memory.consolidation_model &&
        { consolidation_model: mapModel(config.memory.consolidation_model, path) }),
    };
  }
  if (config.skills?.directories) {
    out.skills = { ...config.skills, directories: config.skills.directories.map(path) };
  }
  return out;
}
