/**
 * `completions bash|zsh|fish`: prints a shell completion script, generated from the CLI's own
 * command list and flag table (src/cli/completions/).
 * @module
 */
import { InsomniaError } from "../../errors.ts";
import { SHELLS } from "../command_list.ts";
import { bashScript } from "../completions/bash.ts";
import { fishScript } from "../completions/fish.ts";
import { insomniaCompletionModel, type Shell } from "../completions/model.ts";
import { zshScript } from "../completions/zsh.ts";
import type { CliContext, CommandOutput } from "../context.ts";

const SCRIPTS = { bash: bashScript, zsh: zshScript, fish: fishScript } satisfies Record<
  Shell,
  unknown
>;

/** `completions <shell>` handler. */
// deno-lint-ignore require-await
export async function completions(
  _opts: Record<string, unknown>,
  args: string[],
  _ctx: CliContext,
): Promise<CommandOutput> {
  const shell = args[0];
  if (!(SHELLS as readonly string[]).includes(shell)) {
    throw new InsomniaError(
      "usage",
      `completions: unknown shell ${JSON.stringify(shell)}; choose bash, zsh or fish.`,
    );
  }
  const script = SCRIPTS[shell as Shell](insomniaCompletionModel());
  return { json: { shell, script }, human: script };
}
