/**
 * A yes/no question on the terminal (stderr, so stdout can still be captured), default no.
 * @module
 */
import process from "node:process";
import { InsomniaError } from "../errors.ts";
import { streamOutput } from "./output.ts";

/**
 * Asks `message`; true for yes. Esc or Ctrl-C is `cancelled` with `cancelled` as its message.
 */
export async function confirm(message: string, cancelled: string): Promise<boolean> {
  const { default: ask } = await import("npm:@inquirer/confirm@6.4.0");
  streamOutput(); // the question is written through process.stderr: what follows keeps its place
  try {
    return await ask({ message, default: false }, { output: process.stderr });
  } catch {
    throw new InsomniaError("cancelled", cancelled);
  }
}
