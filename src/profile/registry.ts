/**
 * Profile registries: builtin profiles shipped with insomnia-pod, the user manifest's `[profiles]`
 * table and the nearest project `.insomnia/manifest.toml`'s `[profiles]` table. See
 * `docs/registry.md` for the schema, precedence, ambiguity and broken-file rules.
 *
 * Loading never throws for a broken user/project file: the error is kept on the source and raised
 * only when a name or the default must be resolved, or the list is asked for.
 * @module
 */
import { findProjectManifest } from "../env.ts";
import { builtinSourceState, readRegistrySource } from "./registry_file.ts";
import { emptySourceState } from "./registry_parse.ts";
import type { Registry, RegistryInputs } from "./registry_types.ts";

export type {
  DeclaredDefault,
  DeclaredEntry,
  QualifiedRef,
  Registry,
  RegistryAlias,
  RegistryEntry,
  RegistryInputs,
  RegistrySourceState,
} from "./registry_types.ts";
export { scanBuiltinDir } from "./registry_file.ts";
export {
  defaultEntry,
  defaultTarget,
  listAliases,
  listEntries,
  registryProblems,
  selectEntry,
} from "./registry_select.ts";

/**
 * Loads the builtin, user and project registries. The project file is `inputs.projectFile` when
 * given (it must exist), else the nearest `.insomnia/manifest.toml` above `inputs.projectStart`.
 * Never throws for broken user/project files (see {@link RegistrySourceState.error}).
 */
export function loadRegistry(inputs: RegistryInputs): Registry {
  const user = inputs.userFile === undefined
    ? emptySourceState("user")
    : readRegistrySource("user", inputs.userFile, inputs.userFileRequired ?? false);
  let project = emptySourceState("project");
  if (inputs.projectFile !== undefined) {
    project = readRegistrySource("project", inputs.projectFile, true);
  } else if (inputs.projectStart !== undefined) {
    const found = findProjectManifest(inputs.projectStart);
    if (found !== undefined) project = readRegistrySource("project", found);
  }
  return { sources: { builtin: builtinSourceState(inputs.builtin), user, project } };
}
