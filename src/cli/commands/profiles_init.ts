/**
 * `profiles init <name> [--source project|user] [--from <selector>]`: writes a new profile that
 * uses the insomnia Nix library and registers it in the project or user manifest's `[profiles]`.
 * The registration is appended as text so the file's comments and layout survive. When Nix is
 * available the new profile is evaluated first; if that fails, nothing is left behind.
 * @module
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { parse } from "smol-toml";
import { configDir, userManifestPath } from "../../env.ts";
import { InsomniaError } from "../../errors.ts";
import { findProjectManifest } from "../../manifest/cascade.ts";
import { parseTomlText } from "../../manifest/toml.ts";
import { loadProfileRegistry, resolveProfile } from "../../profile/resolve.ts";
import { selectEntry } from "../../profile/registry.ts";
import { parseSelector, profileNameProblem } from "../../profile/selector.ts";
import { readResource } from "../../resources.ts";
import { writeFileAtomic } from "../../store/atomic.ts";
import type { CliContext, CommandOutput } from "../context.ts";
import { evalTimeout } from "./launch.ts";

/** The Nix text of a fresh profile. */
export function profileTemplate(name: string): string {
  return `# Profile "${name}", created by \`insomnia-pod profiles init\`.
# Reference: docs/profile-lib.md. Check it with: insomnia-pod profiles show ${name}
let
  insomnia = import <insomnia> { };
in
insomnia.mkProfile {
  name = "${name}";
  description = "${name} profile";
  manifest = insomnia.mkManifest {
    use = [
      insomnia.models.claudeSonnet
      insomnia.scopes.workspaceWrite
      insomnia.context.large
      insomnia.autonomy.guarded
    ];
    # Raw fields always win over the presets above, e.g.:
    # worker.reasoning = "high";
  };
}
`;
}

function derivedTemplate(name: string, fromPath: string, fromLabel: string): string {
  return `# Profile "${name}", based on ${fromLabel}; created by \`insomnia-pod profiles init --from\`.
# Reference: docs/profile-lib.md. Check it with: insomnia-pod profiles show ${name}
let
  insomnia = import <insomnia> { };
  base = import ${JSON.stringify(fromPath)};
in
insomnia.mkProfile {
  name = "${name}";
  description = "${name} (based on ${fromLabel})";
  manifest = insomnia.merge base.manifest {
    # Your overrides; they win over the base profile, e.g.:
    # worker.reasoning = "low";
  };
}
`;
}

interface Target {
  registryFile: string;
  profileFile: string;
  entryPath: string;
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
    };
  }
  const existing = findProjectManifest(ctx.cwd);
  const registryFile = existing ?? join(ctx.cwd, ".insomnia", "manifest.toml");
  const profileFile = join(dirname(registryFile), "profiles", `${name}.nix`);
  return { registryFile, profileFile, entryPath: relative(dirname(registryFile), profileFile) };
}

/** Returns `text` with `name = "path"` registered under `[profiles.profile]`. */
export function registerEntry(text: string, name: string, entryPath: string, file: string): string {
  const doc = text.trim() ? parseTomlText(text, file) : {};
  const profiles = doc.profiles as Record<string, unknown> | undefined;
  const table = profiles?.profile as Record<string, unknown> | undefined;
  if (table && name in table) {
    throw new InsomniaError(
      "profile_exists",
      `profile ${name} is already registered in ${file}. Choose another name or edit that entry.`,
      { file },
    );
  }
  const line = `${JSON.stringify(name)} = ${JSON.stringify(entryPath)}`;
  const lines = text.split("\n");
  const header = lines.findIndex((l) => /^\s*\[\s*profiles\s*\.\s*profile\s*\]\s*(#.*)?$/.test(l));
  let next: string;
  if (header >= 0) {
    lines.splice(header + 1, 0, line);
    next = lines.join("\n");
  } else if (table) {
    throw new InsomniaError(
      "registry_invalid",
      `${file} declares [profiles.profile] in a form this command cannot extend (inline table). Add \`${line}\` to it by hand.`,
      { file },
    );
  } else {
    next = `${text}${
      text === "" || text.endsWith("\n") ? "" : "\n"
    }\n[profiles.profile]\n${line}\n`;
  }
  parse(next); // the edit must leave a valid document
  return next;
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
      `profile name ${JSON.stringify(name)} is invalid: ${problem}.`,
    );
  }
  const source = (opts.source as string | undefined) ?? "project";
  const target = targetFor(source, name, ctx);
  if (existsSync(target.profileFile) && !opts.force) {
    throw new InsomniaError(
      "profile_exists",
      `${target.profileFile} already exists. Pass --force to overwrite it, or choose another name.`,
      { file: target.profileFile },
    );
  }
  let content = profileTemplate(name);
  const from = opts.from as string | undefined;
  if (from) {
    const sel = parseSelector(from);
    if (sel.kind === "named" || sel.kind === "default") {
      const entry = selectEntry(loadProfileRegistry(ctx.env, ctx.cwd), sel);
      const builtinSource = entry.source === "builtin"
        ? readResource(`profiles/${entry.name}.nix`) ??
          readResource(`profiles/${entry.name}/profile.nix`)
        : undefined;
      content = builtinSource
        ? builtinSource.replace(/name = "[^"]*";/, `name = "${name}";`)
        : derivedTemplate(name, entry.path, entry.qualified);
    } else if (sel.kind === "path") {
      content = derivedTemplate(name, resolve(ctx.cwd, sel.path), sel.path);
    } else {
      throw new InsomniaError(
        "usage",
        "profiles init --from takes a registry name or a path, not a flake.",
      );
    }
  }
  const registryText = existsSync(target.registryFile)
    ? readFileSync(target.registryFile, "utf8")
    : "";
  const nextRegistry = registerEntry(registryText, name, target.entryPath, target.registryFile);
  writeFileAtomic(target.profileFile, content, 0o644);
  let validated = true;
  try {
    await resolveProfile(`path:${target.profileFile}`, {
      env: ctx.env,
      cwd: ctx.cwd,
      timeoutMs: evalTimeout(opts as { evalTimeout?: string }, ctx.env),
      signal: ctx.signal,
    });
  } catch (error) {
    if (error instanceof InsomniaError && error.code === "nix_unavailable") validated = false;
    else {
      rmSync(target.profileFile, { force: true });
      throw error;
    }
  }
  writeFileAtomic(target.registryFile, nextRegistry, 0o644);
  return {
    json: {
      profile: {
        qualified: `${source}:${name}`,
        path: target.profileFile,
        registry: target.registryFile,
        validated,
      },
    },
    human:
      `created ${source}:${name}\n  file:     ${target.profileFile}\n  registry: ${target.registryFile}` +
      (validated ? "" : "\n  (not evaluated: Nix is not installed)"),
  };
}
