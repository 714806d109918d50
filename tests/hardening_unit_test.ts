/**
 * In-process regression tests for the hostile review's defects (see tests/e2e/hardening_test.ts
 * for the CLI-level ones): the redactor against every leak shape (D7, D8), the shape limits and
 * the walkers (D5). Key-shaped values are built at runtime; none sits in this file.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  isRedactableValue,
  redactJson,
  redactText,
  registerSecretValue,
  resetRegisteredSecretValues,
} from "../src/secrets/redact.ts";
import { findPlaintextSecrets } from "../src/secrets/plaintext.ts";
import { withoutSourceExcerpts } from "../src/nix/diagnostics.ts";
import { walkJson } from "../src/secrets/walk.ts";
import { jsonShapeProblem, MAX_JSON_DEPTH } from "../src/json_shape.ts";
import { canonicalJson } from "../src/store/canonical.ts";
import { randomChars } from "./fixtures/canary/canary.ts";
import { ManifestConfigSchema, PodManifestSchema } from "../src/manifest/schema.ts";
import { ensureResourceCopy } from "../src/resources.ts";
import { InsomniaError } from "../src/errors.ts";
import { basename, join } from "node:path";

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const anthropic = () => "sk-" + "ant-api03-" + randomChars(40);
const awsKeyId = () => "AK" + "IA" + randomChars(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
const githubToken = () => "gh" + "p_" + randomChars(36);
const awsSecret = () => randomChars(18) + "/" + randomChars(10) + "+" + randomChars(10);

/** A PEM private key body: `lines` lines of 64 random base64 characters. */
function pemBody(lines: number): string {
  return Array.from({ length: lines }, () => "M" + randomChars(63, B64)).join("\n");
}

/** Asserts `secret` is gone from `redactText(text)` and a redaction marker stands instead. */
function assertHidden(text: string, secret: string, kind?: string): string {
  const out = redactText(text);
  assert.ok(!out.includes(secret), `leaked: ${out.replace(secret, "«secret»")}`);
  assert.match(out, new RegExp(`\\[redacted${kind ? `:${kind}` : ""}`));
  return out;
}

// ---- D7: keys next to word characters, escapes, base64, PEM pieces ---------------------------

Deno.test("D7: a key after an escaped newline (builtins.toJSON in a throw) is redacted", () => {
  const key = anthropic();
  assertHidden(JSON.stringify({ k: `line1\n${key}` }), key, "anthropic_api_key");
  const id = awsKeyId();
  assertHidden(JSON.stringify(`x\n${id}`), id, "aws_access_key_id");
  assertHidden(`a\\t${key}`, key);
});

Deno.test("D7: a key glued to a word character, a digit or `x-` is redacted", () => {
  const key = anthropic();
  assertHidden(`token_${key}`, key, "anthropic_api_key");
  assertHidden(`x-${key}`, key, "anthropic_api_key");
  const gh = githubToken();
  assertHidden(`1${gh}`, gh, "github_token");
  const id = awsKeyId();
  assertHidden(`key9${id}`, id, "aws_access_key_id");
});

Deno.test("D7: the base64 of a key, alone or inside an encoded document, is redacted", () => {
  const key = anthropic();
  const encoded = Buffer.from(key).toString("base64");
  assertHidden(`value: ${encoded}`, encoded, "base64");
  const blob = Buffer.from(JSON.stringify({ auth: { key } })).toString("base64");
  assertHidden(`data=${blob};`, blob, "base64");
  const urlSafe = Buffer.from(`x${key}`).toString("base64url");
  assertHidden(urlSafe, urlSafe, "base64");
  resetRegisteredSecretValues();
  const plain = "Opaque" + randomChars(20);
  registerSecretValue(plain);
  const stored = Buffer.from(plain).toString("base64");
  assertHidden(`env ${stored}`, stored, "base64");
  resetRegisteredSecretValues();
  // Hashes and ids that merely look like base64 stay.
  const sri = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
  assert.equal(redactText(sri), sri);
});

Deno.test("D7: a PEM body without its BEGIN line is redacted, raw or escaped", () => {
  const body = pemBody(6);
  // builtins.substring cut out of the middle of a key: no BEGIN, no END.
  const piece = body.slice(40, 240);
  assertHidden(`description: ${piece} (end)`, piece.split("\n")[1], "private_key");
  assertHidden(JSON.stringify({ d: piece }), piece.split("\n")[1], "private_key");
  const tail = `${body}\n-----END RSA ` + "PRIVATE KEY-----";
  const out = assertHidden(`x\n${tail}\ny`, body.split("\n")[2], "private_key");
  // A short line right before the body may go with it (it could be the body's cut first line).
  assert.match(out, /^(x\n)?\[redacted:private_key\]\ny$/);
  // The plaintext gate rejects both in configuration.
  assert.deepEqual(findPlaintextSecrets({ worker: { instruction: piece } }), [
    { path: "worker.instruction", kind: "private_key" },
  ]);
  assert.deepEqual(findPlaintextSecrets({ a: tail }).map((f) => f.kind), ["private_key"]);
});

Deno.test("D7: an AWS secret access key is redacted alone and as an assignment", () => {
  const secret = awsSecret();
  assertHidden(`throw: ${secret}`, secret, "aws_secret_access_key");
  assertHidden(`aws_secret_access_key = ${secret}`, secret);
  assertHidden(`AWS_SECRET_ACCESS_KEY=${secret}\n`, secret);
  // Paths, hex digests and model ids of similar length are not keys.
  for (
    const text of [
      "home/Alice1/work/Project2/profiles/mains",
      "/srv/data/Project12/profiles/ReviewPod1",
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4",
    ]
  ) assert.equal(redactText(text), text);
});

Deno.test("D7/D8: values of secret-looking keys are redacted; references and names stay", () => {
  const value = "hunter2" + randomChars(8);
  assertHidden(`password = ${value}`, value, "secret_assignment");
  assertHidden(`{"client_secret": "${value}"}`, value, "secret_assignment");
  assertHidden(JSON.stringify({ msg: `db_password: '${value}'` }), value);
  assertHidden(`https://x.example/cb?access_token=${value}&a=b`, value);
  for (
    const text of [
      "api_key_env = BRAVE_SEARCH_API_KEY",
      "password = $DB_PASSWORD",
      'token = "[redacted]"',
      "max_tokens = 8000",
      "retained_tokens: 8000",
      "auth:        secret_ref llm.anthropic.default",
      "secret_ref = llm.anthropic.default",
    ]
  ) assert.equal(redactText(text), text);
});

Deno.test("D7: redactJson applies the same redactor to every string and key", () => {
  const key = anthropic();
  const out = JSON.stringify(redactJson({ [`id_${key}`]: [`a\n${key}`, { m: `x-${key}` }] }));
  assert.ok(!out.includes(key), out);
});

// ---- D8: trace files keep no source excerpts ---------------------------------------------------

Deno.test("D8: source lines quoted by Nix are dropped from what a trace file keeps", () => {
  const secret = awsSecret();
  const stderr = [
    "error: syntax error, unexpected '=', expecting end of file",
    "",
    "       at /tmp/x/creds:2:19:",
    "",
    "            1| [default]",
    `            2| aws_secret_access_key = ${secret}`,
    "             |                   ^",
    "            3| other = 1",
    "",
    "       … while evaluating the file",
  ].join("\n");
  const kept = withoutSourceExcerpts(stderr);
  assert.ok(!kept.includes(secret));
  assert.ok(!kept.includes("[default]"));
  assert.match(kept, /at \/tmp\/x\/creds:2:19:\n\n {12}\| \[source lines omitted\]\n\n {7}… while/);
  assert.match(kept, /^error: syntax error/);
});

// ---- D5: limits and walkers --------------------------------------------------------------------

/** `{ a: { a: … } }` nested `depth` levels (built iteratively). */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

Deno.test("D5: the shape check and every walker survive a 100,000-deep value", () => {
  const deep = nested(100_000);
  const found = jsonShapeProblem(deep);
  assert.equal(found?.field, `a${".a".repeat(MAX_JSON_DEPTH - 1)}`);
  assert.equal(jsonShapeProblem(nested(MAX_JSON_DEPTH - 1)), undefined);
  let visits = 0;
  walkJson(deep, { value: () => void visits++ });
  assert.equal(visits, 100_001);
  // A path is built only when asked for, and iteratively: a finding at the bottom still has one.
  let bottom: unknown = { key: "ghp_" + "A".repeat(36) };
  for (let i = 0; i < 100_000; i++) bottom = i % 2 ? { a: bottom } : [bottom];
  const [finding] = findPlaintextSecrets(bottom);
  assert.equal(finding.kind, "github_token");
  assert.equal(finding.path, "a[0].".repeat(50_000) + "key");
  const paths: string[] = [];
  walkJson({ x: [{ "a b": 1 }] }, { value: (_, path) => void paths.push(path()) });
  assert.deepEqual(paths, ["", "x", "x[0]", 'x[0]["a b"]']);
  assert.match(JSON.stringify(redactJson(deep)), /\[redacted: nested too deeply\]/);
  assert.throws(() => canonicalJson(nested(200)), TypeError);
  assert.equal(jsonShapeProblem({ l: new Array(10_001).fill(0) })?.field, "l");
  assert.equal(jsonShapeProblem({ l: new Array(10_000).fill(0) }), undefined);
  assert.equal(jsonShapeProblem({ sparse: new Array(3) }), undefined);
});

// ---- D13: a secret that is a common word -------------------------------------------------------

/** Every string literal and enum value a zod schema accepts (its keywords). */
function schemaWords(schema: unknown, out = new Set<string>(), seen = new Set<unknown>()) {
  // deno-lint-ignore no-explicit-any
  const def = (schema as any)?._zod?.def;
  if (!def || seen.has(def)) return out;
  seen.add(def);
  if (def.type === "enum") Object.values(def.entries).forEach((v) => out.add(String(v)));
  if (def.type === "literal") def.values.forEach((v: unknown) => out.add(String(v)));
  const children = [
    def.innerType,
    def.in,
    def.out,
    def.element,
    def.keyType,
    def.valueType,
    ...(def.options ?? []),
    ...Object.values(def.shape ?? {}),
  ];
  for (const child of children) schemaWords(child, out, seen);
  return out;
}

Deno.test("D13: no manifest keyword or common word is ever registered for redaction", () => {
  const words = schemaWords(PodManifestSchema);
  schemaWords(ManifestConfigSchema, words);
  assert.ok(words.has("write") && words.has("secret_ref") && words.has("workspace_path"));
  for (const word of [...words, "anthropic", "password", "insomnia", "hunter22"]) {
    assert.equal(isRedactableValue(word), false, word);
  }
  for (const strong of ["Tr0ub4dor&3", "correcthorsebatterystaple", "v-1234-Abcd"]) {
    assert.equal(isRedactableValue(strong), true, strong);
  }
  resetRegisteredSecretValues();
  registerSecretValue("write");
  registerSecretValue("anthropic");
  const manifest = { scope: { allow: [{ target: "/tmp", permission: "write" }] } };
  assert.deepEqual(redactJson(manifest), manifest);
  assert.deepEqual(findPlaintextSecrets(manifest), []);
  assert.equal(redactText("llm.anthropic.default"), "llm.anthropic.default");
  resetRegisteredSecretValues();
});

// ---- D16: the binary's unpacked resources ------------------------------------------------------

/** Every entry under `dir` with its permission bits, e.g. `{ "nix/": 0o700, "nix/x.nix": 0o600 }`. */
function modes(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (d: string, rel: string) => {
    for (const entry of Deno.readDirSync(d)) {
      const p = join(d, entry.name);
      const name = rel + entry.name + (entry.isDirectory ? "/" : "");
      out[name] = Deno.lstatSync(p).mode! & 0o777;
      if (entry.isDirectory) walk(p, name);
    }
  };
  walk(dir, "");
  return out;
}

Deno.test("D16: the resource copy is private under umask 000 and replaced when edited, loosened or cut", () => {
  const root = Deno.makeTempDirSync({ prefix: "insomnia-res-" });
  const previous = Deno.umask(0);
  try {
    const cache = join(root, "cache", "insomnia");
    const dir = ensureResourceCopy(cache);
    assert.equal(Deno.statSync(cache).mode! & 0o777, 0o700);
    assert.equal(Deno.statSync(dir).mode! & 0o777, 0o700);
    const all = modes(dir);
    assert.ok(Object.keys(all).length > 20);
    for (const [name, mode] of Object.entries(all)) {
      assert.equal(mode, name.endsWith("/") ? 0o700 : 0o600, name);
    }
    const lib = join(dir, "nix", "profile-lib.nix");
    const original = Deno.readTextFileSync(lib);
    // Edited by someone: replaced by the embedded text.
    Deno.writeTextFileSync(lib, original + '\nthrow "tampered"');
    assert.equal(ensureResourceCopy(cache), dir);
    assert.equal(Deno.readTextFileSync(lib), original);
    // Deleted: unpacked again.
    Deno.removeSync(lib);
    ensureResourceCopy(cache);
    assert.equal(Deno.readTextFileSync(lib), original);
    // Loosened permissions: replaced by a private copy.
    Deno.chmodSync(join(dir, "nix"), 0o777);
    ensureResourceCopy(cache);
    assert.equal(Deno.statSync(join(dir, "nix")).mode! & 0o777, 0o700);
    // Nothing is left beside the copy.
    assert.deepEqual([...Deno.readDirSync(cache)].map((e) => e.name), [basename(dir)]);
  } finally {
    Deno.umask(previous);
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("D19: a cache directory that is a file is store_io, not internal", () => {
  const root = Deno.makeTempDirSync({ prefix: "insomnia-res-" });
  try {
    const file = join(root, "passwd");
    Deno.writeTextFileSync(file, "root:x:0:0\n");
    let error: unknown;
    try {
      ensureResourceCopy(file);
    } catch (thrown) {
      error = thrown;
    }
    assert.ok(error instanceof InsomniaError, String(error));
    assert.equal(error.code, "store_io");
    assert.match(
      error.message,
      /^cannot unpack the Nix library into .*passwd\/resources-[^:]*: .*(ENOTDIR|EEXIST|not a directory)/,
    );
    assert.equal(Deno.readTextFileSync(file), "root:x:0:0\n");
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
