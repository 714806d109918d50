/**
 * What a command handler receives and returns. Handlers never print: they return a
 * {@link CommandOutput} and the CLI prints it as JSON (`--json`) or as human text.
 * @module
 */
import type { Env } from "../env.ts";

/** Process-level inputs a command may use. */
export interface CliContext {
  /** Environment (explicit so tests and the library can pass their own). */
  env: Env;
  /** Current working directory. */
  cwd: string;
  /** `--json` was given. */
  json: boolean;
  /** `--quiet` was given: print only results. */
  quiet: boolean;
  /** stdin and stderr are terminals (interactive prompts and spinners allowed). */
  interactive: boolean;
  /** Width of stdout when it is a terminal (tables are fitted to it); undefined otherwise. */
  columns?: number;
  /**
   * Reads all of stdin as UTF-8 text (for values that must never come from argv); more than
   * `maxBytes` bytes is a `usage` error with `details.reason` `too_large`.
   */
  readStdin(maxBytes: number): Promise<string>;
  /** Writes a progress/diagnostic line to stderr (suppressed by `--quiet`, never secrets). */
  note(line: string): void;
  /** Cancelled by Ctrl-C; long operations (nix eval) must honour it. */
  signal: AbortSignal;
}

/** What a command produced. */
export interface CommandOutput {
  /** Object printed with `--json` (one JSON document on stdout). */
  json: unknown;
  /** Text printed without `--json`. */
  human: string;
  /**
   * The JSON is a document of its own format (a JSON Schema, a profile artifact): printed as is,
   * without the CLI's top-level `"format"` field.
   */
  document?: boolean;
  /** Exit status (default 0); e.g. `profiles check` returns 1 when a profile fails. */
  exitCode?: number;
}

/** A command's implementation: parsed options, positional arguments, the context. */
export type CommandHandler = (
  opts: Record<string, unknown>,
  args: string[],
  ctx: CliContext,
) => Promise<CommandOutput>;
