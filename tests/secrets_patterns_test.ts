/**
 * The detectors' needles (src/secrets/patterns.ts) only skip work: on any text, detection and
 * redaction give what running every pattern on everything would give.
 */
import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import {
  detectSecretKinds,
  mayMatch,
  redactKnownFormats,
  redactUnprefixedFormats,
  SECRET_DETECTORS,
  type SecretDetector,
} from "../src/secrets/patterns.ts";

/** Detection without needles: every pattern on the whole text. */
function detectAll(text: string): string[] {
  const kinds: string[] = [];
  for (const d of SECRET_DETECTORS) {
    if (kinds.includes(d.kind)) continue;
    for (const m of text.matchAll(d.pattern)) {
      if (!d.accept || d.accept(m[0])) {
        kinds.push(d.kind);
        break;
      }
    }
  }
  return kinds;
}

/** Redaction without needles: every redaction pattern on the whole text, then the rest. */
function redactAll(text: string): string {
  let out = text;
  for (const d of SECRET_DETECTORS) {
    out = out.replace(
      d.redactPattern,
      (m) => (!d.accept || d.accept(m) ? `[redacted:${d.kind}]` : m),
    );
  }
  return redactUnprefixedFormats(out);
}

/** Texts around a match of `d`: lookbehinds and lookaheads become plain text, negative ones go. */
function texts(d: SecretDetector): fc.Arbitrary<string> {
  const source = d.pattern.source
    .replace(/\(\?<?!(?:[^()\\]|\\.)*\)/g, "")
    .replace(/\(\?<?=((?:[^()\\]|\\.)*)\)/g, "(?:$1)");
  const core = fc.stringMatching(new RegExp(`^(?:${source})$`));
  const noise = fc.string({ maxLength: 12 });
  return fc.tuple(noise, core, noise).map(([a, b, c]) => a + b + c);
}

Deno.test("every detector's needles are in every text it matches", () => {
  for (const d of SECRET_DETECTORS) {
    fc.assert(
      fc.property(texts(d), (text) => {
        d.pattern.lastIndex = 0;
        if ([...text.matchAll(d.pattern)].length > 0) assert.ok(mayMatch(d, text), d.kind);
      }),
      { numRuns: 300 },
    );
  }
});

Deno.test("detection and redaction with needles equal running every pattern", () => {
  const anyText = fc.oneof(
    ...SECRET_DETECTORS.map(texts),
    fc.string(),
    fc.string({ unit: "binary" }),
  );
  fc.assert(
    fc.property(fc.array(anyText, { maxLength: 3 }), (parts) => {
      const text = parts.join(" ");
      assert.deepEqual(detectSecretKinds(text), detectAll(text));
      assert.equal(redactKnownFormats(text), redactAll(text));
    }),
    { numRuns: 2000 },
  );
});

Deno.test("ordinary text holds no needle of most detectors", () => {
  const text = "scope.allow[12].target /srv/data/project_12 permission read cmd_3 *";
  assert.deepEqual(SECRET_DETECTORS.filter((d) => mayMatch(d, text)).map((d) => d.kind), []);
});
