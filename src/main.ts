/**
 * insomnia-pod CLI entry: `deno run -A src/main.ts …` (or the compiled binary).
 * @module
 */
import process from "node:process";
import { flushOutput } from "./cli/output.ts";
import { main } from "./cli/run.ts";

// `deno task start|pod` run in the repository; act on the directory the user ran them from.
const taskCwd = process.env.INSOMNIA_TASK_CWD;
if (taskCwd) {
  process.chdir(taskCwd);
  delete process.env.INSOMNIA_TASK_CWD;
}

const code = await main(process.argv.slice(2));
// Flush, then leave even if a handle (stdin, a timer) is still open.
await flushOutput();
process.exit(code);
