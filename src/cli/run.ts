/**
 * Runs the CLI: parses argv, dispatches to a command module (imported lazily), prints the result,
 * and maps every failure to `error[<code>]` (or a `--json` error object) and an exit status.
 * @module
 */
import process from "node:process";
import { isTerminal } from "./terminal.ts";
import type { Command, CommanderError } from "npm:commander@15.1.0";
import { distance } from "npm:fastest-levenshtein@1.0.16";
import { takeEarlyInterrupt } from "../interrupt.ts";
import { commitVersionCache } from "../nix/version_cache.ts";
import { commitEvalCache } from "../nix/eval_cache.ts";
import { oneLine } from "../terminal_text.ts";
import { InsomniaError, toInsomniaError } from "../errors.ts";
import { plainRootOptions } from "./root_argv.ts";
import { COMMAND_NAMES, commandAt } from "./command_list.ts";
import type { CliContext, CommandHandler } from "./context.ts";
import { printError, writeErr, writeJson, writeOut, writeOutRaw } from "./output.ts";
import { takePrestartSignal } from "../nix/prestart.ts";
import { registerKnownSecrets } from "../secrets/resolve_secret.ts";
import { concatBytes, decodeUtf8 } from "../fs/read_bounded.ts";
import { relativePathVariable } from "../env.ts";
import { mark } from "../timing.ts";

async function handlerFor(command: string): Promise<CommandHandler> {
  const load = commandAt(command)?.handler;
  if (!load) throw new InsomniaError("internal", `no handler for command ${command}`);
  return await load();
}

/**
 * All of stdin as strict UTF-8 text, reading at most `maxBytes` (+1 to notice more): a larger
 * input is a `usage` error (`details.reason` = `too_large`) and stops the read, so `yes |` cannot
 * exhaust memory. Rejects with `cancelled` when `signal` fires first (Ctrl-C while waiting).
 */
function readStdin(signal: AbortSignal, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let total = 0;
    const stop = (error: InsomniaError) => {
      signal.removeEventListener("abort", onAbort);
      process.stdin.removeAllListeners("data");
      process.stdin.pause();
      reject(error);
    };
    const onAbort = () =>
      stop(new InsomniaError("cancelled", "interrupted while reading stdin; nothing was written."));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    process.stdin.on("data", (chunk: Uint8Array | string) => {
      const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk;
      total += bytes.length;
      if (total > maxBytes) {
        return stop(
          new InsomniaError(
            "usage",
            `stdin holds more than ${maxBytes} bytes, the most this command reads; nothing was ` +
              "written.",
            { reason: "too_large", maxBytes },
          ),
        );
      }
      chunks.push(bytes);
    });
    process.stdin.on("end", () => {
      signal.removeEventListener("abort", onAbort);
      const text = decodeUtf8(concatBytes(chunks));
      if (text !== undefined) return resolve(text);
      reject(
        new InsomniaError("usage", "stdin is not valid UTF-8 text; nothing was written.", {
          reason: "not_utf8",
        }),
      );
    });
    process.stdin.on("error", (error) =>
      stop(
        new InsomniaError("usage", `cannot read stdin: ${error.message}; nothing was written.`),
      ));
  });
}

function usageMessage(error: CommanderError, argv: string[]): string {
  let text = error.message.replace(/^error: /, "").replace(/\s+/g, " ").trim();
  const first = argv.find((a) => !a.startsWith("-"));
  const commands = COMMAND_NAMES;
  if (error.code === "commander.excessArguments" && first && !commands.includes(first)) {
    text = unknownCommand(first);
  }
  // One wording for every suggestion, commander's included: "… Did you mean `x`?"
  text = text.replace(/\.?\s*\((?:d|D)id you mean ([^)?]+)\?\)/, ". Did you mean `$1`?");
  return `${endSentence(text)} Run \`insomnia-pod --help\` for usage.`;
}

/**
 * Version of every `--json` success document (a top-level `"format"` field, first); bumped when a
 * command's shape changes incompatibly. Errors are always `{"error":{"code","message",…}}`.
 */
const JSON_FORMAT = "insomnia.cli.v1";

function withFormat(json: unknown): unknown {
  return json !== null && typeof json === "object" && !Array.isArray(json)
    ? { format: JSON_FORMAT, ...json }
    : json;
}

/** `text` ending in one full stop or question mark. */
function endSentence(text: string): string {
  return /[.?]$/.test(text) ? text : `${text}.`;
}

/** `unknown command 'x'` with the one did-you-mean wording. */
function unknownCommand(name: string): string {
  const hint = COMMAND_NAMES.find((c) => distance(c, name) <= 2);
  return `unknown command '${name}'${hint ? `. Did you mean \`${hint}\`?` : ""}`;
}

/** The usage error of a command group (`insomnia-pod profiles`) run without a subcommand. */
function missingSubcommand(group: Command): InsomniaError {
  const names: string[] = [];
  for (let c: Command | null = group; c?.parent; c = c.parent) names.unshift(c.name());
  const path = names.join(" ");
  const subs = group.commands.map((c) => c.name());
  const list = subs.length > 1
    ? `${subs.slice(0, -1).join(", ")} or ${subs[subs.length - 1]}`
    : subs.join("");
  return new InsomniaError(
    "usage",
    `\`insomnia-pod ${path}\` needs a subcommand: ${list}, for example ` +
      `\`insomnia-pod ${path} ${subs[0]}\`. Run \`insomnia-pod ${path} --help\` for usage.`,
    { command: path, subcommands: subs },
  );
}

/** Runs insomnia-pod with `argv` (without the executable) and returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  // `help pods rm` means `pods rm --help` (commander's help command takes one word only).
  if (argv[0] === "help" && argv.length > 2 && commandAt(argv.slice(1).join(" "))) {
    argv = [...argv.slice(1), "--help"];
  }
  // stdout and stderr are guarded (EPIPE) by their first write: a run that writes nothing to
  // stderr never makes its stream (≈ 1 ms in Bun); the progress spinner guards its own.
  const json = argv.includes("--json");
  registerKnownSecrets(process.env);
  const controller = new AbortController();
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  // Ctrl-C while the CLI was still loading: nothing has started, so nothing starts.
  if (takeEarlyInterrupt() || takePrestartSignal()) {
    process.off("SIGINT", onSigint);
    printError(
      new InsomniaError(
        "cancelled",
        "interrupted before the command started; nothing was written.",
      ),
      json,
    );
    return 130;
  }
  let exitCode = 0;
  const runCommand = async (command: string, opts: Record<string, unknown>, args: string[]) => {
    const quiet = Boolean(opts.quiet);
    const ctx: CliContext = {
      env: process.env,
      cwd: process.cwd(),
      json: Boolean(opts.json),
      quiet,
      // isTerminal, not process.stdin.isTTY: reading that property makes the stdin stream.
      interactive: isTerminal(0) && isTerminal(2),
      columns: isTerminal(1) ? process.stdout.columns : undefined,
      readStdin: (maxBytes) => readStdin(controller.signal, maxBytes),
      // A note is one line: text from a file cannot start a line of its own (D12).
      note: (line) => {
        if (!quiet) writeErr(oneLine(line));
      },
      signal: controller.signal,
    };
    mark("arguments parsed");
    const relative = relativePathVariable(ctx.env);
    if (relative) {
      throw new InsomniaError(
        "usage",
        `${relative.name} is the relative path ${JSON.stringify(relative.value)}; set it to an ` +
          "absolute path (a relative one would depend on the directory insomnia-pod runs in).",
        { variable: relative.name },
      );
    }
    const handler = await handlerFor(command);
    mark("command module loaded");
    const output = await handler(opts, args, ctx);
    mark("command done");
    if (ctx.json) writeJson(output.document ? output.json : withFormat(output.json));
    else writeOut(output.human);
    exitCode = output.exitCode ?? 0;
  };
  // A plain root command line (a create or a resume) needs no commander program (root_argv.ts).
  const plain = plainRootOptions(argv);
  // commander writes help to stderr only when a command group is run without a subcommand.
  let groupHelp: { command: Command; text: string } | undefined;
  // With --json, what commander prints (help or the version) waits: the version becomes JSON.
  let held = "";
  let isCommanderError = (_error: unknown): _error is CommanderError => false;
  try {
    if (plain) await runCommand("", plain as Record<string, unknown>, []);
    else {
      const { buildProgram, needsSubcommands } = await import("./program.ts");
      const { CommanderError } = await import("npm:commander@15.1.0");
      isCommanderError = (error): error is CommanderError => error instanceof CommanderError;
      const program = buildProgram(runCommand, needsSubcommands(argv));
      // commander copies output settings only into commands created afterwards: set them all.
      const configure = (cmd: Command) => {
        cmd.configureOutput({
          writeOut: (text) => json ? (held += text) : writeOutRaw(text),
          writeErr: (text) => (groupHelp = { command: cmd, text }),
          outputError: () => {},
        });
        cmd.commands.forEach(configure);
      };
      configure(program);
      await program.parseAsync(argv, { from: "user" });
    }
    if (held) writeOutRaw(held);
    // A failed run writes nothing, not even a cache.
    if (exitCode === 0) {
      commitVersionCache();
      commitEvalCache();
    }
    return exitCode;
  } catch (error) {
    if (isCommanderError(error) && interrupted) {
      printError(new InsomniaError("cancelled", "interrupted; nothing was written."), json);
      return 130;
    }
    if (isCommanderError(error) && error.code === "commander.version" && json) {
      writeJson(withFormat({ version: held.trim() }));
      return 0;
    }
    if (held) writeOutRaw(held); // help stays text, --json or not
    if (isCommanderError(error)) {
      if (["commander.helpDisplayed", "commander.version"].includes(error.code)) return 0;
      if (error.code === "commander.help") {
        // Help asked for (`profiles help`) went to stdout: success. Help commander printed
        // because a group got no subcommand went to stderr: a usage error.
        if (!groupHelp) return 0;
        if (!groupHelp.command.parent) {
          // `insomnia-pod help nosuch`: commander shows the root help on stderr.
          const name = argv[argv.indexOf("help") + 1] ?? "";
          printError(
            new InsomniaError(
              "usage",
              `help: ${
                endSentence(unknownCommand(name))
              } Run \`insomnia-pod help\` for the commands.`,
              { command: name },
            ),
            json,
          );
          return 2;
        }
        printError(missingSubcommand(groupHelp.command), json);
        if (!json) writeErr(`\n${groupHelp.text}`);
        return 2;
      }
      printError(new InsomniaError("usage", usageMessage(error, argv)), json);
      return 2;
    }
    let failure = toInsomniaError(error);
    if (interrupted && failure.code !== "cancelled" && failure.code !== "nix_eval_cancelled") {
      failure = new InsomniaError("cancelled", "interrupted; nothing was written.");
    }
    printError(failure, json);
    return failure.exitCode;
  } finally {
    process.off("SIGINT", onSigint);
  }
}
