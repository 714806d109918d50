/** Secret reference shape, id validation and collection with field paths. */
import assert from "node:assert/strict";
import { InsomniaError } from "../src/errors.ts";
import {
  collectSecretRefs,
  isSecretRef,
  secretRef,
  validateSecretRefId,
} from "../src/secrets/refs.ts";

const VALID = [
  "llm.anthropic.default",
  "a",
  "A-b_c.d/e",
  "web/brave",
  "llm/anthropic/work-2",
  "x..y",
  "..a",
  "a/.b",
  "trailing.",
  "__proto__",
  "constructor",
  "x".repeat(128),
];

const INVALID: Array<[string, RegExp]> = [
  ["", /it is empty/],
  ["x".repeat(129), /129 bytes/],
  ["é".repeat(65), /130 bytes/],
  ["has space", /character 4 is not allowed/],
  ["tab\tid", /character 4/],
  ["new\nline", /character 4/],
  ["~/.ssh/key", /character 1/],
  ["$HOME", /character 1/],
  ["a:b", /character 2/],
  ["a\\b", /character 2/],
  ["ünïcode", /character 1/],
  ["/abs", /starts with \//],
  ["a//b", /segment 2/],
  ["a/", /segment 2/],
  [".", /segment 1/],
  ["..", /segment 1/],
  ["a/./b", /segment 2/],
  ["a/../b", /segment 2/],
  ["../a", /segment 1/],
];

function codeOf(fn: () => void): InsomniaError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof InsomniaError);
    return error;
  }
  assert.fail("expected an error");
}

Deno.test("valid ids pass", () => {
  for (const id of VALID) validateSecretRefId(id);
  assert.deepEqual(secretRef("llm.anthropic.default"), {
    kind: "secret_ref",
    ref: "llm.anthropic.default",
  });
});

Deno.test("invalid ids are secret_ref_invalid and the message never repeats the id", () => {
  for (const [id, why] of INVALID) {
    const error = codeOf(() => validateSecretRefId(id, "model.auth.ref"));
    assert.equal(error.code, "secret_ref_invalid", JSON.stringify(id));
    assert.match(error.message, why, JSON.stringify(id));
    assert.match(error.message, /at model\.auth\.ref/);
    assert.deepEqual(error.details, { field: "model.auth.ref" });
    if (id.length > 2) assert.ok(!error.message.includes(id), error.message);
  }
  const noField = codeOf(() => validateSecretRefId("a b"));
  assert.deepEqual(noField.details, {});
  assert.equal(
    codeOf(() => validateSecretRefId(42 as unknown as string)).code,
    "secret_ref_invalid",
  );
});

Deno.test("an id that is a credential is secret_plaintext, without echoing it", () => {
  const key = "sk-ant-" + "api03-" + "B".repeat(40);
  const error = codeOf(() => validateSecretRefId(key, "model.auth.ref"));
  assert.equal(error.code, "secret_plaintext");
  assert.equal(error.details.kind, "anthropic_api_key");
  assert.ok(!(error.message + JSON.stringify(error.details)).includes(key));
});

Deno.test("isSecretRef", () => {
  assert.ok(isSecretRef({ kind: "secret_ref", ref: "a" }));
  assert.ok(isSecretRef({ kind: "secret_ref", ref: "" })); // shape only; ids are validated apart
  for (const v of [null, "secret_ref", [], {}, { kind: "secret_ref" }, { kind: "api_key" }]) {
    assert.ok(!isSecretRef(v), JSON.stringify(v));
  }
  assert.ok(!isSecretRef({ kind: "secret_ref", ref: 1 }));
});

Deno.test("collectSecretRefs walks any JSON with field paths", () => {
  const manifest = {
    model: { auth: { kind: "secret_ref", ref: "llm.anthropic.default" } },
    compaction: { model: { auth: { kind: "api_key", env: "X" } } },
    memory: { extract_model: { auth: { kind: "secret_ref", ref: "llm/cheap" } } },
    scope: { allow: [{ target: "/w" }, { target: { kind: "secret_ref", ref: "odd" } }] },
    web: { search: { api_key: { kind: "secret_ref", ref: "web.brave" } } },
    "weird key": [[{ kind: "secret_ref", ref: "deep" }]],
  };
  assert.deepEqual(collectSecretRefs(manifest), [
    { path: "model.auth", ref: "llm.anthropic.default" },
    { path: "memory.extract_model.auth", ref: "llm/cheap" },
    { path: "scope.allow[1].target", ref: "odd" },
    { path: "web.search.api_key", ref: "web.brave" },
    { path: '["weird key"][0][0]', ref: "deep" },
  ]);
  assert.deepEqual(collectSecretRefs({ kind: "secret_ref", ref: "root" }), [
    { path: "", ref: "root" },
  ]);
  assert.deepEqual(collectSecretRefs("x"), []);
  const cyclic: Record<string, unknown> = { a: { kind: "secret_ref", ref: "c" } };
  cyclic.self = cyclic;
  assert.deepEqual(collectSecretRefs(cyclic), [{ path: "a", ref: "c" }]);
});
