/**
 * File I/O for the profile registries: scanning the builtin directory, finding the nearest project
 * manifest, and reading a user/project manifest into a source state (never throwing).
 * @module
 */
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { InsomniaError } from "../errors.ts";
import { errnoCode } from "../fs/errno.ts";
import { readBoundedText } from "../fs/read_bounded.ts";
import { brokenSourceState, emptySourceState, parseRegistryText } from "./registry_parse.ts";
import type { BuiltinProfileInfo, DeclaredEntry, RegistrySourceState } from "./registry_types.ts";
import { isValidProfileName, type RegistrySource } from "./selector.ts";

function isFile(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Lists the builtin profiles in `dir`: each `*.nix` file (named after its stem) and each
 * subdirectory containing `profile.nix` (named after the subdirectory), sorted by name. Names that
 * are not valid profile names are skipped; when a file and a subdirectory share a name, the file
 * wins. A missing directory gives `[]`; any other read failure is `registry_invalid`.
 */
export function scanBuiltinDir(dir: string): BuiltinProfileInfo[] {
  const root = resolve(dir);
  let names: string[];
  try {
    names = readdirSync(root);
  } catch (err) {
    const code = errnoCode(err);
    if (code === "ENOENT" || code === "ENOTDIR") return [];
    throw new InsomniaError(
      "registry_invalid",
      `cannot read the builtin profiles directory ${root} (${
        code ?? String(err)
      }); check the installation.`,
      { file: root, source: "builtin" },
    );
  }
  const found = new Map<string, BuiltinProfileInfo>();
  for (const entry of names) {
    const full = join(root, entry);
    if (entry.endsWith(".nix")) {
      const name = entry.slice(0, -".nix".length);
      if (isValidProfileName(name) && isFile(full)) found.set(name, { name, path: full });
    }
  }
  for (const entry of names) {
    const profile = join(root, entry, "profile.nix");
    if (!found.has(entry) && isValidProfileName(entry) && isFile(profile)) {
      found.set(entry, { name: entry, path: profile });
    }
  }
  return [...found.values()].sort(byName);
}

/** Builds the builtin source state (valid names only, sorted, first duplicate wins). */
export function builtinSourceState(list: readonly BuiltinProfileInfo[]): RegistrySourceState {
  const entries = new Map<string, DeclaredEntry>();
  for (const info of [...list].sort(byName)) {
    if (!isValidProfileName(info.name) || entries.has(info.name)) continue;
    const entry: DeclaredEntry = { name: info.name, path: resolve(info.path) };
    if (info.description !== undefined) entry.description = info.description;
    entries.set(info.name, entry);
  }
  return { source: "builtin", entries, aliases: new Map() };
}

/**
 * Reads a user or project manifest's `[profiles]` table. A missing file is an empty source unless
 * `required`; unreadable, non-regular (a FIFO, a device), oversized, non-UTF-8, syntactically
 * broken, too deeply nested or schema-invalid files give a broken source whose `error` is raised
 * later. Never throws.
 */
export function readRegistrySource(
  source: RegistrySource,
  file: string,
  required = false,
): RegistrySourceState {
  const path = resolve(file);
  let text: string;
  try {
    text = readBoundedText(path, {
      code: "registry_invalid",
      message: (at, problem) => {
        const missing = problem === "does not exist";
        const why = missing || problem.startsWith("cannot be read")
          ? problem
          : `cannot be read: it ${problem}`;
        return `the ${source} profile registry ${at} ${why}. Fix or ${
          missing ? "create" : "replace"
        } the file, or stop pointing insomnia-pod at it; until then, profiles can only be ` +
          "selected with a qualifier for another source (such as `builtin:<name>`).";
      },
      details: { source },
    });
  } catch (err) {
    if (!(err instanceof InsomniaError)) throw err;
    if (err.details.reason === "missing" && !required) return emptySourceState(source);
    return brokenSourceState(source, path, err);
  }
  return parseRegistryText(source, path, text);
}
