/** Path helpers for tests (node:path plus file-URL conversion). */
export { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Converts a `file:` URL to a path. */
export function fromFileUrl(url: string): string {
  return fileURLToPath(url);
}
