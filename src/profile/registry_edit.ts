/**
 * Editing a registry file's `[profiles.profile]` table as text, so the file's comments and layout
 * survive: registering a new entry, and finding where an existing one points.
 * @module
 */
import { dirname, resolve } from "node:path";
import { parse } from "npm:smol-toml@1.9.1";
import { InsomniaError } from "../errors.ts";
import { parseTomlText } from "../manifest/toml.ts";

/** Returns `text` with `name = "path"` registered under `[profiles.profile]`. */
export function registerEntry(
  text: string,
  name: string,
  entryPath: string,
  file: string,
  allow: readonly string[] = [],
): string {
  const doc = text.trim() ? parseTomlText(text, file) : {};
  const profiles = doc.profiles as Record<string, unknown> | undefined;
  const table = profiles?.profile as Record<string, unknown> | undefined;
  if (table && name in table) {
    throw new InsomniaError(
      "profile_exists",
      `profile ${name} is already registered in ${file}. Choose another name or edit that entry.`,
      { file },
    );
  }
  const line = allow.length === 0
    ? `${JSON.stringify(name)} = ${JSON.stringify(entryPath)}`
    : `${JSON.stringify(name)} = { path = ${JSON.stringify(entryPath)}, allow = [${
      allow.map((dir) => JSON.stringify(dir)).join(", ")
    }] }`;
  const lines = text.split("\n");
  const header = lines.findIndex((l) => /^\s*\[\s*profiles\s*\.\s*profile\s*\]\s*(#.*)?$/.test(l));
  let next: string;
  if (header >= 0) {
    lines.splice(header + 1, 0, line);
    next = lines.join("\n");
  } else if (table) {
    throw new InsomniaError(
      "registry_invalid",
      `${file} declares [profiles.profile] in a form this command cannot extend (inline table). Add \`${line}\` to it by hand.`,
      { file },
    );
  } else {
    next = `${text}${
      text === "" || text.endsWith("\n") ? "" : "\n"
    }\n[profiles.profile]\n${line}\n`;
  }
  parse(next); // the edit must leave a valid document
  return next;
}

/**
 * Where `[profiles.profile]` in `text` registers `name`, resolved against the registry file's
 * directory, or undefined when it does not. An entry of another form counts as registered
 * elsewhere (`null`).
 */
export function registeredPath(
  text: string,
  name: string,
  file: string,
): string | null | undefined {
  const doc = text.trim() ? parseTomlText(text, file) : {};
  const profiles = doc.profiles as Record<string, unknown> | undefined;
  const table = profiles?.profile as Record<string, unknown> | undefined;
  if (!table || typeof table !== "object" || !(name in table)) return undefined;
  const value = table[name];
  const path = typeof value === "string" ? value : value !== null && typeof value === "object" &&
      typeof (value as { path?: unknown }).path === "string"
    ? (value as { path: string }).path
    : undefined;
  return path === undefined ? null : resolve(dirname(file), path);
}

const PROFILES_HEADER = /^\s*\[\s*profiles\s*\]\s*(#.*)?$/;
const ANY_HEADER = /^\s*\[/;

/** Returns `text` with `default = "<target>"` under `[profiles]` (replaced when present). */
export function setDefaultEntry(text: string, target: string, file: string): string {
  if (text.trim()) parseTomlText(text, file);
  const line = `default = ${JSON.stringify(target)}`;
  const lines = text.split("\n");
  const header = lines.findIndex((l) => PROFILES_HEADER.test(l));
  let next: string;
  if (header >= 0) {
    let end = lines.findIndex((l, i) => i > header && ANY_HEADER.test(l));
    if (end < 0) end = lines.length;
    const at = lines.findIndex((l, i) => i > header && i < end && /^\s*default\s*=/.test(l));
    if (at >= 0) lines[at] = line;
    else lines.splice(header + 1, 0, line);
    next = lines.join("\n");
  } else {
    // A `[profiles]` table after `[profiles.profile]` is valid TOML (defined once).
    next = `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}\n[profiles]\n${line}\n`;
  }
  checkEdit(next, file, line);
  return next;
}

/**
 * Returns `text` without the `[profiles.profile]` entry `name` (one line), or throws
 * `registry_invalid` when the entry is written in a form this edit cannot remove.
 */
export function removeEntry(text: string, name: string, file: string): string {
  const lines = text.split("\n");
  const header = lines.findIndex((l) => /^\s*\[\s*profiles\s*\.\s*profile\s*\]\s*(#.*)?$/.test(l));
  let end = lines.findIndex((l, i) => i > header && ANY_HEADER.test(l));
  if (end < 0) end = lines.length;
  const key = new RegExp(`^\\s*(${escape(name)}|"${escape(name)}"|'${escape(name)}')\\s*=`);
  const at = header < 0 ? -1 : lines.findIndex((l, i) => i > header && i < end && key.test(l));
  if (at < 0) {
    throw new InsomniaError(
      "registry_invalid",
      `${file} registers profile ${name} in a form this command cannot edit (not one line under ` +
        `[profiles.profile]). Remove it by hand; nothing was changed.`,
      { file },
    );
  }
  lines.splice(at, 1);
  const next = lines.join("\n");
  checkEdit(next, file, lines[at] ?? "");
  return next;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function checkEdit(next: string, file: string, line: string): void {
  try {
    parse(next);
  } catch {
    throw new InsomniaError(
      "registry_invalid",
      `${file} cannot be edited safely (the result would not be valid TOML); change \`${line}\` ` +
        "by hand. Nothing was changed.",
      { file },
    );
  }
}
