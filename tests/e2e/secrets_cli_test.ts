/**
 * End-to-end: secrets through the real CLI — `secrets set|list|rm` (stdin only, obfuscated file
 * store, modes), references passing unchanged through artifact → manifest → snapshot → `--json`
 * at every credential position, and `--check-secrets` (create and `profiles check`) against the
 * environment backend and the file store, without ever printing or storing a value.
 *
 * Secret values are canaries generated at runtime (tests/fixtures/canary/canary.ts).
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { stringify as toToml } from "smol-toml";
import {
  type CliResult,
  makeSandbox,
  parseJson,
  runCli,
  type Sandbox,
  treeSnapshot,
  writeFile,
} from "../helpers/cli.ts";
import {
  allCanaries,
  assertNoCanary,
  assertTreeClean,
  makeCanaries,
  manifestWithRefs,
  mask,
} from "../fixtures/canary/canary.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const C = makeCanaries();
const ALL = allCanaries(C);

const REFS = {
  model: "llm.anthropic.default",
  compaction: "llm/openrouter/work",
  extract: "llm.gemini.extract",
  consolidation: "llm.anthropic.consolidate",
  web: "web.brave.default",
};
const ref = (id: string) => ({ kind: "secret_ref", ref: id });
const POSITIONS: Array<[string, string]> = [
  ["model.auth", REFS.model],
  ["compaction.model.auth", REFS.compaction],
  ["memory.extract_model.auth", REFS.extract],
  ["memory.consolidation_model.auth", REFS.consolidation],
];
const envVar = (id: string) => "INSOMNIA_SECRET_" + id.toUpperCase().replace(/[^A-Z0-9]/g, "_");

async function withSandbox(fn: (sb: Sandbox, fixtures: Set<string>) => Promise<void>) {
  const sb = makeSandbox("insomnia-secrets-");
  const fixtures = new Set<string>();
  try {
    await fn(sb, fixtures);
    assertTreeClean(sb.root, ALL, {
      fixtures,
      storeFile: join(sb.data, "secrets", "store.json"),
    });
  } finally {
    sb.cleanup();
  }
}

async function cli(
  sb: Sandbox,
  args: string[],
  opts: { env?: Record<string, string>; stdin?: string } = {},
): Promise<CliResult> {
  // -s only where the command takes a store
  const store = ["profiles", "secrets", "completions", "schema"].includes(args[0])
    ? []
    : ["-s", sb.store];
  const result = await runCli([...args, ...store], {
    cwd: sb.workspace,
    env: { ...sb.env, ...(opts.env ?? {}) },
    stdin: opts.stdin,
  });
  const label = `insomnia-pod ${mask(args.join(" "), ALL)}`;
  assertNoCanary(result.stdout, ALL, `stdout of ${label}`);
  assertNoCanary(result.stderr, ALL, `stderr of ${label}`);
  return result;
}

function explain(args: string[], r: CliResult): string {
  return mask(`${args.join(" ")} → ${r.code}\n${r.stdout}\n${r.stderr}`, ALL);
}

async function ok(
  sb: Sandbox,
  args: string[],
  opts: { env?: Record<string, string>; stdin?: string } = {},
): Promise<Json> {
  const r = await cli(sb, [...args, "--json"], opts);
  assert.equal(r.code, 0, explain(args, r));
  return parseJson(r);
}

async function human(
  sb: Sandbox,
  args: string[],
  opts: { env?: Record<string, string>; stdin?: string } = {},
  code = 0,
): Promise<CliResult> {
  const r = await cli(sb, args, opts);
  assert.equal(r.code, code, explain(args, r));
  return r;
}

async function fails(
  sb: Sandbox,
  args: string[],
  code: string,
  opts: { env?: Record<string, string>; stdin?: string } = {},
): Promise<Json> {
  const before = treeSnapshot(sb.data);
  const r = await cli(sb, [...args, "--json"], opts);
  const body = parseJson(r) as Json;
  assert.equal(body.error?.code, code, explain(args, r));
  assert.equal(r.code, code === "usage" ? 2 : 1);
  assert.deepEqual(treeSnapshot(sb.data), before, "a failed run must write nothing");
  return body.error;
}

/** Decodes a store entry as docs/secrets.md describes (base64 of value XOR SHA-256 keystream). */
function decodeEntry(id: string, b64: string): string {
  const bytes = Buffer.from(b64, "base64");
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const block = Math.floor(i / 32);
    const digest = createHash("sha256").update(`insomnia.secrets.v1\u0000${id}\u0000${block}`)
      .digest();
    out[i] = bytes[i] ^ digest[i % 32];
  }
  return new TextDecoder().decode(out);
}

function readStore(sb: Sandbox): Json {
  return JSON.parse(readFileSync(join(sb.data, "secrets", "store.json"), "utf8"));
}

const PROFILE_NIX = `let insomnia = import <insomnia> { }; in
insomnia.mkProfile {
  name = "refs";
  manifest = insomnia.mkManifest {
    model = { scheme = "anthropic"; model_id = "claude-sonnet-4-6"; auth = insomnia.secrets.ref "${REFS.model}"; };
    scope.allow = [ { target = insomnia.workspace "."; permission = "write"; } ];
    compaction.model = { scheme = "openai_chat"; model_id = "small"; auth = insomnia.auth.secret "${REFS.compaction}"; };
    memory.extract_model = { scheme = "gemini"; model_id = "flash"; auth = { kind = "secret_ref"; ref = "${REFS.extract}"; }; };
    memory.consolidation_model = { scheme = "anthropic"; model_id = "haiku"; auth = insomnia.secrets.ref "${REFS.consolidation}"; };
  };
}
`;

function at(value: Json, path: string): Json {
  return path.split(".").reduce((node, key) => node?.[key], value);
}

function assertRefs(manifest: Json, where: string): void {
  for (const [path, id] of POSITIONS) {
    assert.deepEqual(at(manifest, path), ref(id), `${where}: ${path}`);
  }
}

Deno.test("secrets set reads stdin, strips one newline, stores obfuscated in a private file", async () => {
  await withSandbox(async (sb) => {
    const out = await ok(sb, ["secrets", "set", REFS.model], { stdin: C.anthropic.value + "\r\n" });
    assert.deepEqual(out, {
      format: "insomnia.cli.v1",
      secret: { id: REFS.model, stored: true, backend: "file" },
    });
    const setHuman = await human(sb, ["secrets", "set", REFS.compaction], {
      stdin: C.unknown.value + "\n\n",
    });
    assert.equal(setHuman.stdout.trim(), `stored secret ${REFS.compaction}`);
    await ok(sb, ["secrets", "set", REFS.consolidation], { stdin: C.pem.value + "\n" });
    // replacing keeps one entry
    await ok(sb, ["secrets", "set", REFS.consolidation], { stdin: C.pem.value });

    const dir = join(sb.data, "secrets");
    const file = join(dir, "store.json");
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const store = readStore(sb);
    assert.equal(store.format, "insomnia.secrets.v1");
    assert.deepEqual(Object.keys(store.entries), [
      REFS.consolidation,
      REFS.model,
      REFS.compaction,
    ]);
    for (const entry of Object.values(store.entries) as Json[]) {
      assert.ok(!Number.isNaN(Date.parse(entry.updated_at)));
    }
    // documented obfuscation round-trips; exactly one trailing newline was stripped
    assert.equal(decodeEntry(REFS.model, store.entries[REFS.model].value_b64), C.anthropic.value);
    assert.equal(
      decodeEntry(REFS.compaction, store.entries[REFS.compaction].value_b64),
      C.unknown.value + "\n",
    );
    assert.equal(
      decodeEntry(REFS.consolidation, store.entries[REFS.consolidation].value_b64),
      C.pem.value,
    );
    // the plain value and its plain base64 are not in the file (assertTreeClean checks it too)
    const text = readFileSync(file, "utf8");
    for (const c of [C.anthropic, C.unknown, C.pem]) {
      assert.ok(!text.includes(c.value));
      assert.ok(!text.includes(Buffer.from(c.value).toString("base64")));
    }
  });
});

Deno.test("secrets set refuses argv values, empty stdin, malformed ids and keys as ids", async () => {
  await withSandbox(async (sb) => {
    // a value on argv is a usage error, and nothing is stored
    await fails(sb, ["secrets", "set", REFS.model, C.anthropic.value], "usage", {
      stdin: C.anthropic.value,
    });
    await fails(sb, ["secrets", "set", REFS.model], "usage", { stdin: "" });
    await fails(sb, ["secrets", "set", REFS.model], "usage", { stdin: "\n" });
    for (const id of ["/x", "a//b", "a/../b", "has space", "x".repeat(129), "é"]) {
      const error = await fails(sb, ["secrets", "set", id], "secret_ref_invalid", {
        stdin: "some-value",
      });
      assert.ok(!error.message.includes(id), `the id is not repeated: ${error.message}`);
    }
    for (const c of [C.anthropic, C.github, C.aws, C.openai]) {
      const error = await fails(sb, ["secrets", "set", c.value], "secret_plaintext", {
        stdin: "some-value",
      });
      assert.equal(error.kind, c.kind);
    }
    const r = await human(sb, ["secrets", "set", "has space"], { stdin: "v" }, 1);
    assert.match(r.stderr, /^error\[secret_ref_invalid\]: /);
    assert.ok(!existsSync(join(sb.data, "secrets", "store.json")), "nothing was stored");
  });
});

Deno.test("secrets list shows file-store ids only; rm removes; rm of a missing id is secret_unresolved", async () => {
  await withSandbox(async (sb) => {
    const env = { [envVar("env.only")]: C.github.value };
    const empty = await ok(sb, ["secrets", "list"], { env });
    assert.deepEqual(empty, { format: "insomnia.cli.v1", secrets: [] });
    const emptyHuman = await human(sb, ["secrets", "list"], { env });
    assert.match(emptyHuman.stdout, /no secrets stored in .*store\.json/);
    await ok(sb, ["secrets", "set", "b.second"], { stdin: C.openai.value, env });
    await ok(sb, ["secrets", "set", "a/first"], { stdin: C.aws.value, env });
    // env takes precedence: the note names the variable, not the value
    const shadowed = await human(sb, ["secrets", "set", "env.only"], {
      stdin: C.urlPassword.value,
      env,
    });
    assert.match(shadowed.stderr, /INSOMNIA_SECRET_ENV_ONLY is set in the environment/);
    const listed = await ok(sb, ["secrets", "list"], { env });
    assert.deepEqual(listed, {
      format: "insomnia.cli.v1",
      secrets: ["a/first", "b.second", "env.only"].map((id) => ({ id, backend: "file" })),
    });
    const listedHuman = await human(sb, ["secrets", "list"], { env });
    assert.equal(listedHuman.stdout, "a/first\nb.second\nenv.only\n");
    const removed = await ok(sb, ["secrets", "rm", "b.second"], { env });
    assert.deepEqual(removed, {
      format: "insomnia.cli.v1",
      action: "removed",
      secrets: [{ id: "b.second", backend: "file" }],
    });
    const rmHuman = await human(sb, ["secrets", "rm", "env.only"], { env });
    assert.equal(rmHuman.stdout, "removed secret env.only\n");
    const missing = await fails(sb, ["secrets", "rm", "b.second"], "secret_unresolved", { env });
    assert.equal(missing.ref, "b.second");
    await fails(sb, ["secrets", "rm", "bad//id"], "secret_ref_invalid");
    assert.deepEqual((await ok(sb, ["secrets", "list"])).secrets, [{
      id: "a/first",
      backend: "file",
    }]);
  });
});

Deno.test("references pass unchanged: Nix → manifest → snapshot → --json → export → re-import", async () => {
  await withSandbox(async (sb, fixtures) => {
    const nix = writeFile(join(sb.root, "p", "refs.nix"), PROFILE_NIX);
    fixtures.add(nix);
    const created = await ok(sb, ["--profile", `path:${nix}`]);
    assertRefs(created.manifest, "create --json");
    const record = JSON.parse(readFileSync(join(created.pod.dir, "pod.json"), "utf8"));
    assertRefs(record.snapshot.manifest, "pod.json snapshot");
    const text = await human(sb, ["--pod", "refs"]);
    assert.match(text.stdout, /auth: +secret_ref llm\.anthropic\.default/);
    assertRefs((await ok(sb, ["--pod", "refs"])).manifest, "resume --pod");
    assertRefs((await ok(sb, ["--session", created.pod.session_id])).manifest, "resume --session");
    assertRefs((await ok(sb, ["pods", "show", "refs"])).manifest, "pods show");
    assertRefs((await ok(sb, ["profiles", "show", `path:${nix}`])).manifest, "profiles show");

    Deno.mkdirSync(join(sb.root, "export"), { recursive: true });
    const exportFile = join(sb.root, "export", "refs.json");
    await ok(sb, ["pods", "export", "refs", "-o", exportFile]);
    const artifact = JSON.parse(readFileSync(exportFile, "utf8"));
    assertRefs(artifact.manifest, "exported artifact");
    const again = await ok(sb, ["--profile", `path:${exportFile}`, "--profile-pod-name", "copy"]);
    assertRefs(again.manifest, "re-created from the export");

    // the same references written by hand in a .json artifact and in TOML
    const art = writeFile(
      join(sb.root, "p", "refs.json"),
      JSON.stringify({
        profile: { format: "insomnia.nix-profile.v1", name: "art" },
        manifest: manifestWithRefs("art", REFS),
      }),
    );
    const toml = writeFile(join(sb.root, "p", "refs.toml"), toToml(manifestWithRefs("toml", REFS)));
    fixtures.add(art).add(toml);
    assertRefs((await ok(sb, ["--profile", `path:${art}`])).manifest, ".json artifact");
    assertRefs((await ok(sb, ["--manifest", toml])).manifest, "TOML manifest");
    for (const name of ["refs", "copy", "art", "toml"]) {
      const pod = JSON.parse(readFileSync(join(sb.store, "pods", name, "pod.json"), "utf8"));
      assertRefs(pod.snapshot.manifest, `pod.json of ${name}`);
    }
  });
});

Deno.test("--check-secrets: unresolved references are secret_unresolved, named, nothing written", async () => {
  await withSandbox(async (sb, fixtures) => {
    const nix = writeFile(join(sb.root, "p", "refs.nix"), PROFILE_NIX);
    const toml = writeFile(join(sb.root, "p", "refs.toml"), toToml(manifestWithRefs("toml", REFS)));
    fixtures.add(nix).add(toml);
    // other secrets exist, under other names
    const env = { [envVar("unrelated")]: C.anthropic.value };
    await ok(sb, ["secrets", "set", "unrelated.stored"], { stdin: C.unknown.value });
    for (const args of [["--profile", `path:${nix}`], ["--manifest", toml]]) {
      const error = await fails(sb, [...args, "--check-secrets"], "secret_unresolved", { env });
      assert.equal(error.field, "model.auth");
      assert.equal(error.ref, REFS.model);
      assert.deepEqual(
        error.unresolved,
        POSITIONS.map(([field, id]) => ({ field, ref: id, env_var: envVar(id) })),
      );
      for (const [field, id] of POSITIONS) {
        assert.ok(error.message.includes(`${field} → "${id}"`), error.message);
        assert.ok(error.message.includes(envVar(id)), error.message);
      }
      const r = await human(sb, [...args, "--check-secrets"], { env }, 1);
      assert.match(r.stderr, /^error\[secret_unresolved\]: 4 secret references do not resolve/);
    }
    // only one missing: an empty variable counts as unset
    const partial = {
      ...env,
      [envVar(REFS.model)]: C.github.value,
      [envVar(REFS.compaction)]: C.openai.value,
      [envVar(REFS.extract)]: C.aws.value,
      [envVar(REFS.consolidation)]: "",
    };
    const one = await fails(
      sb,
      ["--profile", `path:${nix}`, "--check-secrets", "--dry-run"],
      "secret_unresolved",
      {
        env: partial,
      },
    );
    assert.equal(one.field, "memory.consolidation_model.auth");
    assert.match(
      one.message,
      /^a secret reference does not resolve: memory\.consolidation_model\.auth → "llm\.anthropic\.consolidate"/,
    );
    assert.ok(!existsSync(sb.store), "no Pod store was created");
  });
});

Deno.test("--check-secrets resolves from env and the file store; values never reach a Pod", async () => {
  await withSandbox(async (sb, fixtures) => {
    const nix = writeFile(join(sb.root, "p", "refs.nix"), PROFILE_NIX);
    const art = writeFile(
      join(sb.root, "p", "refs.json"),
      JSON.stringify({
        profile: { format: "insomnia.nix-profile.v1", name: "art" },
        manifest: manifestWithRefs("art", REFS),
      }),
    );
    fixtures.add(nix).add(art);
    const env = {
      [envVar(REFS.model)]: C.anthropic.value,
      [envVar(REFS.web)]: C.unknownEnv.value,
    };
    await ok(sb, ["secrets", "set", REFS.compaction], { stdin: C.openai.value });
    await ok(sb, ["secrets", "set", REFS.extract], { stdin: C.unknown.value });
    await ok(sb, ["secrets", "set", REFS.consolidation], { stdin: C.pem.value });

    const check = await ok(sb, ["profiles", "check", `path:${nix}`, "--check-secrets"], { env });
    assert.equal(check.failed, 0);
    assert.deepEqual(
      check.results[0].secrets,
      POSITIONS.map(([path, id]) => ({ path, ref: id, resolved: true })),
    );
    const checkHuman = await human(sb, ["profiles", "check", `path:${nix}`, "--check-secrets"], {
      env,
    });
    assert.match(checkHuman.stdout, /^ok {4}path:/);

    const dry = await ok(sb, ["--profile", `path:${nix}`, "--check-secrets", "--dry-run"], { env });
    assertRefs(dry.manifest, "dry run");
    const created = await ok(sb, ["--profile", `path:${nix}`, "--check-secrets"], { env });
    assertRefs(created.manifest, "created with --check-secrets");
    await human(sb, ["--profile", `path:${art}`, "--check-secrets"], { env });

    // without the env backend one reference is missing: profiles check reports it and fails
    // only with --check-secrets
    const missingModel = { [envVar(REFS.web)]: C.unknownEnv.value };
    const lax = await ok(sb, ["profiles", "check", `path:${nix}`], { env: missingModel });
    assert.equal(lax.results[0].ok, true);
    assert.deepEqual(
      lax.results[0].secrets.filter((x: Json) => !x.resolved).map((x: Json) => x.ref),
      [REFS.model],
    );
    const laxHuman = await human(sb, ["profiles", "check", `path:${nix}`], { env: missingModel });
    assert.match(laxHuman.stdout, /unresolved secret refs; see --check-secrets/);
    const strict = await cli(
      sb,
      ["profiles", "check", `path:${nix}`, "--check-secrets", "--json"],
      {
        env: missingModel,
      },
    );
    assert.equal(strict.code, 1);
    const strictBody = parseJson(strict) as Json;
    assert.equal(strictBody.results[0].error.code, "secret_unresolved");
    assert.match(strictBody.results[0].error.message, /llm\.anthropic\.default \(model\.auth\)/);
    const strictHuman = await human(
      sb,
      ["profiles", "check", `path:${nix}`, "--check-secrets"],
      { env: missingModel },
      1,
    );
    assert.match(strictHuman.stdout, /FAIL {2}path:.*\n {6}error\[secret_unresolved\]: /);

    // the Pod directories hold references only (assertTreeClean also walks every file)
    for (const pod of [created.pod.dir, join(sb.store, "pods", "art")]) {
      const record = readFileSync(join(pod, "pod.json"), "utf8");
      assertNoCanary(record, ALL, `${pod}/pod.json`);
      assertRefs(JSON.parse(record).snapshot.manifest, pod);
    }
  });
});
