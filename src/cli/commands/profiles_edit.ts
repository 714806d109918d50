/**
 * `profiles default [NAME]` and `profiles rm NAME`: show or set the default profile, and
 * unregister a profile, by editing the user or project registry file as text (comments survive).
 * Every edit is checked before anything is written, and written atomically.
 * @module
 */
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { InsomniaError } from "../../errors.ts";
import { findProjectManifest, userManifestPath } from "../../env.ts";
import { writeFileAtomic } from "../../fs/atomic.ts";
import { retrustAfterEdit, trustedBeforeEdit } from "../../profile/project_trust.ts";
import { readBoundedText } from "../../fs/read_bounded.ts";
import { loadProfileRegistry } from "../../profile/discovery.ts";
import { defaultEntry, defaultTarget, selectEntry } from "../../profile/registry.ts";
import { registeredPath, removeEntry, setDefaultEntry } from "../../profile/registry_edit.ts";
import { parseSelector } from "../../profile/selector.ts";
import type { CliContext, CommandOutput } from "../context.ts";

function userFile(ctx: CliContext): string {
  const file = userManifestPath(ctx.env)?.path;
  if (!file) {
    throw new InsomniaError(
      "store_io",
      "cannot find the user config directory; set INSOMNIA_CONFIG_DIR or HOME.",
    );
  }
  return file;
}

function projectFile(ctx: CliContext): string {
  return findProjectManifest(ctx.cwd) ?? join(ctx.cwd, ".insomnia", "manifest.toml");
}

function readRegistry(file: string): string {
  if (!existsSync(file)) return "";
  return readBoundedText(file, {
    code: "store_io",
    message: (path, problem) => `cannot read the registry ${path}: it ${problem}.`,
  });
}

/** `profiles default [NAME]` handler: show the effective default, or set it. */
// deno-lint-ignore require-await
export async function profilesDefault(
  opts: Record<string, unknown>,
  args: string[],
  ctx: CliContext,
): Promise<CommandOutput> {
  const registry = loadProfileRegistry(ctx.env, ctx.cwd);
  if (args.length === 0) {
    const chosen = defaultTarget(registry);
    const entry = defaultEntry(registry);
    const declared = chosen?.declared;
    return {
      json: {
        default: entry?.qualified ?? null,
        declared_in: declared?.file ?? null,
        value: declared?.text ?? null,
      },
      human: entry
        ? `${entry.qualified}${declared ? ` (set in ${declared.file})` : " (builtin fallback)"}`
        : "no default profile is configured",
    };
  }
  const name = args[0];
  // The new default must resolve now: a typo never becomes the default.
  const entry = selectEntry(registry, parseSelector(name));
  const file = opts.project ? projectFile(ctx) : userFile(ctx);
  const next = setDefaultEntry(readRegistry(file), name, file);
  const keepTrust = Boolean(opts.project) && trustedBeforeEdit(file, ctx.env);
  writeFileAtomic(file, next, 0o644);
  if (keepTrust) retrustAfterEdit(file, ctx.env);
  const after = defaultEntry(loadProfileRegistry(ctx.env, ctx.cwd));
  const overridden = after && after.qualified !== entry.qualified
    ? `; the effective default stays ${after.qualified} (the project's default wins over the user's)`
    : "";
  if (overridden) ctx.note(`note: default set in ${file}${overridden}`);
  return {
    json: { action: "set", default: name, resolves_to: entry.qualified, file },
    human: `default profile: ${name} (${entry.qualified}), set in ${file}`,
  };
}

/** `profiles rm NAME` handler: unregister a user or project profile; `--delete` removes its file. */
// deno-lint-ignore require-await
export async function profilesRm(
  opts: Record<string, unknown>,
  args: string[],
  ctx: CliContext,
): Promise<CommandOutput> {
  const name = args[0];
  const candidates = opts.source === "user"
    ? [userFile(ctx)]
    : opts.source === "project"
    ? [projectFile(ctx)]
    : [projectFile(ctx), userFile(ctx)];
  const hits = candidates.flatMap((file) => {
    const text = readRegistry(file);
    const path = text ? registeredPath(text, name, file) : undefined;
    return path === undefined ? [] : [{ file, text, path }];
  });
  if (hits.length === 0) {
    throw new InsomniaError(
      "profile_not_found",
      `no profile ${name} is registered in ${candidates.join(" or ")}; builtin profiles cannot ` +
        "be removed. Run `insomnia-pod profiles list` to see the registered profiles.",
      { selector: name, files: candidates },
    );
  }
  if (hits.length > 1) {
    throw new InsomniaError(
      "profile_ambiguous",
      `profile ${name} is registered in both ${hits.map((h) => h.file).join(" and ")}; pass ` +
        "--source user or --source project. Nothing was changed.",
      { selector: name, choices: ["user", "project"] },
    );
  }
  const [hit] = hits;
  const registry = loadProfileRegistry(ctx.env, ctx.cwd);
  const source = hit.file === userFile(ctx) ? "user" : "project";
  const declared = registry.sources[source].default;
  if (declared && declared.target.name === name && declared.file === hit.file) {
    throw new InsomniaError(
      "usage",
      `profile ${name} is the default set in ${hit.file}; set another default first ` +
        "(`insomnia-pod profiles default NAME`). Nothing was changed.",
      { file: hit.file },
    );
  }
  const next = removeEntry(hit.text, name, hit.file);
  const keepTrust = source === "project" && trustedBeforeEdit(hit.file, ctx.env);
  writeFileAtomic(hit.file, next, 0o644);
  const deleted = Boolean(opts.delete) && hit.path !== null && existsSync(hit.path);
  if (deleted) rmSync(hit.path!, { force: true });
  if (keepTrust) retrustAfterEdit(hit.file, ctx.env);
  return {
    json: {
      action: "removed",
      profile: `${source}:${name}`,
      file: hit.file,
      path: hit.path,
      deleted,
    },
    human: `unregistered profile ${name} from ${hit.file}` +
      (deleted
        ? `; deleted ${hit.path}`
        : hit.path
        ? `; ${hit.path} was kept (--delete removes it)`
        : ""),
  };
}
