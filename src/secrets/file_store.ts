/**
 * The file secret store: `<data_dir>/secrets/store.json` (directory 0700, file 0600, atomic writes).
 *
 * Format `{"format":"insomnia.secrets.v1","entries":{"<id>":{"value_b64":"…","updated_at":"…"}}}`.
 * `value_b64` is base64 of the value XORed with a SHA-256 keystream derived from a public constant
 * and the id. That is obfuscation, NOT encryption: it only keeps a grep or a glance at the file from
 * showing the value. The protection is the file mode (anchor-facts §11 final decision).
 * @module
 */
import { chmodSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { Buffer } from "node:buffer";
import { InsomniaError } from "../errors.ts";
import { type Env, secretsDir } from "../env.ts";
import { ensurePrivateDir, writeFileAtomic } from "../fs/atomic.ts";
import { errnoCode } from "../fs/errno.ts";
import { withLock } from "../fs/lock.ts";
import { readBoundedTextIfExists } from "../fs/read_bounded.ts";
import { sha256Bytes } from "../sha256.ts";
import { validateSecretRefId } from "./refs.ts";
import { registerSecretValue } from "./registry.ts";

/** Value of the `format` field. */
export const STORE_FORMAT = "insomnia.secrets.v1";
/** File name inside the secrets directory. */
const STORE_FILE = "store.json";
/** Largest accepted value, in bytes. */
export const MAX_SECRET_BYTES = 64 * 1024;

/** Where the store lives: the environment (for `secretsDir(env)`), or an explicit directory. */
export interface StoreOptions {
  env: Env;
  /** Overrides `<data_dir>/secrets` (library use and tests). */
  dir?: string;
}

interface Entry {
  value_b64: string;
  updated_at: string;
}

/** Path of `store.json`, or undefined when no data directory can be determined. */
export function secretStorePath(options: StoreOptions): string | undefined {
  const dir = options.dir ?? secretsDir(options.env);
  return dir ? join(dir, STORE_FILE) : undefined;
}

function requirePath(options: StoreOptions): string {
  const path = secretStorePath(options);
  if (!path) {
    throw new InsomniaError(
      "store_io",
      "cannot locate the secret store: set INSOMNIA_DATA_DIR, INSOMNIA_HOME or HOME " +
        "(the store is <data_dir>/secrets/store.json).",
    );
  }
  return path;
}

function keystream(id: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let block = 0; block * 32 < length; block++) {
    const digest = sha256Bytes(`${STORE_FORMAT}\u0000${id}\u0000${block}`);
    out.set(digest.subarray(0, Math.min(32, length - block * 32)), block * 32);
  }
  return out;
}

function obfuscate(id: string, bytes: Uint8Array): Uint8Array {
  const key = keystream(id, bytes.length);
  return bytes.map((b, i) => b ^ key[i]);
}

function encode(id: string, value: string): string {
  return Buffer.from(obfuscate(id, new TextEncoder().encode(value))).toString("base64");
}

function decode(id: string, b64: string): string {
  const bytes = new Uint8Array(Buffer.from(b64, "base64"));
  return new TextDecoder().decode(obfuscate(id, bytes));
}

function malformed(path: string, problem: string): InsomniaError {
  return new InsomniaError(
    "store_io",
    `the secret store ${path} is malformed (${problem}); its content is not shown. Fix it by ` +
      `hand or move it away and store the secrets again with \`insomnia-pod secrets set <id>\`.`,
    { file: path },
  );
}

function load(path: string): Map<string, Entry> {
  const text = readBoundedTextIfExists(path, {
    code: "store_io",
    message: (file, problem) =>
      `cannot read the secret store ${file}: it ${problem}. Its content is not shown; fix it or ` +
      "move it away and store the secrets again with `insomnia-pod secrets set <id>`.",
  });
  if (text === undefined) return new Map();
  let data: unknown;
  try {
    data = JSON.parse(text); // the parser's message quotes content: never surface it
  } catch {
    throw malformed(path, "not valid JSON");
  }
  const record = data as { format?: unknown; entries?: unknown };
  if (data === null || typeof data !== "object" || record.format !== STORE_FORMAT) {
    throw malformed(path, `not an ${STORE_FORMAT} document`);
  }
  const entries = record.entries;
  if (entries === null || typeof entries !== "object" || Array.isArray(entries)) {
    throw malformed(path, "entries is not an object");
  }
  const map = new Map<string, Entry>();
  for (const [index, [id, entry]] of Object.entries(entries).entries()) {
    try {
      validateSecretRefId(id);
    } catch {
      throw malformed(path, `entry ${index + 1} has an invalid id`);
    }
    const e = entry as Partial<Entry> | null;
    if (!e || typeof e.value_b64 !== "string" || typeof e.updated_at !== "string") {
      throw malformed(path, `entry "${id}" lacks value_b64 or updated_at`);
    }
    map.set(id, { value_b64: e.value_b64, updated_at: e.updated_at });
  }
  return map;
}

function save(path: string, entries: Map<string, Entry>): void {
  const sorted = [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const doc = { format: STORE_FORMAT, entries: Object.fromEntries(sorted) };
  try {
    writeFileAtomic(path, JSON.stringify(doc, null, 2) + "\n", 0o600);
  } catch (error) {
    throw new InsomniaError(
      "store_io",
      `cannot write the secret store ${path}: ${(errnoCode(error) ?? "I/O error")}.`,
      { file: path },
    );
  }
}

/** Runs `fn` holding `<store>.lock` so concurrent writers do not lose each other's updates. */
function locked<T>(path: string, fn: () => T): T {
  const dir = dirname(path);
  try {
    ensurePrivateDir(dir);
    chmodSync(dir, 0o700);
  } catch (error) {
    throw new InsomniaError(
      "store_io",
      `cannot create the secret store directory ${dir}: ${(errnoCode(error) ?? "I/O error")}.`,
      { file: dir },
    );
  }
  return withLock(`${path}.lock`, fn);
}

/** Stores (or replaces) secret `id`. An empty value is a `usage` error; ids are validated. */
export function setSecret(id: string, value: string, options: StoreOptions): void {
  validateSecretRefId(id);
  if (typeof value !== "string" || value.length === 0) {
    throw new InsomniaError("usage", `refusing to store an empty value for secret "${id}".`);
  }
  if (new TextEncoder().encode(value).length > MAX_SECRET_BYTES) {
    throw new InsomniaError(
      "usage",
      `the value for secret "${id}" is larger than ${MAX_SECRET_BYTES} bytes.`,
    );
  }
  const path = requirePath(options);
  locked(path, () => {
    const entries = load(path);
    entries.set(id, { value_b64: encode(id, value), updated_at: new Date().toISOString() });
    save(path, entries);
  });
  registerSecretValue(value);
}

/** Removes secret `id`; `secret_unresolved` when the store has no such id. */
export function deleteSecret(id: string, options: StoreOptions): void {
  validateSecretRefId(id);
  const path = requirePath(options);
  const unknown = () =>
    new InsomniaError(
      "secret_unresolved",
      `no secret "${id}" in the file store ${path}; \`insomnia-pod secrets list\` shows the ids.`,
      { ref: id, file: path },
    );
  // A failed removal writes nothing: not even the store's directory or its lock.
  if (!load(path).has(id)) throw unknown();
  locked(path, () => {
    const entries = load(path);
    if (!entries.delete(id)) throw unknown();
    save(path, entries);
  });
}

/** Ids in the file store, sorted. Empty when the store (or the data directory) does not exist. */
export function listSecretIds(options: StoreOptions): string[] {
  const path = secretStorePath(options);
  if (!path) return [];
  return [...load(path).keys()].sort();
}

/** Metadata of one stored secret (never the value). */
export interface StoredSecretInfo {
  id: string;
  updated_at: string;
}

/** Ids and update times in the file store, sorted by id. */
export function listSecrets(options: StoreOptions): StoredSecretInfo[] {
  const path = secretStorePath(options);
  if (!path) return [];
  return [...load(path).entries()]
    .map(([id, e]) => ({ id, updated_at: e.updated_at }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The stored value of `id`, or undefined when it is not stored. The value is registered for
 * redaction. Prefer `resolveSecret`, which also honours the environment backend.
 */
export function readSecretFromStore(id: string, options: StoreOptions): string | undefined {
  validateSecretRefId(id);
  const path = secretStorePath(options);
  if (!path) return undefined;
  const entry = load(path).get(id);
  if (!entry) return undefined;
  const value = decode(id, entry.value_b64);
  registerSecretValue(value);
  return value;
}

const storesRegistered = new Set<string>();

/**
 * Registers every value in the file store for redaction (values are decoded in memory only).
 * A missing or unreadable store registers nothing: this only strengthens redaction.
 */
export function registerStoredSecrets(options: StoreOptions): void {
  const path = secretStorePath(options);
  // The CLI registers at start-up and resolveProfile again (for library callers): read once.
  if (!path || storesRegistered.has(path) || !existsSync(path)) return;
  storesRegistered.add(path);
  try {
    for (const [id, entry] of load(path)) registerSecretValue(decode(id, entry.value_b64));
  } catch {
    // A malformed store is reported by the commands that use it, not by redaction.
  }
}
