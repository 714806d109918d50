/**
 * Plain-text layout helpers of the New Pod dialog (no ANSI, no terminal access).
 * @module
 */

/** Shortens `text` to at most `max` characters, ending in "…" when cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Wraps `text` to `width` columns; continuation lines get `indent` (plain text, no ANSI). */
export function wrapIndented(text: string, width: number, first: string, indent: string): string[] {
  const out: string[] = [];
  let line = first;
  let fresh = true;
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    const sep = fresh ? "" : " ";
    if (!fresh && line.length + sep.length + word.length > width) {
      out.push(line);
      line = indent;
      fresh = true;
    }
    let rest = fresh ? word : sep + word;
    while (line.length + rest.length > width && width - line.length > 0) {
      const room = width - line.length;
      out.push(line + rest.slice(0, room));
      line = indent;
      rest = rest.slice(room);
    }
    line += rest;
    fresh = false;
  }
  out.push(line);
  return out;
}
