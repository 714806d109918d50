/**
 * Ctrl-C that arrives while the CLI is still loading. Imported first by `main.ts`, so from the
 * first module evaluated on a SIGINT is recorded instead of ending the process by the signal
 * (no `cancelled` error, nothing flushed); the CLI takes it over once its own handler is installed.
 * @module
 */
import process from "node:process";

let interrupted = false;
const record = () => {
  interrupted = true;
};
process.on("SIGINT", record);

/**
 * Stops recording and tells whether Ctrl-C arrived before the CLI could handle it itself. Call it
 * right after installing the real handler.
 *
 * @example
 * ```ts ignore
 * process.on("SIGINT", onSigint);
 * if (takeEarlyInterrupt()) return cancelled();
 * ```
 */
export function takeEarlyInterrupt(): boolean {
  process.off("SIGINT", record);
  const was = interrupted;
  interrupted = false;
  return was;
}
