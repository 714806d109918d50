/**
 * The terminal sanitiser: every string that reaches a terminal passes through here, so text that
 * came from a file, a registry or Nix (a description, a path, an error message) can never drive
 * the terminal — no OSC 52 clipboard writes, no retitling, no erased or spoofed lines (D12).
 * Control characters are shown as visible escapes (`\x1b`, `\u202e`) instead.
 * @module
 */
import stringWidth from "npm:fast-string-width@3.0.2";
import { wrapAnsi } from "npm:fast-wrap-ansi@0.2.2";

// C0 controls (but \n and \t), DEL, C1 controls, line/paragraph separators and the bidi
// overrides and isolates, which reorder what the reader sees.
// deno-lint-ignore no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// deno-lint-ignore no-control-regex
const UNSAFE_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escape(c: string): string {
  const code = c.charCodeAt(0);
  if (c === "\n") return "\\n";
  if (c === "\r") return "\\r";
  if (c === "\t") return "\\t";
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16)}`;
}

/**
 * `text` safe to print: every control character except newline and tab shown as an escape.
 *
 * @example
 * ```ts
 * import { terminalSafe } from "./terminal_text.ts";
 * terminalSafe("ok\x1b]52;c;Y3VybA==\x07"); // "ok\\x1b]52;c;Y3VybA==\\x07"
 * ```
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, escape);
}

/**
 * `text` as one safe line (a table cell, a label): newlines and tabs are escaped too, so a
 * description cannot start a line of its own.
 *
 * @example
 * ```ts
 * import { oneLine } from "./terminal_text.ts";
 * oneLine("line one\nall good"); // "line one\\nall good"
 * ```
 */
export function oneLine(text: string): string {
  return text.replace(UNSAFE_LINE, escape);
}

/**
 * How many terminal columns `text` takes: wide characters (CJK, emoji) count two, combining
 * marks and escape sequences none.
 *
 * @example
 * ```ts
 * import { displayWidth } from "./terminal_text.ts";
 * displayWidth("日本語"); // 6
 * ```
 */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

/** `text` padded with spaces to `width` columns (by display width, not code units). */
export function padDisplay(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}

/** The widest of `values` in columns (a loop: a spread overflows on 100,000 entries). */
export function widestDisplay(values: readonly string[]): number {
  let width = 0;
  for (const value of values) width = Math.max(width, displayWidth(value));
  return width;
}

/** `text` cut to at most `width` columns, ending in "…" when cut (never half a wide character). */
export function clipDisplay(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = "";
  let used = 0;
  for (const char of text) {
    const w = displayWidth(char);
    if (used + w > width - 1) break;
    out += char;
    used += w;
  }
  return `${out}…`;
}

/** `text` wrapped to `width` columns by display width (words kept whole when they fit). */
export function wrapDisplay(text: string, width: number): string[] {
  return wrapAnsi(text, Math.max(1, width), { hard: true, trim: true }).split("\n");
}
