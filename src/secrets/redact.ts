/**
 * Redaction for anything that may be shown or written: error texts, Nix stderr, logs, JSON output.
 * Structured values are redacted before they are serialised ({@link redactJson}); serialised text is
 * never the only line of defence. Redaction is best effort: the guarantee is that configuration
 * holds references only.
 * @module
 */
import { Buffer } from "node:buffer";
import {
  CREDENTIAL_POSITIONS,
  ENV_NAME_POSITIONS,
  isEnvVarName,
  isValidCredentialValue,
} from "./credentials.ts";
import {
  AWS_SECRET_LENGTH,
  knownFormatScreen,
  redactKnownFormats,
  SECRET_KEY_STEMS,
  SECRET_NEEDLES,
} from "./patterns.ts";
import { registeredSecretValues } from "./registry.ts";
import { isRecord } from "./walk.ts";
import { MAX_WALK_DEPTH } from "../json_shape.ts";

export {
  isRedactableValue,
  MIN_REGISTERED_LENGTH,
  registerSecretValue,
  resetRegisteredSecretValues,
} from "./registry.ts";

/** Replacement for registered values and invalid credential positions. */
export const REDACTED = "[redacted]";

/** Texts up to this long are redacted once per {@link redactJson} call, however often they occur. */
const MEMO_MAX_LENGTH = 256;

/** What stands for a value nested deeper than MAX_WALK_DEPTH in a redacted copy. */
const TOO_DEEP = "[redacted: nested too deeply]";

/**
 * The one redactor of everything shown or written: replaces every value registered with
 * `registerSecretValue` by `[redacted]`, every recognised credential format wherever it occurs by
 * `[redacted:<kind>]` (see `redactKnownFormats`), and every base64 run that decodes to either by
 * `[redacted:base64]`.
 *
 * @example
 * ```ts
 * import { redactText } from "./redact.ts";
 * console.log(redactText("key=sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAA")); // key=[redacted:anthropic_api_key]
 * ```
 */
export function redactText(text: string): string {
  const registered = registeredSecretValues();
  if (registered.length === 0 && !MAY_CHANGE.test(text)) return text;
  let out = text;
  for (const value of registered) {
    if (out.includes(value)) out = out.split(value).join(REDACTED);
  }
  out = redactKnownFormats(out);
  return out.replace(BASE64_RUN, (run) => (encodesSecret(run) ? `[redacted:base64]` : run));
}

// Long enough for the base64 of the shortest detected key (20 characters → 28).
const BASE64_RUN = /[A-Za-z0-9+/_-]{24,}={0,2}/g;
/** Whether anything in {@link redactText} can change a text: a known format or a base64 run. */
const MAY_CHANGE = knownFormatScreen(["[A-Za-z0-9+/_-]{24}"]);

/** True when `run`, decoded as base64 from any of its first four offsets, holds a secret. */
function encodesSecret(run: string): boolean {
  if (!mayEncodeSecret(run)) return false;
  for (let offset = 0; offset < 4; offset++) {
    const decoded = Buffer.from(run.slice(offset), "base64").toString("latin1");
    if (redactKnownFormats(decoded) !== decoded) return true;
    if (registeredSecretValues().some((value) => decoded.includes(value))) return true;
  }
  return false;
}

/**
 * The bytes any base64 decoding of a run over `alphabet` can contain, by position: a decoded
 * byte at position k (from any offset) is made of two adjacent symbols in bit alignment k mod 3.
 */
function decodableBytes(alphabet: string): Uint8Array[] {
  const STANDARD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const value = (ch: string) =>
    ch === "+" || ch === "-" ? 62 : ch === "/" || ch === "_" ? 63 : STANDARD.indexOf(ch);
  const bytes = [new Uint8Array(256), new Uint8Array(256), new Uint8Array(256)];
  for (const a of alphabet) {
    for (const b of alphabet) {
      const [x, y] = [value(a), value(b)];
      bytes[0][((x << 2) | (y >> 4)) & 255] = 1;
      bytes[1][((x & 15) << 4) | (y >> 2)] = 1;
      bytes[2][((x & 3) << 6) | y] = 1;
    }
  }
  return bytes;
}

/**
 * True when a decoding whose bytes are limited to `bytes` (by position mod 3) can hold something
 * the redactor changes: a needle, or `:` or `=` and a secret key word (src/secrets/patterns.ts).
 */
function canSpellSecret(bytes: Uint8Array[]): boolean {
  const at = (ch: string, position: number) => bytes[position % 3][ch.charCodeAt(0)] === 1;
  const spells = (text: string, anyCase: boolean) =>
    [0, 1, 2].some((start) =>
      [...text].every((ch, i) =>
        at(ch, start + i) ||
        (anyCase && (at(ch.toLowerCase(), start + i) || at(ch.toUpperCase(), start + i)))
      )
    );
  return SECRET_NEEDLES.some((needle) => spells(needle, false)) ||
    ([0, 1, 2].some((p) => at(":", p) || at("=", p)) &&
      SECRET_KEY_STEMS.some((word) => spells(word, true)));
}

/** Runs of lower-case hex digits and dashes: UUIDs and digests, most of the runs shown. */
const HEX_RUN = /^[0-9a-f-]+$/;
let hexRunsMaySpell: boolean | undefined;

/**
 * False when no decoding of `run` (from any offset) can hold a secret, told without decoding:
 * for a hex run (an id, a digest) shorter than an AWS secret once decoded, with no registered
 * value to look for, no byte its decodings can contain spells a needle or a secret key word. So a
 * UUID is not decoded four times each time it is shown; anything else is.
 */
function mayEncodeSecret(run: string): boolean {
  if (registeredSecretValues().length > 0 || !HEX_RUN.test(run)) return true;
  if (Math.floor((run.length * 6) / 8) >= AWS_SECRET_LENGTH) return true;
  hexRunsMaySpell ??= canSpellSecret(decodableBytes("0123456789abcdef-"));
  return hexRunsMaySpell;
}

/**
 * Deep copy of a JSON-like value with {@link redactText} applied to every string and object key.
 * Objects with `toJSON` (dates, `SecretValue`) are converted first; cycles become `"[circular]"`,
 * and values nested deeper than `MAX_WALK_DEPTH` become `"[redacted: nested too deeply]"` (output
 * must never fail); functions and symbols are dropped as `JSON.stringify` would.
 *
 * @example
 * ```ts
 * import { redactJson } from "./redact.ts";
 * const safe = redactJson({ note: "token ghp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" });
 * console.log(JSON.stringify(safe)); // {"note":"token [redacted:github_token]"}
 * ```
 */
export function redactJson<T>(value: T): T {
  const ancestors = new Set<object>();
  // Keys and many values repeat (a list of a thousand Pods has six keys and one source label);
  // redactText is a pure function of the text while the registered values stay as they are.
  const seen = new Map<string, string>();
  const redact = (text: string): string => {
    let out = seen.get(text);
    if (out === undefined) {
      out = redactText(text);
      if (text.length <= MEMO_MAX_LENGTH) seen.set(text, out);
    }
    return out;
  };
  const copy = (node: unknown): unknown => {
    if (typeof node === "string") return redact(node);
    if (node === null || typeof node !== "object") {
      return typeof node === "function" || typeof node === "symbol" ? undefined : node;
    }
    if (ancestors.has(node)) return "[circular]";
    if (ancestors.size >= MAX_WALK_DEPTH) return TOO_DEEP;
    const withJson = node as { toJSON?: () => unknown };
    if (typeof withJson.toJSON === "function") return copy(withJson.toJSON());
    ancestors.add(node);
    try {
      if (Array.isArray(node)) return node.map((item) => copy(item) ?? null);
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) {
        const value = copy(child);
        if (value === undefined) continue;
        let name = redact(key);
        for (let i = 2; Object.hasOwn(out, name); i++) name = `${redact(key)}#${i}`;
        out[name] = value;
      }
      return out;
    } finally {
      ancestors.delete(node);
    }
  };
  return copy(value) as T;
}

/**
 * Copy of a manifest in which every credential position ({@link CREDENTIAL_POSITIONS}) that holds
 * something other than a valid reference object, and every env-name position
 * (`web.search.api_key_env`) that holds something other than a variable name, is replaced by
 * `"[redacted]"`. Absent positions stay
 * absent. Other fields are copied unchanged (apply {@link redactJson} too for free text).
 */
export function redactCredentialPositions<T>(manifest: T): T {
  if (!isRecord(manifest)) return manifest;
  const out = structuredCloneJson(manifest) as Record<string, unknown>;
  const checks: Array<[string, (value: unknown) => boolean]> = [
    ...CREDENTIAL_POSITIONS.map((p): [string, (v: unknown) => boolean] => [
      p,
      (v) => isValidCredentialValue(p, v),
    ]),
    ...ENV_NAME_POSITIONS.map((p): [string, (v: unknown) => boolean] => [p, isEnvVarName]),
  ];
  for (const [position, valid] of checks) {
    const keys = position.split(".");
    const last = keys.pop() as string;
    let parent: unknown = out;
    for (const key of keys) parent = isRecord(parent) ? parent[key] : undefined;
    if (!isRecord(parent) || !Object.hasOwn(parent, last)) continue;
    const value = parent[last];
    if (value === undefined || value === null) continue;
    if (!valid(value)) parent[last] = REDACTED;
  }
  return out as T;
}

/** Deep copy of plain JSON data (objects, arrays, primitives); other objects go through toJSON. */
function structuredCloneJson(value: unknown, ancestors = new Set<object>()): unknown {
  if (value === null || typeof value !== "object") return value;
  if (ancestors.has(value)) return "[circular]";
  if (ancestors.size >= MAX_WALK_DEPTH) return TOO_DEEP;
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === "function") {
    return structuredCloneJson(withJson.toJSON(), ancestors);
  }
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => structuredCloneJson(item, ancestors));
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      out[key] = structuredCloneJson(child, ancestors);
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}
