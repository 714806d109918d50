/**
 * insomnia-pod CLI entry: `deno run -A src/main.ts …` (or the compiled binary).
 * @module
 */
import process from "node:process";
import { main } from "./cli/run.ts";

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Flush and leave even if a handle (stdin, a timer) is still open.
process.stdout.write("", () => process.exit(code));
