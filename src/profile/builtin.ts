/**
 * Builtin profiles: `.nix` sources in `resources/profiles/` and, beside them, their evaluated
 * artifacts in `resources/profiles/evaluated/<name>.json` so they resolve without Nix. A test
 * proves the shipped artifacts equal a fresh evaluation of the sources.
 * @module
 */
import { join } from "node:path";
import type { Env } from "../env.ts";
import { sha256Hex } from "../sha256.ts";
import { listResources, readResource, resourceDirPath } from "../resources.ts";
import type { BuiltinProfileInfo } from "./registry_types.ts";

/** Relative resource path of a builtin profile's source, by name. */
function sourcePaths(): Map<string, string> {
  const out = new Map<string, string>();
  for (const rel of listResources("profiles/")) {
    const flat = rel.match(/^profiles\/([^/]+)\.nix$/);
    const nested = rel.match(/^profiles\/([^/]+)\/profile\.nix$/);
    const name = flat?.[1] ?? nested?.[1];
    if (name && name !== "evaluated") out.set(name, rel);
  }
  return out;
}

/** The shipped evaluated artifact of builtin profile `name`, parsed, or undefined. */
export function builtinArtifact(name: string): unknown {
  const text = readResource(`profiles/evaluated/${name}.json`);
  return text === undefined ? undefined : JSON.parse(text);
}

/** sha256 of the builtin profile's `.nix` source. */
export function builtinSourceSha256(name: string): string | undefined {
  const rel = sourcePaths().get(name);
  const text = rel ? readResource(rel) : undefined;
  return text === undefined ? undefined : sha256Hex(text);
}

/** Every builtin profile with its on-disk path and description, sorted by name. */
export function builtinProfiles(env: Env): BuiltinProfileInfo[] {
  const paths = sourcePaths();
  if (paths.size === 0) return [];
  // Only the path: the files are unpacked when Nix evaluates one (resolve_profile.ts).
  const dir = resourceDirPath(env);
  return [...paths.entries()].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0).map(([name, rel]) => {
    const artifact = builtinArtifact(name) as { profile?: { description?: unknown } } | undefined;
    const description = artifact?.profile?.description;
    return {
      name,
      path: join(dir, rel),
      ...(typeof description === "string" && { description }),
    };
  });
}
