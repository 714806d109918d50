/**
 * The pure half of the New Pod dialog: the list of choices (the `manifest cascade` opt-out and
 * every discovered profile), their labels, filtering for the picker, `--profile` preselection, the
 * default Pod name, name-field sanitising and the launch plan the dialog hands on. Nothing here
 * touches a terminal, the filesystem or Nix, so all of it is unit-tested directly.
 * @module
 */
import { isValidPodName, POD_NAME_MAX, POD_NAME_RULE } from "../manifest/pod_name.ts";
import { parseSelector, type RegistrySource } from "../profile/selector.ts";
import { type LaunchFlag, type LaunchOptions, longFlag } from "../app/launch_flags.ts";
import { oneLine } from "../terminal_text.ts";

/** What the dialog needs to know about a registry entry (a subset of `RegistryEntry`). */
export interface ChoiceEntry {
  /** `source:name`. */
  qualified: string;
  /** Registry the entry comes from. */
  source: RegistrySource;
  /** Profile name within its source. */
  name: string;
  /** Optional human description. */
  description?: string;
  /** True for the effective default profile. */
  isDefault: boolean;
  /** A project profile whose project is not trusted (as it is now): it cannot be used yet. */
  untrusted?: boolean;
}

/** One row the profile row can show. */
export type Choice =
  /** Opt out of profiles: the TOML manifest cascade (user → project). */
  | { kind: "cascade"; key: string; label: string }
  /** A discovered registry entry; `key` is its qualified name. */
  | { kind: "profile"; key: string; label: string; entry: ChoiceEntry }
  /** A path or flake selector passed with `--profile` (not a registry entry, so not discovered). */
  | { kind: "selector"; key: string; label: string; selector: string };

/** Label and key of the cascade choice. */
export const CASCADE_LABEL = "manifest cascade";
const CASCADE_KEY = "(manifest cascade)";

/** `source:name (default) — description`. */
export function profileLabel(entry: ChoiceEntry): string {
  // The description comes from a registry file: shown, never interpreted by the terminal (D12).
  return `${entry.qualified}${entry.isDefault ? " (default)" : ""}${
    entry.untrusted ? " [untrusted]" : ""
  }${entry.description ? ` — ${oneLine(entry.description)}` : ""}`;
}

/** The choices once their project is trusted: no entry is marked untrusted any more. */
export function withProjectTrusted(choices: readonly Choice[]): Choice[] {
  return choices.map((choice) => {
    if (choice.kind !== "profile" || !choice.entry.untrusted) return choice;
    const entry = { ...choice.entry, untrusted: false };
    return { ...choice, entry, label: profileLabel(entry) };
  });
}

/** The cascade choice. */
function cascadeChoice(): Choice {
  return { kind: "cascade", key: CASCADE_KEY, label: CASCADE_LABEL };
}

/** The `manifest cascade` opt-out first, then every discovered entry in discovery order. */
export function buildChoices(entries: readonly ChoiceEntry[]): Choice[] {
  return [
    cascadeChoice(),
    ...entries.map((entry): Choice => ({
      kind: "profile",
      key: entry.qualified,
      label: profileLabel(entry),
      entry,
    })),
  ];
}

/** Index of the default profile, else of the cascade choice (there is always one). */
export function defaultIndex(choices: readonly Choice[]): number {
  const i = choices.findIndex((c) => c.kind === "profile" && c.entry.isDefault);
  if (i >= 0) return i;
  const cascade = choices.findIndex((c) => c.kind === "cascade");
  return cascade >= 0 ? cascade : 0;
}

/** Result of {@link preselect}: the choices (maybe with one appended) and the initial index. */
export interface Preselection {
  choices: Choice[];
  index: number;
  /** Set when the selector could not be matched: shown on the dialog's message line. */
  message?: string;
}

/**
 * Applies `--profile SEL` to the choices without duplicating any:
 * - `default` → the default entry;
 * - `source:name` → that entry;
 * - an unqualified `name` → the one entry with that name in any source (several → the default
 *   stays selected and the message lists the qualified names to pick from);
 * - a path or flake selector → one appended `selector` choice (it is not a registry entry);
 * - anything else (unknown name, invalid selector) → the default stays selected, with a message.
 *
 * `resolveQualified` may map a selector to a qualified entry name first (the registry's own
 * selection, which also follows aliases); it returns undefined when it has no answer.
 */
export function preselect(
  choices: readonly Choice[],
  selector: string | undefined,
  resolveQualified?: (selector: string) => string | undefined,
): Preselection {
  const list = [...choices];
  const fallback = defaultIndex(list);
  if (selector === undefined) return { choices: list, index: fallback };
  const byKey = (key: string) => list.findIndex((c) => c.kind === "profile" && c.key === key);
  const exact = byKey(selector);
  if (exact >= 0) return { choices: list, index: exact };
  if (selector === "default") {
    const i = list.findIndex((c) => c.kind === "profile" && c.entry.isDefault);
    return i >= 0 ? { choices: list, index: i } : {
      choices: list,
      index: fallback,
      message: "--profile default: no default profile is configured; pick one below.",
    };
  }
  const resolved = resolveQualified?.(selector);
  if (resolved !== undefined && byKey(resolved) >= 0) {
    return { choices: list, index: byKey(resolved) };
  }
  let parsed: ReturnType<typeof parseSelector>;
  try {
    parsed = parseSelector(selector);
  } catch (error) {
    return { choices: list, index: fallback, message: (error as Error).message };
  }
  if (parsed.kind === "path" || parsed.kind === "flake") {
    list.push({ kind: "selector", key: selector, label: `${selector} (from --profile)`, selector });
    return { choices: list, index: list.length - 1 };
  }
  if (parsed.kind === "named" && parsed.source === undefined) {
    const hits = list.flatMap((c, i) =>
      c.kind === "profile" && c.entry.name === parsed.name ? [i] : []
    );
    // As on the command line: the user's or project's own profile shadows a builtin.
    const own = hits.filter((i) => !list[i].key.startsWith("builtin:"));
    if (hits.length === 1) return { choices: list, index: hits[0] };
    if (own.length === 1) return { choices: list, index: own[0] };
    if (own.length > 1) hits.splice(0, hits.length, ...own);
    if (hits.length > 1) {
      const names = hits.map((i) => `\`${list[i].key}\``).join(" or ");
      return {
        choices: list,
        index: fallback,
        message: `--profile ${selector} is ambiguous: it matches ${names}; pick one below.`,
      };
    }
  }
  return {
    choices: list,
    index: fallback,
    message: `--profile ${selector}: no such profile was discovered; pick one below.`,
  };
}

/** Moves `index` by `delta` with wrap-around. */
export function cycle(index: number, delta: number, length: number): number {
  if (length <= 0) return 0;
  return ((index + delta) % length + length) % length;
}

/** The text a choice is matched against in the picker. */
function searchText(choice: Choice): string {
  if (choice.kind === "profile") {
    const e = choice.entry;
    return `${e.qualified} ${e.source} ${e.name} ${e.isDefault ? "default" : ""} ${
      e.description ?? ""
    }`.toLowerCase();
  }
  return choice.label.toLowerCase();
}

/**
 * Indices of the choices matching `query`: every whitespace-separated term must occur
 * (case-insensitively) in the qualified name, source, name, description or `default` mark.
 * An empty query matches everything. Discovery order is kept.
 */
export function filterChoices(choices: readonly Choice[], query: string): number[] {
  const terms = query.toLowerCase().split(/\s+/).filter((t) => t !== "");
  const out: number[] = [];
  choices.forEach((choice, i) => {
    const text = searchText(choice);
    if (terms.every((t) => text.includes(t))) out.push(i);
  });
  return out;
}

/** Characters a Pod name may contain. */
const NAME_CHAR = /[A-Za-z0-9._-]/;

/**
 * The default Pod name for a workspace directory: its base name with every character outside
 * `[A-Za-z0-9._-]` replaced by `-`, leading dots dropped, at most 128 characters; `pod` if empty.
 */
export function defaultPodName(workspace: string): string {
  const trimmed = workspace.replace(/[\\/]+$/, "");
  const base = trimmed.slice(trimmed.lastIndexOf("/") + 1);
  const safe = [...base].map((ch) => NAME_CHAR.test(ch) ? ch : "-").join("")
    .replace(/^\.+/, "").slice(0, POD_NAME_MAX);
  return safe === "" ? "pod" : safe;
}

/**
 * Drops every character a Pod name cannot contain from a line being edited, keeping the cursor
 * on the same logical position. Returns the input unchanged when it is already clean.
 */
export function sanitizeName(line: string, cursor: number): { line: string; cursor: number } {
  const keep = (text: string) => [...text].filter((ch) => NAME_CHAR.test(ch)).join("");
  const out = keep(line).slice(0, POD_NAME_MAX);
  const before = keep(line.slice(0, Math.max(0, cursor))).length;
  return { line: out, cursor: Math.min(before, out.length) };
}

/** Why `name` cannot be used (shown on the message line), or undefined when it can. */
export function nameProblem(name: string): string | undefined {
  if (name.trim() === "") return "name is required";
  if (!isValidPodName(name)) return `invalid name: ${POD_NAME_RULE}`;
  return undefined;
}

/**
 * What a dialog launches. A resume carries a session only: there is no way to attach a profile
 * to it (the original dialog sent `--profile … --session …`, which the CLI rejects).
 */
export type LaunchPlan =
  | { kind: "profile"; selector: string; name: string }
  | { kind: "cascade"; name: string }
  | { kind: "resume"; session: string };

/** The plan for creating a Pod named `name` from `choice`. */
export function planFor(choice: Choice, name: string): LaunchPlan {
  switch (choice.kind) {
    case "cascade":
      return { kind: "cascade", name };
    case "profile":
      return { kind: "profile", selector: choice.entry.qualified, name };
    case "selector":
      return { kind: "profile", selector: choice.selector, name };
  }
}

/** The root-command options the plan corresponds to (keys of the flag table). */
export function planOptions(
  plan: LaunchPlan,
): Pick<LaunchOptions, "profile" | "profilePodName" | "manifestCascade" | "pod" | "session"> {
  switch (plan.kind) {
    case "profile":
      return { profile: plan.selector, profilePodName: plan.name };
    case "cascade":
      return { manifestCascade: true, pod: plan.name };
    case "resume":
      return { session: plan.session };
  }
}

/** The equivalent `insomnia-pod` arguments (shown to users who want to script the same thing). */
export function planArgs(plan: LaunchPlan): string[] {
  return Object.entries(planOptions(plan)).flatMap(([key, value]) => {
    const flag = longFlag(key as LaunchFlag);
    return typeof value === "string" ? [flag, value] : value ? [flag] : [];
  });
}
