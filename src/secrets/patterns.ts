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
  /**
   * Global regular expression matching the secret part only, where it starts a token: what the
   * plaintext gate rejects in configuration.
   */
  readonly pattern: RegExp;
  /**
   * The same format wherever it occurs (no token boundary: after `_`, a digit, an escaped `\n`):
   * what redaction hides in output, where a false positive costs only readability.
   */
  readonly redactPattern: RegExp;
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
// A line break as it appears in text, or escaped inside JSON or a Nix string.
const SEP = String.raw`(?:\r?\n|\\r\\n|\\n)`;
const PEM_TYPE = "(?:RSA |EC |OPENSSH |DSA |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?";
const B64 = "[A-Za-z0-9+/]";

const hasDigitAndLetter = (s: string): boolean => /[0-9]/.test(s) && /[A-Za-z]/.test(s);
const mixed = (s: string): boolean => /[0-9]/.test(s) && /[a-z]/.test(s) && /[A-Z]/.test(s);

/**
 * A PEM body cut out of its BEGIN/END lines (raw or escaped line breaks): full lines of 60–76
 * characters of mixed-case base64 (64 in PEM, 70 in OpenSSH keys) between two partial ones, or
 * two full lines.
 */
function isPemBody(match: string): boolean {
  const lines = match.split(new RegExp(SEP));
  const full = (line: string) => line.length >= 60 && mixed(line);
  if (lines.length === 2) return lines.every(full);
  return lines.slice(1, -1).every(full);
}

interface DetectorSpec {
  kind: string;
  label: string;
  /** The pattern without its boundary (source text). */
  body: string;
  /** Lookbehind the gate requires before a match (default {@link B}; "" for none). */
  boundary?: string;
  /** Lookahead the gate requires after a match. */
  end?: string;
  accept?: (match: string) => boolean;
  needles: readonly string[];
}

function detector(spec: DetectorSpec): SecretDetector {
  const { body, boundary = B, end = "", ...rest } = spec;
  return {
    ...rest,
    pattern: new RegExp(`${boundary}${body}${end}`, "g"),
    redactPattern: new RegExp(body, "g"),
  };
}

/** Every detector, most specific first (Anthropic and OpenRouter before the generic OpenAI `sk-`). */
export const SECRET_DETECTORS: readonly SecretDetector[] = [
  detector({
    kind: "private_key",
    label: "a PEM private key",
    boundary: "",
    body: `-----BEGIN ${PEM_TYPE}-----(?:[\\s\\S]*?-----END ${PEM_TYPE}-----|[\\s\\S]*)`,
    needles: ["-----BEGIN "],
  }),
  detector({
    // The tail of a key whose BEGIN line was cut off: body lines up to the END line.
    kind: "private_key",
    label: "a PEM private key",
    boundary: "",
    body:
      `(?:(?:${B64}{1,76}${SEP})?(?:${B64}{60,76}={0,2}${SEP})+(?:${B64}{1,76}={0,2}${SEP})?)?` +
      `-----END ${PEM_TYPE}-----`,
    needles: ["-----END "],
  }),
  detector({
    kind: "private_key",
    label: "a PEM private key",
    boundary: "(?<![A-Za-z0-9+/])",
    body: `(?:${B64}{1,76}${SEP})?(?:${B64}{60,76}${SEP})+${B64}{1,76}={0,2}`,
    accept: isPemBody,
    needles: ["\n", "\\n"],
  }),
  detector({
    kind: "anthropic_api_key",
    label: "an Anthropic API key",
    body: "sk-ant-[A-Za-z0-9_-]{20,}",
    needles: ["sk-ant-"],
  }),
  detector({
    kind: "openrouter_api_key",
    label: "an OpenRouter API key",
    body: "sk-or-v[0-9]+-[A-Za-z0-9]{32,}",
    needles: ["sk-or-v"],
  }),
  detector({
    kind: "openai_api_key",
    label: "an OpenAI API key",
    body: "sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}",
    needles: ["sk-"],
  }),
  detector({
    kind: "openai_api_key",
    label: "an OpenAI API key",
    body: "sk-[A-Za-z0-9]{32,}",
    accept: (m) => hasDigitAndLetter(m.slice(3)),
    needles: ["sk-"],
  }),
  detector({
    kind: "github_token",
    label: "a GitHub token",
    boundary: "(?<![A-Za-z0-9_])",
    body: "gh[pousr]_[A-Za-z0-9]{30,}",
    needles: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
  }),
  detector({
    kind: "github_token",
    label: "a GitHub token",
    boundary: "(?<![A-Za-z0-9_])",
    body: "github_pat_[A-Za-z0-9_]{22,}",
    needles: ["github_pat_"],
  }),
  detector({
    kind: "aws_access_key_id",
    label: "an AWS access key ID",
    boundary: "(?<![A-Za-z0-9])",
    body: "(?:AKIA|ASIA)[A-Z0-9]{16}",
    end: "(?![A-Za-z0-9])",
    needles: ["AKIA", "ASIA"],
  }),
  detector({
    kind: "slack_webhook",
    label: "a Slack webhook URL",
    boundary: "",
    body:
      "https?:\\/\\/hooks\\.slack\\.com\\/(?:services|workflows|triggers)\\/[A-Za-z0-9_/+-]{16,}",
    needles: ["hooks.slack.com/"],
  }),
  detector({
    kind: "slack_token",
    label: "a Slack token",
    body: "xox[abposr]-[A-Za-z0-9-]{10,}",
    accept: (m) => /[0-9]/.test(m.slice(5)),
    needles: ["xox"],
  }),
  detector({
    kind: "google_api_key",
    label: "a Google API key",
    body: "AIza[0-9A-Za-z_-]{35}",
    end: "(?![0-9A-Za-z_-])",
    needles: ["AIza"],
  }),
  detector({
    kind: "stripe_key",
    label: "a Stripe secret key",
    boundary: "(?<![A-Za-z0-9])",
    body: "(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}",
    needles: ["_live_", "_test_"],
  }),
  detector({
    kind: "gitlab_token",
    label: "a GitLab personal access token",
    body: "glpat-[A-Za-z0-9_-]{20,}",
    needles: ["glpat-"],
  }),
  detector({
    kind: "jwt",
    label: "a JSON Web Token",
    body: "eyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]*",
    needles: ["eyJ"],
  }),
  detector({
    kind: "url_password",
    label: "a password embedded in a URL",
    // Only the password part of `scheme://user:<password>@host`; placeholders and
    // already-redacted passwords (`$PW`, `${PW}`, `[redacted…]`) are not credentials.
    boundary: "",
    body: "(?<=[A-Za-z][A-Za-z0-9+.-]*:\\/\\/[^\\s/?#@:\"'<>]+:)[^\\s/?#@\"'<>]+(?=@)",
    accept: (m) => !/^(?:\$|\{|\[redacted)/.test(m),
    needles: ["://"],
  }),
];

// ---- redaction only --------------------------------------------------------------------------
// Formats without a distinctive prefix. Hidden in output (a false positive costs only
// readability), never grounds to reject configuration.

/**
 * Key names whose value is a secret (`aws_secret_access_key = …`, `"password": "…"`, `?token=…`),
 * by the word each starts with: every key name contains one of these words.
 */
const SECRET_KEYS: Readonly<Record<string, string>> = {
  pass: "pass(?:word|wd|phrase)",
  secret: "secret(?:[_-]?key)?",
  token: "token",
  api: "api[_-]?key",
  access: "access[_-]?key",
  private: "private[_-]?key",
  client: "client[_-]?secret",
  credential: "credentials?",
};
/** The words every secret key name contains (compared case-insensitively, as the pattern is). */
export const SECRET_KEY_STEMS: readonly string[] = Object.keys(SECRET_KEYS);
const SECRET_KEY = `(?:${Object.values(SECRET_KEYS).join("|")})`;
const ASSIGNMENT = new RegExp(
  // Not after "/": the last component of a path such as /etc/passwd is a file name, not a key.
  String.raw`((?<!/)\b[A-Za-z0-9_.-]*${SECRET_KEY}\\?["']?[ \t]*[:=][ \t]*\\?["']?)` +
    String.raw`([^\s"'\\,;&]{4,})`,
  "gi",
);

/** A value that is a placeholder, a reference or a name rather than a secret. */
function isPlaceholder(value: string): boolean {
  return /^(?:\[redacted|\$|<|\{)/.test(value) || /^[A-Z][A-Z0-9_]*$/.test(value) ||
    /^(?:true|false|null|none|[0-9.]+)$/i.test(value);
}

/** An AWS secret access key: 40 characters of base64 with no prefix, told apart by entropy. */
/** The length of an AWS secret access key: no shorter text holds one. */
export const AWS_SECRET_LENGTH = 40;
const AWS_SECRET = new RegExp(
  String.raw`(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{${AWS_SECRET_LENGTH}}(?![A-Za-z0-9/+=])`,
  "g",
);

function looksRandom(s: string): boolean {
  if (!mixed(s) || s.startsWith("/") || (s.match(/\//g)?.length ?? 0) > 3) return false;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let entropy = 0;
  for (const n of counts.values()) entropy -= (n / s.length) * Math.log2(n / s.length);
  // Random base64 of this length scores ≥ 4.27 bits a character; paths and words stay below.
  return entropy >= 4.2;
}

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

/** Every detector's needles: a text with none of them holds no prefixed format. */
export const SECRET_NEEDLES: readonly string[] = [
  ...new Set(SECRET_DETECTORS.flatMap((d) => d.needles)),
];

// One native scan rules out most strings at once (every needle of every detector).
const NEEDLE_ALTERNATIVES = SECRET_NEEDLES
  .map((needle) => needle.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|");
const ANY_NEEDLE = new RegExp(NEEDLE_ALTERNATIVES);

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

/**
 * A pattern matching every text {@link redactKnownFormats} could change — one holding a detector's
 * needle, a `:` or `=` (an assignment needs one), or a run an AWS secret fits in — and whatever the
 * `wider` alternatives match. A text it does not match is left as it is, told by one native scan.
 */
export function knownFormatScreen(wider: readonly string[] = []): RegExp {
  const aws = String.raw`[A-Za-z0-9/+]{${AWS_SECRET_LENGTH}}`;
  return new RegExp(["[:=]", aws, NEEDLE_ALTERNATIVES, ...wider].join("|"));
}

/**
 * Replaces every recognised credential in `text` with `[redacted:<kind>]`, wherever it occurs
 * (each detector's {@link SecretDetector.redactPattern}), then the values of secret-looking
 * assignments (`password = …`) and AWS secret access keys.
 */
export function redactKnownFormats(text: string): string {
  let out = text;
  if (ANY_NEEDLE.test(out)) {
    for (const detector of SECRET_DETECTORS) {
      if (!mayMatch(detector, out)) continue;
      out = out.replace(
        detector.redactPattern,
        (m) => (!detector.accept || detector.accept(m) ? `[redacted:${detector.kind}]` : m),
      );
    }
  }
  return redactUnprefixedFormats(out);
}

/** The redaction-only step of {@link redactKnownFormats}: secret assignments, AWS secret keys. */
export function redactUnprefixedFormats(text: string): string {
  let out = text;
  if (/[:=]/.test(out)) {
    out = out.replace(
      ASSIGNMENT,
      (m, key: string, value: string) =>
        isPlaceholder(value) ? m : `${key}[redacted:secret_assignment]`,
    );
  }
  return out.replace(AWS_SECRET, (m) => looksRandom(m) ? "[redacted:aws_secret_access_key]" : m);
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
