/**
 * The root command's flags read straight from the flag table (src/app/launch_flags.ts) with
 * `node:util`'s `parseArgs`, for the two readers that must not wait for commander: the early start
 * of an evaluation (src/cli/early_eval.ts) and the plain root command (src/cli/run.ts), which then
 * skips building the commander program — ≈ 4 ms of every create and resume.
 *
 * Only a command line whose meaning is beyond doubt is read here; anything else (help, version,
 * a subcommand or positional word, combined short flags, `--`, a value starting with `-`, two
 * flags that conflict, an unknown or malformed flag) is left to commander, which also owns every
 * usage message. tests/root_argv_test.ts checks that both readers agree on a corpus of lines.
 * @module
 */
import { parseArgs } from "node:util";
import {
  HELP_OPTION,
  type LaunchFlag,
  launchFlags,
  type LaunchOptions,
  longOf,
  VERSION_OPTION,
} from "../app/launch_flags.ts";

type ParseOption = { type: "string" | "boolean"; short?: string };

/** The root command's options as `parseArgs` options (plus help and version); from the flag table. */
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
 * The options commander would hand the root command's action for `argv` (the same keys and
 * values), or undefined when `argv` is not a plain root command line (see the module doc).
 */
export function plainRootOptions(argv: readonly string[]): LaunchOptions | undefined {
  const shortFlags = new Set(
    Object.values(rootParseOptions()).flatMap((o) => o.short ? [`-${o.short}`] : []),
  );
  // Long flags, `--flag=value`, single short flags and values; nothing commander reads otherwise.
  if (argv.some((a) => a === "--" || a === "-" || (/^-[^-]/.test(a) && !shortFlags.has(a)))) {
    return undefined;
  }
  let values: Record<string, string | boolean | undefined>;
  let tokens: Array<{ kind: string; inlineValue?: boolean; value?: string }>;
  try {
    ({ values, tokens } = parseArgs({
      args: [...argv],
      options: rootParseOptions(),
      strict: true,
      allowPositionals: false,
      tokens: true,
    }) as unknown as {
      values: Record<string, string | boolean | undefined>;
      tokens: Array<{ kind: string; inlineValue?: boolean; value?: string }>;
    });
  } catch {
    return undefined;
  }
  // `--profile -x`: commander reads that differently (and a runtime without tokens: commander).
  if (
    !Array.isArray(tokens) ||
    tokens.some((t) => t.kind === "option" && !t.inlineValue && t.value?.startsWith("-"))
  ) {
    return undefined;
  }
  const byLong = new Map(launchFlags().map(([key, spec]) => [longOf(spec.flags).slice(2), key]));
  const options: Partial<Record<LaunchFlag, string | boolean>> = {};
  for (const [long, value] of Object.entries(values)) {
    const key = byLong.get(long);
    if (key === undefined || value === undefined) return undefined; // help or version
    // commander's name for `--no-cache` is `cache`, false when given.
    options[key] = long.startsWith("no-") ? !value : value;
  }
  const given = new Set(Object.keys(options));
  for (const [key, spec] of launchFlags()) {
    if (given.has(key) && spec.conflicts?.some((other) => given.has(other))) return undefined;
  }
  return options as LaunchOptions;
}
