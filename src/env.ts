/**
 * Well-known directories and environment lookups (anchor-facts §4).
 *
 * Everything reads an explicit environment record so tests can pass their own; the default is
 * `node:process`'s environment, which works under Deno, Bun and Node alike.
 * @module
 */
import process from "node:process";
import { statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";

/** An environment record; values that are empty strings count as unset. */
export type Env = Record<string, string | undefined>;

/** The process environment. */
export function processEnv(): Env {
  return process.env as Env;
}

/** Returns the variable's value, or undefined when it is unset or empty. */
export function envValue(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}

/**
 * Variables that name a directory or file and must hold an absolute path: a relative one would
 * depend on the directory insomnia-pod happens to run in (`HOME=.` would put the store there).
 */
const ABSOLUTE_PATH_VARIABLES = [
  "HOME",
  "INSOMNIA_HOME",
  "INSOMNIA_CONFIG_DIR",
  "INSOMNIA_DATA_DIR",
  "INSOMNIA_CACHE_DIR",
  "INSOMNIA_USER_MANIFEST",
  "INSOMNIA_RESOURCE_DIR",
] as const;

/** The first of {@link ABSOLUTE_PATH_VARIABLES} set to a relative path, or undefined. */
export function relativePathVariable(env: Env): { name: string; value: string } | undefined {
  for (const name of ABSOLUTE_PATH_VARIABLES) {
    const value = envValue(env, name);
    if (value !== undefined && !isAbsolute(value)) return { name, value };
  }
  return undefined;
}

/** An XDG base directory; a relative one is invalid by the XDG spec and ignored. */
function xdgDir(env: Env, name: string): string | undefined {
  const value = envValue(env, name);
  return value !== undefined && isAbsolute(value) ? value : undefined;
}

/** `INSOMNIA_CONFIG_DIR` → `$INSOMNIA_HOME/config` → `$XDG_CONFIG_HOME/insomnia` → `$HOME/.config/insomnia`. */
export function configDir(env: Env): string | undefined {
  const explicit = envValue(env, "INSOMNIA_CONFIG_DIR");
  if (explicit) return explicit;
  const home = envValue(env, "INSOMNIA_HOME");
  if (home) return join(home, "config");
  const xdg = xdgDir(env, "XDG_CONFIG_HOME");
  if (xdg) return join(xdg, "insomnia");
  const userHome = envValue(env, "HOME");
  return userHome ? join(userHome, ".config", "insomnia") : undefined;
}

/** `INSOMNIA_DATA_DIR` → `$INSOMNIA_HOME` → `$HOME/.insomnia`. */
export function dataDir(env: Env): string | undefined {
  const explicit = envValue(env, "INSOMNIA_DATA_DIR");
  if (explicit) return explicit;
  const home = envValue(env, "INSOMNIA_HOME");
  if (home) return home;
  const userHome = envValue(env, "HOME");
  return userHome ? join(userHome, ".insomnia") : undefined;
}

/** `INSOMNIA_CACHE_DIR` → `$INSOMNIA_HOME/cache` → `$XDG_CACHE_HOME/insomnia` → `$HOME/.cache/insomnia`. */
export function cacheDir(env: Env): string | undefined {
  const explicit = envValue(env, "INSOMNIA_CACHE_DIR");
  if (explicit) return explicit;
  const home = envValue(env, "INSOMNIA_HOME");
  if (home) return join(home, "cache");
  const xdg = xdgDir(env, "XDG_CACHE_HOME");
  if (xdg) return join(xdg, "insomnia");
  const userHome = envValue(env, "HOME");
  return userHome ? join(userHome, ".cache", "insomnia") : undefined;
}

/** The user manifest: `INSOMNIA_USER_MANIFEST` when set, else `<config_dir>/manifest.toml`. */
export function userManifestPath(env: Env): { path: string; explicit: boolean } | undefined {
  const explicit = envValue(env, "INSOMNIA_USER_MANIFEST");
  if (explicit) return { path: explicit, explicit: true };
  const dir = configDir(env);
  return dir ? { path: join(dir, "manifest.toml"), explicit: false } : undefined;
}

/** Default Pod store: `<data_dir>/sessions`. */
export function defaultStoreDir(env: Env): string | undefined {
  const dir = dataDir(env);
  return dir ? join(dir, "sessions") : undefined;
}

/** Secret file store directory: `<data_dir>/secrets`. */
export function secretsDir(env: Env): string | undefined {
  const dir = dataDir(env);
  return dir ? join(dir, "secrets") : undefined;
}

/**
 * The nearest `<dir>/.insomnia/manifest.toml` walking up from `start`. Anything at that path
 * counts (even a directory), so reading it fails with a clear error instead of being skipped.
 * The walk never enters a directory anyone may write to (`/tmp`) or one owned by another user
 * (root excepted): a registry planted there by someone else is not found at all (see
 * docs/security.md, "The trust gate").
 */
export function findProjectManifest(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (!searchable(dir)) return undefined;
    const candidate = join(dir, ".insomnia", "manifest.toml");
    try {
      if (statSync(candidate, { throwIfNoEntry: false }) !== undefined) return candidate;
    } catch {
      // an unreadable parent: keep walking
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Whether project discovery may look in `dir`: not world-writable, owned by us or by root. */
function searchable(dir: string): boolean {
  let st;
  try {
    st = statSync(dir);
  } catch {
    return true; // unreadable: the candidate check below fails on its own
  }
  if ((st.mode & 0o002) !== 0) return false;
  const uid = process.getuid?.();
  return uid === undefined || st.uid === uid || st.uid === 0;
}
