/**
 * Pure selection over loaded registries: named and default selection, alias resolution with cycle
 * detection, listing with default flags and shadows.
 *
 * Broken sources: a broken user/project file blocks unqualified names and the default (the file
 * might have declared the same name or a default — fail closed) and any reference into that
 * source, but a source-qualified selector for another source still resolves.
 * @module
 */
import { InsomniaError } from "../errors.ts";
import { rankByDistance } from "./registry_suggest.ts";
import type {
  DeclaredDefault,
  DeclaredEntry,
  QualifiedRef,
  Registry,
  RegistryAlias,
  RegistryEntry,
  RegistrySourceState,
} from "./registry_types.ts";
import {
  quote,
  REGISTRY_SOURCES,
  type RegistrySource,
  type Selector,
  selectorLabel,
} from "./selector.ts";

type Hit =
  | { kind: "entry"; source: RegistrySource; entry: DeclaredEntry }
  | { kind: "alias"; alias: RegistryAlias };

const LIST_HINT = "Run `insomnia-pod profiles list` to see the available profiles.";
/** An error that merely re-raises a broken source's (so a problem report lists it once). */
class SourceBlockedError extends InsomniaError {}

function lookup(state: RegistrySourceState, name: string): Hit | undefined {
  const entry = state.entries.get(name);
  if (entry !== undefined) return { kind: "entry", source: state.source, entry };
  const alias = state.aliases.get(name);
  return alias === undefined ? undefined : { kind: "alias", alias };
}

function hitQualified(hit: Hit): string {
  return hit.kind === "entry" ? `${hit.source}:${hit.entry.name}` : hit.alias.qualified;
}

function qualify(ref: QualifiedRef): string {
  return `${ref.source}:${ref.name}`;
}

function firstBroken(reg: Registry): RegistrySourceState | undefined {
  return REGISTRY_SOURCES.map((s) => reg.sources[s]).find((s) => s.error !== undefined);
}

/** Re-raises a broken source's error with what we were trying to do in front of it. */
function blocked(
  state: RegistrySourceState,
  doing: string,
  extra: Record<string, unknown> = {},
  tail = "",
): InsomniaError {
  const err = state.error!;
  return new SourceBlockedError("registry_invalid", `${doing}: ${err.message}${tail}`, {
    ...err.details,
    ...extra,
  });
}

/** Follows aliases from `hit` to an entry; `doing` prefixes error messages. */
function resolveHit(
  reg: Registry,
  start: Hit,
  doing: string,
): { source: RegistrySource; entry: DeclaredEntry } {
  let hit = start;
  const trail: string[] = [];
  const seen = new Set<string>();
  while (hit.kind === "alias") {
    const alias = hit.alias;
    if (seen.has(alias.qualified)) {
      const cycle = [...trail.slice(trail.indexOf(alias.qualified)), alias.qualified];
      const files = [...new Set(cycle.slice(0, -1).map((q) => aliasFile(reg, q)))];
      throw new InsomniaError(
        "registry_invalid",
        `${doing}: alias cycle ${cycle.join(" → ")} (declared in ${files.join(" and ")}). ` +
          "Point one of these aliases at a profile entry instead.",
        { file: alias.file, field: alias.field, cycle, files },
      );
    }
    seen.add(alias.qualified);
    trail.push(alias.qualified);
    const targetState = reg.sources[alias.target.source];
    if (targetState.error !== undefined) {
      throw blocked(
        targetState,
        `${doing} (alias \`${alias.qualified}\` → \`${qualify(alias.target)}\`)`,
        {
          alias: alias.qualified,
        },
      );
    }
    const next = lookup(targetState, alias.target.name);
    if (next === undefined) {
      throw new InsomniaError(
        "registry_invalid",
        `${doing}: alias \`${alias.qualified}\` (\`${alias.field}\` in ${alias.file}) points to ` +
          `\`${qualify(alias.target)}\`, which is not defined. Fix the alias target or add the ` +
          `profile. ${LIST_HINT}`,
        {
          file: alias.file,
          field: alias.field,
          alias: alias.qualified,
          target: qualify(alias.target),
        },
      );
    }
    hit = next;
  }
  return { source: hit.source, entry: hit.entry };
}

function aliasFile(reg: Registry, qualified: string): string {
  const colon = qualified.indexOf(":");
  const source = qualified.slice(0, colon) as RegistrySource;
  return reg.sources[source].aliases.get(qualified.slice(colon + 1))?.file ?? source;
}

function decorate(
  reg: Registry,
  source: RegistrySource,
  declared: DeclaredEntry,
  defaultQualified: string | undefined,
): RegistryEntry {
  const qualified = `${source}:${declared.name}`;
  const shadows: string[] = [];
  for (const other of REGISTRY_SOURCES) {
    if (other !== source && reg.sources[other].entries.has(declared.name)) {
      shadows.push(`${other}:${declared.name}`);
    }
  }
  const entry: RegistryEntry = {
    source,
    name: declared.name,
    path: declared.path,
    qualified,
    isDefault: qualified === defaultQualified,
    shadows,
  };
  if (declared.description !== undefined) entry.description = declared.description;
  if (declared.allow !== undefined) entry.allow = declared.allow;
  return entry;
}

/** The default that applies before alias resolution, and the `default` declaration behind it. */
export interface DefaultTarget {
  /** What the default names (an entry or an alias). */
  target: QualifiedRef;
  /** The declaration; absent for the `builtin:default` fallback. */
  declared?: DeclaredDefault;
}

/**
 * Which default applies: the project's `default`, else the user's, else `builtin:default` when such
 * a builtin exists; undefined when there is none. Throws `registry_invalid` when a registry file
 * is broken (it might have declared a default).
 */
export function defaultTarget(reg: Registry): DefaultTarget | undefined {
  const broken = firstBroken(reg);
  if (broken !== undefined) throw blocked(broken, "cannot determine the default profile");
  for (const source of ["project", "user"] as const) {
    const declared = reg.sources[source].default;
    if (declared !== undefined) return { target: declared.target, declared };
  }
  if (reg.sources.builtin.entries.has("default")) {
    return { target: { source: "builtin", name: "default" } };
  }
  return undefined;
}

function resolveDefault(
  reg: Registry,
): { source: RegistrySource; entry: DeclaredEntry } | undefined {
  const chosen = defaultTarget(reg);
  if (chosen === undefined) return undefined;
  const { target, declared } = chosen;
  const where = declared ? ` set in ${declared.file} (\`${declared.field}\`)` : "";
  const doing = `cannot resolve the default profile \`${qualify(target)}\`${where}`;
  const state = reg.sources[target.source];
  const hit = lookup(state, target.name);
  if (hit === undefined) {
    throw new InsomniaError(
      "registry_invalid",
      `${doing}: the ${target.source} registry has no profile or alias named \`${target.name}\`. ` +
        `Fix \`default\` or add the profile; insomnia-pod does not fall back to another default. ${LIST_HINT}`,
      { file: declared?.file, field: declared?.field, default: qualify(target) },
    );
  }
  return resolveHit(reg, hit, doing);
}

/**
 * The effective default entry (flagged `isDefault`), or undefined when no default is configured
 * and there is no `builtin:default`. Throws `registry_invalid` when a registry file is broken or
 * the configured default cannot be resolved (never falls back silently).
 *
 * @example
 * ```ts
 * import process from "node:process";
 * import { loadProfileRegistry } from "./discovery.ts";
 * import { defaultEntry } from "./registry_select.ts";
 * const entry = defaultEntry(loadProfileRegistry(process.env, process.cwd()));
 * console.log(entry ? `${entry.source}:${entry.name}` : "no default");
 * ```
 */
export function defaultEntry(reg: Registry): RegistryEntry | undefined {
  const found = resolveDefault(reg);
  if (found === undefined) return undefined;
  return decorate(reg, found.source, found.entry, `${found.source}:${found.entry.name}`);
}

function lenientDefaultQualified(reg: Registry): string | undefined {
  try {
    const found = resolveDefault(reg);
    return found === undefined ? undefined : `${found.source}:${found.entry.name}`;
  } catch {
    return undefined;
  }
}

function notFound(
  reg: Registry,
  label: string,
  name: string,
  source?: RegistrySource,
): InsomniaError {
  const known: { qualified: string; name: string }[] = [];
  const order = source === undefined
    ? REGISTRY_SOURCES
    : [source, ...REGISTRY_SOURCES.filter((s) => s !== source)];
  for (const s of order) {
    const state = reg.sources[s];
    for (const n of state.entries.keys()) known.push({ qualified: `${s}:${n}`, name: n });
    for (const n of state.aliases.keys()) known.push({ qualified: `${s}:${n}`, name: n });
  }
  const suggestions = rankByDistance(name, known, (k) => k.name, 3).map((k) => k.qualified);
  const where = source === undefined
    ? "in the builtin, user or project registries"
    : `in the ${source} registry${
      reg.sources[source].file ? ` (${reg.sources[source].file})` : ""
    }`;
  const dym = suggestions.length === 0
    ? ""
    : ` Did you mean ${suggestions.map((s) => `\`${s}\``).join(" or ")}?`;
  return new InsomniaError(
    "profile_not_found",
    `no profile ${quote(label)} ${where}.${dym} ${LIST_HINT}`,
    { selector: label, suggestions },
  );
}

function selectNamed(
  reg: Registry,
  name: string,
  source: RegistrySource | undefined,
): RegistryEntry {
  const label = source === undefined ? name : `${source}:${name}`;
  const doing = `cannot resolve profile ${quote(label)}`;
  let hit: Hit | undefined;
  if (source !== undefined) {
    const state = reg.sources[source];
    if (state.error !== undefined) throw blocked(state, doing, { selector: label });
    hit = lookup(state, name);
  } else {
    const hits = REGISTRY_SOURCES.map((s) => reg.sources[s])
      .filter((s) => s.error === undefined)
      .map((s) => lookup(s, name))
      .filter((h): h is Hit => h !== undefined);
    const broken = firstBroken(reg);
    if (broken !== undefined) {
      const choices = hits.map(hitQualified);
      const tail = choices.length === 0
        ? ""
        : ` \`${name}\` is also defined as ${choices.map((c) => `\`${c}\``).join(" and ")}, ` +
          "which can be selected with that qualified name.";
      throw blocked(broken, `${doing} without a source qualifier`, {
        selector: label,
        choices,
      }, tail);
    }
    // A user or project profile named like a builtin shadows it (the builtin role names are the
    // names people give their own profiles); user and project with one name stay ambiguous.
    const own = hits.filter((h) => !hitQualified(h).startsWith("builtin:"));
    if (own.length === 1 && hits.length > 1) {
      const found = resolveHit(reg, own[0], doing);
      const entry = decorate(reg, found.source, found.entry, lenientDefaultQualified(reg));
      entry.shadowing = `builtin:${name}`;
      return entry;
    }
    if (hits.length > 1) {
      const choices = (own.length > 1 ? own : hits).map(hitQualified);
      throw new InsomniaError(
        "profile_ambiguous",
        `profile name \`${name}\` is ambiguous: it is defined as ${
          choices.map((c) => `\`${c}\``).join(" and ")
        }. Select one with a source-qualified selector such as \`${choices[choices.length - 1]}\`.`,
        { selector: label, choices },
      );
    }
    hit = hits[0];
  }
  if (hit === undefined) throw notFound(reg, label, name, source);
  const found = resolveHit(reg, hit, doing);
  return decorate(reg, found.source, found.entry, lenientDefaultQualified(reg));
}

/**
 * Resolves a named or default selector to an entry.
 * - `default` → {@link defaultEntry}, or `no_default_profile` when none is configured;
 * - `source:name` → that source only (entry or alias);
 * - `name` → matches across sources: one → it; a user or project one and a builtin → the user's
 *   or project's (`shadowing` names the builtin); user and project → `profile_ambiguous`; none →
 *   `profile_not_found` with a did-you-mean.
 * Aliases are followed (cycles → `registry_invalid`). Path and flake selectors are not registry
 * entries (`internal`).
 *
 * @example
 * ```ts
 * import process from "node:process";
 * import { loadProfileRegistry } from "./discovery.ts";
 * import { selectEntry } from "./registry_select.ts";
 * import { parseSelector } from "./selector.ts";
 * const registry = loadProfileRegistry(process.env, process.cwd());
 * const entry = selectEntry(registry, parseSelector("builtin:coder"));
 * console.log(entry.source, entry.name); // builtin coder
 * ```
 */
export function selectEntry(reg: Registry, sel: Selector): RegistryEntry {
  if (sel.kind === "default") {
    const entry = defaultEntry(reg);
    if (entry !== undefined) return entry;
    throw new InsomniaError(
      "no_default_profile",
      'no default profile is configured: set `default = "<name>"` under `[profiles]` in the user ' +
        "manifest or in the project's `.insomnia/manifest.toml`, or pass a profile explicitly " +
        `(for example \`--profile coder\`). ${LIST_HINT}`,
      {
        userFile: reg.sources.user.file,
        projectFile: reg.sources.project.file,
      },
    );
  }
  if (sel.kind !== "named") {
    const label = selectorLabel(sel);
    throw new InsomniaError(
      "internal",
      `${quote(label)} is a ${sel.kind} selector, not a registry name; resolve it directly.`,
      { selector: label },
    );
  }
  return selectNamed(reg, sel.name, sel.source);
}

/**
 * Every entry, ordered by source (builtin, user, project) then name, with `isDefault` and
 * `shadows` filled in. Linear in the number of entries. Throws the first broken source's
 * `registry_invalid`. An unresolvable configured default flags nothing here; see
 * {@link registryProblems}.
 *
 * @example
 * ```ts
 * import process from "node:process";
 * import { loadProfileRegistry } from "./discovery.ts";
 * import { listEntries } from "./registry_select.ts";
 * for (const entry of listEntries(loadProfileRegistry(process.env, process.cwd()))) {
 *   console.log(`${entry.source}:${entry.name}`);
 * }
 * ```
 */
export function listEntries(reg: Registry): RegistryEntry[] {
  const broken = firstBroken(reg);
  if (broken !== undefined) throw blocked(broken, "cannot list profiles");
  const defaultQualified = lenientDefaultQualified(reg);
  const out: RegistryEntry[] = [];
  for (const source of REGISTRY_SOURCES) {
    for (const declared of reg.sources[source].entries.values()) {
      out.push(decorate(reg, source, declared, defaultQualified));
    }
  }
  return out;
}

/** Every alias of the healthy sources, ordered by source then name. */
export function listAliases(reg: Registry): RegistryAlias[] {
  return REGISTRY_SOURCES.flatMap((s) => [...reg.sources[s].aliases.values()]);
}

/**
 * All problems without throwing, for a `doctor`-style report: broken files, then aliases that do
 * not resolve (dangling or cyclic), then an unresolvable configured default.
 */
export function registryProblems(reg: Registry): InsomniaError[] {
  const problems: InsomniaError[] = [];
  for (const source of REGISTRY_SOURCES) {
    const error = reg.sources[source].error;
    if (error !== undefined) problems.push(error);
  }
  const seen = new Set<string>();
  for (const alias of listAliases(reg)) {
    try {
      resolveHit(reg, { kind: "alias", alias }, `cannot resolve alias \`${alias.qualified}\``);
    } catch (err) {
      if (!(err instanceof InsomniaError) || err instanceof SourceBlockedError) continue;
      const cycle = err.details.cycle;
      const key = Array.isArray(cycle)
        ? [...new Set(cycle.map(String))].sort().join("\n")
        : err.message;
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push(err);
    }
  }
  if (firstBroken(reg) === undefined) {
    try {
      resolveDefault(reg);
    } catch (err) {
      if (err instanceof InsomniaError) problems.push(err);
    }
  }
  return problems;
}
