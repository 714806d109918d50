/**
 * `profiles list`: every discovered profile, its source, the default and shadowing. Imports only
 * discovery (no Nix evaluation, no manifest validation) so it stays fast on large registries.
 * @module
 */
import { loadProfileRegistry } from "../../profile/discovery.ts";
import { listEntries } from "../../profile/registry.ts";
import type { CliContext, CommandOutput } from "../context.ts";

/** `profiles list` handler. */
// deno-lint-ignore require-await
export async function listProfiles(
  _opts: Record<string, unknown>,
  _args: string[],
  ctx: CliContext,
): Promise<CommandOutput> {
  const entries = listEntries(loadProfileRegistry(ctx.env, ctx.cwd));
  const profiles = entries.map((e) => ({
    qualified: e.qualified,
    source: e.source,
    name: e.name,
    description: e.description ?? null,
    path: e.path,
    default: e.isDefault,
    shadows: e.shadows,
  }));
  const width = Math.max(0, ...entries.map((e) => e.qualified.length));
  const lines = entries.map((e) =>
    `${e.isDefault ? "*" : " "} ${e.qualified.padEnd(width)}  ${e.description ?? ""}` +
    (e.shadows.length ? `  (same name: ${e.shadows.join(", ")})` : "")
  );
  const def = entries.find((e) => e.isDefault);
  return {
    json: { profiles, default: def?.qualified ?? null },
    human: entries.length
      ? `${lines.join("\n")}\n\n* default${def ? `: ${def.qualified}` : " (none configured)"}`
      : "no profiles found",
  };
}
