/**
 * The trust gate applied to the profile registries: a project's entries (and the project file of
 * a Pod created from one) are used only when the project is trusted (src/trust/gate.ts).
 * @module
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { type Env, findProjectManifest } from "../env.ts";
import { InsomniaError } from "../errors.ts";
import {
  assertProjectTrusted,
  type ProjectTrust,
  projectTrust,
  trustAllRequested,
} from "../trust/gate.ts";
import { projectRootOf } from "../trust/project_digest.ts";
import { readTrusted, updateTrusted } from "../trust/trust_store.ts";
import { readRegistrySource } from "./registry_file.ts";
import type { Registry, RegistrySourceState } from "./registry_types.ts";

/** Options of the gate: the environment and whether this run trusts every project. */
export interface TrustOptions {
  env: Env;
  /** `--trust`: every project is trusted for this run (also `INSOMNIA_TRUST_ALL=1`). */
  trustAll?: boolean;
}

function namedProfiles(project: RegistrySourceState): string[] {
  return [...project.entries.values()].map((entry) => entry.path);
}

/** Where the registry's project stands with the user; undefined when there is no project file. */
export function registryProjectTrust(registry: Registry, env: Env): ProjectTrust | undefined {
  const project = registry.sources.project;
  if (project.file === undefined || project.error) return undefined;
  return projectTrust(project.file, namedProfiles(project), env);
}

/** Fails with `project_untrusted` unless the registry's project is trusted as it is now. */
export function assertProjectEntryTrusted(
  registry: Registry,
  qualified: string,
  options: TrustOptions,
): void {
  const early = verifiedEarly;
  verifiedEarly = undefined;
  if (
    early?.registry === registry && early.qualified === qualified &&
    early.trustAll === trustAllRequested(options.trustAll, options.env)
  ) {
    return; // checked a moment ago by the early start, on this very registry, with these flags
  }
  const project = registry.sources.project;
  if (project.file === undefined) return;
  assertProjectTrusted(project.file, namedProfiles(project), `its profile ${qualified}`, options);
}

/**
 * For re-resolving a Pod created from a project's profile: the project that holds `file` now must
 * still be trusted (a `git pull` since may have changed it).
 */
export function assertProjectFileTrusted(file: string, options: TrustOptions): void {
  const manifest = findProjectManifest(dirname(file));
  if (manifest !== undefined) {
    assertManifestTrusted(manifest, `its profile ${file}`, options);
    return;
  }
  if (trustAllRequested(options.trustAll, options.env)) return;
  // The registry that vouched for the file is gone: nothing says the file is still trusted.
  throw new InsomniaError(
    "project_untrusted",
    `the profile ${file} came from a project registry that no longer exists, so it was not ` +
      "re-evaluated. Restore the project's .insomnia/manifest.toml and trust it " +
      "(`insomnia-pod trust DIR`), or re-create the Pod from an explicit --profile path.",
    { file },
  );
}

/**
 * Fails with `project_untrusted` unless the project of registry file `manifest` is trusted as it
 * is now; `what` names what would have been used ("its TOML settings").
 */
export function assertManifestTrusted(manifest: string, what: string, options: TrustOptions): void {
  const project = readRegistrySource("project", manifest);
  assertProjectTrusted(manifest, namedProfiles(project), what, options);
}

/** What `trust` / `untrust` did. */
export interface TrustChange {
  /** The project root. */
  root: string;
  /** Its registry file. */
  manifest: string;
  /** Where it stood before. */
  before: ProjectTrust["state"];
  /** The files the trust covers (relative to the root), sorted. */
  files: string[];
  /** The profiles its registry names. */
  profiles: string[];
  /** Why its files are not plainly the user's own, if so. */
  ownership?: string;
}

function projectAt(dir: string): { manifest: string; project: RegistrySourceState } {
  const manifest = findProjectManifest(dir);
  if (manifest === undefined) {
    throw new InsomniaError(
      "profile_not_found",
      `no project registry (.insomnia/manifest.toml) in ${dir} or any directory above it, so ` +
        "there is nothing to trust there. Run the command inside the project (or name its " +
        "directory), or create a project profile with `insomnia-pod profiles init NAME`.",
      { file: dir },
    );
  }
  return { manifest, project: readRegistrySource("project", manifest) };
}

/**
 * Trusts the project that holds `dir` (its nearest `.insomnia/manifest.toml`) as it is now:
 * records its root and the digest of its registry and profile files.
 */
export function trustProject(dir: string, env: Env): TrustChange {
  const { manifest, project } = projectAt(dir);
  const trust = projectTrust(manifest, namedProfiles(project), env);
  updateTrusted(env, (projects) => ({
    ...projects,
    [trust.root]: {
      digest: trust.digest.sha256,
      trusted_at: new Date().toISOString(),
      files: trust.digest.files,
    },
  }));
  return {
    root: trust.root,
    manifest,
    before: trust.state,
    files: Object.keys(trust.digest.files),
    profiles: [...project.entries.keys()],
    ...(trust.ownership && { ownership: trust.ownership }),
  };
}

/**
 * Stops trusting the project that holds `dir`, or — when `dir` is not inside a project any more
 * (deleted, moved) — the trusted root `dir` itself. Returns whether it was trusted.
 */
export function untrustProject(dir: string, env: Env): { root: string; wasTrusted: boolean } {
  const manifest = findProjectManifest(dir);
  const root = manifest !== undefined ? projectRootOf(manifest) : dir;
  const { before } = updateTrusted(env, (projects) => {
    const { [root]: _gone, ...rest } = projects;
    return rest;
  });
  return { root, wasTrusted: root in before };
}

/** One trusted project and where it stands now. */
export interface TrustedProject {
  root: string;
  trusted_at: string;
  /** `trusted`: unchanged; `changed`: its files changed since; `missing`: no registry there now. */
  state: "trusted" | "changed" | "missing";
  /** For `changed`: which files (relative to the root). */
  changed: string[];
}

/** Every trusted project, checked against what it holds now. */
export function listTrustedProjects(env: Env): TrustedProject[] {
  return Object.entries(readTrusted(env)).map(([root, record]): TrustedProject => {
    const manifest = join(root, ".insomnia", "manifest.toml");
    if (!existsSync(manifest)) {
      return { root, trusted_at: record.trusted_at, state: "missing", changed: [] };
    }
    const trust = projectTrust(
      manifest,
      namedProfiles(readRegistrySource("project", manifest)),
      env,
    );
    return {
      root,
      trusted_at: record.trusted_at,
      state: trust.state === "trusted" ? "trusted" : "changed",
      changed: trust.changed,
    };
  });
}

/**
 * Whether an edit the user makes through insomnia-pod (`profiles init`, `profiles default
 * --project`, `profiles rm`) to the project registry `registryFile` keeps the project trusted:
 * it was trusted as it was, or there was no registry yet (the user is creating the project).
 */
export function trustedBeforeEdit(registryFile: string, env: Env): boolean {
  if (!existsSync(registryFile)) return true;
  const project = readRegistrySource("project", registryFile);
  return projectTrust(registryFile, namedProfiles(project), env).state === "trusted";
}

/** After such an edit: trust the project as it is now (see {@link trustedBeforeEdit}). */
export function retrustAfterEdit(registryFile: string, env: Env): void {
  trustProject(projectRootOf(registryFile), env);
}

let verifiedEarly: { registry: Registry; qualified: string; trustAll: boolean } | undefined;

/**
 * Records that the early start (src/cli/early_eval.ts) found `qualified` of `registry` trusted, so
 * the pipeline's next check — of the same entry of the same (handed-over) registry, with the same
 * trust flags — passes without hashing the project again; once.
 */
export function rememberEarlyTrust(
  registry: Registry,
  qualified: string,
  options: TrustOptions,
): void {
  verifiedEarly = {
    registry,
    qualified,
    trustAll: trustAllRequested(options.trustAll, options.env),
  };
}
