import assert from "node:assert/strict";
import { InsomniaError } from "../src/errors.ts";
import { canonicalJson } from "../src/store/canonical.ts";
import { sha256Hex } from "../src/sha256.ts";
import { POD_NAME_MAX, suffixedPodName, validatePodName } from "../src/manifest/pod_name.ts";

const VALID = ["coder", "a", "A.b_c-9", "x".repeat(128), "a..b", "a-dash", "_under", "9lives"];
const INVALID: Array<[string, string]> = [
  ["", "empty"],
  ["x".repeat(129), "129 characters"],
  [".hidden", "leading dot"],
  [".", "dot"],
  ["..", "dot dot"],
  ["a/b", "slash"],
  ["../x", "traversal"],
  ["has space", "space"],
  ["caf\u00e9", "unicode"],
  ["\u30dd\u30c3\u30c9", "unicode (Japanese)"],
  ["a\u0000b", "NUL"],
  ["tab\t", "tab"],
  ["a:b", "colon"],
  [".tmp-create.1.ab", "temp prefix"],
  ["-rf", "D29: leading dash (read as options by pods rm)"],
  ["--help", "D29: leading dashes"],
];

Deno.test("validatePodName accepts 1–128 chars of [A-Za-z0-9._-] not starting with . or -", () => {
  for (const name of VALID) validatePodName(name);
});

Deno.test("validatePodName rejects everything else with pod_name_invalid and shows the rule", () => {
  for (const [name, label] of INVALID) {
    assert.throws(
      () => validatePodName(name),
      (error: unknown) => {
        assert.ok(error instanceof InsomniaError, label);
        assert.equal(error.code, "pod_name_invalid", label);
        assert.match(error.message, /1–128 characters of A–Z, a–z, 0–9/, label);
        assert.match(error.message, /must not start with "\." or "-"/, label);
        assert.ok(!error.message.includes("\n"), label);
        return true;
      },
      label,
    );
  }
});

Deno.test("suffixedPodName appends -n and trims the base to stay within 128 chars", () => {
  assert.equal(suffixedPodName("coder", 1), "coder");
  assert.equal(suffixedPodName("coder", 2), "coder-2");
  assert.equal(suffixedPodName("coder", 13), "coder-13");
  const long = "y".repeat(POD_NAME_MAX);
  assert.equal(suffixedPodName(long, 2), "y".repeat(126) + "-2");
  assert.equal(suffixedPodName(long, 10).length, POD_NAME_MAX);
  validatePodName(suffixedPodName(long, 1000));
});

Deno.test("canonicalJson sorts keys recursively and has no whitespace", () => {
  const value = { b: 1, a: { d: [3, { z: null, y: "s" }], c: true }, "A": "x" };
  assert.equal(canonicalJson(value), '{"A":"x","a":{"c":true,"d":[3,{"y":"s","z":null}]},"b":1}');
  assert.equal(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }));
  assert.equal(canonicalJson({ keep: 1, drop: undefined }), '{"keep":1}');
  assert.equal(canonicalJson([1, "two", null]), '[1,"two",null]');
  assert.throws(() => canonicalJson(undefined), TypeError);
  assert.throws(() => canonicalJson({ n: 1n }), TypeError);
});

Deno.test("sha256Hex hashes UTF-8 text", () => {
  assert.equal(
    sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(sha256Hex("é"), sha256Hex("\u00e9"));
  assert.match(sha256Hex(""), /^e3b0c442/);
});
