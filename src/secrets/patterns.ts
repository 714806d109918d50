/**
 * Detectors for well-known credential formats (docs/secrets.md lists them).
 *
 * Each detector is tuned to a distinctive prefix or structure so that ordinary words, paths, model
 * ids (`claude-sonnet-4-6`, `gpt-5.5`), UUIDs and hashes are not flagged. A detector never returns
 * the matched text to callers outside this folder's redaction code.
 * @module
 */

/** One credential format. */
export interface SecretDetector {
  /** Stable machine name, e.g. `anthropic_api_key`; used in `details.kind` and `[redacted:<kind>]`. */
  readonly kind: string;
  /** Human label with its article, e.g. "an Anthropic API key". */
  readonly label: string;
  /** Global regular expression matching the secret part only. */
  readonly pattern: RegExp;
  /** Extra check on a regex match (to reject look-alikes); absent means every match counts. */
  readonly accept?: (match: string) => boolean;
  /**
   * Literals of which every match contains at least one. A text holding none of them is skipped
   * without running the pattern: most strings hold no credential, and a pattern that starts with
   * a lookbehind is tried at every position. tests/secrets_patterns_test.ts checks each list.
   */
  readonly needles: readonly string[];
}

// A key must not start in the middle of a token; a leading "-" or "--" (a pasted flag) is fine.
const B = "(?<![A-Za-z0-9_])(?<![A-Za-z0-9_]-)";

const hasDigitAndLetter = (s: string): boolean => /[0-9]/.test(s) && /[A-Za-z]/.test(s);

/** Every detector, most specific first (Anthropic and OpenRouter before the generic OpenAI `sk-`). */
export const SECRET_DETECTORS: readonly SecretDetector[] = [
  {
    kind: "private_key",
    label: "a PEM private key",
    pattern: new RegExp(
      "-----BEGIN (?:RSA |EC |OPENSSH |DSA |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----" +
        "(?:[\\s\\S]*?-----END (?:RSA |EC |OPENSSH |DSA |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----|[\\s\\S]*)",
      "g",
    ),
    needles: ["-----BEGIN "],
  },
  {
    kind: "anthropic_api_key",
    label: "an Anthropic API key",
    pattern: new RegExp(`${B}sk-ant-[A-Za-z0-9_-]{20,}`, "g"),
    needles: ["sk-ant-"],
  },
  {
    kind: "openrouter_api_key",
    label: "an OpenRouter API key",
    pattern: new RegExp(`${B}sk-or-v[0-9]+-[A-Za-z0-9]{32,}`, "g"),
    needles: ["sk-or-v"],
  },
  {
    kind: "openai_api_key",
    label: "an OpenAI API key",
    pattern: new RegExp(`${B}sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}`, "g"),
    needles: ["sk-"],
  },
  {
    kind: "openai_api_key",
    label: "an OpenAI API key",
    pattern: new RegExp(`${B}sk-[A-Za-z0-9]{32,}`, "g"),
    accept: (m) => hasDigitAndLetter(m.slice(3)),
    needles: ["sk-"],
  },
  {
    kind: "github_token",
    label: "a GitHub token",
    pattern: /(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{30,}/g,
    needles: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
  },
  {
    kind: "github_token",
    label: "a GitHub token",
    pattern: /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{22,}/g,
    needles: ["github_pat_"],
  },
  {
    kind: "aws_access_key_id",
    label: "an AWS access key ID",
    pattern: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
    needles: ["AKIA", "ASIA"],
  },
  {
    kind: "slack_webhook",
    label: "a Slack webhook URL",
    pattern: /https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_/+-]{16,}/g,
    needles: ["hooks.slack.com/"],
  },
  {
    kind: "slack_token",
    label: "a Slack token",
    pattern: new RegExp(`${B}xox[abposr]-[A-Za-z0-9-]{10,}`, "g"),
    accept: (m) => /[0-9]/.test(m.slice(5)),
    needles: ["xox"],
  },
  {
    kind: "google_api_key",
    label: "a Google API key",
    pattern: new RegExp(`${B}AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])`, "g"),
    needles: ["AIza"],
  },
  {
    kind: "stripe_key",
    label: "a Stripe secret key",
    pattern: /(?<![A-Za-z0-9])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/g,
    needles: ["_live_", "_test_"],
  },
  {
    kind: "gitlab_token",
    label: "a GitLab personal access token",
    pattern: new RegExp(`${B}glpat-[A-Za-z0-9_-]{20,}`, "g"),
    needles: ["glpat-"],
  },
  {
    kind: "jwt",
    label: "a JSON Web Token",
    pattern: new RegExp(`${B}eyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]*`, "g"),
    needles: ["eyJ"],
  },
  {
    kind: "url_password",
    label: "a password embedded in a URL",
    // Only the password part of `scheme://user:<password>@host`; placeholders and
    // already-redacted passwords (`$PW`, `${PW}`, `[redacted…]`) are not credentials.
    pattern: /(?<=[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/?#@:"'<>]+:)[^\s/?#@"'<>]+(?=@)/g,
    accept: (m) => !/^(?:\$|\{|\[redacted)/.test(m),
    needles: ["://"],
  },
];

const LABELS: ReadonlyMap<string, string> = new Map(
  SECRET_DETECTORS.map((d) => [d.kind, d.label]),
);

/** Human label for a detector kind ("an Anthropic API key"); unknown kinds get "a credential". */
export function secretKindLabel(kind: string): string {
  if (kind === "known_secret_value") return "the value of a stored or environment secret";
  return LABELS.get(kind) ?? "a credential";
}

/** False when `text` cannot hold a match of `detector` (it contains none of its needles). */
export function mayMatch(detector: SecretDetector, text: string): boolean {
  return detector.needles.some((needle) => text.includes(needle));
}

// One native scan rules out most strings at once (every needle of every detector).
const ANY_NEEDLE = new RegExp(
  [...new Set(SECRET_DETECTORS.flatMap((d) => d.needles))]
    .map((needle) => needle.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|"),
);

/** The kinds of every credential format found in `text` (each kind once, detector order). */
export function detectSecretKinds(text: string): string[] {
  const kinds: string[] = [];
  if (!ANY_NEEDLE.test(text)) return kinds;
  for (const detector of SECRET_DETECTORS) {
    if (kinds.includes(detector.kind) || !mayMatch(detector, text)) continue;
    for (const match of text.matchAll(detector.pattern)) {
      if (!detector.accept || detector.accept(match[0])) {
        kinds.push(detector.kind);
        break;
      }
    }
  }
  return kinds;
}

/** Replaces every recognised credential in `text` with `[redacted:<kind>]`. */
export function redactKnownFormats(text: string): string {
  let out = text;
  if (!ANY_NEEDLE.test(out)) return out;
  for (const detector of SECRET_DETECTORS) {
    if (!mayMatch(detector, out)) continue;
    out = out.replace(
      detector.pattern,
      (m) => (!detector.accept || detector.accept(m) ? `[redacted:${detector.kind}]` : m),
    );
  }
  return out;
}

/** Environment variable name syntax accepted in `api_key.env`. */
export const ENV_NAME_RE: RegExp = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * True when `value` looks like a credential rather than a name: a recognised format, a long hex
 * string, or a long mixed-case alphanumeric string without underscores (env var names have them).
 */
export function looksLikeCredential(value: string): boolean {
  if (detectSecretKinds(value).length > 0) return true;
  if (/^[0-9a-fA-F]{32,}$/.test(value)) return true;
  return value.length >= 20 && !value.includes("_") && /[a-z]/.test(value) &&
    /[A-Z]/.test(value) && /[0-9]/.test(value);
}
