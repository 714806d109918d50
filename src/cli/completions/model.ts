/**
 * What the completion scripts know, read from the command list (src/cli/command_list.ts) and the
 * flag table (src/app/launch_flags.ts): every command with its subcommands, options, arguments and
 * what their values complete to. The scripts can never drift from the CLI; profile, Pod and secret
 * names are discovered when the user presses Tab (the script asks the CLI, `profiles list --json`…).
 * @module
 */
import {
  HELP_COMMAND,
  HELP_OPTION,
  launchFlags,
  type ValueKind,
  VERSION_OPTION,
} from "../../app/launch_flags.ts";
import {
  type ArgumentSpec,
  COMMANDS,
  type CommandSpec,
  nameOf,
  type SHELLS,
  subcommandsOf,
} from "../command_list.ts";

/** A shell a script can be generated for. */
export type Shell = typeof SHELLS[number];

/** What a value completes to: a kind of name or path, or a fixed list. */
export type CompletionValue = { kind: ValueKind } | { kind: "choice"; choices: string[] };

/** An option of one command. */
export interface CompletionOption {
  /** `-s`, `--store`, … (short first). */
  flags: string[];
  /** Help text. */
  description: string;
  /** Undefined when the option takes no value. */
  value?: CompletionValue;
}

/** A positional argument of one command. */
export interface CompletionArgument {
  /** Its name (`selectors`). */
  name: string;
  /** Takes any number of values. */
  variadic: boolean;
  /** What it completes to. */
  value: CompletionValue;
}

/** One command, addressed by its path (`""` for the root, `profiles show`, …). */
export interface CompletionCommand {
  /** Words after `insomnia-pod`. */
  path: string;
  /** Its subcommands, with their help text. */
  subcommands: Array<{ name: string; description: string }>;
  /** Its options, in help order. */
  options: CompletionOption[];
  /** Its positional arguments. */
  args: CompletionArgument[];
}

interface Flagged {
  flags: string;
  description: string;
  value?: ValueKind;
  choices?: readonly string[];
}

function option({ flags, description, value, choices }: Flagged): CompletionOption {
  const spelled = flags.split(/[, ]+/).filter((f) => f.startsWith("-"));
  const takesValue = /[<[]/.test(flags);
  return {
    flags: spelled,
    description,
    value: !takesValue
      ? undefined
      : choices
      ? { kind: "choice", choices: [...choices] }
      : { kind: value ?? "any" },
  };
}

function argument(arg: ArgumentSpec): CompletionArgument {
  return {
    name: arg.syntax.replace(/[<>[\]]|\.\.\./g, ""),
    variadic: arg.syntax.includes("..."),
    value: arg.choices
      ? { kind: "choice", choices: [...arg.choices] }
      : { kind: arg.value ?? "any" },
  };
}

function commandOptions(spec: CommandSpec): CompletionOption[] {
  if (spec.path === "") {
    const root = launchFlags().map(([, flag]) => flag);
    return [VERSION_OPTION, ...root, HELP_OPTION].map(option);
  }
  if (!spec.handler) return [option(HELP_OPTION)];
  const common = launchFlags().filter(([key, flag]) =>
    flag.common === "always" ||
    (flag.common === "opt-in" && (spec.common as readonly string[] | undefined)?.includes(key))
  ).map(([, flag]) => ({ ...flag, description: flag.commonDescription ?? flag.description }));
  return [...common, ...(spec.options ?? []), HELP_OPTION].map(option);
}

/** Every command (depth first, root first) with its subcommands, options and arguments. */
export function insomniaCompletionModel(): CompletionCommand[] {
  return COMMANDS.map((spec) => {
    const subs = subcommandsOf(spec.path).map((s) => ({
      name: nameOf(s),
      description: s.description,
    }));
    // Groups and the root have a `help [command]` subcommand.
    const group = spec.path === "" || !spec.handler;
    return {
      path: spec.path,
      subcommands: group
        ? [...subs, { name: HELP_COMMAND.name, description: HELP_COMMAND.description }]
        : subs,
      options: commandOptions(spec),
      args: (spec.arguments ?? []).map(argument),
    };
  });
}
