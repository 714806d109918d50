/** Redaction of text and JSON, registered values, and SecretValue never printing its value. */
import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  redactCredentialPositions,
  redactJson,
  redactText,
  registerSecretValue,
  resetRegisteredSecretValues,
} from "../src/secrets/redact.ts";
import { SecretValue } from "../src/secrets/resolve_secret.ts";
import { findPlaintextSecrets } from "../src/secrets/plaintext.ts";
import { FAKES, ORDINARY } from "./secrets_fakes_test.ts";
import { redactKnownFormats, SECRET_KEY_STEMS } from "../src/secrets/patterns.ts";
import { Buffer } from "node:buffer";

Deno.test("redactText replaces every recognised format with [redacted:<kind>]", () => {
  for (const fake of FAKES) {
    const text = `error: request with ${fake.value} failed`;
    const out = redactText(text);
    assert.ok(!out.includes(fake.secret ?? fake.value), out);
    assert.ok(out.includes(`[redacted:${fake.kind}]`), out);
    assert.ok(out.startsWith("error: request with "), out);
    assert.deepEqual(findPlaintextSecrets(out), [], "redacted text is clean");
    assert.equal(redactText(out), out, "idempotent");
  }
  const url = FAKES.find((f) => f.kind === "url_password")!;
  assert.equal(
    redactText(url.value),
    "https://bob:[redacted:url_password]@proxy.example.com/v1",
  );
});

Deno.test("redactText leaves ordinary text alone", () => {
  resetRegisteredSecretValues();
  for (const text of ORDINARY) assert.equal(redactText(text), text);
});

Deno.test("a PEM block is redacted whole, with or without its END line", () => {
  const body = "MIIEow" + "Zq9".repeat(30);
  const block = "-----BEGIN RSA " + "PRIVATE KEY-----\n" + body + "\n-----END RSA PRIVATE KEY-----";
  assert.equal(redactText(`a\n${block}\nb`), "a\n[redacted:private_key]\nb");
  const cut = "-----BEGIN " + "PRIVATE KEY-----\n" + body;
  assert.equal(redactText(`x ${cut}`), "x [redacted:private_key]");
  const escaped = JSON.stringify({ k: block });
  assert.ok(!redactText(escaped).includes(body));
});

Deno.test("registered values are redacted, also JSON-escaped; short values are ignored", () => {
  resetRegisteredSecretValues();
  const canary = "canary-" + "7f3a9c" + "-plain";
  const quoted = 'pa"ss\\word' + "-X9";
  registerSecretValue(canary);
  registerSecretValue(quoted);
  registerSecretValue("abc");
  assert.equal(
    redactText(`token=${canary}; again ${canary}`),
    "token=[redacted]; again [redacted]",
  );
  assert.equal(redactText(JSON.stringify({ v: quoted })), '{"v":"[redacted]"}');
  assert.equal(redactText("abc"), "abc");
  resetRegisteredSecretValues();
  assert.equal(redactText(canary), canary);
});

Deno.test("redactJson deep-copies and redacts every string and key", () => {
  resetRegisteredSecretValues();
  const canary = "canary-" + "redact-json-value";
  registerSecretValue(canary);
  const key = FAKES[0].value;
  const input = {
    message: `nix failed: ${canary}`,
    nested: [{ stderr: `export K=${FAKES[6].value}` }, 3, true, null],
    [key]: "value under a secret key",
    date: new Date(0),
    secret: new SecretValue(canary, "x", "file"),
  };
  const out = redactJson(input);
  const text = JSON.stringify(out);
  assert.ok(!text.includes(canary));
  assert.ok(!text.includes(key));
  assert.ok(!text.includes(FAKES[6].value));
  assert.equal(out.message, "nix failed: [redacted]");
  assert.deepEqual(out.nested, [{ stderr: "export K=[redacted:github_token]" }, 3, true, null]);
  assert.equal(
    (out as Record<string, unknown>)["[redacted:anthropic_api_key]"],
    "value under a secret key",
  );
  assert.equal(out.date as unknown, "1970-01-01T00:00:00.000Z");
  assert.equal(out.secret as unknown, "[redacted]");
  // the input is untouched
  assert.equal(input.message, `nix failed: ${canary}`);
  assert.equal(redactJson("plain"), "plain");
  assert.equal(redactJson(5), 5);
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  assert.deepEqual(redactJson(cyclic), { a: 1, self: "[circular]" });
});

Deno.test("redactCredentialPositions replaces anything but valid references", () => {
  const manifest = {
    pod: { name: "p" },
    model: { ref: "anthropic/claude-sonnet-4-6", auth: FAKES[0].value },
    compaction: { model: { auth: { kind: "api_key", env: FAKES[12].value } } },
    memory: {
      extract_model: { auth: { kind: "secret_ref", ref: "llm.cheap" } },
      consolidation_model: { auth: { kind: "api_key", env: "INSOMNIA_API_KEY_OPENAI" } },
    },
    web: { search: { api_key: { kind: "api_key", env: "BRAVE" }, api_key_env: FAKES[12].value } },
  };
  const out = redactCredentialPositions(manifest);
  assert.deepEqual(out, {
    pod: { name: "p" },
    model: { ref: "anthropic/claude-sonnet-4-6", auth: "[redacted]" },
    compaction: { model: { auth: "[redacted]" } },
    memory: {
      extract_model: { auth: { kind: "secret_ref", ref: "llm.cheap" } },
      consolidation_model: { auth: { kind: "api_key", env: "INSOMNIA_API_KEY_OPENAI" } },
    },
    web: { search: { api_key: "[redacted]", api_key_env: "[redacted]" } },
  });
  assert.equal(manifest.model.auth, FAKES[0].value, "input untouched");
  assert.deepEqual(redactCredentialPositions({ model: {} }), { model: {} });
  const fine = { web: { search: { api_key_env: "BRAVE_SEARCH_API_KEY" } } };
  assert.deepEqual(redactCredentialPositions(fine), fine);
  assert.equal(redactCredentialPositions("x"), "x");
});

Deno.test("SecretValue never prints its value", () => {
  const canary = "canary-" + "secret-value-4242";
  const s = new SecretValue(canary, "llm.anthropic.default", "env");
  assert.equal(s.reveal(), canary);
  const renderings = [
    String(s),
    `${s}`,
    "" + s,
    s.toString(),
    JSON.stringify(s),
    JSON.stringify({ auth: s, list: [s] }),
    Deno.inspect(s),
    Deno.inspect({ nested: { s } }, { depth: 10, showHidden: true }),
    inspect(s),
    inspect({ nested: [s] }, { depth: 10, showHidden: true }),
    JSON.stringify({ ...s }),
    JSON.stringify(structuredClone({ s: { ...s } })),
    Object.keys(s).join(","),
    [s].join(","),
  ];
  for (const text of renderings) assert.ok(!text.includes(canary), text);
  assert.equal(String(s), "[redacted]");
  assert.equal(JSON.stringify(s), '"[redacted]"');
  assert.equal(Deno.inspect(s), "[redacted]");
  assert.equal(inspect(s), "[redacted]");
  // resolving registers the value, so it is redacted in free text too
  assert.equal(redactText(`value=${canary}`), "value=[redacted]");
});

Deno.test("a path ending in a secret-looking word is a file name, not a key=value to redact", () => {
  const message = "cannot use the Pod store /etc/passwd: /etc/passwd is not a directory";
  assert.equal(redactText(message), message);
  assert.equal(redactText("password: hunter2-longer"), "password: [redacted:secret_assignment]");
});

// ---- the base64 prefilter (src/secrets/redact.ts mayEncodeSecret) -----------------------------

/** redactText as it was before the prefilter: every base64 run decoded from its four offsets. */
function redactExhaustively(text: string, registered: readonly string[]): string {
  let out = text;
  for (const value of registered) {
    if (out.includes(value)) out = out.split(value).join("[redacted]");
  }
  out = redactKnownFormats(out);
  return out.replace(/[A-Za-z0-9+/_-]{24,}={0,2}/g, (run) => {
    for (let offset = 0; offset < 4; offset++) {
      const decoded = Buffer.from(run.slice(offset), "base64").toString("latin1");
      if (redactKnownFormats(decoded) !== decoded) return "[redacted:base64]";
      if (registered.some((value) => decoded.includes(value))) return "[redacted:base64]";
    }
    return run;
  });
}

/** A deterministic pseudo-random source (the property must fail the same way every run). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

Deno.test("the base64 prefilter never spares a run that decodes to a secret", () => {
  resetRegisteredSecretValues(); // with a registered value every text takes the long way
  const next = random(18);
  const pick = (chars: string) => chars[Math.floor(next() * chars.length)];
  const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_";
  const secrets = [
    ...FAKES.map((f) => f.value),
    "token=abcd1234abcd1234",
    "PASSWORD: hunter22hunter22",
    "client_secret=zzzz9999zzzz9999",
    "-----BEGIN RSA PRIVATE KEY-----",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  ];
  const cases: string[] = [];
  // Secrets encoded at every byte offset (0–2 bytes before), in both alphabets, cut at any end.
  for (const secret of secrets) {
    for (const before of ["", "x", "xy"]) {
      for (const encoding of ["base64", "base64url"] as const) {
        const run = Buffer.from(before + secret + "\n").toString(encoding);
        for (let cut = 0; cut < 4; cut++) cases.push(`[${pick(B64).repeat(cut)}${run}]`);
      }
    }
    cases.push(`note ${secret} end`); // and in plain text
  }
  const encoded = cases.length;
  // Random runs, ids and hashes of every length around the thresholds.
  for (let i = 0; i < 4000; i++) {
    const length = 24 + Math.floor(next() * 40);
    cases.push(Array.from({ length }, () => pick(B64)).join(""));
  }
  for (let i = 0; i < 500; i++) {
    cases.push(
      crypto.randomUUID(),
      Array.from({ length: 64 }, () => pick("0123456789abcdef")).join(""),
    );
  }
  // Ordinary text, and text around each fake: the one-scan screen must let every secret through.
  const PRINTABLE =
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\n";
  for (let i = 0; i < 3000; i++) {
    cases.push(Array.from({ length: 1 + Math.floor(next() * 60) }, () => pick(PRINTABLE)).join(""));
  }
  for (const fake of FAKES) cases.push(`x ${fake.value} y`, `${fake.value}`, `k="${fake.value}"`);
  let redacted = 0;
  for (const [i, text] of cases.entries()) {
    const out = redactText(text);
    assert.equal(out, redactExhaustively(text, []), JSON.stringify(text));
    if (i < encoded && out !== text) redacted++;
  }
  // The crafted cases do reach the positive path: nearly all of them are redacted.
  assert.ok(redacted > encoded * 0.9, `${redacted} of ${encoded} crafted cases redacted`);
  // A registered value is looked for in every text, whatever the screen says of its formats...
  registerSecretValue("Hunter2-Hunter2");
  try {
    assert.equal(redactText("pw Hunter2-Hunter2 x"), "pw [redacted] x");
  } finally {
    resetRegisteredSecretValues();
  }
  // ...and in the decodings of every run, ids too (here: 20 bytes an id decodes to).
  const id = crypto.randomUUID();
  registerSecretValue(Buffer.from(id, "base64").toString("latin1").slice(2, 22));
  try {
    assert.equal(redactText(id), "[redacted:base64]");
  } finally {
    resetRegisteredSecretValues();
  }
  // A registered value spelled only through the decoding.
  registerSecretValue("correct-horse-battery");
  try {
    const run = Buffer.from("id correct-horse-battery staple").toString("base64");
    assert.equal(redactText(run), "[redacted:base64]");
    assert.equal(redactText(run), redactExhaustively(run, ["correct-horse-battery"]));
  } finally {
    resetRegisteredSecretValues();
  }
});

Deno.test("the prefilter is what keeps ids cheap: a UUID is left as it is", () => {
  resetRegisteredSecretValues();
  const id = crypto.randomUUID();
  assert.equal(redactText(`session ${id}`), `session ${id}`);
  // Every key name the assignment pattern hides contains a word the prefilter looks for.
  const keys = ["password", "passwd", "passphrase", "secret", "secret_key", "token", "api_key"];
  keys.push("apikey", "access-key", "private_key", "client_secret", "credential", "credentials");
  for (const key of keys) {
    assert.match(redactKnownFormats(`${key}=abcd1234`), /\[redacted:secret_assignment\]/, key);
    assert.ok(SECRET_KEY_STEMS.some((word) => key.includes(word)), key);
  }
});
