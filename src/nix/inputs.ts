/**
 * The inputs of an evaluation, fingerprinted: every file a sandboxed profile read or imported,
 * every directory it listed and every path whose existence it tested, each with what it held —
 * so drift in an imported `common.nix` is as visible as drift in the profile itself.
 * @module
 */
import { lstatSync, readdirSync, type Stats, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { readBoundedBytes } from "../fs/read_bounded.ts";
import { sha256Hex } from "../sha256.ts";

/** One input of an evaluation and what it held then. */
export interface ProfileInput {
  /** Absolute path as Nix saw it. */
  path: string;
  /** A file's bytes, a directory's listing (names and types), or absence. */
  kind: "file" | "dir" | "missing";
  /** sha256 of the file's bytes or the directory's listing; null when missing. */
  sha256: string | null;
}

/** How one recorded input differs from what is there now. */
export interface InputChange {
  path: string;
  /** `changed`: other bytes or listing; `missing`: gone; `appeared`: was absent, exists now. */
  change: "changed" | "missing" | "appeared";
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function listingHash(dir: string): string | null {
  try {
    const names = readdirSync(dir).sort();
    const typed = names.map((name) => {
      const st = (() => {
        try {
          return lstatSync(join(dir, name));
        } catch {
          return undefined;
        }
      })();
      return `${name}\0${st?.isDirectory() ? "d" : st?.isSymbolicLink() ? "l" : "f"}`;
    });
    return sha256Hex(typed.join("\n"));
  } catch {
    return null;
  }
}

/** What `path` holds now, as an input of the given kind (`missing` when it cannot be read). */
export function currentInput(path: string, imported: boolean): ProfileInput {
  const st = statOf(path);
  if (!st) return { path, kind: "missing", sha256: null };
  if (st.isDirectory()) {
    // An imported directory is its default.nix (an input of its own); only a listed one counts.
    return { path, kind: "dir", sha256: imported ? null : listingHash(path) };
  }
  try {
    return {
      path,
      kind: "file",
      sha256: sha256Hex(readBoundedBytes(path, { code: "artifact_invalid" })),
    };
  } catch {
    return { path, kind: "missing", sha256: null };
  }
}

function inside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !rel.startsWith(sep) && rel !== "..");
}

/**
 * The fingerprinted inputs of an evaluation that touched `accessed` (in order). Paths under
 * `exclude` (the bundled library, versioned as a whole) are left out.
 */
export function fingerprintInputs(accessed: string[], exclude: string[]): ProfileInput[] {
  const set = new Set(accessed);
  return accessed
    .filter((path) => !exclude.some((root) => inside(path, root)))
    .map((path) => currentInput(path, set.has(join(path, "default.nix"))));
}

/** The recorded inputs that differ from what is there now (empty: nothing drifted). */
export function inputChanges(inputs: readonly ProfileInput[]): InputChange[] {
  const changes: InputChange[] = [];
  for (const input of inputs) {
    const now = currentInput(input.path, input.kind === "dir" && input.sha256 === null);
    if (input.kind === "missing") {
      if (now.kind !== "missing") changes.push({ path: input.path, change: "appeared" });
    } else if (now.kind === "missing") {
      changes.push({ path: input.path, change: "missing" });
    } else if (now.kind !== input.kind || now.sha256 !== input.sha256) {
      changes.push({ path: input.path, change: "changed" });
    }
  }
  return changes;
}

/** True when `value` looks like a recorded input list (records written before it have none). */
export function isInputList(value: unknown): value is ProfileInput[] {
  return Array.isArray(value) &&
    value.every((item) =>
      typeof item?.path === "string" && ["file", "dir", "missing"].includes(item?.kind) &&
      (typeof item?.sha256 === "string" || item?.sha256 === null)
    );
}

/** Files among `inputs` modified after `sinceMs` (epoch ms): changed while being evaluated. */
export function modifiedSince(inputs: readonly ProfileInput[], sinceMs: number): string[] {
  return inputs.filter((input) => {
    if (input.kind !== "file") return false;
    const st = statOf(input.path);
    return st !== undefined && st.mtimeMs > sinceMs;
  }).map((input) => input.path);
}
