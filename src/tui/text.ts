/**
 * Plain-text layout helpers of the New Pod dialog (no ANSI, no terminal access), measured in
 * terminal columns: a Japanese name takes two columns a character and is never cut in half.
 * @module
 */
import { clipDisplay, displayWidth, wrapDisplay } from "../terminal_text.ts";

/** Shortens `text` to at most `max` columns, ending in "…" when cut. */
export function clip(text: string, max: number): string {
  return clipDisplay(text, max);
}

/** Wraps `text` to `width` columns; the first line starts with `first`, the others with `indent`. */
export function wrapIndented(text: string, width: number, first: string, indent: string): string[] {
  const prefix = Math.max(displayWidth(first), displayWidth(indent));
  const words = text.split(/\s+/).filter((w) => w !== "").join(" ");
  const lines = wrapDisplay(words, Math.max(1, width - prefix));
  return lines.map((line, i) => `${i === 0 ? first : indent}${line}`);
}
