/**
 * The file a profile path names: the path itself, or `profile.nix` inside a directory.
 * @module
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { InsomniaError } from "../errors.ts";

/**
 * The profile file at `path` (a directory means its `profile.nix`); `profile_not_found` naming
 * `selector` when it does not exist.
 */
export function profileFileFor(path: string, selector: string): string {
  let file = path;
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "profile.nix");
  if (!existsSync(file)) {
    throw new InsomniaError(
      "profile_not_found",
      `profile ${selector}: ${file} does not exist. Check the path, or run \`insomnia-pod profiles list\` to see the profiles that exist.`,
      { file },
    );
  }
  return file;
}
