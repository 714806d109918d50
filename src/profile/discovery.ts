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
  if (handedOver?.env === env && handedOver.cwd === cwd) {
    const { registry } = handedOver;
    handedOver = undefined;
    return registry;
  }
  const user = userManifestPath(env);
  return loadRegistry({
    builtin: builtinProfiles(env),
    userFile: user?.path,
    userFileRequired: user?.explicit ?? false,
    projectStart: cwd,
  });
}

/**
 * The builtin registry alone: all a `builtin:NAME` selection reads (a user or project file can
 * neither shadow nor block a source-qualified name), so it reads no file and walks no directory.
 */
export function loadBuiltinRegistry(env: Env): Registry {
  return loadRegistry({ builtin: builtinProfiles(env) });
}

let handedOver: { env: Env; cwd: string; registry: Registry } | undefined;

/**
 * Hands `registry`, just loaded for `env` and `cwd` by the early start (src/cli/early_eval.ts),
 * to the next {@link loadProfileRegistry} of the same `env` and `cwd` in this process, once: the
 * pipeline then does not read and parse the same files again a few milliseconds later.
 */
export function handOverRegistry(env: Env, cwd: string, registry: Registry): void {
  handedOver = { env, cwd, registry };
}
