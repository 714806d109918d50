/**
 * Access to the shipped resources (Nix library, builtin profiles and their evaluated artifacts,
 * catalogs). They are embedded in src/generated/resources.ts so every build form carries them; the
 * files Nix must read are materialised into a versioned cache directory when no source tree is at
 * hand (a compiled binary copied alone onto a machine). That copy is private (0700 directories,
 * 0600 files, whatever the umask) and is checked against the embedded text before each use: a
 * copy that was edited, loosened or partly deleted is replaced, never trusted.
 * @module
 */
import {
  chmodSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import process from "node:process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { RESOURCES, RESOURCES_HASH } from "./generated/resources.ts";
import { cacheDir, type Env, envValue } from "./env.ts";
import { InsomniaError } from "./errors.ts";
import { VERSION } from "./version.ts";
import { readBoundedText } from "./fs/read_bounded.ts";
import { tempSuffix } from "./fs/atomic.ts";

/** Text of an embedded resource (`catalog/providers.toml`, …), or undefined. */
export function readResource(relPath: string): string | undefined {
  return RESOURCES[relPath];
}

/** Relative paths of embedded resources under `prefix`. */
export function listResources(prefix: string): string[] {
  return Object.keys(RESOURCES).filter((p) => p.startsWith(prefix)).sort();
}

function sourceTreeResources(): string | undefined {
  // A `deno compile` binary sees resources/ in its virtual file system, which Nix cannot read.
  if ((globalThis as { Deno?: { build?: { standalone?: boolean } } }).Deno?.build?.standalone) {
    return undefined;
  }
  try {
    const url = new URL("../resources", import.meta.url);
    if (url.protocol !== "file:") return undefined;
    const dir = fileURLToPath(url);
    return existsSync(join(dir, "nix", "profile-lib.nix")) ? dir : undefined;
  } catch {
    return undefined;
  }
}

let materialised: string | undefined;

/** Short content hash of the embedded resources (names the cache directory). */
function cachedResourceDir(cache: string): string {
  return join(cache, `resources-${VERSION}-${RESOURCES_HASH}`);
}

const COMPLETE = ".complete";

/** True when `path` is ours and private: owned by this user, no group or other permissions. */
function isPrivate(path: string, directory: boolean): boolean {
  const stat = lstatSync(path);
  if (directory ? !stat.isDirectory() : !stat.isFile()) return false;
  const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
  return (uid === undefined || stat.uid === uid) && (stat.mode & 0o077) === 0;
}

/**
 * True when `dir` holds exactly the embedded resources: every file present with the embedded text,
 * every file and directory private, and the completion marker written last.
 */
function isIntactCopy(dir: string): boolean {
  try {
    if (!isPrivate(dir, true) || !isPrivate(join(dir, COMPLETE), false)) return false;
    const dirs = new Set<string>();
    for (const [rel, text] of Object.entries(RESOURCES)) {
      const file = join(dir, rel);
      for (let d = dirname(file); d !== dir; d = dirname(d)) dirs.add(d);
      if (!isPrivate(file, false)) return false;
      if (readBoundedText(file, { code: "store_io" }) !== text) return false;
    }
    return [...dirs].every((d) => isPrivate(d, true));
  } catch {
    return false;
  }
}

/**
 * {@link resourceDir} when it needs no unpacking (so nothing is written), else undefined. Used to
 * start an evaluation before the command line has been validated.
 */
export function resourceDirIfPresent(env: Env): string | undefined {
  const explicit = envValue(env, "INSOMNIA_RESOURCE_DIR");
  if (explicit) return explicit;
  const source = sourceTreeResources();
  if (source) return source;
  if (materialised) return materialised;
  const cache = cacheDir(env);
  if (!cache) return undefined;
  const target = cachedResourceDir(cache);
  if (!isIntactCopy(target)) return undefined;
  materialised = target;
  return target;
}

/**
 * Where {@link resourceDir} is or will be, without unpacking anything: for paths that are only
 * shown or recorded (a builtin profile's file), so a command that never runs Nix — or fails
 * before it does — writes nothing to the cache.
 */
export function resourceDirPath(env: Env): string {
  const present = resourceDirIfPresent(env);
  if (present) return present;
  const cache = cacheDir(env);
  return cache ? cachedResourceDir(cache) : resourceDir(env);
}

/**
 * A directory on disk holding the resources: `INSOMNIA_RESOURCE_DIR`, else the source tree's
 * `resources/`, else a private copy under `<cache_dir>/resources-<version>-<hash>/`, unpacked
 * again whenever it is missing, incomplete, edited or not private (see {@link ensureResourceCopy}).
 */
export function resourceDir(env: Env): string {
  const present = resourceDirIfPresent(env);
  if (present) return present;
  const cache = cacheDir(env);
  if (!cache) {
    throw new InsomniaError(
      "store_io",
      "cannot find a cache directory to unpack the Nix library into; set INSOMNIA_CACHE_DIR, INSOMNIA_HOME or HOME.",
    );
  }
  materialised = ensureResourceCopy(cache);
  return materialised;
}

/**
 * Makes `<cache>/resources-<version>-<hash>/` an intact private copy of the embedded resources and
 * returns its path: a copy that is intact is kept; anything else at that path is moved away and
 * removed, and a fresh copy (0700 directories, 0600 files, whatever the umask) is renamed into
 * place. Failures are `store_io`.
 */
export function ensureResourceCopy(cache: string): string {
  const target = cachedResourceDir(cache);
  if (isIntactCopy(target)) return target;
  const temp = `${target}.tmp-${tempSuffix()}`;
  try {
    makePrivateDir(cache, true);
    writeCopy(temp);
    // Another process may have finished its copy meanwhile (and may be evaluating with it): use it.
    if (isIntactCopy(target)) return target;
    if (existsSync(target) || isLink(target)) {
      const stale = `${target}.stale-${tempSuffix()}`;
      renameSync(target, stale);
      removeQuietly(stale);
    }
    try {
      renameSync(temp, target);
    } catch (error) {
      // Another process put a copy there first: use it if it is intact.
      if (!isIntactCopy(target)) throw error;
    }
  } catch (error) {
    throw new InsomniaError(
      "store_io",
      `cannot unpack the Nix library into ${target}: ${(error as Error).message}. ` +
        "Set INSOMNIA_CACHE_DIR to a writable directory.",
      { file: target },
    );
  } finally {
    removeQuietly(temp);
  }
  return target;
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // Best effort: a leftover temp directory is harmless and never used.
  }
}

/** Creates `dir` (and, with `parents`, its missing parents) as 0700, whatever the umask. */
function makePrivateDir(dir: string, parents = false): void {
  if (!parents) {
    mkdirSync(dir, { mode: 0o700 });
    chmodSync(dir, 0o700); // mkdir applies the umask
    return;
  }
  const first = mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (first === undefined) return; // it existed: not ours to change
  for (let d = dir; d.length >= first.length && d !== dirname(d); d = dirname(d)) {
    chmodSync(d, 0o700);
  }
}

function writeCopy(root: string): void {
  makePrivateDir(root);
  const files: Array<[string, string]> = [...Object.entries(RESOURCES), [COMPLETE, VERSION]];
  for (const [rel, text] of files) {
    const file = join(root, rel);
    for (const dir of ancestorsBelow(root, file)) {
      if (!existsSync(dir)) makePrivateDir(dir);
    }
    const fd = openSync(file, "wx", 0o600);
    try {
      const bytes = new TextEncoder().encode(text);
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } finally {
      closeSync(fd);
    }
    chmodSync(file, 0o600);
  }
}

/** The directories between `root` (exclusive) and `file` (exclusive), outermost first. */
function ancestorsBelow(root: string, file: string): string[] {
  const out: string[] = [];
  for (let d = dirname(file); d !== root && d.length > root.length; d = dirname(d)) out.unshift(d);
  return out;
}
