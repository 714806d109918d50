/**
 * Access to the shipped resources (Nix library, builtin profiles and their evaluated artifacts,
 * catalogs). They are embedded in src/generated/resources.ts so every build form carries them; the
 * files Nix must read are materialised once into a versioned cache directory when no source tree
 * is at hand (a compiled binary copied alone onto a machine).
 * @module
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createHash, randomBytes } from "node:crypto";
import { RESOURCES } from "./generated/resources.ts";
import { cacheDir, type Env, envValue } from "./env.ts";
import { InsomniaError } from "./errors.ts";
import { VERSION } from "./version.ts";

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
export function resourcesHash(): string {
  const hash = createHash("sha256");
  for (const key of Object.keys(RESOURCES).sort()) {
    hash.update(key).update("\0").update(RESOURCES[key]);
  }
  return hash.digest("hex").slice(0, 16);
}

function cachedResourceDir(cache: string): string {
  return join(cache, `resources-${VERSION}-${resourcesHash()}`);
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
  if (!existsSync(join(target, ".complete"))) return undefined;
  materialised = target;
  return target;
}

/**
 * A directory on disk holding the resources: `INSOMNIA_RESOURCE_DIR`, else the source tree's
 * `resources/`, else a copy materialised once under `<cache_dir>/resources-<version>-<hash>/`.
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
  const target = cachedResourceDir(cache);
  const temp = `${target}.tmp-${randomBytes(6).toString("hex")}`;
  try {
    for (const [rel, text] of Object.entries(RESOURCES)) {
      mkdirSync(dirname(join(temp, rel)), { recursive: true });
      writeFileSync(join(temp, rel), text);
    }
    writeFileSync(join(temp, ".complete"), VERSION);
    try {
      renameSync(temp, target);
    } catch {
      rmSync(temp, { recursive: true, force: true }); // another process won the race
    }
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw new InsomniaError(
      "store_io",
      `cannot unpack the Nix library into ${target}: ${(error as Error).message}. ` +
        "Set INSOMNIA_CACHE_DIR to a writable directory.",
    );
  }
  materialised = target;
  return target;
}
