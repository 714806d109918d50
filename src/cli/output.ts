/**
 * Printing results and errors: one JSON document on stdout with `--json`, text otherwise.
 * Everything printed passes through secret redaction first.
 * @module
 */
import process from "node:process";
import type { InsomniaError } from "../errors.ts";
import { redactJson, redactText } from "../secrets/redact.ts";

const pending = new Set<Promise<void>>();

// Bun flushes a large piped write after a later empty write's callback, so every write is
// tracked and main() awaits them all before exiting (otherwise output is cut at 64 KiB).
function put(stream: NodeJS.WriteStream, text: string): void {
  const done = new Promise<void>((resolve) => stream.write(text, () => resolve()));
  pending.add(done);
  done.then(() => pending.delete(done));
}

/** Resolves once everything written through this module has been flushed. */
export async function flushOutput(): Promise<void> {
  while (pending.size > 0) await Promise.all([...pending]);
}

/** Writes text to stdout (redacted). */
export function writeOut(text: string): void {
  if (text === "") return;
  put(process.stdout, redactText(text.endsWith("\n") ? text : text + "\n"));
}

/** Writes text to stderr (redacted). */
export function writeErr(text: string): void {
  if (text === "") return;
  put(process.stderr, redactText(text.endsWith("\n") ? text : text + "\n"));
}

/** Prints a value as pretty JSON on stdout (structurally redacted). */
export function writeJson(value: unknown): void {
  put(process.stdout, JSON.stringify(redactJson(value), null, 2) + "\n");
}

/** Prints an error: `error[<code>]: <message>` on stderr, or `{"error":{…}}` on stdout with --json. */
export function printError(error: InsomniaError, json: boolean): void {
  if (json) {
    writeJson({ error: { code: error.code, message: error.message, ...error.details } });
  } else {
    writeErr(`error[${error.code}]: ${error.message}`);
  }
}
