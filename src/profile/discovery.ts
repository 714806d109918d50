/**
 * Loads the three profile registries for a working directory. Kept apart from the resolver so
 * listing profiles loads neither Nix evaluation nor manifest validation.
 * @module
 */
import { type Env, userManifestPath } from "../env.ts";
import { builtinProfiles } from "./builtin.ts";
import { loadRegistry, type Registry } from "./registry.ts";

/**
 * Loads the builtin/user/project registries for `cwd`.
 *
 * @example
 * ```ts
 * import process from "node:process";
 * import { loadProfileRegistry } from "./discovery.ts";
 * const registry = loadProfileRegistry(process.env, process.cwd());
 * ```
 */
export function loadProfileRegistry(env: Env, cwd: string): Registry {
  const user = userManifestPath(env);
  return loadRegistry({
    builtin: builtinProfiles(env),
    userFile: user?.path,
    userFileRequired: user?.explicit ?? false,
    projectStart: cwd,
  });
}
