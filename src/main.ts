/**
 * insomnia-pod CLI entry: `deno run -A src/main.ts …` (or the compiled binary).
 * @module
 */
import process from "node:process";
import { mark, renderTimings } from "./timing.ts";
import { startEarlyEvaluation } from "./cli/early_eval.ts";
import { discardPrestartedNix } from "./nix/prestart.ts";

// `deno task start|pod` run in the repository; act on the directory the user ran them from.
const taskCwd = process.env.INSOMNIA_TASK_CWD;
if (taskCwd) {
  process.chdir(taskCwd);
  delete process.env.INSOMNIA_TASK_CWD;
}

const argv = process.argv.slice(2);
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
const { flushOutput } = await import("./cli/output.ts");
// Flush, then leave even if a handle (stdin, a timer) is still open.
await flushOutput();
mark("output flushed");
const timings = renderTimings();
if (timings) process.stderr.write(timings);
process.exit(code);
