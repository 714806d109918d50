/**
 * Data types of the profile registries (builtin directory, user and project manifests).
 * Re-exported by `registry.ts`; kept separate so the reader and the selection logic can share them.
 * @module
 */
import type { InsomniaError } from "../errors.ts";
import type { RegistrySource } from "./selector.ts";

/** One selectable profile, as listed and as returned by selection. */
export interface RegistryEntry {
  /** Registry the entry is declared in. */
  source: RegistrySource;
  /** Profile name (unique within its source). */
  name: string;
  /** Absolute path of the profile file. */
  path: string;
  /** Optional human description. */
  description?: string;
  /** More directories its evaluation may read (`allow = [...]`), absolute. */
  allow?: string[];
  /** `source:name`. */
  qualified: string;
  /** True for the one entry the effective default resolves to. */
  isDefault: boolean;
  /** Qualified names of entries with the same name in the other sources (listing order). */
  shadows: string[];
  /**
   * Set when an unqualified name picked this user or project entry over the builtin of the same
   * name: that builtin's qualified name (still reachable as `builtin:<name>`).
   */
  shadowing?: string;
}

/** A profile found in the builtin profiles directory. */
export interface BuiltinProfileInfo {
  /** Profile name (file stem or subdirectory name). */
  name: string;
  /** Path of the profile file. */
  path: string;
  /** Optional human description. */
  description?: string;
}

/** Where {@link loadRegistry} looks for registries. */
export interface RegistryInputs {
  /** Builtin profiles, usually from `scanBuiltinDir`. */
  builtin: BuiltinProfileInfo[];
  /** The user manifest. A missing file means an empty user registry (unless {@link userFileRequired}). */
  userFile?: string;
  /** When true, a missing {@link userFile} is a broken source (e.g. set explicitly by an env var). */
  userFileRequired?: boolean;
  /** Directory to walk up from to the nearest `<dir>/.insomnia/manifest.toml` (usually the cwd). */
  projectStart?: string;
  /** Explicit project manifest instead of walking; it must exist. */
  projectFile?: string;
}

/** A profile entry as declared in one source (before default/shadow decoration). */
export interface DeclaredEntry {
  /** Profile name. */
  name: string;
  /** Absolute path of the profile file. */
  path: string;
  /** Optional human description. */
  description?: string;
  /** More directories its evaluation may read (`allow = [...]`), absolute. */
  allow?: string[];
  /** Key path in the declaring file, e.g. `profiles.profile.coder` (absent for builtins). */
  field?: string;
}

/** A fully qualified registry reference. */
export interface QualifiedRef {
  /** Source the reference points into. */
  source: RegistrySource;
  /** Entry or alias name. */
  name: string;
}

/** An alias declared under `[profiles.alias]`. */
export interface RegistryAlias {
  /** Declaring source. */
  source: RegistrySource;
  /** Alias name. */
  name: string;
  /** `source:name` of the alias itself. */
  qualified: string;
  /** Target; an unqualified target has already been bound to the declaring source. */
  target: QualifiedRef;
  /** The target exactly as written in the file. */
  targetText: string;
  /** Declaring file. */
  file: string;
  /** Key path in the declaring file, e.g. `profiles.alias.work`. */
  field: string;
}

/** A `default = …` declared under `[profiles]`. */
export interface DeclaredDefault {
  /** Declaring source. */
  source: RegistrySource;
  /** Target; an unqualified target has already been bound to the declaring source. */
  target: QualifiedRef;
  /** The value exactly as written in the file. */
  text: string;
  /** Declaring file. */
  file: string;
  /** Always `profiles.default`. */
  field: string;
}

/** Everything one source contributed, or why it could not be read. */
export interface RegistrySourceState {
  /** Which source this is. */
  source: RegistrySource;
  /** Registry file read for this source (absent for builtin, or when there is no such file). */
  file?: string;
  /**
   * Set when the file exists but cannot be used (unreadable, TOML syntax error, schema error).
   * Raised lazily by selection and listing; the maps below are then empty.
   */
  error?: InsomniaError;
  /** Entries by name, in name order. */
  entries: ReadonlyMap<string, DeclaredEntry>;
  /** Aliases by name, in name order. */
  aliases: ReadonlyMap<string, RegistryAlias>;
  /** The source's `default`, if it declares one. */
  default?: DeclaredDefault;
}

/** The three registries, loaded once; broken sources keep their error for later. */
export interface Registry {
  /** Per-source state. */
  readonly sources: Readonly<Record<RegistrySource, RegistrySourceState>>;
}
