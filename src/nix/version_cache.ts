/**
 * The cache of `nix --version` answers (`<cache_dir>/nix-versions.json`, keyed by the binary's real
 * path, size and mtime). Probes are only remembered in memory until the command that made them
 * succeeds and calls {@link commitVersionCache}: a failed run writes nothing, not even a cache.
 * @module
 */
import { join } from "node:path";
import { cacheDir, type Env } from "../env.ts";
import { writeFileAtomic } from "../fs/atomic.ts";
import { readBoundedText } from "../fs/read_bounded.ts";

const pending = new Map<string, { key: string; version: string }>();

/** The cache file, or undefined when there is no cache directory. */
export function versionCacheFile(env: Env): string | undefined {
  const dir = cacheDir(env);
  return dir ? join(dir, "nix-versions.json") : undefined;
}

/** The recorded version for `key` in `file`, if any (a missing or broken file is empty). */
export function cachedVersion(file: string, key: string): string | undefined {
  return readVersionCache(file)[key];
}

/** Remembers a probed version, to be written by {@link commitVersionCache}. */
export function rememberVersion(file: string, key: string, version: string): void {
  pending.set(file, { key, version });
}

/**
 * Writes the versions probed by this process to their cache files. The CLI calls it once a
 * command has succeeded; best effort (a cache that cannot be written costs one `nix --version`).
 *
 * @example
 * ```ts ignore
 * if (exitCode === 0) commitVersionCache();
 * ```
 */
export function commitVersionCache(): void {
  for (const [file, { key, version }] of pending) {
    try {
      writeFileAtomic(file, JSON.stringify({ ...readVersionCache(file), [key]: version }) + "\n");
    } catch {
      // best effort
    }
  }
  pending.clear();
}

function readVersionCache(file: string): Record<string, string> {
  try {
    const data = JSON.parse(readBoundedText(file, { code: "store_io", maxBytes: 64 * 1024 }));
    return typeof data === "object" && data !== null ? data : {};
  } catch {
    return {};
  }
}
