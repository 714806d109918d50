/**
 * The `nix eval` command line for a profile: pure, shared by the evaluator and the early start of
 * an evaluation (src/nix/prestart.ts), which must build exactly the same argument list; and Nix
 * string literals for text written into Nix code.
 * @module
 */
import { dirname, isAbsolute } from "node:path";
import { sandboxArgs } from "./sandbox.ts";
import { InsomniaError } from "../errors.ts";

/**
 * What to evaluate: a `.nix` file, `<ref>#insomniaProfiles.<name>` of a flake, or an expression
 * (`doctor`'s probe of the evaluator, sandboxed like a file with only the library readable).
 */
export type NixTarget =
  | { kind: "file"; file: string }
  | { kind: "flake"; ref: string; name: string }
  | { kind: "expr"; expr: string };

/** The parts of an evaluation request that shape the command line. */
export interface NixArgsRequest {
  /** The file or flake output to evaluate. */
  target: NixTarget;
  /** Each entry becomes `-I name=path` (the profile library, e.g. `insomnia`). */
  includePaths?: Record<string, string>;
  /**
   * Evaluate a file without the sandbox (src/nix/sandbox.ts): only on the user's explicit
   * `--impure-eval`. By default a file profile reads only its own directory and the library.
   */
  impure?: boolean;
  /** More directories the sandbox lets a file profile read (a registry entry's `allow`). */
  allow?: readonly string[];
}

/** Default cap on `nix eval` stdout: 16 MiB. */
export const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
/** Only this much of nix's stderr is kept (the trace of a failure). */
export const MAX_STDERR_BYTES = 4 * 1024 * 1024;

const SIMPLE_ATTR = /^[A-Za-z_][A-Za-z0-9_'-]*$/;

/** The `nix` argument list (without the binary) for a request. Pure. */
export function buildNixArgs(req: NixArgsRequest): string[] {
  const { target } = req;
  const features = target.kind === "flake" ? "nix-command flakes" : "nix-command";
  const args = ["--extra-experimental-features", features, "eval", "--json", "--show-trace"];
  if (target.kind !== "flake") args.push("--store", "dummy://");
  // Pure flake evaluation forbids <insomnia> (-I) lookups; profiles are evaluated once, at
  // creation, and then resumed from the snapshot, so impurity here costs no reproducibility.
  else args.push("--impure");
  for (const [name, path] of Object.entries(req.includePaths ?? {})) {
    if (name === "" || name.includes("=")) {
      throw new InsomniaError(
        "usage",
        `invalid Nix include path name ${JSON.stringify(name)} (for ${path}): a name must be ` +
          `non-empty and must not contain "="`,
      );
    }
    args.push("-I", `${name}=${path}`);
  }
  if (target.kind === "file") {
    if (!isAbsolute(target.file)) {
      throw new InsomniaError(
        "usage",
        `profile file ${target.file} must be given as an absolute path to be evaluated by Nix`,
        { file: target.file },
      );
    }
    if (!req.impure) {
      args.push(
        ...sandboxArgs([
          ...profileRoots(target.file),
          ...(req.allow ?? []),
          ...Object.values(req.includePaths ?? {}),
        ]),
        // Restricted mode then names every path it lets the profile touch: the inputs to
        // fingerprint (src/profile/inputs.ts).
        "-vvv",
      );
    }
    args.push("--file", target.file);
  } else if (target.kind === "expr") {
    args.push(...sandboxArgs(Object.values(req.includePaths ?? {})), "--expr", target.expr);
  } else {
    if (target.ref === "" || target.ref.includes("#")) {
      throw new InsomniaError(
        "usage",
        `invalid flake reference ${JSON.stringify(target.ref)}: give the flake without a "#" ` +
          `fragment; the profile is selected as insomniaProfiles.${target.name}`,
      );
    }
    // After `--`, a reference starting with `-` cannot be read as an option (`-f FILE`).
    args.push("--", `${target.ref}#insomniaProfiles.${attrName(target.name)}`);
  }
  return args;
}

/**
 * What a profile file may read: its own directory and, for a profile inside a project's
 * `.insomnia/` directory, the whole project (the directory holding `.insomnia/`), so project
 * profiles can share files across the repository.
 */
export function profileRoots(file: string): string[] {
  const roots = [dirname(file)];
  const marker = file.lastIndexOf("/.insomnia/");
  if (marker >= 0) roots.push(file.slice(0, marker) || "/");
  return roots;
}

function attrName(name: string): string {
  return SIMPLE_ATTR.test(name) ? name : nixString(name);
}

/** `text` as a Nix string literal: quotes, backslashes and `${` escaped (never interpolated). */
export function nixString(text: string): string {
  const escaped = text.replace(
    /[\\"\n\r\t]|\$\{/g,
    (m) => m === "\n" ? "\\n" : m === "\r" ? "\\r" : m === "\t" ? "\\t" : `\\${m}`,
  );
  return `"${escaped}"`;
}
