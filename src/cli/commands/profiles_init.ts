/**
 * `profiles init <name> [--source project|user] [--from <selector>]`: writes a new profile that
 * uses the insomnia Nix library and registers it in the project or user manifest's `[profiles]`.
 * The registration is appended as text so the file's comments and layout survive. When Nix is
 * available the new profile is evaluated first; if that fails, nothing is left behind.
 * @module
 */
import { existsSync, rmSync, type Stats, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { configDir, findProjectManifest, userManifestPath } from "../../env.ts";
import { InsomniaError } from "../../errors.ts";
import {
  type BoundedReadOptions,
  readBoundedBytes,
  readBoundedTextIfExists,
} from "../../fs/read_bounded.ts";
import { loadProfileRegistry } from "../../profile/discovery.ts";
import { resolveProfile } from "../../profile/resolve_profile.ts";
import {
  assertProjectEntryTrusted,
  retrustAfterEdit,
  trustedBeforeEdit,
} from "../../profile/project_trust.ts";
import { selectEntry } from "../../profile/registry.ts";
import { profileFileFor } from "../../profile/profile_file.ts";
import { parseSelector, profileNameProblem } from "../../profile/selector.ts";
import { assertReplaceable, writeFileAtomic } from "../../fs/atomic.ts";
import { registeredPath, registerEntry } from "../../profile/registry_edit.ts";
import {
  builtinTemplate,
  derivedTemplate,
  importExpression,
  profileTemplate,
} from "../../profile/templates.ts";
import { errnoCode } from "../../fs/errno.ts";
import { profileRoots } from "../../nix/args.ts";
import type { CliContext, CommandOutput } from "../context.ts";
import { checkedWorkspace, evalTimeout } from "../../app/options.ts";

/** The `.nix` file a `--from` profile names; an evaluated `.json` artifact cannot be imported. */
function nixBaseFile(path: string, from: string): string {
  const file = profileFileFor(path, from);
  if (!file.endsWith(".json")) return file;
  throw new InsomniaError(
    "usage",
    `profiles init --from ${from}: ${file} is an evaluated artifact, which a Nix profile cannot ` +
      "import. Start from a .nix profile, or copy the artifact's manifest into a new profile. " +
      "Run `insomnia-pod profiles init --help` for usage.",
    { file },
  );
}

/**
 * The directories a profile at `profileFile` deriving from `base` must be allowed to read: the
 * base's directory (it may import its neighbours) and the base entry's own `allow`, less those
 * its sandbox reads anyway (its directory; a project's root).
 */
function baseDirs(base: string, baseAllow: readonly string[], profileFile: string): string[] {
  const roots = profileRoots(profileFile);
  const inside = (dir: string) =>
    roots.some((root) => {
      const rel = relative(root, dir);
      return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
    });
  return [...new Set([dirname(base), ...baseAllow])].filter((dir) => !inside(dir));
}

/** An `allow` entry as the registry writes it: relative to the registry when inside `root`. */
function allowEntry(dir: string, registryFile: string, root: string): string {
  const fromRoot = relative(root, dir);
  if (fromRoot.startsWith("..") || isAbsolute(fromRoot)) return dir;
  return relative(dirname(registryFile), dir) || ".";
}

interface Target {
  registryFile: string;
  profileFile: string;
  entryPath: string;
  /** The tree the profile belongs to: the project root or the config directory. */
  root: string;
}

function targetFor(source: string, name: string, ctx: CliContext): Target {
  if (source === "user") {
    const manifest = userManifestPath(ctx.env)?.path;
    const dir = configDir(ctx.env);
    if (!manifest || !dir) {
      throw new InsomniaError(
        "store_io",
        "cannot find the user config directory; set INSOMNIA_CONFIG_DIR or HOME.",
      );
    }
    const profileFile = join(dirname(manifest), "profiles", `${name}.nix`);
    return {
      registryFile: manifest,
      profileFile,
      entryPath: relative(dirname(manifest), profileFile),
      root: dirname(manifest),
    };
  }
  const existing = findProjectManifest(ctx.cwd);
  const registryFile = existing ?? join(ctx.cwd, ".insomnia", "manifest.toml");
  const profileFile = join(dirname(registryFile), "profiles", `${name}.nix`);
  return {
    registryFile,
    profileFile,
    entryPath: relative(dirname(registryFile), profileFile),
    root: dirname(dirname(registryFile)),
  };
}

/** A file-system failure of `profiles init` as `store_io`, naming the path and what to do. */
function initIoError(error: unknown, doing: string, path: string): InsomniaError {
  if (error instanceof InsomniaError) return error;
  const code = errnoCode(error);
  const why = code === "EISDIR"
    ? "it is a directory, not a file"
    : code === "ENOTDIR"
    ? "a part of that path is a file, not a directory"
    : code === "EACCES" || code === "EPERM"
    ? "permission denied"
    : error instanceof Error
    ? error.message
    : String(error);
  return ioFailure(`profiles init cannot ${doing} ${path}: ${why}.`, path, code);
}

function initReadOptions(doing: string): BoundedReadOptions {
  return {
    code: "store_io",
    message: (path, problem) =>
      `profiles init cannot ${doing} ${path}: it ${problem}. Nothing was written; fix that ` +
      "path (or choose another location with --source or another working directory) and retry.",
  };
}

function ioFailure(what: string, path: string, errno?: string, blocker?: string): InsomniaError {
  return new InsomniaError(
    "store_io",
    `${what} Nothing was written; fix that path (or choose another location with --source or ` +
      "another working directory) and retry.",
    { file: path, ...(errno && { errno }), ...(blocker && { blocker }) },
  );
}

/**
 * Checks, before anything is written, that `path` can become a regular file: it is a file or
 * missing, and its nearest existing ancestor is a directory. Returns the topmost ancestor
 * directory that does not exist yet (created by the write; removed again on failure).
 */
function checkFileTarget(path: string, doing: string): string | undefined {
  let missing: string | undefined;
  for (let p = path;; p = dirname(p)) {
    let stats: Stats | undefined;
    try {
      stats = statSync(p, { throwIfNoEntry: false });
    } catch (error) {
      if (errnoCode(error) !== "ENOTDIR") throw initIoError(error, doing, path);
    }
    if (stats === undefined) {
      if (p !== path) missing = p;
      if (dirname(p) === p) return missing;
      continue;
    }
    if (p === path) {
      if (stats.isDirectory()) {
        throw ioFailure(
          `profiles init cannot ${doing} ${path}: it is a directory, not a file.`,
          path,
          "EISDIR",
        );
      }
      return undefined;
    }
    if (!stats.isDirectory()) {
      throw ioFailure(
        `profiles init cannot ${doing} ${path}: ${p} is a file, not a directory.`,
        path,
        "ENOTDIR",
        p,
      );
    }
    return missing;
  }
}

/** `profiles init` handler. */
export async function initProfile(
  opts: Record<string, unknown>,
  args: string[],
  ctx: CliContext,
): Promise<CommandOutput> {
  const name = args[0];
  const problem = profileNameProblem(name);
  if (problem) {
    throw new InsomniaError(
      "usage",
      `profile name ${JSON.stringify(name)} is invalid: ${problem}. Names are 1–128 letters, ` +
        "digits, `.`, `_` and `-`, not starting with `.`, e.g. `profiles init my-coder`. " +
        "Run `insomnia-pod profiles init --help` for usage.",
    );
  }
  const timeoutMs = evalTimeout(opts as { evalTimeout?: string }, ctx.env);
  const workspace = checkedWorkspace(opts.workspace as string | undefined, ctx);
  const source = (opts.source as string | undefined) ?? "project";
  const target = targetFor(source, name, ctx);
  const force = Boolean(opts.force);
  const newDirs = [
    checkFileTarget(target.registryFile, `write the ${source} registry`),
    checkFileTarget(target.profileFile, "write the profile file"),
  ];
  const fileExists = existsSync(target.profileFile);
  // The user's own edit keeps a trusted (or brand-new) project trusted; a stranger's stays not.
  const keepTrust = source === "project" && trustedBeforeEdit(target.registryFile, ctx.env);
  if (fileExists && !force) {
    throw new InsomniaError(
      "profile_exists",
      `${target.profileFile} already exists. Pass --force to overwrite it, or choose another name.`,
      { file: target.profileFile },
    );
  }
  let content = profileTemplate(name);
  // Directories the new profile's sandboxed evaluation needs besides its own: its base's.
  let readable: string[] = [];
  const from = opts.from as string | undefined;
  if (from) {
    const sel = parseSelector(from);
    if (sel.kind === "named" || sel.kind === "default") {
      const registry = loadProfileRegistry(ctx.env, ctx.cwd);
      const entry = selectEntry(registry, sel);
      // The new profile imports the base and is evaluated to validate it: the gate applies.
      if (entry.source === "project") {
        assertProjectEntryTrusted(registry, entry.qualified, {
          env: ctx.env,
          trustAll: opts.trust === true,
        });
      }
      const builtinSource = entry.source === "builtin"
        ? builtinTemplate(name, entry.name)
        : undefined;
      if (builtinSource === undefined) {
        const base = nixBaseFile(entry.path, from);
        readable = baseDirs(base, entry.allow ?? [], target.profileFile);
        content = derivedTemplate(
          name,
          importExpression(base, target.profileFile, target.root),
          entry.qualified,
        );
      } else content = builtinSource;
    } else if (sel.kind === "path") {
      const file = nixBaseFile(resolve(ctx.cwd, sel.path), from);
      readable = baseDirs(file, [], target.profileFile);
      content = derivedTemplate(
        name,
        importExpression(file, target.profileFile, target.root),
        sel.path,
      );
    } else {
      throw new InsomniaError(
        "usage",
        `profiles init --from ${from}: a flake output cannot be the base of a profile file; ` +
          "give a registry name (`coder`, `project:coder`) or a path to a .nix profile. " +
          "Run `insomnia-pod profiles init --help` for usage.",
      );
    }
  }
  const registryText = readBoundedTextIfExists(
    target.registryFile,
    initReadOptions(`read the ${source} registry`),
  ) ?? "";
  // --force rewrites the file of an entry that already points at it; the registry stays as is.
  const registered = registeredPath(registryText, name, target.registryFile);
  let nextRegistry: string | undefined;
  if (registered === undefined) {
    nextRegistry = registerEntry(
      registryText,
      name,
      target.entryPath,
      target.registryFile,
      readable.map((dir) => allowEntry(dir, target.registryFile, target.root)),
    );
  } else if (!force || registered !== target.profileFile) {
    throw new InsomniaError(
      "profile_exists",
      `profile ${name} is already registered in ${target.registryFile}` +
        (registered === target.profileFile
          ? `. Pass --force to rewrite its file ${target.profileFile}, or choose another name.`
          : `${registered ? `, pointing to ${registered}` : ""}, not to ${target.profileFile}. ` +
            "Choose another name or edit that entry."),
      { file: target.registryFile, ...(registered && { path: registered }) },
    );
  }
  // Refuse a symlinked or special registry/profile file before anything is written.
  assertReplaceable(target.profileFile);
  if (nextRegistry !== undefined) assertReplaceable(target.registryFile);
  const previous = fileExists
    ? readBoundedBytes(target.profileFile, initReadOptions("read the existing profile file"))
    : undefined;
  // Undo everything this run wrote: the old file back (--force), new directories removed.
  const rollback = () => {
    try {
      if (previous !== undefined) writeFileAtomic(target.profileFile, previous, 0o644);
      else rmSync(target.profileFile, { force: true });
      for (const dir of newDirs) {
        if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      }
    } catch {
      // best effort: the original failure is what gets reported
    }
  };
  try {
    writeFileAtomic(target.profileFile, content, 0o644);
  } catch (error) {
    rollback();
    throw initIoError(error, "write the profile file", target.profileFile);
  }
  let validated = true;
  try {
    await resolveProfile(`path:${target.profileFile}`, {
      env: ctx.env,
      cwd: ctx.cwd,
      workspace,
      allow: readable,
      timeoutMs,
      signal: ctx.signal,
    });
  } catch (error) {
    if (error instanceof InsomniaError && error.code === "nix_unavailable") validated = false;
    else {
      rollback();
      throw error;
    }
  }
  if (nextRegistry !== undefined) {
    try {
      writeFileAtomic(target.registryFile, nextRegistry, 0o644);
    } catch (error) {
      rollback();
      throw initIoError(error, `write the ${source} registry`, target.registryFile);
    }
  }
  if (keepTrust) retrustAfterEdit(target.registryFile, ctx.env);
  return {
    json: {
      profile: {
        qualified: `${source}:${name}`,
        path: target.profileFile,
        registry: target.registryFile,
        registry_updated: nextRegistry !== undefined,
        validated,
      },
    },
    human:
      `${
        fileExists ? "rewrote" : "created"
      } ${source}:${name}\n  file:     ${target.profileFile}\n` +
      `  registry: ${target.registryFile}${
        nextRegistry === undefined ? " (already registered)" : ""
      }` +
      (readable.length > 0 && nextRegistry !== undefined
        ? `\n  allow:    ${readable.join(", ")} (its base's directory, readable by its evaluation)`
        : "") +
      (validated ? "" : "\n  (not evaluated: Nix is not installed)"),
  };
}
