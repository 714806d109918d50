/**
 * `trust [DIR]`, `trust --list`, `untrust [DIR]`: which projects' profiles and settings may be
 * used (src/trust/gate.ts, docs/security.md).
 * @module
 */
import { resolve } from "node:path";
import { InsomniaError } from "../../errors.ts";
import { listTrustedProjects, trustProject, untrustProject } from "../../profile/project_trust.ts";
import type { CliContext, CommandOutput } from "../context.ts";

function directoryArg(args: string[], ctx: CliContext): string {
  return resolve(ctx.cwd, args[0] ?? ".");
}

/** `trust [DIR]` / `trust --list` handler. */
// deno-lint-ignore require-await
export async function trustCommand(
  opts: Record<string, unknown>,
  args: string[],
  ctx: CliContext,
): Promise<CommandOutput> {
  if (opts.list) {
    if (args.length) {
      throw new InsomniaError(
        "usage",
        `trust --list takes no directory (got ${args[0]}); run \`insomnia-pod trust ${
          args[0]
        }\` to trust it.`,
      );
    }
    const projects = listTrustedProjects(ctx.env);
    const lines = projects.map((p) =>
      `${
        p.state === "trusted" ? "trusted" : p.state === "changed" ? "CHANGED" : "missing"
      }  ${p.root}${
        p.state === "changed"
          ? `  (changed: ${p.changed.join(", ")}; run trust again to accept)`
          : ""
      }`
    );
    return {
      json: { projects },
      human: lines.length ? lines.join("\n") : "no trusted projects",
    };
  }
  const change = trustProject(directoryArg(args, ctx), ctx.env);
  if (change.ownership) ctx.note(`warning: ${change.ownership}; trusted because you asked`);
  const what = change.before === "trusted"
    ? "was already trusted"
    : change.before === "changed"
    ? "is trusted again, as it is now"
    : "is now trusted";
  const profiles = change.profiles.length ? change.profiles.join(", ") : "none";
  return {
    json: { project: change.root, trusted: true, ...change },
    human: `project ${change.root} ${what}: its registry and ${change.files.length} file(s) ` +
      `under .insomnia/ (profiles: ${profiles}). Any change to them makes it untrusted again.`,
  };
}

/** `untrust [DIR]` handler. */
// deno-lint-ignore require-await
export async function untrustCommand(
  _opts: Record<string, unknown>,
  args: string[],
  ctx: CliContext,
): Promise<CommandOutput> {
  const { root, wasTrusted } = untrustProject(directoryArg(args, ctx), ctx.env);
  return {
    json: { project: root, trusted: false, was_trusted: wasTrusted },
    human: wasTrusted
      ? `project ${root} is no longer trusted`
      : `project ${root} was not trusted; nothing changed`,
  };
}
