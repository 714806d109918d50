/**
 * Printing results and errors: one JSON document on stdout with `--json`, text otherwise.
 * Everything printed passes through secret redaction first.
 * @module
 */
import process from "node:process";
import type { InsomniaError } from "../errors.ts";
import { redactJson, redactText } from "../secrets/redact.ts";

/** Writes text to stdout (redacted). */
export function writeOut(text: string): void {
  if (text === "") return;
  process.stdout.write(redactText(text.endsWith("\n") ? text : text + "\n"));
}

/** Writes text to stderr (redacted). */
export function writeErr(text: string): void {
  if (text === "") return;
  process.stderr.write(redactText(text.endsWith("\n") ? text : text + "\n"));
}

/** Prints a value as pretty JSON on stdout (structurally redacted). */
export function writeJson(value: unknown): void {
  process.stdout.write(JSON.stringify(redactJson(value), null, 2) + "\n");
}

/** Prints an error: `error[<code>]: <message>` on stderr, or `{"error":{…}}` on stdout with --json. */
export function printError(error: InsomniaError, json: boolean): void {
  if (json) {
    writeJson({ error: { code: error.code, message: error.message, ...error.details } });
  } else {
    writeErr(`error[${error.code}]: ${error.message}`);
  }
}
