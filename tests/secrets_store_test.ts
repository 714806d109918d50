/** File store, resolver (env backend precedence) and the `secrets` command handlers, on real files. */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import { InsomniaError } from "../src/errors.ts";
import type { CliContext } from "../src/cli/context.ts";
import { secretsList, secretsRm, secretsSet } from "../src/cli/commands/secrets.ts";
import {
  deleteSecret,
  listSecretIds,
  listSecrets,
  readSecretFromStore,
  secretStorePath,
  setSecret,
  STORE_FORMAT,
} from "../src/secrets/file_store.ts";
import {
  assertSecretRefsResolve,
  checkSecretRefs,
  resolveSecret,
} from "../src/secrets/resolve_secret.ts";
import { envVarForRef } from "../src/secrets/secret_env.ts";
import { redactText } from "../src/secrets/redact.ts";

function sandbox(): { data: string; env: Record<string, string>; cleanup(): void } {
  const data = Deno.makeTempDirSync({ prefix: "insomnia-secrets-" });
  return {
    data,
    env: { INSOMNIA_DATA_DIR: data, HOME: data },
    cleanup: () => Deno.removeSync(data, { recursive: true }),
  };
}

function catchError(fn: () => unknown): InsomniaError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof InsomniaError, `expected InsomniaError, got ${error}`);
    return error;
  }
  assert.fail("expected an error");
}

async function catchAsync(fn: () => Promise<unknown>): Promise<InsomniaError> {
  try {
    await fn();
  } catch (error) {
    assert.ok(error instanceof InsomniaError, `expected InsomniaError, got ${error}`);
    return error;
  }
  assert.fail("expected an error");
}

const mode = (path: string) => Deno.statSync(path).mode! & 0o777;
const CANARY = "canary-" + "store-" + "value-" + "9d1e";

Deno.test("set / list / read / rm round trip with private modes and no temp files", () => {
  const box = sandbox();
  try {
    const opts = { env: box.env };
    assert.deepEqual(listSecretIds(opts), []);
    assert.equal(readSecretFromStore("llm.anthropic.default", opts), undefined);
    setSecret("llm.anthropic.default", CANARY, opts);
    setSecret("web/brave", "brave-" + "value", opts);
    setSecret("a.first", "first-" + "value\nwith newline", opts);
    const dir = join(box.data, "secrets");
    const file = join(dir, "store.json");
    assert.equal(secretStorePath(opts), file);
    assert.equal(mode(dir), 0o700);
    assert.equal(mode(file), 0o600);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["store.json"]);
    assert.deepEqual(listSecretIds(opts), ["a.first", "llm.anthropic.default", "web/brave"]);
    assert.deepEqual(listSecrets(opts).map((s) => s.id), listSecretIds(opts));
    assert.equal(readSecretFromStore("llm.anthropic.default", opts), CANARY);
    assert.equal(readSecretFromStore("a.first", opts), "first-value\nwith newline");
    setSecret("llm.anthropic.default", CANARY + "-2", opts);
    assert.equal(readSecretFromStore("llm.anthropic.default", opts), CANARY + "-2");
    deleteSecret("web/brave", opts);
    assert.deepEqual(listSecretIds(opts), ["a.first", "llm.anthropic.default"]);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["store.json"]);
  } finally {
    box.cleanup();
  }
});

Deno.test("the raw file is documented JSON and does not contain the plain value", () => {
  const box = sandbox();
  try {
    setSecret("llm.anthropic.default", CANARY, { env: box.env });
    const raw = Deno.readTextFileSync(join(box.data, "secrets", "store.json"));
    const doc = JSON.parse(raw);
    assert.equal(doc.format, STORE_FORMAT);
    assert.deepEqual(Object.keys(doc.entries), ["llm.anthropic.default"]);
    const entry = doc.entries["llm.anthropic.default"];
    assert.deepEqual(Object.keys(entry).sort(), ["updated_at", "value_b64"]);
    assert.ok(!Number.isNaN(Date.parse(entry.updated_at)));
    assert.ok(!raw.includes(CANARY));
    assert.ok(!raw.includes(Buffer.from(CANARY).toString("base64")));
    assert.ok(!raw.includes(Buffer.from(CANARY).toString("hex")));
  } finally {
    box.cleanup();
  }
});

Deno.test("an existing loose secrets directory is tightened to 0700", () => {
  const box = sandbox();
  try {
    const dir = join(box.data, "secrets");
    Deno.mkdirSync(dir, { mode: 0o755 });
    Deno.chmodSync(dir, 0o755);
    setSecret("x.y", "value-" + "1234", { env: box.env });
    assert.equal(mode(dir), 0o700);
  } finally {
    box.cleanup();
  }
});

Deno.test("store errors: empty value, bad id, missing id, malformed file, no data dir", () => {
  const box = sandbox();
  try {
    const opts = { env: box.env };
    assert.equal(catchError(() => setSecret("x", "", opts)).code, "usage");
    assert.equal(catchError(() => setSecret("../x", "v-1234", opts)).code, "secret_ref_invalid");
    assert.equal(catchError(() => readSecretFromStore("a b", opts)).code, "secret_ref_invalid");
    const missing = catchError(() => deleteSecret("not.there", opts));
    assert.equal(missing.code, "secret_unresolved");
    assert.match(missing.message, /no secret "not\.there"/);
    const file = join(box.data, "secrets", "store.json");
    Deno.mkdirSync(join(box.data, "secrets"), { recursive: true });
    Deno.writeTextFileSync(file, `{"format": ${CANARY}`);
    const bad = catchError(() => listSecretIds(opts));
    assert.equal(bad.code, "store_io");
    assert.ok(bad.message.includes(file));
    assert.ok(!bad.message.includes(CANARY), bad.message);
    Deno.writeTextFileSync(file, JSON.stringify({ format: "other", entries: {} }));
    assert.equal(catchError(() => listSecretIds(opts)).code, "store_io");
    Deno.writeTextFileSync(
      file,
      JSON.stringify({ format: STORE_FORMAT, entries: { [CANARY + " bad id"]: {} } }),
    );
    const badId = catchError(() => listSecretIds(opts));
    assert.equal(badId.code, "store_io");
    assert.ok(!badId.message.includes(CANARY));
    const none = catchError(() => setSecret("x", "v-1234", { env: {} }));
    assert.equal(none.code, "store_io");
    assert.deepEqual(listSecretIds({ env: {} }), []);
  } finally {
    box.cleanup();
  }
});

Deno.test("envVarForRef", () => {
  assert.equal(envVarForRef("llm.anthropic.default"), "INSOMNIA_SECRET_LLM_ANTHROPIC_DEFAULT");
  assert.equal(envVarForRef("web/brave-key_2"), "INSOMNIA_SECRET_WEB_BRAVE_KEY_2");
});

Deno.test("resolveSecret: env first (empty counts as unset), then the file store", () => {
  const box = sandbox();
  try {
    const id = "llm.anthropic.default";
    setSecret(id, CANARY, { env: box.env });
    const fromFile = resolveSecret(id, { env: box.env });
    assert.equal(fromFile.backend, "file");
    assert.equal(fromFile.reveal(), CANARY);
    const fromEnv = resolveSecret(
      { kind: "secret_ref", ref: id },
      { env: { ...box.env, [envVarForRef(id)]: "env-" + "value-77" } },
    );
    assert.equal(fromEnv.backend, "env");
    assert.equal(fromEnv.reveal(), "env-value-77");
    const empty = resolveSecret(id, { env: { ...box.env, [envVarForRef(id)]: "" } });
    assert.equal(empty.backend, "file");
    assert.equal(redactText(`k=${CANARY}`), "k=[redacted]");
  } finally {
    box.cleanup();
  }
});

Deno.test("unresolved: names the ref, the env var and the command, never a value", () => {
  const box = sandbox();
  try {
    setSecret("other", CANARY, { env: box.env });
    const error = catchError(() => resolveSecret("llm.openai.default", { env: box.env }));
    assert.equal(error.code, "secret_unresolved");
    assert.ok(error.message.includes('"llm.openai.default"'));
    assert.ok(error.message.includes("INSOMNIA_SECRET_LLM_OPENAI_DEFAULT"));
    assert.ok(error.message.includes("insomnia-pod secrets set llm.openai.default"));
    assert.equal(error.details.ref, "llm.openai.default");
    assert.ok(!(error.message + JSON.stringify(error.details)).includes(CANARY));
    assert.equal(
      catchError(() => resolveSecret("/x", { env: box.env })).code,
      "secret_ref_invalid",
    );
  } finally {
    box.cleanup();
  }
});

Deno.test("checkSecretRefs and assertSecretRefsResolve report paths and backends, no values", () => {
  const box = sandbox();
  try {
    setSecret("llm.anthropic.default", CANARY, { env: box.env });
    const env = { ...box.env, INSOMNIA_SECRET_WEB_BRAVE: "brave-" + "env-value" };
    const manifest = {
      model: { auth: { kind: "secret_ref", ref: "llm.anthropic.default" } },
      compaction: { model: { auth: { kind: "secret_ref", ref: "llm.cheap" } } },
      memory: { extract_model: { auth: { kind: "secret_ref", ref: "llm.extract" } } },
      web: { search: { api_key: { kind: "secret_ref", ref: "web.brave" } } },
    };
    const checks = checkSecretRefs(manifest, { env });
    assert.deepEqual(checks, [
      { path: "model.auth", ref: "llm.anthropic.default", resolved: true, backend: "file" },
      { path: "compaction.model.auth", ref: "llm.cheap", resolved: false },
      { path: "memory.extract_model.auth", ref: "llm.extract", resolved: false },
      { path: "web.search.api_key", ref: "web.brave", resolved: true, backend: "env" },
    ]);
    assert.ok(!JSON.stringify(checks).includes(CANARY));
    const error = catchError(() => assertSecretRefsResolve(manifest, { env }));
    assert.equal(error.code, "secret_unresolved");
    assert.match(error.message, /^2 secret references do not resolve/);
    assert.ok(error.message.includes('compaction.model.auth → "llm.cheap"'));
    assert.ok(error.message.includes('memory.extract_model.auth → "llm.extract"'));
    assert.ok(error.message.includes("INSOMNIA_SECRET_LLM_CHEAP"));
    assert.equal(error.details.field, "compaction.model.auth");
    assert.deepEqual(error.details.unresolved, [
      { field: "compaction.model.auth", ref: "llm.cheap", env_var: "INSOMNIA_SECRET_LLM_CHEAP" },
      {
        field: "memory.extract_model.auth",
        ref: "llm.extract",
        env_var: "INSOMNIA_SECRET_LLM_EXTRACT",
      },
    ]);
    assert.ok(!(error.message + JSON.stringify(error.details)).includes(CANARY));
    const ok = { model: manifest.model, web: manifest.web };
    assert.equal(assertSecretRefsResolve(ok, { env }).length, 2);
    const invalid = catchError(() =>
      checkSecretRefs({ model: { auth: { kind: "secret_ref", ref: "a//b" } } }, { env })
    );
    assert.equal(invalid.code, "secret_ref_invalid");
    assert.equal(invalid.details.field, "model.auth");
  } finally {
    box.cleanup();
  }
});

function context(env: Record<string, string>, stdin: string, interactive = false) {
  const notes: string[] = [];
  const ctx: CliContext = {
    env,
    cwd: "/",
    json: false,
    quiet: false,
    interactive,
    readStdin: () => Promise.resolve(stdin),
    note: (line) => notes.push(line),
    signal: new AbortController().signal,
  };
  return { ctx, notes };
}

Deno.test("secrets set / list / rm command handlers", async () => {
  const box = sandbox();
  try {
    const { ctx } = context(box.env, CANARY + "\n");
    const set = await secretsSet("llm.anthropic.default", ctx);
    assert.deepEqual(set, {
      json: { secret: { id: "llm.anthropic.default", stored: true, backend: "file" } },
      human: "stored secret llm.anthropic.default",
    });
    assert.equal(readSecretFromStore("llm.anthropic.default", { env: box.env }), CANARY);
    await secretsSet("two.newlines", context(box.env, "v-1234\n\n").ctx);
    assert.equal(readSecretFromStore("two.newlines", { env: box.env }), "v-1234\n");
    await secretsSet("crlf", context(box.env, "v-5678\r\n").ctx);
    assert.equal(readSecretFromStore("crlf", { env: box.env }), "v-5678");
    const list = await secretsList(ctx);
    assert.deepEqual(list.json, {
      secrets: [
        { id: "crlf", backend: "file" },
        { id: "llm.anthropic.default", backend: "file" },
        { id: "two.newlines", backend: "file" },
      ],
    });
    assert.equal(list.human, "crlf\nllm.anthropic.default\ntwo.newlines");
    assert.ok(!JSON.stringify(list).includes(CANARY));
    const rm = await secretsRm("crlf", ctx);
    assert.deepEqual(rm.json, { action: "removed", secrets: [{ id: "crlf", backend: "file" }] });
    assert.equal(rm.human, "removed secret crlf");
    assert.equal((await catchAsync(() => secretsRm("crlf", ctx))).code, "secret_unresolved");
    const empty = sandbox();
    try {
      const none = await secretsList(context(empty.env, "").ctx);
      assert.deepEqual(none.json, { secrets: [] });
      assert.match(none.human, /^no secrets stored in /);
    } finally {
      empty.cleanup();
    }
  } finally {
    box.cleanup();
  }
});

Deno.test("secrets set: terminal stdin and empty stdin are usage errors; env shadowing noted", async () => {
  const box = sandbox();
  try {
    const tty = await catchAsync(() => secretsSet("x.y", context(box.env, CANARY, true).ctx));
    assert.equal(tty.code, "usage");
    assert.ok(tty.message.includes('printf %s "$KEY" | insomnia-pod secrets set x.y'));
    assert.equal(
      (await catchAsync(() => secretsSet("x.y", context(box.env, "\n").ctx))).code,
      "usage",
    );
    assert.equal(
      (await catchAsync(() => secretsSet("bad id", context(box.env, "v-1234").ctx))).code,
      "secret_ref_invalid",
    );
    assert.deepEqual(listSecretIds({ env: box.env }), []);
    const { ctx, notes } = context({ ...box.env, INSOMNIA_SECRET_X_Y: "e-1234" }, "v-1234-Abcd");
    await secretsSet("x.y", ctx);
    assert.deepEqual(notes, [
      "note: INSOMNIA_SECRET_X_Y is set in the environment and takes precedence over the stored value",
    ]);
    assert.ok(!notes.join("").includes("e-1234"));
  } finally {
    box.cleanup();
  }
});

Deno.test("concurrent writers do not lose updates", async () => {
  const box = sandbox();
  try {
    const script = join(box.data, "w.ts");
    const storeUrl = new URL("../src/secrets/file_store.ts", import.meta.url).href;
    Deno.writeTextFileSync(
      script,
      `import { setSecret } from ${JSON.stringify(storeUrl)};\n` +
        `const [id] = Deno.args;\n` +
        `for (let i = 0; i < 5; i++) setSecret(id + "." + i, "value-" + id + i, ` +
        `{ env: { INSOMNIA_DATA_DIR: ${JSON.stringify(box.data)} } });\n`,
    );
    const runs = ["a", "b", "c", "d"].map((id) =>
      new Deno.Command(Deno.execPath(), { args: ["run", "-A", "--quiet", script, id] }).output()
    );
    for (const out of await Promise.all(runs)) {
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    }
    assert.equal(listSecretIds({ env: box.env }).length, 20);
    const names = [...Deno.readDirSync(join(box.data, "secrets"))].map((e) => e.name);
    assert.deepEqual(names, ["store.json"]);
  } finally {
    box.cleanup();
  }
});
