/**
 * The inverse of workspace-path resolution (src/manifest/paths.ts), for `pods export`: a resolved
 * snapshot whose paths inside the launch workspace are `workspace_path` values again, so the
 * exported manifest resolves against the `--workspace` it is imported with.
 * @module
 */
import { isAbsolute, relative, sep } from "node:path";
import { mapPathFields } from "./paths.ts";
import type { ManifestConfig, PathValue } from "./schema.ts";

/** A path written relative to the launch workspace, as `workspace "…"` produces it. */
type WorkspacePath = Extract<PathValue, { kind: "workspace_path" }>;

/**
 * `path` as a `workspace_path` relative to `workspace` (`"."` for the workspace itself) when it is
 * inside it; otherwise `path` unchanged.
 */
function workspaceRelative(path: string, workspace: string): string | WorkspacePath {
  const rel = relative(workspace, path);
  if (rel === "") return { kind: "workspace_path", path: "." };
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return path;
  return { kind: "workspace_path", path: rel.split(sep).join("/") };
}

/**
 * A copy of a resolved snapshot manifest in which every path field (the list of
 * {@link mapPathFields}) inside `workspace` is a `{ kind: "workspace_path" }` value again. Paths
 * outside `workspace` stay absolute. Without a workspace (a Pod created from TOML manifests) the
 * copy is unchanged. Returns the copy and how many paths were rewritten.
 */
export function portableManifest(
  manifest: Record<string, unknown>,
  workspace: string | undefined,
): { manifest: Record<string, unknown>; rewritten: number } {
  const copy = JSON.parse(JSON.stringify(manifest)) as Record<string, unknown>;
  // `profile` is where this snapshot was resolved from; the export records that in the
  // envelope (`profile.exported_from`), and the importing resolution writes its own.
  delete copy.profile;
  if (workspace === undefined || !isAbsolute(workspace)) return { manifest: copy, rewritten: 0 };
  let rewritten = 0;
  const portable = mapPathFields(copy as ManifestConfig, (value) => {
    if (typeof value !== "string" || !isAbsolute(value)) return value;
    const out = workspaceRelative(value, workspace);
    if (typeof out !== "string") rewritten++;
    return out;
  });
  return { manifest: portable as Record<string, unknown>, rewritten };
}
