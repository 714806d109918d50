/**
 * The root command's flags read straight from the flag table (src/app/launch_flags.ts), for the
 * two readers that must not wait for commander: the early start of an evaluation
 * (src/cli/early_eval.ts) and the plain root command (src/cli/run.ts), which then skips building
 * the commander program — ≈ 4 ms of every create and resume. Read by hand, not with `node:util`'s
 * `parseArgs`: that module costs ≈ 1.5 ms to load in the Bun binary.
 *
 * Only a command line whose meaning is beyond doubt is read here; anything else (help, version,
 * a subcommand or positional word, combined short flags, `--`, a value starting with `-`, two
 * flags that conflict, an unknown or malformed flag) is left to commander, which also owns every
 * usage message. tests/root_argv_test.ts checks that both readers agree on a corpus of lines.
 * @module
 */
import {
  HELP_OPTION,
  type LaunchFlag,
  launchFlags,
  type LaunchOptions,
  longOf,
  VERSION_OPTION,
} from "../app/launch_flags.ts";

type ParseOption = { type: "string" | "boolean"; short?: string };

/** The root command's options by long name (plus help and version), from the flag table. */
export function rootParseOptions(): Record<string, ParseOption> {
  const specs = [...launchFlags().map(([, spec]) => spec), HELP_OPTION, VERSION_OPTION];
  return Object.fromEntries(specs.map(({ flags }) => {
    const long = longOf(flags).slice(2);
    const short = /^-(\w),/.exec(flags)?.[1];
    const option: ParseOption = { type: flags.includes("<") ? "string" : "boolean" };
    return [long, short ? { ...option, short } : option];
  }));
}

/**
 * The root flags in `argv` by long name (`profile`, `no-cache`, …), read strictly from the flag
 * table: `--name`, `--name=value`, `--name value`, `-x` and `-x value`. Undefined for anything
 * else: a positional word (a subcommand), `--`, `-`, combined short flags, an unknown flag, a value
 * on a boolean flag, a missing value, or a separate value starting with `-` (commander reads
 * `--profile -x` differently). A repeated flag keeps its last value, as commander does.
 */
export function readRootFlags(
  argv: readonly string[],
): Record<string, string | boolean> | undefined {
  const options = rootParseOptions();
  const byShort = new Map(
    Object.entries(options).flatMap(([long, o]) => o.short ? [[o.short, long] as const] : []),
  );
  const values: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    let long: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith("--") && arg.length > 2) {
      const eq = arg.indexOf("=");
      long = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
    } else if (/^-[^-]$/.test(arg)) {
      long = byShort.get(arg[1]);
    }
    if (long === undefined || !Object.hasOwn(options, long)) return undefined;
    if (options[long].type === "boolean") {
      if (inline !== undefined) return undefined;
      values[long] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith("-"))) return undefined;
    values[long] = value;
  }
  return values;
}

/**
 * The options commander would hand the root command's action for `argv` (the same keys and
 * values), or undefined when `argv` is not a plain root command line (see the module doc).
 */
export function plainRootOptions(argv: readonly string[]): LaunchOptions | undefined {
  const values = readRootFlags(argv);
  if (values === undefined) return undefined;
  const byLong = new Map(launchFlags().map(([key, spec]) => [longOf(spec.flags).slice(2), key]));
  const options: Partial<Record<LaunchFlag, string | boolean>> = {};
  for (const [long, value] of Object.entries(values)) {
    const key = byLong.get(long);
    if (key === undefined) return undefined; // help or version
    // commander's name for `--no-cache` is `cache`, false when given.
    options[key] = long.startsWith("no-") ? !value : value;
  }
  const given = new Set(Object.keys(options));
  for (const [key, spec] of launchFlags()) {
    if (given.has(key) && spec.conflicts?.some((other) => given.has(other))) return undefined;
  }
  return options as LaunchOptions;
}
