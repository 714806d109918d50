/**
 * Profile selectors: what a user types after `--profile` (anchor-facts §6.1, extended with
 * `flake:` and strict name validation).
 *
 * Grammar, checked in this order:
 * 1. exactly `default` → the effective default profile;
 * 2. `path:<rest>` → a file path (so `path:default` is a file);
 * 3. `flake:<ref>#<name>` → a flake output;
 * 4. `builtin:`, `user:` or `project:` followed by a name → a source-qualified registry name;
 * 5. anything containing `/`, starting with `.`, or ending in `.nix` / `.json` → a file path;
 * 6. any other `<identifier>:<rest>` → an error with a did-you-mean for the prefix;
 * 7. anything else → an unqualified registry name.
 * @module
 */
import { InsomniaError } from "../errors.ts";
import { closestMatches } from "./registry_suggest.ts";
import { detectSecretKinds } from "../secrets/patterns.ts";

/** The registries a named profile can come from, in listing order. */
export type RegistrySource = "builtin" | "user" | "project";

/** All registry sources in listing order (builtin, user, project). */
export const REGISTRY_SOURCES: readonly RegistrySource[] = ["builtin", "user", "project"];

/** A parsed `--profile` value. */
export type Selector =
  | { kind: "default" }
  | { kind: "path"; path: string }
  | { kind: "flake"; ref: string; name: string }
  | { kind: "named"; source?: RegistrySource; name: string };

/** Longest allowed profile name. */
const MAX_PROFILE_NAME_LENGTH = 128;

const NAME_CHAR = /^[A-Za-z0-9._-]$/;
const IDENTIFIER_PREFIX = /^[A-Za-z][A-Za-z0-9_-]*$/;
const KNOWN_PREFIXES = ["builtin", "user", "project", "path", "flake"] as const;
/**
 * Quotes user input for a one-line message: backticks around it, control characters escaped and
 * very long input shortened (details keep the input whole).
 */
export function quote(input: string): string {
  const short = input.length > 80 ? `${input.slice(0, 77)}…` : input;
  // deno-lint-ignore no-control-regex
  const shown = short.replace(/[\u0000-\u001f\u007f]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
  return `\`${shown}\``;
}

const NAME_RULE = `names are 1–${MAX_PROFILE_NAME_LENGTH} characters of letters, digits, ` +
  "`.`, `_` and `-`, and must not start with `.` or `-`";

/** True when `value` is one of {@link REGISTRY_SOURCES}. */
function isRegistrySource(value: string): value is RegistrySource {
  return value === "builtin" || value === "user" || value === "project";
}

/**
 * Explains why `name` is not a valid profile name, or returns undefined when it is valid.
 * Valid names are 1–128 characters of `[A-Za-z0-9._-]` and do not start with `.` or `-`.
 */
export function profileNameProblem(name: string): string | undefined {
  if (detectSecretKinds(name).length > 0) return "looks like a credential";
  if (name.length === 0) return "is empty";
  if (name.length > MAX_PROFILE_NAME_LENGTH) {
    return `is ${name.length} characters long (at most ${MAX_PROFILE_NAME_LENGTH} are allowed)`;
  }
  if (name.startsWith(".")) return "starts with `.`";
  // A leading `-` would be read as an option wherever the name is passed on (`pods rm -rf`).
  if (name.startsWith("-")) return "starts with `-`";
  for (const ch of name) {
    if (!NAME_CHAR.test(ch)) return `contains ${JSON.stringify(ch)}`;
  }
  return undefined;
}

/** True when `name` is a valid profile name (see {@link profileNameProblem}). */
export function isValidProfileName(name: string): boolean {
  return profileNameProblem(name) === undefined;
}

/** A registry reference as written in a registry file: `<name>` or `<source>:<name>`. */
export interface ProfileRef {
  /** The source, when the reference is qualified. */
  source?: RegistrySource;
  /** The profile or alias name. */
  name: string;
}

/**
 * Parses a registry reference (`coder` or `user:coder`) as used by registry defaults and alias
 * targets. Returns the reference, or a `problem` sentence when the text is not one.
 */
export function parseProfileRef(text: string): ProfileRef | { problem: string } {
  const colon = text.indexOf(":");
  let source: RegistrySource | undefined;
  let name = text;
  if (colon >= 0) {
    const prefix = text.slice(0, colon);
    if (!isRegistrySource(prefix)) {
      const hint = closestMatches(prefix, ["builtin", "user", "project"]);
      const dym = hint.length > 0 ? ` (did you mean \`${hint[0]}:${text.slice(colon + 1)}\`?)` : "";
      return {
        problem: `${quote(text)} has an unknown source \`${prefix}\`${dym}; use \`builtin:\`, ` +
          "`user:` or `project:`, or no prefix for the declaring registry",
      };
    }
    source = prefix;
    name = text.slice(colon + 1);
  }
  const problem = profileNameProblem(name);
  if (problem !== undefined) {
    return {
      problem: `${
        quote(text)
      } is not a valid profile reference: the name ${problem} (${NAME_RULE})`,
    };
  }
  return source === undefined ? { name } : { source, name };
}

/** Formats a reference as `source:name`, or just `name` when unqualified. */
export function formatRef(ref: ProfileRef): string {
  return ref.source === undefined ? ref.name : `${ref.source}:${ref.name}`;
}

/** True when the text looks like a file path rather than a registry name (grammar rule 5). */
function looksLikePath(input: string): boolean {
  return input.includes("/") || input.startsWith(".") || input.endsWith(".nix") ||
    input.endsWith(".json");
}

function invalid(input: string, message: string, extra: Record<string, unknown> = {}): never {
  throw new InsomniaError("selector_invalid", message, { selector: input, ...extra });
}

function checkName(input: string, name: string): void {
  const problem = profileNameProblem(name);
  if (problem === undefined) return;
  invalid(
    input,
    `invalid profile selector ${quote(input)}: the profile name ${problem}; ${NAME_RULE}. ` +
      "To use a file, pass its path (for example `./coder.nix` or `path:coder`).",
    { name, reason: problem },
  );
}

function parseFlake(input: string, rest: string): Selector {
  const form = "the form is `flake:<ref>#<name>`, for example `flake:.#coder` or " +
    "`flake:github:owner/repo#coder`";
  const hash = rest.indexOf("#");
  if (hash < 0) {
    invalid(input, `invalid flake selector ${quote(input)}: missing \`#<name>\`; ${form}.`);
  }
  const ref = rest.slice(0, hash);
  const name = rest.slice(hash + 1);
  if (ref.trim() === "") {
    invalid(input, `invalid flake selector ${quote(input)}: empty flake reference; ${form}.`);
  }
  if (ref.startsWith("-")) {
    // Nix would read it as an option (`-f FILE`, `-I PATH`), not as a flake.
    invalid(
      input,
      `invalid flake selector ${quote(input)}: the flake reference starts with \`-\`; write a ` +
        `path flake as \`./-name\` or \`path:…\`; ${form}.`,
      { reason: "leading_dash" },
    );
  }
  if (name === "") {
    invalid(
      input,
      `invalid flake selector ${quote(input)}: empty profile name after \`#\`; ${form}.`,
    );
  }
  const problem = profileNameProblem(name);
  if (problem !== undefined) {
    invalid(
      input,
      `invalid flake selector ${quote(input)}: the profile name ${
        quote(name)
      } ${problem}; ${NAME_RULE}; ${form}.`,
      { name, reason: problem },
    );
  }
  return { kind: "flake", ref, name };
}

/**
 * Parses a `--profile` value. Throws `selector_invalid` for empty input, malformed `path:`,
 * `flake:` or source-qualified forms, unknown prefixes (with a did-you-mean) and invalid names.
 *
 * @example
 * ```ts
 * import { parseSelector } from "./selector.ts";
 * const sel = parseSelector("project:coder");
 * if (sel.kind === "named") console.log(sel.source, sel.name); // project coder
 * ```
 */
export function parseSelector(input: string): Selector {
  if (input.trim() === "") {
    invalid(
      input,
      "empty profile selector: pass a profile name (such as `coder` or `project:coder`), a file " +
        "path (such as `./coder.nix`), `flake:<ref>#<name>`, or `default`.",
    );
  }
  if (input === "default") return { kind: "default" };

  const colon = input.indexOf(":");
  const prefix = colon >= 0 ? input.slice(0, colon) : undefined;
  const rest = colon >= 0 ? input.slice(colon + 1) : "";

  if (prefix === "path") {
    if (rest.trim() === "") {
      invalid(input, "`path:` needs a file path after the colon, such as `path:./coder.nix`.");
    }
    return { kind: "path", path: rest };
  }
  if (prefix === "flake") return parseFlake(input, rest);
  if (prefix !== undefined && isRegistrySource(prefix)) {
    if (rest === "") {
      invalid(
        input,
        `${quote(input)} needs a profile name after the colon, such as \`${prefix}:coder\`.`,
      );
    }
    checkName(input, rest);
    return { kind: "named", source: prefix, name: rest };
  }
  if (looksLikePath(input)) return { kind: "path", path: input };
  if (prefix !== undefined && IDENTIFIER_PREFIX.test(prefix)) {
    const [best] = closestMatches(prefix, KNOWN_PREFIXES);
    const suggestion = best === undefined ? undefined : `${best}:${rest}`;
    const next = suggestion === undefined
      ? `To use a file, write ${quote(`path:${input}`)}.`
      : `Did you mean ${quote(suggestion)}?`;
    invalid(
      input,
      `unknown profile selector prefix ${quote(`${prefix}:`)} in ${quote(input)}. ${next} Known ` +
        "prefixes are `builtin:`, `user:`, `project:`, `path:` and `flake:`.",
      suggestion === undefined ? { prefix } : { prefix, suggestion },
    );
  }
  checkName(input, input);
  return { kind: "named", name: input };
}

/**
 * A short human label for a selector: a path prints as typed, a named selector as `source:name`
 * or `name`, the default as `default`, a flake as `flake:<ref>#<name>`.
 *
 * @example
 * ```ts
 * import { parseSelector, selectorLabel } from "./selector.ts";
 * console.log(selectorLabel(parseSelector("./coder.nix")));
 * ```
 */
export function selectorLabel(sel: Selector): string {
  switch (sel.kind) {
    case "default":
      return "default";
    case "path":
      return sel.path;
    case "flake":
      return `flake:${sel.ref}#${sel.name}`;
    case "named":
      return formatRef(sel);
  }
}
