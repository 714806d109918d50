/**
 * Reliability properties: the artifact validator, the manifest validators and the store's record
 * reader take arbitrary input and either return a well-formed result or throw an InsomniaError with
 * a known code — never a TypeError, RangeError or any other exception. (The selector parser and
 * the registry loader have their own properties in registry_property_test.ts.)
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import fc from "npm:fast-check@4.10.2";
import { ERROR_CODES, InsomniaError } from "../src/errors.ts";
import { parseManifestConfig, parsePodManifest } from "../src/manifest/validate.ts";
import { resolveArtifact } from "../src/profile/resolve_profile.ts";
import { createPod, readPod, type StoreOptions } from "../src/store/pod_store.ts";
import { PROFILE_FORMAT } from "../src/version.ts";

const KNOWN_CODES = new Set<string>(ERROR_CODES);
const OPTIONS = {
  origin: "prop:artifact",
  base: "/tmp",
  workspace: "/tmp/ws",
  env: { HOME: "/nonexistent" },
};

/**
 * Runs `fn`; a throw must be an InsomniaError whose code is known, in `allowed`, never `internal`,
 * with a one-paragraph message and no stack trace in it. Anything else fails the property.
 */
function resultOrError<T>(allowed: ReadonlySet<string>, fn: () => T): T | InsomniaError {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof InsomniaError)) {
      throw new Error(
        `threw a ${(err as Error)?.name ?? typeof err}, not an InsomniaError: ${err}`,
      );
    }
    assert.ok(KNOWN_CODES.has(err.code), `unknown code ${err.code}`);
    assert.ok(allowed.has(err.code), `unexpected code ${err.code}: ${err.message}`);
    assert.ok(err.message.trim().length > 0, "a message");
    assert.doesNotMatch(err.message, /\n\s+at /, "no stack trace in the message");
    assert.doesNotThrow(() => JSON.stringify(err.details), "details are JSON");
    return err;
  }
}

// ---- generators -----------------------------------------------------------------------------

/** A manifest that resolves: the smallest valid one, used as the base of mutations. */
const BASE_MANIFEST = {
  pod: { name: "prop" },
  model: {
    scheme: "anthropic",
    model_id: "claude-sonnet-4-20250514",
    auth: { kind: "secret_ref", ref: "llm.anthropic.default" },
  },
  scope: { allow: [{ target: ".", permission: "write" }] },
};

const SECTIONS = [
  "pod",
  "model",
  "worker",
  "scope",
  "session",
  "permissions",
  "compaction",
  "memory",
  "web",
  "skills",
];
/** Known keys at various depths, so mutations land on real fields as well as unknown ones. */
const KEY_PATHS: string[][] = [
  ["pod", "name"],
  ["pod", "prompt_pack"],
  ["pod", "pwd"],
  ["model", "ref"],
  ["model", "scheme"],
  ["model", "model_id"],
  ["model", "auth"],
  ["model", "auth", "kind"],
  ["model", "auth", "env"],
  ["model", "auth", "file"],
  ["model", "context_window"],
  ["model", "capability", "tool_calling"],
  ["model", "capability", "prompt_caching"],
  ["worker", "max_turns"],
  ["worker", "reasoning"],
  ["worker", "temperature"],
  ["worker", "tool_output", "per_tool"],
  ["scope", "allow"],
  ["scope", "allow", "0"],
  ["scope", "allow", "0", "target"],
  ["scope", "allow", "0", "permission"],
  ["scope", "deny"],
  ["session", "record_event_trace"],
  ["permissions", "default_action"],
  ["permissions", "rule"],
  ["compaction", "threshold"],
  ["compaction", "compact_threshold"],
  ["compaction", "prune_protected_turns"],
  ["compaction", "worker_max_turns"],
  ["compaction", "model"],
  ["memory", "workspace_root"],
  ["memory", "extract_model"],
  ["web", "enabled"],
  ["web", "search", "api_key"],
  ["web", "search", "api_key_env"],
  ["web", "fetch", "timeout_secs"],
  ["skills", "directories"],
];

const leafArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    2 ** 53,
    1e300,
    "",
    ".",
    "/abs",
    "read",
    "write",
    "allow",
    "ask",
    "anthropic",
    "workspace_path",
    "secret_ref",
    "api_key",
    "sk-ant-api03-" + "A".repeat(90),
    "ghp_" + "a".repeat(36),
    "__proto__",
    "constructor",
  ),
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.constant({ kind: "workspace_path", path: "." }),
  fc.constant({ kind: "secret_ref", ref: "x.y" }),
  fc.constant([{ target: "/x", permission: "read" }]),
  fc.constant([{ tool: "shell", action: "allow" }]),
);
const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: leafArb },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.array(leafArb, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), leafArb, { maxKeys: 3 }) },
);

type Json = Record<string, unknown>;

function setPath(root: Json, path: readonly string[], value: unknown): void {
  let cur: Record<string, unknown> | unknown[] = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i];
    const next = (cur as Record<string, unknown>)[key];
    if (next === null || typeof next !== "object") {
      const fresh = /^\d+$/.test(path[i + 1]) ? [] : {};
      (cur as Record<string, unknown>)[key] = fresh;
      cur = fresh;
    } else cur = next as Record<string, unknown>;
  }
  // defineProperty: a literal "__proto__" key must become an own property, as JSON.parse makes it.
  Object.defineProperty(cur, path[path.length - 1], {
    // A fresh copy: fc.constant hands out one shared object, and a later path may walk into
    // (and write through) an earlier placement, which would create cycles no JSON input has.
    value: structuredClone(value),
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function deleteAt(root: Json, path: readonly string[]): void {
  let cur: unknown = root;
  for (const key of path.slice(0, -1)) {
    if (cur === null || typeof cur !== "object") return;
    cur = (cur as Record<string, unknown>)[key];
  }
  if (cur !== null && typeof cur === "object") {
    delete (cur as Record<string, unknown>)[path[path.length - 1]];
  }
}

const pathArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...KEY_PATHS) },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.constantFrom(...SECTIONS, "unknown_section", "Pod", "scopes"),
      fc.string({ maxLength: 10 }),
    ).map(([a, b]) => [a, b]),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }).map((k) => [k]) },
);
const mutationArb = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(pathArb, valueArb).map(([path, value]) => ({ path, value })) },
  { weight: 1, arbitrary: pathArb.map((path) => ({ path, value: undefined, remove: true })) },
);

/** Manifests near the real shape: the valid base with 0–4 random edits (known and unknown keys). */
const manifestArb: fc.Arbitrary<unknown> = fc.array(mutationArb, { maxLength: 4 }).map(
  (mutations) => {
    const m = structuredClone(BASE_MANIFEST) as Json;
    for (const mu of mutations) {
      if ("remove" in mu) deleteAt(m, mu.path);
      else setPath(m, mu.path, mu.value);
    }
    return m;
  },
);

const metadataArb = fc.record({
  format: fc.oneof(
    { weight: 6, arbitrary: fc.constant(PROFILE_FORMAT) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        undefined,
        "insomnia.nix-profile.v2",
        "insomnia.nix-profile.v0",
        "",
        7,
        null,
      ),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  ),
  name: fc.option(fc.oneof(fc.constantFrom("coder", "", "a b"), leafArb), { nil: undefined }),
  description: fc.option(fc.oneof(fc.string({ maxLength: 12 }), leafArb), { nil: undefined }),
  library_version: fc.option(fc.oneof(fc.constant("1.0.0"), leafArb), { nil: undefined }),
  exported_from: fc.option(valueArb, { nil: undefined }),
  extra: fc.option(fc.tuple(fc.constantFrom("nmae", "formt", "version", "x"), valueArb), {
    nil: undefined,
  }),
}).map(({ extra, ...meta }) => {
  const out: Json = {};
  for (const [k, v] of Object.entries(meta)) if (v !== undefined) out[k] = v;
  if (extra) out[extra[0]] = extra[1];
  return out;
});

/** Envelopes with random format, metadata, body key (manifest/config/both/none) and stray keys. */
const envelopeArb: fc.Arbitrary<unknown> = fc.record({
  profile: fc.oneof(
    { weight: 8, arbitrary: metadataArb },
    { weight: 1, arbitrary: valueArb },
    { weight: 1, arbitrary: fc.constant(undefined) },
  ),
  body: fc.constantFrom("manifest", "config", "both", "none"),
  manifest: fc.oneof({ weight: 5, arbitrary: manifestArb }, { weight: 1, arbitrary: valueArb }),
  stray: fc.option(fc.tuple(fc.constantFrom("manifests", "meta", "Profile", "pod"), valueArb), {
    nil: undefined,
  }),
}).map(({ profile, body, manifest, stray }) => {
  const out: Json = {};
  if (profile !== undefined) out.profile = profile;
  if (body === "manifest" || body === "both") out.manifest = manifest;
  if (body === "config" || body === "both") out.config = manifest;
  if (stray) out[stray[0]] = stray[1];
  return out;
});

const artifactArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: fc.jsonValue() },
  { weight: 3, arbitrary: manifestArb },
  { weight: 4, arbitrary: envelopeArb },
);

const ARTIFACT_CODES = new Set([
  "artifact_invalid",
  "artifact_format_unsupported",
  "manifest_invalid",
  "secret_plaintext",
  "secret_ref_invalid",
]);

function isJsonObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

// ---- properties -----------------------------------------------------------------------------

Deno.test("property: the valid base manifest resolves (the generators start from a real shape)", () => {
  const raw = { profile: { format: PROFILE_FORMAT, name: "prop" }, manifest: BASE_MANIFEST };
  const result = resolveArtifact(raw, OPTIONS);
  assert.equal(result.manifest.pod.name, "prop");
  assert.equal(result.manifest.scope.allow[0].target, "/tmp");
});

Deno.test("property: resolveArtifact returns a valid manifest or throws a known InsomniaError", () => {
  let resolved = 0;
  fc.assert(
    fc.property(artifactArb, (raw) => {
      const result = resultOrError(ARTIFACT_CODES, () => resolveArtifact(raw, OPTIONS));
      if (result instanceof InsomniaError) return;
      resolved++;
      // A result is the runtime contract: it re-validates, survives JSON and has absolute paths.
      const again = parsePodManifest(JSON.parse(JSON.stringify(result.manifest)), "roundtrip");
      assert.deepEqual(again, result.manifest);
      for (const rule of [...result.manifest.scope.allow, ...result.manifest.scope.deny]) {
        assert.ok(isAbsolute(rule.target), rule.target);
      }
      assert.ok(Array.isArray(result.warnings));
      assert.ok(result.metadata === null || result.metadata.format === PROFILE_FORMAT);
    }),
    { numRuns: 1500 },
  );
  assert.ok(resolved > 0, "some generated artifacts resolve");
});

// Found by the property above (seed 271410536): lookups by a user-given key must not reach
// Object.prototype ("constructor" used to crash the credential check with a TypeError).
Deno.test("keys named like Object.prototype members are ordinary unknown keys", () => {
  for (const name of ["constructor", "toString", "hasOwnProperty", "__proto__", "valueOf"]) {
    const auth = { kind: name, ref: "llm.anthropic.default" };
    const withKind = { ...BASE_MANIFEST, model: { ...BASE_MANIFEST.model, auth } };
    const kind = resultOrError(ARTIFACT_CODES, () => resolveArtifact(withKind, OPTIONS));
    assert.ok(kind instanceof InsomniaError, `auth.kind ${name} is rejected`);
    const compaction = JSON.parse(`{"${name}": 1}`);
    const withKey = { ...BASE_MANIFEST, compaction };
    const key = resultOrError(ARTIFACT_CODES, () => resolveArtifact(withKey, OPTIONS));
    assert.ok(key instanceof InsomniaError, `compaction.${name} is rejected`);
  }
});

Deno.test("property: resolveArtifact on arbitrary JSON never throws anything but InsomniaError", () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 6 }), (raw) => {
      resultOrError(ARTIFACT_CODES, () => resolveArtifact(raw, OPTIONS));
    }),
    { numRuns: 500 },
  );
});

Deno.test("property: parseManifestConfig accepts a partial manifest or throws manifest_invalid", () => {
  const codes = new Set(["manifest_invalid"]);
  fc.assert(
    fc.property(fc.oneof(manifestArb, fc.jsonValue(), valueArb), (raw) => {
      const result = resultOrError(codes, () => parseManifestConfig(raw, "prop:layer"));
      if (result instanceof InsomniaError) {
        if (isJsonObject(result.details) && Array.isArray(result.details.issues)) {
          for (const issue of result.details.issues as Array<Record<string, unknown>>) {
            assert.equal(typeof issue.message, "string");
          }
        }
        return;
      }
      assert.ok(isJsonObject(result));
    }),
    { numRuns: 1000 },
  );
});

/** A resolved manifest to mutate: what a real snapshot holds. */
const RESOLVED = resolveArtifact(BASE_MANIFEST, OPTIONS).manifest as unknown as Json;
const resolvedArb: fc.Arbitrary<unknown> = fc.array(mutationArb, { maxLength: 3 }).map(
  (mutations) => {
    const m = structuredClone(RESOLVED);
    for (const mu of mutations) {
      if ("remove" in mu) deleteAt(m, mu.path);
      else setPath(m, mu.path, mu.value);
    }
    return m;
  },
);

Deno.test("property: parsePodManifest validates or throws the requested code", () => {
  for (const code of ["manifest_invalid", "snapshot_invalid"] as const) {
    fc.assert(
      fc.property(fc.oneof(resolvedArb, fc.jsonValue(), valueArb), (raw) => {
        const result = resultOrError(new Set([code]), () => parsePodManifest(raw, "prop", code));
        if (!(result instanceof InsomniaError)) {
          assert.ok(result.scope.allow.length >= 1);
          assert.ok(result.scope.allow.every((r) => r.target.startsWith("/")));
        }
      }),
      { numRuns: 500 },
    );
  }
});

Deno.test("property: readPod on random pod.json bytes is snapshot_invalid and changes nothing", () => {
  const root = mkdtempSync(join(tmpdir(), "insomnia-reliability-"));
  try {
    const opts: StoreOptions = {
      root: join(root, "store"),
      validateManifest: (m) => parsePodManifest(m, "stored snapshot", "snapshot_invalid"),
    };
    // A real record first, so the store layout (store.json, sessions/) is the real one.
    const created = createPod(opts, {
      name: "victim",
      explicitName: true,
      profile: null,
      fingerprint: null,
      manifest: structuredClone(RESOLVED),
    });
    const file = join(created.dir, "pod.json");
    const validText = readFileSync(file, "utf8");
    const valid = JSON.parse(validText) as Json;
    const codes = new Set(["snapshot_invalid"]);

    const bytesArb = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.string({ maxLength: 200 }).map((s) => new TextEncoder().encode(s)),
      // Truncations of the real record (a torn write; dropping only whitespace keeps it valid).
      fc.integer({ min: 0, max: validText.trimEnd().length - 1 }).map((n) =>
        new TextEncoder().encode(validText.slice(0, n))
      ),
      fc.jsonValue().map((v) => new TextEncoder().encode(JSON.stringify(v))),
    );
    fc.assert(
      fc.property(bytesArb, (bytes) => {
        writeFileSync(file, bytes);
        const result = resultOrError(codes, () => readPod(opts, "victim"));
        assert.ok(result instanceof InsomniaError, "random bytes are never a valid record");
        assert.deepEqual(readFileSync(file), Buffer.from(bytes), "readPod never writes");
      }),
      { numRuns: 400 },
    );

    // Structured corruption: the real record with random edits is a record or snapshot_invalid.
    const editArb = fc.array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom(
            ["format"],
            ["pod"],
            ["pod", "name"],
            ["pod", "id"],
            ["pod", "session_id"],
            ["pod", "updated_at"],
            ["profile"],
            ["fingerprint"],
            ["snapshot"],
            ["snapshot", "sha256"],
            ["snapshot", "manifest"],
            ["snapshot", "manifest", "pod", "name"],
            ["snapshot", "manifest", "scope", "allow"],
            ["history_count"],
          ),
          fc.string({ maxLength: 8 }).map((k) => [k]),
        ),
        valueArb,
      ),
      { minLength: 1, maxLength: 3 },
    );
    fc.assert(
      fc.property(editArb, (edits) => {
        const record = structuredClone(valid);
        for (const [path, value] of edits) setPath(record, path, value);
        const text = JSON.stringify(record, null, 2);
        writeFileSync(file, text);
        const result = resultOrError(codes, () => readPod(opts, "victim"));
        if (!(result instanceof InsomniaError)) assert.equal(result.pod.name, "victim");
        assert.equal(readFileSync(file, "utf8"), text, "readPod never writes");
      }),
      { numRuns: 400 },
    );

    // And the untouched record still reads back.
    writeFileSync(file, validText);
    assert.equal(readPod(opts, "victim").pod.name, "victim");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

Deno.test("property: readPod with a broken store.json or session files only throws known codes", () => {
  const root = mkdtempSync(join(tmpdir(), "insomnia-reliability-"));
  try {
    const storeRoot = join(root, "store");
    mkdirSync(storeRoot, { recursive: true });
    const opts: StoreOptions = { root: storeRoot };
    const codes = new Set(["store_io", "pod_not_found", "snapshot_invalid", "pod_name_invalid"]);
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 80 }), fc.jsonValue().map((v) => JSON.stringify(v))),
        fc.oneof(fc.constantFrom("victim", "a", "-x", ".", "..", "a/b", ""), fc.string()),
        (storeJson, name) => {
          writeFileSync(join(storeRoot, "store.json"), storeJson);
          resultOrError(codes, () => readPod(opts, name));
        },
      ),
      { numRuns: 300 },
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
