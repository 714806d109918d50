/**
 * Plaintext rejection: one realistic fake per detector kind (built at runtime so this file holds no
 * key-shaped literal), ordinary strings that must not be flagged, credential positions.
 */
import assert from "node:assert/strict";
import { InsomniaError } from "../src/errors.ts";
import {
  assertManifestSecretsSafe,
  assertNoPlaintextSecrets,
  checkCredentialPositions,
  CREDENTIAL_POSITIONS,
  findPlaintextSecrets,
  SECRET_DETECTORS,
  secretKindLabel,
} from "../src/secrets/plaintext.ts";
import { FAKES, ORDINARY } from "./secrets_fakes_test.ts";

function catchError(fn: () => void): InsomniaError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof InsomniaError, `expected InsomniaError, got ${error}`);
    return error;
  }
  assert.fail("expected an error");
}

function assertNoLeak(error: InsomniaError, secret: string): void {
  const text = error.message + JSON.stringify(error.details) + String(error.stack);
  assert.ok(!text.includes(secret), `error leaks the secret: ${error.message}`);
}

Deno.test("every detector kind has at least one fake", () => {
  const kinds = new Set(SECRET_DETECTORS.map((d) => d.kind));
  for (const kind of kinds) assert.ok(FAKES.some((f) => f.kind === kind), kind);
});

for (const fake of FAKES) {
  Deno.test(`detects ${fake.kind}: ${fake.value.slice(0, 12)}…`, () => {
    const manifest = { worker: { instruction: `use ${fake.value} please` } };
    assert.deepEqual(findPlaintextSecrets(manifest), [
      { path: "worker.instruction", kind: fake.kind },
    ]);
    const error = catchError(() => assertNoPlaintextSecrets(manifest, "profile work"));
    assert.equal(error.code, "secret_plaintext");
    assert.equal(error.details.field, "worker.instruction");
    assert.equal(error.details.kind, fake.kind);
    assert.match(error.message, /^profile work: worker\.instruction holds /);
    assert.ok(error.message.includes(secretKindLabel(fake.kind)), error.message);
    assert.ok(error.message.includes('secrets.ref "<id>"'));
    assert.ok(error.message.includes('{ kind = "secret_ref", ref = "<id>" }'));
    assert.ok(error.message.includes("insomnia-pod secrets set <id>"));
    assertNoLeak(error, fake.secret ?? fake.value);
  });
}

Deno.test("ordinary strings are not flagged", () => {
  for (const text of ORDINARY) {
    assert.deepEqual(findPlaintextSecrets({ a: text, [text]: 1 }), [], text);
  }
  assert.doesNotThrow(() => assertNoPlaintextSecrets({ list: ORDINARY }, "x"));
});

Deno.test("object keys are checked and never spelled out in the path", () => {
  const key = FAKES[0].value;
  const value = { headers: { [key]: "x" } };
  assert.deepEqual(findPlaintextSecrets(value), [
    { path: 'headers["[redacted]"]', kind: "anthropic_api_key" },
  ]);
  const error = catchError(() => assertNoPlaintextSecrets(value, "manifest.toml"));
  assert.equal(error.details.field, 'headers["[redacted]"]');
  assertNoLeak(error, key);
});

Deno.test("paths use dotted keys and [i] indices; several findings are all named", () => {
  const value = {
    scope: { allow: [{ target: "/w" }, { target: FAKES[6].value }] },
    env: ["ok", FAKES[12].value],
  };
  const error = catchError(() => assertNoPlaintextSecrets(value, "o"));
  assert.equal(error.details.field, "scope.allow[1].target");
  assert.deepEqual(error.details.findings, [
    { field: "scope.allow[1].target", kind: "github_token" },
    { field: "env[1]", kind: "aws_access_key_id" },
  ]);
  assert.ok(error.message.includes("scope.allow[1].target (a GitHub token)"));
  assert.ok(error.message.includes("env[1] (an AWS access key ID)"));
  assertNoLeak(error, FAKES[6].value);
  assertNoLeak(error, FAKES[12].value);
});

Deno.test("a root string is reported as the value", () => {
  assert.deepEqual(findPlaintextSecrets(FAKES[0].value), [{ path: "", kind: "anthropic_api_key" }]);
});

const nest = (position: string, value: unknown): Record<string, unknown> => {
  const root: Record<string, unknown> = {};
  let node = root;
  const keys = position.split(".");
  for (const key of keys.slice(0, -1)) node = (node[key] = {}) as Record<string, unknown>;
  node[keys[keys.length - 1]] = value;
  return root;
};

for (const position of CREDENTIAL_POSITIONS) {
  Deno.test(`credential position ${position}: a literal string is plaintext`, () => {
    const literal = "hunter2-" + "plain";
    const error = catchError(() => checkCredentialPositions(nest(position, literal)));
    assert.equal(error.code, "secret_plaintext");
    assert.equal(error.details.field, position);
    assert.ok(error.message.startsWith(`${position} holds a literal string`), error.message);
    assert.ok(error.message.includes("credentials must be references"));
    assertNoLeak(error, literal);
  });

  Deno.test(`credential position ${position}: a literal number and a key are plaintext`, () => {
    const n = catchError(() => checkCredentialPositions(nest(position, 12345678)));
    assert.equal(n.code, "secret_plaintext");
    assert.ok(n.message.includes(`${position} holds a literal number`));
    assertNoLeak(n, "12345678");
    const key = FAKES[0].value;
    const k = catchError(() => checkCredentialPositions(nest(position, key), "user manifest"));
    assert.equal(k.details.kind, "anthropic_api_key");
    assert.ok(k.message.startsWith(`user manifest: ${position} holds a literal string`));
    assert.ok(k.message.includes("looks like an Anthropic API key"));
    assertNoLeak(k, key);
  });

  Deno.test(`credential position ${position}: a secret_ref passes`, () => {
    checkCredentialPositions(nest(position, { kind: "secret_ref", ref: "llm.anthropic.default" }));
  });
}

Deno.test("valid AuthRef objects pass", () => {
  for (
    const auth of [
      { kind: "none" },
      { kind: "api_key" },
      { kind: "api_key", env: "INSOMNIA_API_KEY_ANTHROPIC" },
      { kind: "api_key", env: "_X1" },
      { kind: "api_key", file: "/run/secrets/anthropic" },
      { kind: "api_key", file: "keys/openai.key", env: "OPENAI_KEY" },
      { kind: "codex_oauth" },
      { kind: "secret_ref", ref: "llm/anthropic/work-2" },
    ]
  ) {
    const manifest = {
      model: { auth },
      compaction: { model: { auth } },
      memory: { extract_model: { auth }, consolidation_model: { auth } },
      web: { search: { api_key: { kind: "secret_ref", ref: "web.brave" } } },
    };
    checkCredentialPositions(manifest);
    assertManifestSecretsSafe(manifest, "x");
  }
  checkCredentialPositions({});
  checkCredentialPositions({ model: {} });
  checkCredentialPositions({ model: "anthropic/claude-sonnet-4-6" });
  checkCredentialPositions(null);
});

Deno.test("api_key.env holding a key rather than a name is plaintext", () => {
  const keyLike = [
    FAKES[0].value,
    FAKES[12].value, // an AWS key id is a syntactically valid variable name
    FAKES[6].value, // so is a GitHub token
    "Ab3dE5gH7jK9mN1pQ3sT5v",
    "0123456789abcdef".repeat(2),
    "not a name",
    "9LIVES",
  ];
  for (const env of keyLike) {
    const error = catchError(() =>
      checkCredentialPositions({ model: { auth: { kind: "api_key", env } } })
    );
    assert.equal(error.code, "secret_plaintext", env);
    assert.equal(error.details.field, "model.auth.env");
    assertNoLeak(error, env);
  }
  const aws = catchError(() =>
    checkCredentialPositions({ model: { auth: { kind: "api_key", env: FAKES[12].value } } })
  );
  assert.ok(aws.message.includes("looks like an AWS access key ID rather than a name"));
});

Deno.test("api_key.file holding a key, and unknown fields holding literals, are plaintext", () => {
  const file = catchError(() =>
    checkCredentialPositions({ model: { auth: { kind: "api_key", file: FAKES[0].value } } })
  );
  assert.equal(file.details.field, "model.auth.file");
  assertNoLeak(file, FAKES[0].value);
  const extra = catchError(() =>
    checkCredentialPositions({ model: { auth: { kind: "api_key", value: "hunter2" } } })
  );
  assert.equal(extra.code, "secret_plaintext");
  assert.equal(extra.details.field, "model.auth.value");
  assert.ok(extra.message.includes('is not a field of a credential of kind "api_key"'));
  const noKind = catchError(() => checkCredentialPositions({ model: { auth: { key: "x" } } }));
  assert.equal(noKind.details.field, "model.auth.key");
  const unknown = catchError(() =>
    checkCredentialPositions({ model: { auth: { kind: "bearer", token: "x" } } })
  );
  assert.equal(unknown.details.field, "model.auth.token");
  const arr = catchError(() => checkCredentialPositions({ model: { auth: ["x"] } }));
  assert.equal(arr.details.field, "model.auth[0]");
});

Deno.test("secret_ref problems at credential positions", () => {
  const bad = catchError(() =>
    checkCredentialPositions({ model: { auth: { kind: "secret_ref", ref: "../x" } } })
  );
  assert.equal(bad.code, "secret_ref_invalid");
  assert.equal(bad.details.field, "model.auth.ref");
  const missing = catchError(() =>
    checkCredentialPositions({ model: { auth: { kind: "secret_ref" } } })
  );
  assert.equal(missing.code, "secret_ref_invalid");
  const keyAsRef = catchError(() =>
    checkCredentialPositions({ model: { auth: { kind: "secret_ref", ref: FAKES[0].value } } })
  );
  assert.equal(keyAsRef.code, "secret_plaintext");
  assertNoLeak(keyAsRef, FAKES[0].value);
});

Deno.test("web.search.api_key accepts only secret_ref", () => {
  for (const api_key of [{ kind: "api_key", env: "BRAVE_SEARCH_API_KEY" }, { kind: "none" }]) {
    const error = catchError(() => checkCredentialPositions({ web: { search: { api_key } } }));
    assert.equal(error.code, "secret_ref_invalid");
    assert.equal(error.details.field, "web.search.api_key");
    assert.ok(error.message.includes("accepts only a secret reference"));
  }
});

Deno.test("several credential problems: plaintext first, all listed", () => {
  const error = catchError(() =>
    checkCredentialPositions({
      model: { auth: { kind: "secret_ref", ref: "" } },
      memory: { extract_model: { auth: "hunter2" } },
    })
  );
  assert.equal(error.code, "secret_plaintext");
  assert.equal(error.details.field, "memory.extract_model.auth");
  assert.deepEqual(error.details.problems, [
    { field: "memory.extract_model.auth", code: "secret_plaintext", kind: "literal" },
    { field: "model.auth.ref", code: "secret_ref_invalid", kind: undefined },
  ]);
  assert.ok(error.message.includes("Also: model.auth.ref (secret_ref_invalid)"));
});

Deno.test("api_key.file may be a workspace_path object; a key there is plaintext", () => {
  checkCredentialPositions({
    model: { auth: { kind: "api_key", file: { kind: "workspace_path", path: "keys/a.key" } } },
  });
  const error = catchError(() =>
    checkCredentialPositions({
      model: { auth: { kind: "api_key", file: { kind: "workspace_path", path: FAKES[0].value } } },
    })
  );
  assert.equal(error.code, "secret_plaintext");
  assert.equal(error.details.field, "model.auth.file.path");
  assertNoLeak(error, FAKES[0].value);
});

Deno.test("web.search.api_key_env must hold a variable name, not a key", () => {
  checkCredentialPositions({ web: { search: { api_key_env: "BRAVE_SEARCH_API_KEY" } } });
  for (const value of [FAKES[12].value, "Ab3dE5gH7jK9mN1pQ3sT5v", 42]) {
    const error = catchError(() =>
      checkCredentialPositions({ web: { search: { api_key_env: value } } })
    );
    assert.equal(error.code, "secret_plaintext");
    assert.equal(error.details.field, "web.search.api_key_env");
    assertNoLeak(error, String(value));
  }
});
