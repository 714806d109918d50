/**
 * The commander program: flags, their relations (usage errors) and the commands. Command bodies
 * live in `src/cli/commands/` and are imported lazily, so a run loads only what it uses.
 * @module
 */
import { Command, Option } from "commander";
import { VERSION } from "../version.ts";

/** Options of the root (launch) command, as parsed. */
export interface RootOptions {
  profile?: string;
  profilePodName?: string;
  manifest?: string;
  manifestCascade?: boolean;
  project?: string;
  overlay?: string;
  pod?: string;
  session?: string;
  requirePodState?: boolean;
  reloadProfile?: boolean;
  yes?: boolean;
  checkSecrets?: boolean;
  dryRun?: boolean;
  json?: boolean;
  quiet?: boolean;
  store?: string;
  workspace?: string;
  evalTimeout?: string;
}

/** A command action: receives the merged options and positional arguments. */
export type Action = (opts: RootOptions & Record<string, unknown>, args: string[]) => Promise<void>;

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
Documentation: docs/cli.md`;

/** Adds the flags every subcommand accepts. */
function common(cmd: Command): Command {
  return cmd
    .option("--json", "print one JSON document on stdout")
    .option("-q, --quiet", "print only results")
    .option("-s, --store <dir>", "Pod store directory (default <data_dir>/sessions)")
    .option("--workspace <dir>", "directory the Pod is launched for (default: the cwd)")
    .option("--eval-timeout <duration>", "Nix evaluation limit (default 30s)")
    .exitOverride()
    .allowExcessArguments(false);
}

/** Names of the top-level subcommands. */
export const COMMAND_NAMES = [
  "profiles",
  "pods",
  "secrets",
  "new",
  "doctor",
  "completions",
  "schema",
] as const;

/**
 * Whether `argv` may address a subcommand (or ask for help). Building every subcommand costs a
 * few ms, so the common root-only runs (create, resume) skip it.
 */
export function needsSubcommands(argv: readonly string[]): boolean {
  return argv.some((a) =>
    (COMMAND_NAMES as readonly string[]).includes(a) || a === "-h" || a === "--help" || a === "help"
  );
}

/**
 * Builds the program; `run` receives (command path, options, args) for every command. With
 * `subcommands` false only the root command is defined (see {@link needsSubcommands}).
 */
export function buildProgram(
  run: (command: string, opts: Record<string, unknown>, args: string[]) => Promise<void>,
  subcommands = true,
): Command {
  const program = new Command("insomnia-pod")
    .description(
      "Resolve a Nix profile (or a TOML manifest) into a validated Pod manifest, record the Pod, and resume it from its snapshot.",
    )
    .version(VERSION, "-V, --version")
    .helpOption("-h, --help", "show help")
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .exitOverride()
    .allowExcessArguments(false)
    .enablePositionalOptions()
    .addHelpText("after", EXAMPLES);

  const profileConflicts = ["manifest", "manifestCascade", "project", "overlay", "pod", "session"];
  program
    .addOption(
      new Option(
        "--profile <selector>",
        "profile to create the Pod from (path, name, source:name, flake:ref#name, default)",
      )
        .conflicts(profileConflicts),
    )
    .addOption(new Option("--profile-pod-name <name>", "name of the new Pod (requires --profile)"))
    .addOption(
      new Option("--manifest <file>", "TOML manifest file, alone (compatibility path)").conflicts([
        "manifestCascade",
        "project",
        "overlay",
      ]),
    )
    .addOption(new Option("--manifest-cascade", "use the TOML cascade: user → project → --overlay"))
    .addOption(
      new Option(
        "--project <dir>",
        "start of the project-manifest walk (implies --manifest-cascade)",
      ),
    )
    .addOption(
      new Option(
        "--overlay <toml>",
        "inline TOML layer over the cascade (implies --manifest-cascade)",
      ),
    )
    .addOption(
      new Option(
        "--pod <name>",
        "resume this Pod from its snapshot (created from the TOML path if missing)",
      ).conflicts(["session"]),
    )
    .addOption(new Option("--session <id>", "resume the Pod that owns this session id"))
    .addOption(new Option("--require-pod-state", "with --pod: fail if the Pod does not exist"))
    .addOption(
      new Option(
        "--reload-profile",
        "with --pod: re-evaluate the recorded profile and show the changes",
      ),
    )
    .addOption(
      new Option("-y, --yes", "with --reload-profile: replace the snapshot without asking"),
    )
    .addOption(
      new Option(
        "--check-secrets",
        "verify every secret reference resolves (values never printed)",
      ),
    )
    .addOption(new Option("--dry-run", "resolve and print; write nothing"))
    .addOption(new Option("--json", "print one JSON document on stdout"))
    .addOption(new Option("-q, --quiet", "print only results"))
    .addOption(new Option("-s, --store <dir>", "Pod store directory (default <data_dir>/sessions)"))
    .addOption(
      new Option("--workspace <dir>", "directory the Pod is launched for (default: the cwd)"),
    )
    .addOption(
      new Option(
        "--eval-timeout <duration>",
        "Nix evaluation limit: 500ms, 2s, 1m or seconds (default 30s; env INSOMNIA_EVAL_TIMEOUT)",
      ),
    )
    .action((opts) => run("launch", opts, []));
  if (!subcommands) return program;

  const profiles = program.command("profiles").exitOverride().description(
    "discover, inspect, check and create profiles",
  );
  common(profiles.command("list")).description(
    "list every discovered profile, its source and the default",
  )
    .action((_o, cmd) => run("profiles list", cmd.optsWithGlobals(), []));
  common(profiles.command("show")).description("evaluate a profile and summarise what it grants")
    .argument("<selector>", "profile selector")
    .option("--manifest", "print the whole resolved manifest")
    .action((selector, _o, cmd) => run("profiles show", cmd.optsWithGlobals(), [selector]));
  common(profiles.command("check")).description(
    "evaluate and validate profiles (exit 1 if any fails)",
  )
    .argument("[selectors...]", "profile selectors (default: the default profile)")
    .option("--all", "check every discovered profile")
    .option("--check-secrets", "fail when a secret reference does not resolve")
    .action((selectors, _o, cmd) => run("profiles check", cmd.optsWithGlobals(), selectors));
  common(profiles.command("init")).description("write a new profile file and register it")
    .argument("<name>", "profile name")
    .addOption(
      new Option("--source <source>", "registry to register it in").choices(["project", "user"])
        .default("project"),
    )
    .option("--from <selector>", "start from this profile's settings")
    .option("--force", "overwrite an existing profile file")
    .action((name, _o, cmd) => run("profiles init", cmd.optsWithGlobals(), [name]));

  const pods = program.command("pods").exitOverride().description(
    "list, inspect, remove and export recorded Pods",
  );
  common(pods.command("list")).description("list recorded Pods").action((_o, cmd) =>
    run("pods list", cmd.optsWithGlobals(), [])
  );
  common(pods.command("show")).description("a Pod's provenance, fingerprint and history").argument(
    "<name>",
  )
    .action((name, _o, cmd) => run("pods show", cmd.optsWithGlobals(), [name]));
  common(pods.command("rm")).description("remove a Pod record").argument("<name>")
    .action((name, _o, cmd) => run("pods rm", cmd.optsWithGlobals(), [name]));
  common(pods.command("export")).description("write a Pod's snapshot as a portable artifact")
    .argument(
      "<name>",
    )
    .option("-o, --output <file>", "write to this file instead of stdout")
    .action((name, _o, cmd) => run("pods export", cmd.optsWithGlobals(), [name]));

  const secrets = program.command("secrets").exitOverride().description(
    "the local secret store (values never printed)",
  );
  common(secrets.command("set")).description("store a secret read from stdin").argument("<id>")
    .action((id, _o, cmd) => run("secrets set", cmd.optsWithGlobals(), [id]));
  common(secrets.command("list")).description("list stored secret ids").action((_o, cmd) =>
    run("secrets list", cmd.optsWithGlobals(), [])
  );
  common(secrets.command("rm")).description("remove a stored secret").argument("<id>")
    .action((id, _o, cmd) => run("secrets rm", cmd.optsWithGlobals(), [id]));

  common(program.command("new")).description("interactive New Pod dialog (needs a terminal)")
    .option(
      "--profile <selector>",
      "preselect this profile (name, source:name, path, flake:ref#name, default)",
    )
    .action((_o, cmd) => run("new", cmd.optsWithGlobals(), []));
  common(program.command("doctor")).description(
    "check Nix, registries, the default profile and the store",
  )
    .action((_o, cmd) => run("doctor", cmd.optsWithGlobals(), []));
  common(program.command("completions")).description("print a shell completion script")
    .addArgument(
      new Command().createArgument("<shell>", "bash, zsh or fish").choices(["bash", "zsh", "fish"]),
    )
    .action((shell, _o, cmd) => run("completions", cmd.optsWithGlobals(), [shell]));
  common(program.command("schema")).description(
    "print the JSON Schema of profile artifacts or manifests",
  )
    .option("--artifact", "the profile artifact (default)")
    .option("--manifest", "the partial manifest (TOML/JSON layer)")
    .option("--resolved", "the resolved runtime manifest (snapshots)")
    .action((_o, cmd) => run("schema", cmd.optsWithGlobals(), []));
  return program;
}
