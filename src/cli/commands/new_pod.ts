/**
 * `insomnia-pod new`: the interactive New Pod dialog (src/tui/, docs/new-pod-dialog.md). Its
 * options are checked before the terminal is touched; the Pod it creates is printed like the root
 * command's. Without a terminal it is a usage error pointing at the flags.
 * @module
 */
import type { LaunchOptions } from "../../app/launch_flags.ts";
import { checkedWorkspace, evalTimeout, storeOptions } from "../../app/options.ts";
import { InsomniaError } from "../../errors.ts";
import type { CliContext, CommandOutput } from "../context.ts";
import { createdOutput } from "../launch_output.ts";
import { streamOutput } from "../output.ts";

/** The usage error for a non-terminal stdin. */
function notATerminal(): InsomniaError {
  return new InsomniaError(
    "usage",
    "`insomnia-pod new` is an interactive dialog and needs a terminal (stdin and stderr). " +
      "To create a Pod without it, run `insomnia-pod --profile SEL --profile-pod-name NAME` " +
      "(`insomnia-pod profiles list` shows the profiles).",
  );
}

/** Entry of `insomnia-pod new`. */
export async function newPodCommand(
  raw: Record<string, unknown>,
  _args: string[],
  ctx: CliContext,
): Promise<CommandOutput> {
  const opts = raw as LaunchOptions;
  if (!ctx.interactive) throw notATerminal();
  // Flag problems are usage errors before the terminal is touched.
  const timeoutMs = evalTimeout(opts, ctx.env);
  const store = storeOptions(opts, ctx);
  const workspace = checkedWorkspace(opts.workspace, ctx);
  const { newPodDialog } = await import("../../tui/new_pod.ts");
  streamOutput(); // the dialog draws through process.stderr: what follows keeps its place
  const result = await newPodDialog({
    env: ctx.env,
    cwd: ctx.cwd,
    signal: ctx.signal,
    store,
    workspace,
    timeoutMs,
    options: {
      store: opts.store,
      workspace: opts.workspace,
      evalTimeout: opts.evalTimeout,
      trust: opts.trust,
    },
    profile: opts.profile,
  });
  for (const warning of result.warnings) ctx.note(`warning: ${warning}`);
  if (result.cancelledTooLate) ctx.note("cancelled too late: the Pod had already been written.");
  return createdOutput(result.plan, result.pod);
}
