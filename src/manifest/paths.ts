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

function resolveModel(model: ModelConfig | undefined, bases: PathBases): ModelConfig | undefined {
  if (!model?.auth || model.auth.kind !== "api_key" || model.auth.file === undefined) return model;
  return { ...model, auth: { ...model.auth, file: resolvePathValue(model.auth.file, bases) } };
}

/** Returns a copy of `config` with every path field resolved to an absolute string. */
export function resolveConfigPaths(config: ManifestConfig, bases: PathBases): ManifestConfig {
  const out: ManifestConfig = { ...config };
  const path = (v: PathValue) => resolvePathValue(v, bases);
  if (config.pod?.prompt_pack !== undefined) {
    out.pod = { ...config.pod, prompt_pack: path(config.pod.prompt_pack) };
  }
  if (config.model) out.model = resolveModel(config.model, bases);
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
    out.compaction = { ...config.compaction, model: resolveModel(config.compaction.model, bases) };
  }
  if (config.memory) {
    out.memory = {
      ...config.memory,
      ...(config.memory.workspace_root !== undefined &&
        { workspace_root: path(config.memory.workspace_root) }),
      ...(config.memory.extract_model &&
        { extract_model: resolveModel(config.memory.extract_model, bases) }),
      ...(config.memory.consolidation_model &&
        { consolidation_model: resolveModel(config.memory.consolidation_model, bases) }),
    };
  }
  if (config.skills?.directories) {
    out.skills = { ...config.skills, directories: config.skills.directories.map(path) };
  }
  return out;
}
