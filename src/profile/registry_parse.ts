/**
 * Pure parsing of the `[profiles]` table of a user or project manifest into a
 * {@link RegistrySourceState}. Never throws: a broken document yields a state with `error` set.
 *
 * Schema (strict; everything else in the file is ignored, but a TOML syntax error anywhere breaks
 * the source):
 * ```toml
 * [profiles]
 * default = "coder"                 # or "user:coder"
 * [profiles.profile]
 * coder = "profiles/coder.nix"      # relative to the declaring file's directory
 * review = { path = "/abs/review.nix", description = "Read-only reviewer" }
 * [profiles.alias]
 * work = "coder"                    # or "project:coder"
 * ```
 * @module
 */
import { dirname, resolve } from "node:path";
import { parse, TomlError } from "npm:smol-toml@1.9.1";
import { InsomniaError } from "../errors.ts";
import { jsonShapeProblem, shapeError } from "../json_shape.ts";
import { closestMatches } from "./registry_suggest.ts";
import type {
  DeclaredDefault,
  DeclaredEntry,
  QualifiedRef,
  RegistryAlias,
  RegistrySourceState,
} from "./registry_types.ts";
import { parseProfileRef, profileNameProblem, quote, type RegistrySource } from "./selector.ts";

const PROFILES_KEYS = ["default", "profile", "alias"];
/**
 * The original's spellings, accepted as they were (yoi `profile.rs` at d77a86d5:
 * `#[serde(alias = "entries")] profile`, `#[serde(alias = "aliases")] alias`). `profile` and
 * `alias` are canonical; both spellings of one table in one file is an error.
 */
const ORIGINAL_SPELLINGS: Record<string, string> = { entries: "profile", aliases: "alias" };
const ENTRY_KEYS = ["path", "description", "allow"];
/** Spellings users plausibly mean (for the did-you-mean of an unknown key). */
const SYNONYMS: Record<string, string> = {
  profiles: "profile",
  defaults: "default",
  desc: "description",
  file: "path",
};

/** A schema problem at a key path; converted to `registry_invalid` with the file name. */
class SchemaProblem {
  constructor(readonly keys: string[], readonly message: string) {}
}

type Table = Record<string, unknown>;

/** An empty, healthy source state. */
export function emptySourceState(source: RegistrySource, file?: string): RegistrySourceState {
  return { source, file, entries: new Map(), aliases: new Map() };
}

/** A broken source state carrying `error`. */
export function brokenSourceState(
  source: RegistrySource,
  file: string,
  error: InsomniaError,
): RegistrySourceState {
  return { source, file, error, entries: new Map(), aliases: new Map() };
}

/** Formats a key path TOML-style: bare keys joined with `.`, other keys quoted. */
function formatKeyPath(keys: readonly string[]): string {
  return keys.map((k) => (/^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k))).join(".");
}

function isTable(value: unknown): value is Table {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    !(value instanceof Date);
}

function describeType(value: unknown): string {
  if (typeof value === "string") return "a string";
  if (typeof value === "boolean") return "a boolean";
  if (typeof value === "number" || typeof value === "bigint") return "a number";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Date) return "a date/time";
  return "a table";
}

function unknownKey(keys: string[], key: string, allowed: string[]): SchemaProblem {
  const table = formatKeyPath(keys);
  const guess = SYNONYMS[key.toLowerCase()] ?? closestMatches(key, allowed)[0];
  const dym = guess !== undefined && allowed.includes(guess) ? ` (did you mean \`${guess}\`?)` : "";
  const list = allowed.map((k) => `\`${k}\``).join(", ");
  return new SchemaProblem(
    [...keys, key],
    `unknown key ${quote(key)} in \`[${table}]\`${dym}; the allowed keys are ${list}`,
  );
}

function checkName(keys: string[], name: string, what: string): void {
  const problem = profileNameProblem(name);
  if (problem !== undefined) {
    throw new SchemaProblem(
      [...keys, name],
      `${what} name ${quote(name)} ${problem} (names are 1–128 characters of letters, digits, ` +
        "`.`, `_` and `-`, and must not start with `.`)",
    );
  }
}

function bindRef(keys: string[], value: unknown, declaring: RegistrySource, what: string) {
  if (typeof value !== "string") {
    throw new SchemaProblem(
      keys,
      `\`${formatKeyPath(keys)}\` must be ${what} such as "coder" or "user:coder", not ${
        describeType(value)
      }`,
    );
  }
  const ref = parseProfileRef(value);
  if ("problem" in ref) throw new SchemaProblem(keys, `\`${formatKeyPath(keys)}\`: ${ref.problem}`);
  const target: QualifiedRef = { source: ref.source ?? declaring, name: ref.name };
  return { target, text: value };
}

function readEntry(base: string, keys: string[], value: unknown): Omit<DeclaredEntry, "name"> {
  const field = formatKeyPath(keys);
  let path: unknown = value;
  let description: unknown;
  if (isTable(value)) {
    for (const key of Object.keys(value)) {
      if (!ENTRY_KEYS.includes(key)) throw unknownKey(keys, key, ENTRY_KEYS);
    }
    if (!("path" in value)) throw new SchemaProblem(keys, `\`${field}\` needs a \`path\``);
    path = value.path;
    description = value.description;
    if (description !== undefined && typeof description !== "string") {
      throw new SchemaProblem(
        [...keys, "description"],
        `\`${field}.description\` must be a string, not ${describeType(description)}`,
      );
    }
  } else if (typeof value !== "string") {
    throw new SchemaProblem(
      keys,
      `\`${field}\` must be a path string or a table \`{ path = "…", description = "…" }\`, not ${
        describeType(value)
      }`,
    );
  }
  const pathKeys = isTable(value) ? [...keys, "path"] : keys;
  if (typeof path !== "string") {
    throw new SchemaProblem(
      pathKeys,
      `\`${formatKeyPath(pathKeys)}\` must be a string, not ${describeType(path)}`,
    );
  }
  if (path.trim() === "" || path.includes("\0")) {
    throw new SchemaProblem(
      pathKeys,
      `\`${formatKeyPath(pathKeys)}\` must be a non-empty file path`,
    );
  }
  const entry: Omit<DeclaredEntry, "name"> = { path: resolve(base, path), field };
  if (typeof description === "string") entry.description = description;
  if (isTable(value) && value.allow !== undefined) {
    entry.allow = readAllow(base, [...keys, "allow"], value.allow);
  }
  return entry;
}

/** `allow = ["dir", …]`: more directories the profile's evaluation may read (absolute paths). */
function readAllow(base: string, keys: string[], value: unknown): string[] {
  const field = formatKeyPath(keys);
  if (!Array.isArray(value)) {
    throw new SchemaProblem(
      keys,
      `\`${field}\` must be a list of directories, not ${describeType(value)}`,
    );
  }
  return value.map((item, i) => {
    if (typeof item !== "string" || item.trim() === "" || item.includes("\0")) {
      throw new SchemaProblem(
        [...keys, String(i)],
        `\`${field}[${i}]\` must be a non-empty directory path, not ${describeType(item)}`,
      );
    }
    return resolve(base, item);
  });
}

function sortedKeys(table: Table): string[] {
  return Object.keys(table).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function readProfiles(
  source: RegistrySource,
  file: string,
  profiles: unknown,
): RegistrySourceState {
  const keys = ["profiles"];
  if (!isTable(profiles)) {
    throw new SchemaProblem(keys, `\`profiles\` must be a table, not ${describeType(profiles)}`);
  }
  for (const key of Object.keys(profiles)) {
    if (PROFILES_KEYS.includes(key)) continue;
    const canonical = ORIGINAL_SPELLINGS[key];
    if (canonical === undefined) throw unknownKey(keys, key, PROFILES_KEYS);
    if (profiles[canonical] !== undefined) {
      throw new SchemaProblem(
        [...keys, key],
        `\`profiles.${key}\` and \`profiles.${canonical}\` are the same table (\`${key}\` is the ` +
          `original spelling); keep one of them, preferably \`${canonical}\``,
      );
    }
  }
  const base = dirname(file);
  const entries = new Map<string, DeclaredEntry>();
  const aliases = new Map<string, RegistryAlias>();
  const state: RegistrySourceState = { source, file, entries, aliases };

  // The key as the file spells it (`profile` or the original's `entries`), for messages too.
  const spelled = (canonical: string): string =>
    Object.keys(ORIGINAL_SPELLINGS).find((k) =>
      ORIGINAL_SPELLINGS[k] === canonical && profiles[k] !== undefined
    ) ?? canonical;
  const table = (key: string): Table => {
    const value = profiles[key];
    if (value === undefined) return {};
    if (!isTable(value)) {
      throw new SchemaProblem(
        [...keys, key],
        `\`profiles.${key}\` must be a table, not ${describeType(value)}`,
      );
    }
    return value;
  };
  const profileKey = spelled("profile");
  const aliasKey = spelled("alias");
  const profileTable = table(profileKey);
  for (const name of sortedKeys(profileTable)) {
    const entryKeys = ["profiles", profileKey, name];
    checkName(["profiles", profileKey], name, "profile");
    entries.set(name, { name, ...readEntry(base, entryKeys, profileTable[name]) });
  }
  const aliasTable = table(aliasKey);
  for (const name of sortedKeys(aliasTable)) {
    const aliasKeys = ["profiles", aliasKey, name];
    checkName(["profiles", aliasKey], name, "alias");
    if (entries.has(name)) {
      throw new SchemaProblem(
        aliasKeys,
        `\`${name}\` is declared both as a profile (\`${
          formatKeyPath(["profiles", profileKey, name])
        }\`) and as an alias (\`${formatKeyPath(aliasKeys)}\`); rename or remove one of them`,
      );
    }
    const { target, text } = bindRef(aliasKeys, aliasTable[name], source, "an alias target");
    aliases.set(name, {
      source,
      name,
      qualified: `${source}:${name}`,
      target,
      targetText: text,
      file,
      field: formatKeyPath(aliasKeys),
    });
  }
  if (profiles.default !== undefined) {
    const defaultKeys = ["profiles", "default"];
    const { target, text } = bindRef(defaultKeys, profiles.default, source, "a profile name");
    const declared: DeclaredDefault = { source, target, text, file, field: "profiles.default" };
    state.default = declared;
  }
  return state;
}

/** Finds the line of the key named last in `keys`, only when exactly one line can define it. */
function locateKey(
  text: string,
  keys: readonly string[],
): { line: number; column: number } | undefined {
  const last = keys[keys.length - 1];
  if (last === undefined) return undefined;
  const forms = new Set([JSON.stringify(last), `'${last}'`]);
  if (/^[A-Za-z0-9_-]+$/.test(last)) forms.add(last);
  const lastSegment = (keyText: string): string => {
    const parts = keyText.split(".");
    return (parts[parts.length - 1] ?? "").trim();
  };
  let found: { line: number; column: number } | undefined;
  let count = 0;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.trimStart();
    let key: string | undefined;
    const header = /^\[\[?([^\]]*)\]/.exec(trimmed);
    if (header) key = lastSegment(header[1]!);
    else if (trimmed.includes("=") && !trimmed.startsWith("#")) {
      key = lastSegment(trimmed.slice(0, trimmed.indexOf("=")));
    }
    if (key !== undefined && forms.has(key)) {
      count++;
      found = { line: i + 1, column: line.length - trimmed.length + 1 };
    }
  }
  return count === 1 ? found : undefined;
}

function syntaxError(source: RegistrySource, file: string, err: unknown): InsomniaError {
  const raw = err instanceof Error ? err.message : String(err);
  const reason = raw.split("\n")[0]!.replace(/^Invalid TOML document:\s*/, "");
  const hasPos = err instanceof TomlError && Number.isFinite(err.line) &&
    Number.isFinite(err.column);
  const where = hasPos ? `${file}:${err.line}:${err.column}` : file;
  const details = hasPos
    ? { file, line: err.line, column: err.column, source, reason }
    : { file, source, reason };
  return new InsomniaError(
    "registry_invalid",
    `the ${source} profile registry ${where} is not valid TOML (${reason}). Fix the file; until ` +
      `then, profiles can only be selected with a qualifier for another source (such as \`builtin:<name>\`).`,
    details,
  );
}

function schemaError(
  source: RegistrySource,
  file: string,
  text: string,
  problem: SchemaProblem,
): InsomniaError {
  const field = formatKeyPath(problem.keys);
  const pos = locateKey(text, problem.keys);
  const where = pos ? `${file}:${pos.line}:${pos.column}` : file;
  return new InsomniaError(
    "registry_invalid",
    `invalid ${source} profile registry ${where} (at \`${field}\`): ${problem.message}. Fix the ` +
      `file; until then, profiles can only be selected with a qualifier for another source ` +
      `(such as \`builtin:<name>\`).`,
    pos ? { file, line: pos.line, column: pos.column, field, source } : { file, field, source },
  );
}

/**
 * Parses registry text declared in `file` (used for error messages and to resolve relative entry
 * paths against `dirname(file)`). Returns a healthy state, or a broken one with `error` set.
 */
export function parseRegistryText(
  source: RegistrySource,
  file: string,
  text: string,
): RegistrySourceState {
  let doc: Table;
  try {
    doc = parse(text.startsWith("\uFEFF") ? text.slice(1) : text) as Table;
  } catch (err) {
    return brokenSourceState(source, file, syntaxError(source, file, err));
  }
  const shape = jsonShapeProblem(doc);
  if (shape !== undefined) {
    return brokenSourceState(
      source,
      file,
      shapeError(shape, `the ${source} profile registry ${file}`, "registry_invalid"),
    );
  }
  if (doc.profiles === undefined) return emptySourceState(source, file);
  try {
    return readProfiles(source, file, doc.profiles);
  } catch (err) {
    if (err instanceof SchemaProblem) {
      return brokenSourceState(source, file, schemaError(source, file, text, err));
    }
    throw err;
  }
}
