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
