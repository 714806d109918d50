/**
 * TOML reading with `manifest_parse` errors that carry file, line and column.
 * @module
 */
import { parse, TomlError } from "npm:smol-toml@1.9.1";
import { InsomniaError } from "../errors.ts";
import { readBoundedText } from "../fs/read_bounded.ts";
import { assertJsonShape } from "../json_shape.ts";

/**
 * Parses TOML text; `origin` (a file path) names it in errors. Syntax errors are `manifest_parse`;
 * a document nested too deeply or with too many entries is `manifest_invalid` (src/json_shape.ts).
 */
export function parseTomlText(text: string, origin: string): Record<string, unknown> {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      const reason = error.message.split("\n")[0].replace(/^Invalid TOML document: /, "");
      throw new InsomniaError(
        "manifest_parse",
        `${origin}:${error.line}:${error.column}: invalid TOML: ${reason}. Fix the syntax at that position.`,
        { file: origin, line: error.line, column: error.column },
      );
    }
    throw error;
  }
  assertJsonShape(doc, origin, "manifest_invalid");
  return doc;
}

/**
 * Reads and parses a TOML file; a missing, unreadable, non-regular (FIFO, device), oversized or
 * non-UTF-8 file is `manifest_parse`.
 */
export function readTomlFile(path: string): Record<string, unknown> {
  const text = readBoundedText(path, {
    code: "manifest_parse",
    message: (file, problem) =>
      `cannot read manifest ${file}: the file ${problem}. Check the path.`,
  });
  return parseTomlText(text, path);
}
