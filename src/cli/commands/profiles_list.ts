/**
 * `profiles list`: every discovered profile, its source, the default and shadowing. Imports only
 * discovery (no Nix evaluation, no manifest validation) so it stays fast on large registries.
 * A configured default that does not resolve is reported, not hidden: the list stays usable for
 * diagnosing exactly that.
 * @module
 */
import { fitLines } from "../output.ts";
import { InsomniaError } from "../../errors.ts";
import { loadProfileRegistry } from "../../profile/discovery.ts";
import {
  defaultEntry,
  defaultTarget,
  listEntries,
  type Registry,
  type RegistryEntry,
} from "../../profile/registry.ts";
import type { CliContext, CommandOutput } from "../context.ts";
import { registryProjectTrust } from "../../profile/project_trust.ts";
import { shellWord, trustAllRequested } from "../../trust/gate.ts";
import { oneLine, widestDisplay } from "../../terminal_text.ts";

/** The configured default (`source:name` as declared) and why it does not resolve. */
interface DefaultProblem {
  declared: string;
  error: InsomniaError;
}

function defaultProblem(reg: Registry): DefaultProblem | undefined {
  const chosen = defaultTarget(reg);
  if (chosen === undefined) return undefined;
  try {
    defaultEntry(reg);
    return undefined;
  } catch (error) {
    if (!(error instanceof InsomniaError)) throw error;
    return { declared: `${chosen.target.source}:${chosen.target.name}`, error };
  }
}

/**
 * How an unqualified name reads: a builtin with one user or project profile of its name is
 * shadowed by it (`shadowed_by`); a user and a project profile of one name stay ambiguous.
 */
function shadowing(e: RegistryEntry): { shadowed_by: string | null; ambiguous: boolean } {
  const own = [e.qualified, ...e.shadows].filter((q) => !q.startsWith("builtin:"));
  return {
    shadowed_by: e.source === "builtin" && own.length === 1 ? own[0] : null,
    ambiguous: own.length > 1,
  };
}

function sameName(e: RegistryEntry): string {
  if (e.shadows.length === 0) return "";
  const { shadowed_by, ambiguous } = shadowing(e);
  if (shadowed_by) return `  (shadowed by ${shadowed_by})`;
  if (!ambiguous) return `  (shadows ${e.shadows.join(", ")})`;
  return `  (same name: ${e.shadows.join(", ")}; qualify it)`;
}

/** `profiles list` handler. */
// deno-lint-ignore require-await
export async function listProfiles(
  _opts: Record<string, unknown>,
  _args: string[],
  ctx: CliContext,
): Promise<CommandOutput> {
  const registry = loadProfileRegistry(ctx.env, ctx.cwd);
  const entries = listEntries(registry);
  // Listing reads and hashes the project's files; it never evaluates them.
  const trust = registryProjectTrust(registry, ctx.env);
  const trusted = trust === undefined || trust.state === "trusted" ||
    trustAllRequested(false, ctx.env);
  const mark = (e: RegistryEntry) =>
    e.source !== "project" || trusted
      ? ""
      : trust?.state === "changed"
      ? "  (changed since trusted)"
      : "  (untrusted)";
  const profiles = entries.map((e) => ({
    ...shadowing(e),
    trusted: e.source === "project" ? trusted : null,
    qualified: e.qualified,
    source: e.source,
    name: e.name,
    description: e.description ?? null,
    path: e.path,
    default: e.isDefault,
    shadows: e.shadows,
  }));
  const width = widestDisplay(entries.map((e) => e.qualified));
  const lines = entries.map((e) =>
    `${e.isDefault ? "*" : " "} ${e.qualified.padEnd(width)}  ${oneLine(e.description ?? "")}` +
    sameName(e) + mark(e)
  );
  const def = entries.find((e) => e.isDefault);
  const problem = def ? undefined : defaultProblem(registry);
  const footer =
    (problem
      ? `default: ${problem.declared} — broken: ${problem.error.message}`
      : `* default${def ? `: ${def.qualified}` : " (none configured)"}`) +
    (trust && !trusted
      ? `\nproject ${trust.root}: ${
        trust.state === "changed" ? "changed since you trusted it" : "not trusted"
      }; review its .insomnia/, then run \`insomnia-pod trust ${shellWord(trust.root)}\``
      : "");
  return {
    json: {
      profiles,
      default: def?.qualified ?? null,
      project: trust
        ? { root: trust.root, state: trusted ? "trusted" : trust.state, changed: trust.changed }
        : null,
      default_problem: problem
        ? { code: problem.error.code, message: problem.error.message }
        : null,
    },
    human: entries.length
      ? `${fitLines(lines, ctx.columns).join("\n")}\n\n${footer}`
      : `no profiles found${problem ? `\n\n${footer}` : ""}`,
  };
}
