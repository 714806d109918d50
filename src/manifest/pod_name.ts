/**
 * Pod names: the rule every name in the store follows, and suffixed names for implicit allocation.
 * @module
 */
import { InsomniaError } from "../errors.ts";
import { detectSecretKinds } from "../secrets/patterns.ts";

/** Longest allowed Pod name. */
export const POD_NAME_MAX = 128;

/** The rule, as shown to users. */
export const POD_NAME_RULE =
  `a Pod name is 1–${POD_NAME_MAX} characters of A–Z, a–z, 0–9, ".", "_" and "-", ` +
  `and must not start with "." or "-"`;

// No leading "-": `pods rm -rf` would read the name as options.
const POD_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** True when `name` follows the Pod name rule. */
export function isValidPodName(name: string): boolean {
  return typeof name === "string" && name.length >= 1 && name.length <= POD_NAME_MAX &&
    POD_NAME_PATTERN.test(name);
}

/**
 * Throws `pod_name_invalid` unless `name` is 1–128 characters of `[A-Za-z0-9._-]` and does not start
 * with `.` or `-` (so `.`, `..`, hidden and temp names, `/` and NUL can never reach the filesystem,
 * and no name reads as an option).
 */
export function validatePodName(name: string): void {
  if (typeof name === "string" && detectSecretKinds(name).length > 0) {
    throw new InsomniaError(
      "secret_plaintext",
      "the Pod name looks like a credential; it would be written to the store as a directory name. " +
        "Choose an ordinary name (the value is not repeated here).",
      { field: "pod.name" },
    );
  }
  if (isValidPodName(name)) return;
  const shown = typeof name === "string" ? JSON.stringify(name.slice(0, POD_NAME_MAX + 12)) : "";
  const why = typeof name !== "string"
    ? "it is not a string"
    : name.length === 0
    ? "it is empty"
    : name.length > POD_NAME_MAX
    ? `it is ${name.length} characters long`
    : name.startsWith(".")
    ? 'it starts with "."'
    : name.startsWith("-")
    ? 'it starts with "-"'
    : "it contains a character outside that set";
  throw new InsomniaError(
    "pod_name_invalid",
    `invalid Pod name ${shown}: ${why}; ${POD_NAME_RULE}. Choose a name that follows this rule.`,
    { pod: name, rule: POD_NAME_RULE },
  );
}

/**
 * The `n`-th implicit candidate for `base`: `base` itself for n = 1, else `base-n`, with `base`
 * trimmed from the end so the result stays within {@link POD_NAME_MAX} characters.
 */
export function suffixedPodName(base: string, n: number): string {
  if (n <= 1) return base;
  const suffix = `-${n}`;
  return base.slice(0, POD_NAME_MAX - suffix.length) + suffix;
}
