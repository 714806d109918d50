/**
 * The commander program and the shell completions are both built from the command list and the
 * flag table: walking the program must give exactly the commands, options and arguments the
 * completion model lists (so neither can gain a command or a flag the other lacks).
 */
import assert from "node:assert/strict";
import type { Command } from "commander";
import { buildProgram } from "../src/cli/program.ts";
import { insomniaCompletionModel } from "../src/cli/completions/model.ts";

interface Shape {
  path: string;
  subcommands: string[];
  options: Array<{ flags: string[]; description: string; takesValue: boolean; choices?: string[] }>;
  args: Array<{ name: string; variadic: boolean; choices?: string[] }>;
}

function walk(cmd: Command, path: string, out: Shape[]): Shape[] {
  const help = cmd.createHelp();
  out.push({
    path,
    subcommands: help.visibleCommands(cmd).map((c) => c.name()),
    options: help.visibleOptions(cmd).map((o) => ({
      flags: [o.short, o.long].filter((f): f is string => f !== undefined),
      description: o.description,
      takesValue: o.required || o.optional,
      ...(o.argChoices && { choices: [...o.argChoices] }),
    })),
    args: cmd.registeredArguments.map((a) => ({
      name: a.name(),
      variadic: a.variadic,
      ...(a.argChoices && { choices: [...a.argChoices] }),
    })),
  });
  for (const sub of cmd.commands) walk(sub, path ? `${path} ${sub.name()}` : sub.name(), out);
  return out;
}

Deno.test("the program and the completion model list the same commands, options and arguments", () => {
  const fromProgram = walk(buildProgram(() => Promise.resolve()), "", []);
  const fromModel: Shape[] = insomniaCompletionModel().map((c) => ({
    path: c.path,
    subcommands: c.subcommands.map((s) => s.name),
    options: c.options.map((o) => ({
      flags: o.flags,
      description: o.description,
      takesValue: o.value !== undefined,
      ...(o.value?.kind === "choice" && { choices: o.value.choices }),
    })),
    args: c.args.map((a) => ({
      name: a.name,
      variadic: a.variadic,
      ...(a.value.kind === "choice" && { choices: a.value.choices }),
    })),
  }));
  assert.deepEqual(fromModel, fromProgram);
});
