/**
 * What trusting a project means, as one hash: the project registry (`.insomnia/manifest.toml`),
 * every file under `.insomnia/` (the profiles kept there and what they import), and each profile
 * file the registry names elsewhere in the project. Any change to any of them is a new digest,
 * which the gate treats as untrusted again.
 * @module
 */
import { lstatSync, readdirSync, readlinkSync, type Stats } from "node:fs";
import { dirname, join, relative } from "node:path";
import { InsomniaError } from "../errors.ts";
import { readBoundedBytes } from "../fs/read_bounded.ts";
import { createSha256, sha256Hex } from "../sha256.ts";

/** At most this many files are hashed for one project (a `.insomnia/` is small). */
const MAX_TRUSTED_FILES = 2000;

/** The digest of a project and the files it covers (relative to the project root). */
export interface ProjectDigest {
  /** The project root: the directory holding `.insomnia/`. */
  root: string;
  /** sha256 over every covered file's relative path and content. */
  sha256: string;
  /** Each covered file, relative to {@link root} → its content hash (or link target, or type). */
  files: Record<string, string>;
}

/** The project root of a project registry file (`<root>/.insomnia/manifest.toml`). */
export function projectRootOf(manifest: string): string {
  return dirname(dirname(manifest));
}

function tooMany(root: string): InsomniaError {
  return new InsomniaError(
    "project_untrusted",
    `the project ${root} has more than ${MAX_TRUSTED_FILES} files under .insomnia/, too many to ` +
      "review or trust; keep only profiles and what they import there.",
    { file: root },
  );
}

function collect(dir: string, root: string, out: Map<string, string>): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    let st: Stats;
    try {
      st = lstatSync(path);
    } catch {
      continue;
    }
    if (st.isDirectory()) collect(path, root, out);
    else out.set(relative(root, path), describe(path, st));
    if (out.size > MAX_TRUSTED_FILES) throw tooMany(root);
  }
}

/** A file's identity for the digest: its bytes' hash, a link's target, or its type. */
function describe(path: string, st?: Stats): string {
  try {
    st ??= lstatSync(path);
  } catch {
    return "missing";
  }
  if (st.isSymbolicLink()) {
    try {
      return `link:${readlinkSync(path)}`;
    } catch {
      return "link";
    }
  }
  if (!st.isFile()) return st.isDirectory() ? "dir" : "special";
  try {
    const bytes = readBoundedBytes(path, { code: "project_untrusted", what: "project file" });
    return `file:${sha256Hex(bytes)}`;
  } catch {
    return "unreadable";
  }
}

/**
 * The digest of the project at `root` whose registry names `profiles` (absolute paths). Files
 * under `.insomnia/` are all covered; a named profile elsewhere is covered itself.
 */
export function projectDigest(root: string, profiles: readonly string[]): ProjectDigest {
  const covered = new Map<string, string>();
  collect(join(root, ".insomnia"), root, covered);
  for (const file of profiles) {
    const rel = relative(root, file);
    if (!covered.has(rel)) covered.set(rel, describe(file));
  }
  const names = [...covered.keys()].sort();
  const hash = createSha256();
  for (const name of names) hash.update(`${name}\0${covered.get(name)}\n`);
  const files = Object.fromEntries(names.map((name) => [name, covered.get(name)!]));
  return { root, sha256: hash.hex(), files };
}
