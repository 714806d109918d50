/**
 * The command list: every command once — its path, help, arguments, its own options, the common
 * flags it takes and where its handler lives (imported only when it runs). The commander program
 * (src/cli/program.ts), the dispatch (src/cli/run.ts) and the shell completions
 * (src/cli/completions/) are built from it; the root command's options are the flag table
 * (src/app/launch_flags.ts).
 * @module
 */
import type { LaunchFlag, ValueKind } from "../app/launch_flags.ts";
import type { CommandHandler } from "./context.ts";

/** A common flag that only some subcommands take (`--json` and `-q` are on every command). */
export type CommonFlag = Extract<
  LaunchFlag,
  "store" | "workspace" | "evalTimeout" | "trust" | "cache"
>;

/** A positional argument. */
export interface ArgumentSpec {
  /** commander's spelling: `<name>`, `[selectors...]`. */
  readonly syntax: string;
  /** Help text. */
  readonly description?: string;
  /** The only values allowed. */
  readonly choices?: readonly string[];
  /** What it completes to (default `any`). */
  readonly value?: ValueKind;
}

/** An option of one subcommand. */
export interface OptionSpec {
  /** commander's spelling: `--all`, `-o, --output <file>`. */
  readonly flags: string;
  /** Help text. */
  readonly description: string;
  /** The only values allowed. */
  readonly choices?: readonly string[];
  /** The value when it is not given. */
  readonly default?: string;
  /** What its value completes to (default `any`). */
  readonly value?: ValueKind;
}

/** One command; a command without a handler is a group of subcommands. */
export interface CommandSpec {
  /** Words after `insomnia-pod`: `""` (the root), `profiles`, `profiles show`, … */
  readonly path: string;
  /** Help text. */
  readonly description: string;
  /** Positional arguments. */
  readonly arguments?: readonly ArgumentSpec[];
  /** Its own options (after the common ones in help). */
  readonly options?: readonly OptionSpec[];
  /** The common flags it takes besides `--json` and `-q`. */
  readonly common?: readonly CommonFlag[];
  /** Example command lines and what each does, shown under its help (every subcommand has some). */
  readonly examples?: readonly (readonly [string, string])[];
  /** Loads its handler. */
  readonly handler?: () => Promise<CommandHandler>;
}

const RUN = ["workspace", "evalTimeout", "trust", "cache"] as const;

/** Shells `completions` writes a script for. */
export const SHELLS = ["bash", "zsh", "fish"] as const;

/** Every command, parents before their subcommands, in help order. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    path: "",
    description:
      "Resolve a Nix profile (or a TOML manifest) into a validated Pod manifest, record the Pod, and resume it from its snapshot.",
    handler: async () => (await import("./commands/launch.ts")).launch,
  },
  { path: "profiles", description: "discover, inspect, check and create profiles" },
  {
    path: "profiles list",
    examples: [["insomnia-pod profiles list", "every profile; * marks the default"], [
      "insomnia-pod profiles list --json",
      "the same as JSON",
    ]],
    description: "list every discovered profile, its source and the default",
    handler: async () => (await import("./commands/profiles_list.ts")).listProfiles,
  },
  {
    path: "profiles show",
    examples: [["insomnia-pod profiles show coder", "what profile coder grants"], [
      "insomnia-pod profiles show ./dev.nix --manifest",
      "the whole resolved manifest",
    ]],
    description: "evaluate a profile and summarise what it grants",
    arguments: [{ syntax: "<selector>", description: "profile selector", value: "profile" }],
    options: [{ flags: "--manifest", description: "print the whole resolved manifest" }],
    common: RUN,
    handler: async () => (await import("./commands/profiles.ts")).profilesShow,
  },
  {
    path: "profiles check",
    examples: [["insomnia-pod profiles check --all", "evaluate every profile (CI)"], [
      "insomnia-pod profiles check coder --check-secrets",
      "also require its secrets",
    ], ["insomnia-pod profiles check --frozen", "fail if any Pod's profile inputs changed (CI)"]],
    description: "evaluate and validate profiles (exit 1 if any fails)",
    arguments: [{
      syntax: "[selectors...]",
      description: "profile selectors (default: the default profile)",
      value: "profile",
    }],
    options: [
      { flags: "--all", description: "check every discovered profile" },
      { flags: "--check-secrets", description: "fail when a secret reference does not resolve" },
      {
        flags: "--frozen",
        description:
          "fail when any Pod's profile inputs changed since its snapshot (alone: no evaluation)",
      },
    ],
    common: ["store", ...RUN],
    handler: async () => (await import("./commands/profiles.ts")).profilesCheck,
  },
  {
    path: "profiles init",
    examples: [[
      "insomnia-pod profiles init dev",
      "write .insomnia/profiles/dev.nix and register it",
    ], ["insomnia-pod profiles init dev --from builtin:coder", "start from the coder profile"]],
    description: "write a new profile file and register it",
    arguments: [{ syntax: "<name>", description: "profile name" }],
    options: [
      {
        flags: "--source <source>",
        description: "registry to register it in",
        choices: ["project", "user"],
        default: "project",
      },
      {
        flags: "--from <selector>",
        description: "start from this profile's settings",
        value: "profile",
      },
      { flags: "--force", description: "overwrite an existing profile file" },
    ],
    common: RUN,
    handler: async () => (await import("./commands/profiles_init.ts")).initProfile,
  },
  {
    path: "profiles default",
    examples: [["insomnia-pod profiles default", "show the default profile"], [
      "insomnia-pod profiles default dev",
      "make dev the user default",
    ], ["insomnia-pod profiles default dev --project", "make it the project's default"]],
    description: "show the default profile, or set it (user registry; --project: the project's)",
    arguments: [{
      syntax: "[name]",
      description: "profile to make the default (must resolve)",
      value: "profile",
    }],
    options: [{
      flags: "--project",
      description: "set it in the project's .insomnia/manifest.toml",
    }],
    handler: async () => (await import("./commands/profiles_edit.ts")).profilesDefault,
  },
  {
    path: "profiles rm",
    examples: [["insomnia-pod profiles rm dev", "unregister dev (the file stays)"], [
      "insomnia-pod profiles rm dev --delete",
      "also delete its file",
    ]],
    description: "unregister a user or project profile (its file stays unless --delete)",
    arguments: [{ syntax: "<name>", description: "registered profile name", value: "profile" }],
    options: [
      {
        flags: "--source <source>",
        description: "registry to remove it from (default: where it is registered)",
        choices: ["project", "user"],
      },
      { flags: "--delete", description: "also delete the profile file" },
    ],
    handler: async () => (await import("./commands/profiles_edit.ts")).profilesRm,
  },
  { path: "pods", description: "list, inspect, remove and export recorded Pods" },
  {
    path: "pods list",
    examples: [["insomnia-pod pods list", "every recorded Pod"]],
    description: "list recorded Pods",
    common: ["store"],
    handler: async () => (await import("./commands/pods.ts")).podsList,
  },
  {
    path: "pods show",
    examples: [[
      "insomnia-pod pods show coder",
      "provenance, fingerprint and history of Pod coder",
    ]],
    description: "a Pod's provenance, fingerprint and history",
    arguments: [{ syntax: "<name>", value: "pod" }],
    common: ["store"],
    handler: async () => (await import("./commands/pods.ts")).podsShow,
  },
  {
    path: "pods rm",
    examples: [["insomnia-pod pods rm old-1 old-2", "remove two Pods (asks on a terminal)"], [
      "insomnia-pod pods rm old-1 --dry-run",
      "show what would be removed",
    ], ["insomnia-pod pods rm old-1 --yes", "remove without asking"]],
    description: "remove Pod records with their snapshots and history (asks on a terminal)",
    arguments: [{ syntax: "<names...>", value: "pod" }],
    options: [
      { flags: "-y, --yes", description: "remove without asking" },
      { flags: "--dry-run", description: "show what would be removed; remove nothing" },
    ],
    common: ["store"],
    handler: async () => (await import("./commands/pods.ts")).podsRm,
  },
  {
    path: "pods export",
    examples: [["insomnia-pod pods export coder -o coder.json", "write a portable artifact"], [
      "insomnia-pod --profile path:coder.json",
      "create a Pod from it elsewhere",
    ]],
    description: "write a Pod's snapshot as a portable artifact",
    arguments: [{ syntax: "<name>", value: "pod" }],
    options: [{
      flags: "-o, --output <file>",
      description: "write to this file instead of stdout",
      value: "file",
    }],
    common: ["store"],
    handler: async () => (await import("./commands/pods.ts")).podsExport,
  },
  { path: "secrets", description: "the local secret store (values never printed)" },
  {
    path: "secrets set",
    examples: [[
      'printf %s "$KEY" | insomnia-pod secrets set llm.anthropic.default',
      "store a key (read from stdin)",
    ]],
    description: "store a secret read from stdin",
    arguments: [{ syntax: "<id>" }],
    handler: async () => {
      const { secretsSet } = await import("./commands/secrets.ts");
      return (_opts, args, ctx) => secretsSet(args[0], ctx);
    },
  },
  {
    path: "secrets list",
    examples: [["insomnia-pod secrets list", "stored ids (never values)"]],
    description: "list stored secret ids",
    handler: async () => {
      const { secretsList } = await import("./commands/secrets.ts");
      return (_opts, _args, ctx) => secretsList(ctx);
    },
  },
  {
    path: "secrets rm",
    examples: [["insomnia-pod secrets rm llm.anthropic.default", "remove a stored secret"]],
    description: "remove a stored secret",
    arguments: [{ syntax: "<id>", value: "secret" }],
    handler: async () => {
      const { secretsRm } = await import("./commands/secrets.ts");
      return (_opts, args, ctx) => secretsRm(args[0], ctx);
    },
  },
  {
    path: "new",
    examples: [["insomnia-pod new", "pick a profile and create a Pod"], [
      "insomnia-pod new --profile coder",
      "start with coder selected",
    ]],
    description: "interactive New Pod dialog (needs a terminal)",
    options: [{
      flags: "--profile <selector>",
      description: "preselect this profile (name, source:name, path, flake:ref#name, default)",
      value: "profile",
    }],
    common: ["store", ...RUN],
    handler: async () => (await import("./commands/new_pod.ts")).newPodCommand,
  },
  {
    path: "trust",
    examples: [
      ["insomnia-pod trust", "trust this project's profiles (after reviewing .insomnia/)"],
      [
        "insomnia-pod trust --list",
        "every trusted project and whether it changed since",
      ],
    ],
    description: "trust a project's profiles and settings, as they are now",
    arguments: [{
      syntax: "[dir]",
      description: "a directory of the project (default: the current one)",
      value: "dir",
    }],
    options: [{ flags: "--list", description: "list the trusted projects" }],
    handler: async () => (await import("./commands/trust.ts")).trustCommand,
  },
  {
    path: "untrust",
    examples: [["insomnia-pod untrust", "stop trusting this project"]],
    description: "stop trusting a project",
    arguments: [{
      syntax: "[dir]",
      description: "a directory of the project, or a trusted root (default: the current one)",
      value: "dir",
    }],
    handler: async () => (await import("./commands/trust.ts")).untrustCommand,
  },
  {
    path: "doctor",
    examples: [["insomnia-pod doctor", "check Nix, registries, the default and the store"]],
    description: "check Nix, registries, the default profile and the store",
    common: ["store", ...RUN],
    handler: async () => (await import("./commands/doctor.ts")).doctor,
  },
  {
    path: "completions",
    examples: [[
      "insomnia-pod completions bash > ~/.local/share/bash-completion/completions/insomnia-pod",
      "install bash completions",
    ]],
    description: "print a shell completion script",
    arguments: [{ syntax: "<shell>", description: "bash, zsh or fish", choices: SHELLS }],
    handler: async () => (await import("./commands/completions.ts")).completions,
  },
  {
    path: "schema",
    examples: [["insomnia-pod schema --manifest", "every field of a TOML/JSON manifest layer"], [
      "insomnia-pod schema --resolved",
      "a resolved manifest (snapshots)",
    ]],
    description: "print the JSON Schema of profile artifacts or manifests",
    options: [
      { flags: "--artifact", description: "the profile artifact (default)" },
      { flags: "--manifest", description: "the partial manifest (TOML/JSON layer)" },
      { flags: "--resolved", description: "the resolved runtime manifest (snapshots)" },
    ],
    handler: async () => (await import("./commands/schema.ts")).schema,
  },
];

/** The command at `path`; undefined when there is none. */
export function commandAt(path: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.path === path);
}

/** The direct subcommands of `path`. */
export function subcommandsOf(path: string): CommandSpec[] {
  return COMMANDS.filter((c) =>
    c.path !== "" &&
    (path === ""
      ? !c.path.includes(" ")
      : c.path.startsWith(`${path} `) && !c.path.slice(path.length + 1).includes(" "))
  );
}

/** The last word of a command's path: its name. */
export function nameOf(spec: CommandSpec): string {
  return spec.path.slice(spec.path.lastIndexOf(" ") + 1);
}

/** Names of the top-level subcommands. */
export const COMMAND_NAMES: readonly string[] = subcommandsOf("").map(nameOf);
