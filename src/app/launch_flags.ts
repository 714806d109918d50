/**
 * The launch flags: ONE table of the root command's options — spelling, help text, what a value
 * completes to, and every relation between them. The commander program, the relation check, the
 * early start of an evaluation, the shell completions, the `--pod` resume warning and the New Pod
 * dialog's plan all read it; adding a root flag is one entry here (then use its value where it
 * matters). Data only: it is loaded before anything else (src/cli/early_eval.ts).
 * @module
 */

/** What the value of a flag or argument completes to in a shell. */
export type ValueKind = "any" | "file" | "dir" | "profile" | "pod" | "secret";

/** Which command form a flag selects (the default form creates a Pod from a profile). */
export type LaunchForm = "toml" | "resume" | "reload";

/** One flag of the table. `K` is the union of the table's keys (relations name other flags). */
export interface FlagSpec<K extends string = string> {
  /** commander's spelling: `--name`, `-s, --name <value>`; a `<value>` makes it a string flag. */
  readonly flags: string;
  /** Help text (of the root command). */
  readonly description: string;
  /** What its value completes to (default `any`); only for flags with a `<value>`. */
  readonly value?: ValueKind;
  /** Flags it cannot be given with (commander's own check and message). */
  readonly conflicts?: readonly K[];
  /** A flag it needs: `option 'A' requires 'B'.` */
  readonly requires?: K;
  /** The flag it modifies: `option 'A' only applies to 'B'.` */
  readonly appliesTo?: K;
  /** Flags it refuses, with the reason: `option 'A' <reason>.` (an empty value counts as absent). */
  readonly excludes?: { readonly flags: readonly K[]; readonly reason: string };
  /** A flag it turns on (for what the command does, not for the relation checks). */
  readonly implies?: K;
  /** The command form it selects. */
  readonly form?: LaunchForm;
  /**
   * Also an option of subcommands: `always` (every subcommand), or `opt-in` (those that list it).
   * Any other flag belongs to the root command, and a subcommand refuses it before its name.
   */
  readonly common?: "always" | "opt-in";
  /** Help text on subcommands, when it differs from {@link description}. */
  readonly commonDescription?: string;
}

const MANIFEST_FLAGS = ["manifest", "manifestCascade", "project", "overlay"] as const;

/** The root command's flags, in help order. Keys are the parsed option names. */
const LAUNCH_FLAGS = {
  profile: {
    flags: "--profile <selector>",
    description:
      "profile to create the Pod from (path, name, source:name, flake:ref#name, default)",
    value: "profile",
    conflicts: [...MANIFEST_FLAGS, "pod", "session"],
  },
  profilePodName: {
    flags: "--profile-pod-name <name>",
    description: "name of the new Pod (requires --profile)",
    requires: "profile",
  },
  manifest: {
    flags: "--manifest <file>",
    description: "TOML manifest file, alone (compatibility path)",
    value: "file",
    conflicts: ["manifestCascade", "project", "overlay"],
    form: "toml",
  },
  manifestCascade: {
    flags: "--manifest-cascade",
    description: "use the TOML cascade: user → project → --overlay",
    form: "toml",
  },
  project: {
    flags: "--project <dir>",
    description: "start of the project-manifest walk (implies --manifest-cascade)",
    value: "dir",
    implies: "manifestCascade",
    form: "toml",
  },
  overlay: {
    flags: "--overlay <toml>",
    description: "inline TOML layer over the cascade (implies --manifest-cascade)",
    implies: "manifestCascade",
    form: "toml",
  },
  pod: {
    flags: "--pod <name>",
    description:
      "resume this Pod from its snapshot (with --manifest-cascade or --manifest: created if missing)",
    value: "pod",
    conflicts: ["session"],
    form: "resume",
  },
  session: {
    flags: "--session <id>",
    description: "resume the Pod that owns this session id",
    excludes: {
      flags: MANIFEST_FLAGS,
      reason: "resumes from the stored snapshot; it takes no manifest options",
    },
    form: "resume",
  },
  requirePodState: {
    flags: "--require-pod-state",
    description: "with --pod: fail if the Pod does not exist",
    requires: "pod",
  },
  reloadProfile: {
    flags: "--reload-profile",
    description: "with --pod: re-evaluate the recorded profile and show the changes",
    requires: "pod",
    excludes: {
      flags: MANIFEST_FLAGS,
      reason: "re-evaluates the Pod's recorded profile; it takes no manifest options",
    },
    form: "reload",
  },
  yes: {
    flags: "-y, --yes",
    description: "with --reload-profile: replace the snapshot without asking",
    appliesTo: "reloadProfile",
  },
  checkSecrets: {
    flags: "--check-secrets",
    description: "verify every secret reference resolves (values never printed)",
  },
  impureEval: {
    flags: "--impure-eval",
    description:
      "evaluate the profile without the sandbox (it may then read any file and the network)",
  },
  // commander's name for `--no-cache` is `cache` (false when given, unset otherwise).
  cache: {
    flags: "--no-cache",
    description: "evaluate with Nix even when the evaluation cache holds the result",
    common: "opt-in",
  },
  trust: {
    flags: "--trust",
    description:
      "trust every project for this run (throw-away CI machines; see `insomnia-pod trust`)",
    common: "opt-in",
  },
  dryRun: { flags: "--dry-run", description: "resolve and print; write nothing" },
  json: { flags: "--json", description: "print one JSON document on stdout", common: "always" },
  quiet: { flags: "-q, --quiet", description: "print only results", common: "always" },
  store: {
    flags: "-s, --store <dir>",
    description: "Pod store directory (default <data_dir>/sessions)",
    value: "dir",
    common: "opt-in",
  },
  workspace: {
    flags: "--workspace <dir>",
    description: "directory the Pod is launched for (default: the cwd)",
    value: "dir",
    common: "opt-in",
  },
  evalTimeout: {
    flags: "--eval-timeout <duration>",
    description:
      "Nix evaluation limit: 500ms, 2s, 1m or seconds (default 30s; env INSOMNIA_EVAL_TIMEOUT)",
    common: "opt-in",
    commonDescription: "Nix evaluation limit (default 30s)",
  },
} as const satisfies Record<string, FlagSpec>;

/** A key of {@link LAUNCH_FLAGS}. */
export type LaunchFlag = keyof typeof LAUNCH_FLAGS;

/**
 * Flags that only matter when `--pod NAME` creates the Pod, in the order the warning names them
 * when the Pod exists and resumes instead.
 */
export const CREATION_ONLY_FLAGS = [
  "manifest",
  "manifestCascade",
  "project",
  "overlay",
  "workspace",
  "checkSecrets",
] as const satisfies readonly LaunchFlag[];

/** The built-in help and version options (commander's), for the program and the completions. */
export const HELP_OPTION = { flags: "-h, --help", description: "show help" } as const;
/** The help subcommand commander adds to a command group (`insomnia-pod pods help rm`). */
export const HELP_COMMAND = {
  syntax: "help [command]",
  name: "help",
  description: "display help for command",
} as const;
/** See {@link HELP_OPTION}; only the root command has it. */
export const VERSION_OPTION = {
  flags: "-V, --version",
  description: "output the version number",
} as const;

type FlagValue<F> = F extends { flags: `${string}<${string}>` } ? string : boolean;

/** The root command's options as parsed: one optional field per flag of {@link LAUNCH_FLAGS}. */
export type LaunchOptions = {
  -readonly [K in LaunchFlag]?: FlagValue<(typeof LAUNCH_FLAGS)[K]>;
};

/** The table's entries, in help order. */
export function launchFlags(): Array<[LaunchFlag, FlagSpec<LaunchFlag>]> {
  return Object.entries(LAUNCH_FLAGS) as Array<[LaunchFlag, FlagSpec<LaunchFlag>]>;
}

/** The long spelling in a commander spelling: `-s, --store <dir>` → `--store`. */
export function longOf(flags: string): string {
  return /--[\w-]+/.exec(flags)![0];
}

/** The long spelling of a flag of the table (`--dry-run`). */
export function longFlag(flag: LaunchFlag): string {
  return longOf(LAUNCH_FLAGS[flag].flags);
}

/** A flag as the relation messages name it: the long spelling and its value (`--pod <name>`). */
export function flagUsage(flag: LaunchFlag): string {
  const value = /<[^>]+>/.exec(LAUNCH_FLAGS[flag].flags)?.[0];
  return value ? `${longFlag(flag)} ${value}` : longFlag(flag);
}

/** Whether a flag was given (a parsed value that is neither absent nor false). */
export function given(options: LaunchOptions, flag: LaunchFlag): boolean {
  return options[flag] !== undefined && options[flag] !== false;
}

/** Whether `flag` is on (a non-empty value), directly or through a flag that implies it. */
export function isOn(options: LaunchOptions, flag: LaunchFlag): boolean {
  return Boolean(options[flag]) ||
    launchFlags().some(([key, spec]) => spec.implies === flag && Boolean(options[key]));
}
