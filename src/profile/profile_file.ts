/**
 * The file a profile path names: the path itself, or `profile.nix` inside a directory.
 * @module
 */
import { join } from "node:path";
import { requireRegularFile, statIfExists } from "../fs/read_bounded.ts";

/**
 * The profile file at `path` (a directory means its `profile.nix`); `profile_not_found` naming
 * `selector` when it does not exist, `artifact_invalid` when it is not a regular file (a FIFO or a
 * device would hang or flood the evaluation).
 */
export function profileFileFor(path: string, selector: string): string {
  const options = {
    code: "artifact_invalid" as const,
    missingCode: "profile_not_found" as const,
    what: `profile ${selector}:`,
    hint: "Check the path, or run `insomnia-pod profiles list` to see the profiles that exist.",
  };
  const file = statIfExists(path, options)?.isDirectory() ? join(path, "profile.nix") : path;
  requireRegularFile(file, options);
  return file;
}
