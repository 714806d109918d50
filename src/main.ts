/**
 * insomnia-pod CLI entry: `deno run -A src/main.ts …` (or the compiled binary).
 * @module
 */
// The only static import: from here on a Ctrl-C while the CLI loads is kept, not fatal. Everything
// else is loaded after it, so the window in which SIGINT still ends the process unannounced is
// only the runtime's own start.
import "./interrupt.ts";
const process = (await import("node:process")).default;
const { statSync } = await import("node:fs");
const { mark, renderTimings } = await import("./timing.ts");
const { startEarlyEvaluation } = await import("./cli/early_eval.ts");
const { discardPrestartedNix } = await import("./nix/prestart.ts");
mark("early-start modules loaded");

const argv = process.argv.slice(2);

// `deno task start|pod` run in the repository; act on the directory the user ran them from.
// Only there: a compiled binary or a plain `deno run` ignores the variable.
const taskCwd = process.env.INSOMNIA_TASK_CWD;
delete process.env.INSOMNIA_TASK_CWD;
const deno = (globalThis as { Deno?: { build?: { standalone?: boolean } } }).Deno;
const underDenoTask = deno?.build !== undefined && !deno.build.standalone &&
  process.env.npm_config_user_agent?.startsWith("deno/") === true;
if (taskCwd && underDenoTask) {
  try {
    // Checked first: Deno's process.chdir accepts a directory that does not exist.
    if (!statSync(taskCwd).isDirectory()) throw Object.assign(new Error(), { code: "ENOTDIR" });
    process.chdir(taskCwd);
  } catch (error) {
    const { InsomniaError } = await import("./errors.ts");
    const { flushOutput, printError } = await import("./cli/output.ts");
    const why = (error as { code?: string }).code ?? String(error);
    printError(
      new InsomniaError(
        "usage",
        `cannot run in the directory deno task was started from, ${taskCwd} (${why}); run the ` +
          "task from an existing directory.",
        { file: taskCwd },
      ),
      argv.includes("--json"),
    );
    await flushOutput();
    process.exit(2);
  }
}

// Nix starts first, then the CLI loads while it evaluates (src/nix/prestart.ts).
if (startEarlyEvaluation(argv, process.env, process.cwd())) mark("nix eval started early");
let code: number;
try {
  const { main } = await import("./cli/run.ts");
  mark("CLI modules loaded");
  code = await main(argv);
} finally {
  discardPrestartedNix(); // nobody adopted it (or loading the CLI failed): never leave it running
}
const { flushOutput, writeErrRaw } = await import("./cli/output.ts");
// Flush, then leave even if a handle (stdin, a timer) is still open.
await flushOutput();
mark("output flushed");
writeErrRaw(renderTimings());
await flushOutput();
process.exit(code);
