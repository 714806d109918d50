/**
 * The commander program, built from the command list (src/cli/command_list.ts) and the flag table
 * (src/app/launch_flags.ts): options, `conflicts`, help, and the refusal of root options written
 * before a subcommand's name. Command bodies live in `src/cli/commands/` and are imported lazily,
 * so a run loads only what it uses.
 * @module
 */
import { Argument, Command, Option } from "npm:commander@15.1.0";
import { InsomniaError } from "../errors.ts";
import { VERSION } from "../version.ts";
import { HELP_COMMAND, HELP_OPTION, launchFlags, VERSION_OPTION } from "../app/launch_flags.ts";
import { COMMAND_NAMES, commandAt, COMMANDS, type CommonFlag, nameOf } from "./command_list.ts";

const EXAMPLES = `
Examples:
  insomnia-pod                                  create a Pod from the default profile
  insomnia-pod --profile coder                  create a Pod from a discovered profile
  insomnia-pod --profile ./coder.nix --dry-run  evaluate a profile file and print the manifest
  insomnia-pod --profile path:ci.nix --json     machine-readable result for CI
  insomnia-pod --pod coder                      resume Pod "coder" from its snapshot (no Nix)
  insomnia-pod --pod coder --reload-profile     re-evaluate its profile and show what changes
  insomnia-pod --manifest pod.toml --dry-run    the TOML compatibility path
  insomnia-pod profiles list                    every discovered profile and the default
  insomnia-pod new                              the interactive New Pod dialog

Exit status: 0 success, 1 failure, 2 usage error, 130 cancelled.
More: \`insomnia-pod help <command>\` (for example \`insomnia-pod help pods\`); every manifest field:
\`insomnia-pod schema --manifest\`.`;

/** The "Examples:" block under a subcommand's help. */
function examplesText(examples: readonly (readonly [string, string])[]): string {
  const width = Math.min(48, Math.max(...examples.map(([c]) => c.length)));
  const lines = examples.map(([command, what]) =>
    command.length > width
      ? `  ${command}\n  ${" ".repeat(width)}  ${what}`
      : `  ${command.padEnd(width)}  ${what}`
  );
  return `\nExamples:\n${lines.join("\n")}`;
}

/**
 * Root options that select or shape what the root command does (create or resume a Pod). Given
 * before a subcommand's name they would be parsed by the root and silently ignored, so a
 * subcommand refuses them (see {@link subcommandOptions}).
 */
const ROOT_ONLY_OPTIONS: readonly string[] = launchFlags().flatMap(([key, spec]) =>
  spec.common ? [] : [key]
);

/**
 * Adds `--json` and `-q`, which every subcommand accepts, and the `extra` common flags the
 * subcommand actually uses (a flag it would ignore is not offered, so it is an unknown option).
 */
function common(cmd: Command, extra: readonly CommonFlag[] = []): Command {
  for (const [key, spec] of launchFlags()) {
    if (
      spec.common === "always" || (spec.common === "opt-in" && extra.includes(key as CommonFlag))
    ) {
      addFlag(cmd, new Option(spec.flags, spec.commonDescription ?? spec.description));
    }
  }
  return cmd.exitOverride().allowExcessArguments(false);
}

/**
 * Adds `option`. A `--no-x` flag alone would make commander set `x: true` by default, as if given;
 * a hidden `--x` declared first keeps it unset unless `--no-x` is given (then `x: false`).
 */
function addFlag(cmd: Command, option: Option): void {
  if (option.negate && option.long) {
    cmd.addOption(new Option(option.long.replace(/^--no-/, "--")).hideHelp());
  }
  cmd.addOption(option);
}

/** `a`, `a and b`, `a, b and c`. */
function listWords(words: string[]): string {
  return words.length === 1
    ? words[0]
    : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/** `text` as one POSIX shell word (for the command lines that error messages suggest). */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The options a subcommand runs with: its own, plus the common flags (`--json`, `-q`, `-s`,
 * `--workspace`, `--eval-timeout`) given before its name when it takes them too; its own value
 * wins when a flag is given in both places. A root option given before the subcommand's name
 * (`insomnia-pod --dry-run profiles init x`) would be silently dropped, so it is a `usage` error
 * naming the option and the subcommand; so is a common flag the subcommand does not take.
 */
function subcommandOptions(cmd: Command): Record<string, unknown> {
  const chain: Command[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) chain.unshift(c);
  const path = chain.slice(1).map((c) => c.name()).join(" ");
  const merged: Record<string, unknown> = {};
  const misplaced: string[] = [];
  const movable: string[] = [];
  const moves: string[] = [];
  for (const ancestor of chain.slice(0, -1)) {
    for (const option of ancestor.options) {
      const key = option.attributeName();
      const value = ancestor.getOptionValue(key);
      if (value === undefined || ancestor.getOptionValueSource(key) === "default") continue;
      // The same flag with the same arity (`new --profile <selector>`), not a namesake
      // (`profiles show --manifest` is a switch, the root's `--manifest <file>` is not).
      const own = cmd.options.find((o) =>
        o.long === option.long && o.required === option.required && o.optional === option.optional
      );
      const rootOnly = ROOT_ONLY_OPTIONS.includes(key);
      if (own && !rootOnly) {
        merged[key] = value;
        continue;
      }
      const flag = option.long ?? option.short ?? key;
      misplaced.push(flag);
      if (own) {
        movable.push(flag);
        moves.push(typeof value === "string" ? `${flag} ${shellWord(value)}` : flag);
      }
    }
  }
  if (misplaced.length > 0) {
    const removable = misplaced.filter((f) => !movable.includes(f));
    const when = removable.length === 0 ? " when written before its name" : "";
    let message = `${listWords(misplaced)} ${misplaced.length === 1 ? "does" : "do"} not apply ` +
      `to \`${path}\`${when}; nothing was done. Options written before a subcommand's name ` +
      "belong to the root command, which creates or resumes a Pod.";
    if (movable.length > 0) {
      message += ` \`${path}\` takes ${listWords(movable)} itself, after its name: ` +
        `\`insomnia-pod ${path} ${moves.join(" ")}\`.`;
    }
    if (removable.length > 0) {
      message += ` Remove ${listWords(removable)}; \`insomnia-pod ${path} --help\` lists the ` +
        "options it takes.";
    }
    throw new InsomniaError("usage", message, { command: path, options: misplaced });
  }
  for (const [key, value] of Object.entries(cmd.opts())) {
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

/**
 * Whether `argv` may address a subcommand (or ask for help). Building every subcommand costs a
 * few ms, so the common root-only runs (create, resume) skip it.
 */
export function needsSubcommands(argv: readonly string[]): boolean {
  const help = [...HELP_OPTION.flags.split(", "), HELP_COMMAND.name];
  return argv.some((a) => COMMAND_NAMES.includes(a) || help.includes(a));
}

/**
 * Builds the program from the command list and the flag table; `run` receives (command path,
 * options, args) for every command (`""` for the root). With `subcommands` false only the root
 * command is defined (see {@link needsSubcommands}).
 */
export function buildProgram(
  run: (command: string, opts: Record<string, unknown>, args: string[]) => Promise<void>,
  subcommands = true,
): Command {
  const program = new Command("insomnia-pod")
    .description(commandAt("")!.description)
    .version(VERSION, VERSION_OPTION.flags, VERSION_OPTION.description)
    .helpOption(HELP_OPTION.flags, HELP_OPTION.description)
    .configureHelp({ sortSubcommands: false })
    .exitOverride()
    .allowExcessArguments(false)
    .enablePositionalOptions()
    .addHelpText("after", EXAMPLES);
  for (const [, spec] of launchFlags()) {
    const option = new Option(spec.flags, spec.description);
    if (spec.conflicts) option.conflicts([...spec.conflicts]);
    addFlag(program, option);
  }
  program.action((opts) => run("", opts, []));
  if (!subcommands) return program;
  // `insomnia-pod help pods` as well as `insomnia-pod pods --help` (the root has an action, so
  // commander adds no help command to it by itself).
  program.helpCommand(HELP_COMMAND.syntax, HELP_COMMAND.description);

  const commands = new Map<string, Command>([["", program]]);
  for (const spec of COMMANDS) {
    if (spec.path === "") continue;
    const parent = commands.get(spec.path.slice(0, Math.max(0, spec.path.lastIndexOf(" "))))!;
    const cmd = parent.command(nameOf(spec)).exitOverride().description(spec.description);
    commands.set(spec.path, cmd);
    if (!spec.handler) {
      cmd.helpCommand(HELP_COMMAND.syntax, HELP_COMMAND.description);
      continue;
    }
    common(cmd, spec.common);
    if (spec.examples) cmd.addHelpText("after", examplesText(spec.examples));
    for (const arg of spec.arguments ?? []) {
      const argument = new Argument(arg.syntax, arg.description);
      if (arg.choices) argument.choices(arg.choices);
      cmd.addArgument(argument);
    }
    for (const opt of spec.options ?? []) {
      const option = new Option(opt.flags, opt.description);
      if (opt.choices) option.choices(opt.choices);
      if (opt.default !== undefined) option.default(opt.default);
      cmd.addOption(option);
    }
    cmd.action((...params: unknown[]) => {
      const args = params.slice(0, -2).flatMap((a) =>
        a === undefined ? [] : a as string | string[]
      );
      return run(spec.path, subcommandOptions(cmd), args);
    });
  }
  return program;
}
