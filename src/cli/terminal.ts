/**
 * Whether a file descriptor is a terminal, without loading `node:tty` for the answer "no".
 *
 * In the Bun-compiled binary `node:tty` costs ≈ 4–5 ms to load (its `WriteStream` is a socket,
 * so it brings Node's stream machinery), and most runs ask about pipes, files and /dev/null: CI,
 * scripts, `--json`. A terminal is a character device, and /dev/null is the one character device
 * those runs meet, so an `fstat` answers them; only a character device that is not /dev/null is
 * asked of `node:tty`, loaded then.
 * @module
 */
import { fstatSync, statSync } from "node:fs";
import process from "node:process";

/** True when `fd` is open on a terminal (what `isatty(fd)` says), false when it is not or closed. */
export function isTerminal(fd: number): boolean {
  try {
    const st = fstatSync(fd);
    if (!st.isCharacterDevice() || st.rdev === statSync("/dev/null").rdev) return false;
  } catch {
    return false;
  }
  const tty = process.getBuiltinModule("node:tty") as typeof import("node:tty");
  return tty.isatty(fd);
}
