/**
 * TOML reading with `manifest_parse` errors that carry file, line and column.
 * @module
 */
import { readFileSync } from "node:fs";
import { parse, TomlError } from "smol-toml";
import { InsomniaError } from "../errors.ts";

/** Parses TOML text; `origin` (a file path) names it in errors. */
export function parseTomlText(text: string, origin: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
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
}

/** Reads and parses a TOML file; a missing or unreadable file is `manifest_parse`. */
export function readTomlFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "the file does not exist" : (error as Error).message;
    throw new InsomniaError(
      "manifest_parse",
      `cannot read manifest ${path}: ${why}. Check the path.`,
      { file: path },
    );
  }
  return parseTomlText(text, path);
}
