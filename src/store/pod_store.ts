/**
 * The session store: a directory of Pod records, each holding the resolved manifest snapshot a
 * Pod is resumed from. See `docs/session-store.md` for the layout and file formats.
 *
 * All functions are synchronous. Reads never modify anything and take no lock. Every mutation
 * runs under the store-wide lock `<root>/.lock` and writes through `writeFileAtomic` or an atomic
 * directory rename, so a crash at any moment leaves each Pod either absent or complete.
 * @module
 */
import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { InsomniaError } from "../errors.ts";
import { fsyncDir, writeFileAtomic } from "../fs/atomic.ts";
import { canonicalSha256, toJsonValue } from "./canonical.ts";
import {
  assertStoreDir,
  errnoCode,
  io,
  listDir,
  pathExists,
  readTextIfExists,
  storeIoError,
  sweepTemps,
  tempName,
} from "../fs/errno.ts";
import { waitForLockFree, withLock } from "../fs/lock.ts";
import { isValidPodName, suffixedPodName, validatePodName } from "../manifest/pod_name.ts";
import { closestMatches } from "../profile/registry_suggest.ts";
import { provenanceLabel } from "../profile/provenance.ts";
import { freshEntry, readIndex, updateIndex } from "./pod_index.ts";
import {
  assertStorableRecord,
  decodeHistoryFile,
  decodePodRecord,
  decodeSessionIndex,
  encodeJson,
  type HistoryEntry,
  historyFileName,
  historyFileOf,
  historySeqOf,
  type PodIdentity,
  type PodRecord,
  podRecordOf,
  SESSION_FORMAT,
  type SessionIndex,
  snapshotInvalid,
  STORE_FORMAT,
  type StoredPod,
  type StoreLayout,
  storeLayout,
} from "./records.ts";

export { canonicalJson } from "./canonical.ts";
export { sha256Hex } from "../sha256.ts";
export {
  type HistoryEntry,
  type PodIdentity,
  type PodRecord,
  podRecordSha256,
  type PodSnapshot,
  type StoredPod,
} from "./records.ts";

/** Where the store lives and how snapshot manifests are checked. */
export interface StoreOptions {
  /** Store root directory (`-s/--store`, default `<data_dir>/sessions`). */
  root: string;
  /**
   * Validates a snapshot manifest; throws anything when it is invalid. Called on every manifest
   * about to be stored, and on every read of a record when {@link checkStoredManifest} is not
   * given; a throw becomes `snapshot_invalid`.
   */
  validateManifest?: (manifest: unknown) => void;
  /**
   * Checks a snapshot manifest read back from disk, after its hashes verified (so it is the
   * manifest {@link validateManifest} accepted when it was stored, byte for byte); throws anything
   * when it is unusable. Defaults to {@link validateManifest}.
   */
  checkStoredManifest?: (manifest: unknown) => void;
}

/** What a read checks a stored snapshot with. */
function readCheck(opts: StoreOptions): ((manifest: unknown) => void) | undefined {
  return opts.checkStoredManifest ?? opts.validateManifest;
}

/** Input of {@link createPod}. */
export interface CreatePodInput {
  /** Requested name (explicit) or base name (implicit). */
  name: string;
  /** True when the user chose the name: a collision is then `pod_exists` instead of `-2`, `-3`… */
  explicitName: boolean;
  /** Provenance of the profile (opaque to the store). */
  profile: unknown | null;
  /** Fingerprint of the inputs (opaque to the store). */
  fingerprint: unknown | null;
  /** The resolved manifest; its `pod.name` (if it has a `pod` object) is set to the final name. */
  manifest: Record<string, unknown>;
}

/** Input of {@link replaceSnapshot}. */
export interface ReplaceSnapshotInput {
  /** The new resolved manifest; its `pod.name` (when it has a `pod` object) is set to `name`. */
  manifest: Record<string, unknown>;
  /** Provenance of the new snapshot (opaque to the store). */
  profile: unknown | null;
  /** Fingerprint of the new snapshot's inputs (opaque to the store). */
  fingerprint: unknown | null;
}

/** One row of {@link listPods}. */
export interface PodListEntry {
  /** The Pod directory's name. */
  name: string;
  /** Whether the record read and validated like {@link readPod}. */
  ok: boolean;
  /** The record, when `ok`. */
  record?: StoredPod;
  /** Why the record could not be read (the `InsomniaError`'s code and message), when not `ok`. */
  error?: { code: string; message: string };
}

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * The name {@link createPod} would pick right now, without writing anything (for `--dry-run`).
 * Explicit and taken → `pod_exists`; implicit and taken → the first free `<name>-2`, `<name>-3`…
 */
export function planPodName(opts: StoreOptions, name: string, explicitName: boolean): string {
  validatePodName(name);
  const layout = layoutOf(opts);
  checkStoreFile(layout);
  return allocateName(layout, name, explicitName);
}

/**
 * Creates a Pod record. The name is allocated and the Pod directory is built under a temp name and
 * renamed into place while holding the store lock, so concurrent creators of one explicit name see
 * exactly one success and `pod_exists` for the rest.
 */
export function createPod(opts: StoreOptions, input: CreatePodInput): StoredPod {
  validatePodName(input.name);
  const layout = layoutOf(opts);
  const manifest = jsonObject(input.manifest, "manifest", input.name);
  const profile = jsonData(input.profile, "profile", input.name);
  const fingerprint = jsonData(input.fingerprint, "fingerprint", input.name);
  assertStorableRecord({ profile, fingerprint, manifest }, input.name);
  ensureStore(layout);
  return lockStore(layout, () => {
    sweepIfCrashed(layout);
    const name = allocateName(layout, input.name, input.explicitName);
    setPodName(manifest, name);
    validateNew(opts, manifest, name);
    const now = new Date().toISOString();
    const identity: PodIdentity = {
      name,
      id: crypto.randomUUID(),
      session_id: crypto.randomUUID(),
      created_at: now,
      updated_at: now,
    };
    const snapshot = { sha256: canonicalSha256(manifest), manifest };
    const record = podRecordOf(identity, profile, fingerprint, snapshot, 0);
    const dir = podDir(layout, name);
    const temp = join(layout.podsDir, tempName("create"));
    const sessionFile = sessionPath(layout, identity.session_id);
    io("create directory", temp, () => mkdirSync(temp, { mode: 0o700 }));
    try {
      io("write", join(temp, "pod.json"), () => {
        writeFileAtomic(join(temp, "pod.json"), encodeJson(record));
      });
      io("create directory", join(temp, "history"), () => {
        mkdirSync(join(temp, "history"), { mode: 0o700 });
      });
      const index: SessionIndex = { format: SESSION_FORMAT, pod: name, pod_id: identity.id };
      io("write", sessionFile, () => writeFileAtomic(sessionFile, encodeJson(index)));
      try {
        renameSync(temp, dir);
      } catch (error) {
        const code = errnoCode(error);
        if (code === "EEXIST" || code === "ENOTEMPTY") throw podExists(layout, name);
        throw storeIoError(error, "rename into place", dir);
      }
    } catch (error) {
      try {
        rmSync(temp, { recursive: true, force: true });
        rmSync(sessionFile, { force: true });
      } catch {
        // Leftovers are swept by a later call; report the original failure.
      }
      throw error;
    }
    fsyncDir(layout.podsDir);
    updateIndex(layout, name, record, join(dir, "pod.json"));
    return { ...record, dir };
  });
}

/**
 * Reads and verifies a Pod record: `pod_not_found` when missing; `snapshot_invalid` when the file
 * is unreadable JSON, has a wrong or missing format, a hash mismatch, or a manifest that the read
 * check (`checkStoredManifest`, else `validateManifest`) rejects. Never modifies anything.
 */
export function readPod(opts: StoreOptions, name: string): StoredPod {
  validatePodName(name);
  const layout = layoutOf(opts);
  checkStoreFile(layout);
  return readPodAt(layout, name, readCheck(opts));
}

/**
 * Reads the Pod that owns `sessionId` (through `sessions/<id>.json`, falling back to a scan of the
 * Pod records). Unknown session → `pod_not_found`. Never modifies anything.
 */
export function readPodBySession(opts: StoreOptions, sessionId: string): StoredPod {
  const layout = layoutOf(opts);
  const notFound = () =>
    new InsomniaError(
      "pod_not_found",
      `no Pod in the store ${layout.root} has the session id ${JSON.stringify(sessionId)}. ` +
        `Check the id and the --store directory.`,
      { session_id: sessionId, store: layout.root },
    );
  if (!isValidPodName(sessionId)) throw notFound();
  checkStoreFile(layout);
  const text = readTextIfExists(sessionPath(layout, sessionId));
  const index = text === undefined ? undefined : decodeSessionIndex(text);
  if (index && isValidPodName(index.pod)) {
    try {
      const pod = readPodAt(layout, index.pod, readCheck(opts));
      if (pod.pod.session_id === sessionId && pod.pod.id === index.pod_id) return pod;
    } catch (error) {
      if (!(error instanceof InsomniaError && error.code === "pod_not_found")) throw error;
    }
  }
  for (const name of podNames(layout)) {
    const file = join(podDir(layout, name), "pod.json");
    const body = readTextIfExists(file);
    if (body === undefined || !body.includes(sessionId)) continue;
    let record: PodRecord;
    try {
      record = decodePodRecord(body, file, name);
    } catch {
      continue;
    }
    if (record.pod.session_id === sessionId) return readPodAt(layout, name, readCheck(opts));
  }
  throw notFound();
}

/**
 * Lists every Pod directory, sorted by name. Temp and hidden entries are never shown; a record
 * that fails {@link readPod} is listed with `ok: false` and its error.
 */
export function listPods(opts: StoreOptions): PodListEntry[] {
  const layout = layoutOf(opts);
  checkStoreFile(layout);
  return podNames(layout).map((name): PodListEntry => {
    try {
      validatePodName(name);
      return { name, ok: true, record: readPodAt(layout, name, readCheck(opts)) };
    } catch (error) {
      if (!(error instanceof InsomniaError)) throw error;
      return { name, ok: false, error: { code: error.code, message: error.message } };
    }
  });
}

/** One line of `pods list`: what it shows of a Pod, or why its record is broken. */
export interface PodSummary {
  name: string;
  ok: boolean;
  /** When `ok`: the Pod's identity, times and where it came from. */
  summary?: {
    id: string;
    session_id: string;
    created_at: string;
    updated_at: string;
    /** `provenanceLabel` of its profile. */
    source: string;
  };
  /** When not `ok`: the code and message {@link readPod} would give. */
  error?: { code: string; message: string };
}

/**
 * Like {@link listPods}, for what a listing shows: a Pod whose `pod.json` is still the one the
 * store's index describes (same size, inode and mtime) is taken from the index without reading
 * and verifying it again; every other record is read and verified. Never modifies anything.
 */
export function listPodSummaries(opts: StoreOptions): PodSummary[] {
  const layout = layoutOf(opts);
  checkStoreFile(layout);
  const index = readIndex(layout);
  return podNames(layout).map((name): PodSummary => {
    try {
      validatePodName(name);
      const entry = freshEntry(index, join(podDir(layout, name), "pod.json"), name);
      if (entry) {
        const { id, session_id, created_at, updated_at, source } = entry;
        return { name, ok: true, summary: { id, session_id, created_at, updated_at, source } };
      }
      const record = readPodAt(layout, name, readCheck(opts));
      return {
        name,
        ok: true,
        summary: {
          id: record.pod.id,
          session_id: record.pod.session_id,
          created_at: record.pod.created_at,
          updated_at: record.pod.updated_at,
          source: provenanceLabel(record.profile),
        },
      };
    } catch (error) {
      if (!(error instanceof InsomniaError)) throw error;
      return { name, ok: false, error: { code: error.code, message: error.message } };
    }
  });
}

/**
 * Replaces a Pod's snapshot (and profile/fingerprint). The previous `{snapshot, profile,
 * fingerprint, replaced_at}` is written to `history/` first, then the new `pod.json`; both
 * atomically. `updated_at` bumps and `history_count` grows by one. The current record must pass
 * the structural and hash checks (not `validateManifest`, so an outdated snapshot can be
 * replaced); the new manifest must pass `validateManifest`.
 */
export function replaceSnapshot(
  opts: StoreOptions,
  name: string,
  next: ReplaceSnapshotInput,
): StoredPod {
  validatePodName(name);
  const layout = layoutOf(opts);
  checkStoreFile(layout);
  const manifest = jsonObject(next.manifest, "manifest", name);
  const profile = jsonData(next.profile, "profile", name);
  const fingerprint = jsonData(next.fingerprint, "fingerprint", name);
  setPodName(manifest, name);
  assertStorableRecord({ profile, fingerprint, manifest }, name);
  requirePodDir(layout, name);
  validateNew(opts, manifest, name);
  return lockStore(layout, () => {
    const current = readPodAt(layout, name, undefined);
    const dir = current.dir;
    const historyDir = join(dir, "history");
    sweepTemps(dir);
    sweepTemps(historyDir);
    for (const file of listDir(historyDir)) {
      const seq = historySeqOf(file);
      // Left by a replace that crashed before its pod.json landed: superseded by this one.
      if (seq !== undefined && seq > current.history_count) {
        rmSync(join(historyDir, file), { force: true });
      }
    }
    const now = new Date().toISOString();
    const seq = current.history_count + 1;
    const entry = historyFileOf(
      seq,
      now,
      { name, id: current.pod.id },
      current.snapshot,
      current.profile,
      current.fingerprint,
    );
    const historyFile = join(historyDir, historyFileName(seq, now));
    const snapshot = { sha256: canonicalSha256(manifest), manifest };
    const identity = { ...current.pod, updated_at: now };
    const record = podRecordOf(identity, profile, fingerprint, snapshot, seq);
    io("write", historyFile, () => writeFileAtomic(historyFile, encodeJson(entry)));
    writeRecord(dir, record);
    updateIndex(layout, name, record, join(dir, "pod.json"));
    return { ...record, dir };
  });
}

/**
 * Previous snapshots of a Pod, oldest first. Works even when the current `pod.json` is broken
 * (that is when history matters most); a broken history file → `snapshot_invalid`.
 */
export function readHistory(opts: StoreOptions, name: string): HistoryEntry[] {
  validatePodName(name);
  const layout = layoutOf(opts);
  checkStoreFile(layout);
  const dir = requirePodDir(layout, name);
  let limit = Number.POSITIVE_INFINITY;
  try {
    limit = readPodAt(layout, name, undefined).history_count;
  } catch (error) {
    if (!(error instanceof InsomniaError && error.code === "snapshot_invalid")) throw error;
  }
  const historyDir = join(dir, "history");
  const files = listDir(historyDir)
    .map((file) => ({ file, seq: historySeqOf(file) }))
    .filter((f): f is { file: string; seq: number } => f.seq !== undefined && f.seq <= limit)
    .sort((a, b) => a.seq - b.seq || (a.file < b.file ? -1 : 1));
  return files.map(({ file, seq }) => {
    const path = join(historyDir, file);
    const text = readTextIfExists(path);
    if (text === undefined) throw snapshotInvalid(path, "the file disappeared while reading");
    const h = decodeHistoryFile(text, path, seq);
    return {
      seq: h.seq,
      replaced_at: h.replaced_at,
      snapshot: h.snapshot,
      profile: h.profile,
      fingerprint: h.fingerprint,
    };
  });
}

/** Bumps `updated_at` (on resume); the rest of the record is rewritten unchanged. */
export function touchPod(opts: StoreOptions, name: string): StoredPod {
  validatePodName(name);
  const layout = layoutOf(opts);
  checkStoreFile(layout);
  requirePodDir(layout, name);
  return lockStore(layout, () => {
    const current = readPodAt(layout, name, undefined);
    const identity = { ...current.pod, updated_at: new Date().toISOString() };
    const record = podRecordOf(
      identity,
      current.profile,
      current.fingerprint,
      current.snapshot,
      current.history_count,
    );
    writeRecord(current.dir, record);
    updateIndex(layout, name, record, join(current.dir, "pod.json"));
    return { ...record, dir: current.dir };
  });
}

/**
 * The directory of Pod `name` (also a broken one) without reading it; `pod_not_found` (with the
 * nearest names) when there is none. Never modifies anything.
 */
export function existingPodDir(opts: StoreOptions, name: string): string {
  validatePodName(name);
  const layout = layoutOf(opts);
  checkStoreFile(layout);
  return requirePodDir(layout, name);
}

/**
 * Removes a Pod (also a broken one): its directory is renamed away atomically, then its session
 * index file and the renamed directory are deleted. Missing → `pod_not_found`.
 *
 * @example
 * ```ts
 * import { removePod } from "./pod_store.ts";
 * import { storeAt } from "./validated_store.ts";
 * removePod(storeAt("/tmp/my-store"), "coder");
 * ```
 */
export function removePod(opts: StoreOptions, name: string): void {
  validatePodName(name);
  const layout = layoutOf(opts);
  checkStoreFile(layout);
  requirePodDir(layout, name);
  lockStore(layout, () => {
    const dir = requirePodDir(layout, name);
    sweepIfCrashed(layout);
    const owned = (index: SessionIndex | undefined, podId?: string) =>
      index !== undefined && index.pod === name && (podId === undefined || index.pod_id === podId);
    let sessionFiles: string[];
    try {
      const record = readPodAt(layout, name, undefined);
      sessionFiles = [sessionPath(layout, record.pod.session_id)].filter((file) =>
        owned(decodeIfExists(file), record.pod.id)
      );
    } catch {
      sessionFiles = listDir(layout.sessionsDir)
        .filter((f) => f.endsWith(".json") && !f.startsWith("."))
        .map((f) => join(layout.sessionsDir, f))
        .filter((file) => owned(decodeIfExists(file)));
    }
    const trash = join(layout.podsDir, tempName("remove"));
    io("move away", dir, () => renameSync(dir, trash));
    fsyncDir(layout.podsDir);
    for (const file of sessionFiles) io("remove", file, () => rmSync(file, { force: true }));
    updateIndex(layout, name, null, join(dir, "pod.json"));
    try {
      rmSync(trash, { recursive: true, force: true });
    } catch {
      // The Pod is already gone; a later sweep removes the leftover temp directory.
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Internals

/**
 * Waits, without blocking the event loop, until no other process holds the store's lock (a
 * following write then rarely waits). `signal` aborting ends it with `cancelled`.
 */
export function waitForStore(opts: StoreOptions, signal?: AbortSignal): Promise<void> {
  return waitForLockFree(layoutOf(opts).lockFile, { signal });
}

function layoutOf(opts: StoreOptions): StoreLayout {
  return storeLayout(resolve(opts.root));
}

function podDir(layout: StoreLayout, name: string): string {
  return join(layout.podsDir, name);
}

function sessionPath(layout: StoreLayout, sessionId: string): string {
  return join(layout.sessionsDir, `${sessionId}.json`);
}

function decodeIfExists(file: string): SessionIndex | undefined {
  const text = readTextIfExists(file);
  return text === undefined ? undefined : decodeSessionIndex(text);
}

/**
 * Throws `store_io` when the store root (or its `pods/` or `sessions/` directory) exists but is
 * not a directory, or when a parent of the root is not a directory. A missing root is fine: reads
 * see an empty store and the first write creates it.
 */
function checkStoreDirs(layout: StoreLayout): void {
  for (const dir of [layout.root, layout.podsDir, layout.sessionsDir]) {
    let isDir: boolean;
    try {
      isDir = statSync(dir).isDirectory();
    } catch (error) {
      const code = errnoCode(error);
      if (code === "ENOENT") continue;
      if (code === "ENOTDIR") throw notADirectory(layout, dir, true);
      throw storeIoError(error, "inspect", dir);
    }
    if (!isDir) throw notADirectory(layout, dir, false);
  }
}

function notADirectory(layout: StoreLayout, dir: string, parent: boolean): InsomniaError {
  const what = parent ? `a parent of ${dir} is not a directory` : `${dir} is not a directory`;
  const advice = dir === layout.root
    ? "The store path given with --store (or the default <data_dir>/sessions) must be a " +
      "directory or not exist yet; choose another store directory with --store."
    : `The store ${layout.root} is damaged; move that entry away or choose another store ` +
      "directory with --store.";
  return new InsomniaError(
    "store_io",
    `cannot use the Pod store ${layout.root}: ${what}. ${advice} Nothing was written.`,
    { file: dir, store: layout.root },
  );
}

/**
 * Throws `store_io` when the store directories are not directories (see {@link checkStoreDirs})
 * or `store.json` exists but is not an {@link STORE_FORMAT} store file. Returns whether
 * `store.json` exists.
 */
function checkStoreFile(layout: StoreLayout): boolean {
  checkStoreDirs(layout);
  const text = readTextIfExists(layout.storeFile);
  if (text === undefined) return false;
  let format: unknown;
  try {
    format = (JSON.parse(text) as { format?: unknown })?.format;
  } catch {
    format = undefined;
  }
  if (format === STORE_FORMAT) return true;
  throw new InsomniaError(
    "store_io",
    `${layout.storeFile} does not describe an "${STORE_FORMAT}" store (found format ` +
      `${
        JSON.stringify(format ?? null)
      }). This directory was written by another tool or version; ` +
      `choose another store directory with --store.`,
    { file: layout.storeFile, format },
  );
}

/**
 * Throws the `store_io` error a write to this store would meet because of its shape (a root or
 * sub-directory that is not a directory, a foreign `store.json`), without writing anything; used
 * before a slow evaluation so a bad `--store` fails first.
 */
export function checkStore(opts: StoreOptions): void {
  checkStoreFile(layoutOf(opts));
}

/** Creates the store directories and `store.json` on first use. */
function ensureStore(layout: StoreLayout): void {
  const exists = checkStoreFile(layout);
  for (const dir of [layout.root, layout.podsDir, layout.sessionsDir]) {
    io("create directory", dir, () => mkdirSync(dir, { recursive: true, mode: 0o700 }));
  }
  if (!exists) {
    io("write", layout.storeFile, () => {
      writeFileAtomic(layout.storeFile, encodeJson({ format: STORE_FORMAT }));
    });
  }
}

function podNotFound(layout: StoreLayout, name: string): InsomniaError {
  const names = podNames(layout);
  const nearest = closestMatches(name, names, 3);
  const known = names.length === 0
    ? "the store has no Pods yet"
    : `Pods in this store: ${names.slice(0, 20).join(", ")}${names.length > 20 ? ", …" : ""}`;
  const dym = nearest.length > 0
    ? ` Did you mean ${nearest.map((n) => `\`${n}\``).join(" or ")}?`
    : "";
  return new InsomniaError(
    "pod_not_found",
    `no Pod named ${JSON.stringify(name)} exists in the store ${layout.root} (${known}).${dym} ` +
      `Check the name and the --store directory.`,
    { pod: name, store: layout.root, nearest },
  );
}

function podExists(layout: StoreLayout, name: string): InsomniaError {
  return new InsomniaError(
    "pod_exists",
    `a Pod named ${JSON.stringify(name)} already exists in the store ${layout.root}. To resume ` +
      `it, run with \`--pod ${name}\`; to create a new Pod, choose another name.`,
    { pod: name, store: layout.root },
  );
}

/** The Pod's directory; `pod_not_found` when it does not exist. */
function requirePodDir(layout: StoreLayout, name: string): string {
  const dir = podDir(layout, name);
  if (!pathExists(dir)) throw podNotFound(layout, name);
  return dir;
}

/** Pod directory names (no hidden or temp entries), sorted by UTF-16 code units. */
function podNames(layout: StoreLayout): string[] {
  let entries;
  try {
    entries = readdirSync(layout.podsDir, { withFileTypes: true });
  } catch (error) {
    const code = errnoCode(error);
    if (code === "ENOENT" || code === "ENOTDIR") return [];
    throw storeIoError(error, "list", layout.podsDir);
  }
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .map((e) => e.name)
    .sort();
}

function allocateName(layout: StoreLayout, base: string, explicit: boolean): string {
  if (explicit) {
    if (pathExists(podDir(layout, base))) throw podExists(layout, base);
    return base;
  }
  for (let n = 1;; n++) {
    const candidate = suffixedPodName(base, n);
    if (!pathExists(podDir(layout, candidate))) return candidate;
  }
}

function readPodAt(
  layout: StoreLayout,
  name: string,
  validate: ((manifest: unknown) => void) | undefined,
): StoredPod {
  const dir = podDir(layout, name);
  const file = join(dir, "pod.json");
  let text: string | undefined;
  try {
    text = readTextIfExists(file);
  } catch (error) {
    // A directory, FIFO or device where the record belongs is a broken record, not an I/O fault.
    if (error instanceof InsomniaError && error.details.reason === "not_regular") {
      const kind = /\bis (a [^,;]+|not [^,;]+), not a regular file/.exec(error.message)?.[1];
      throw snapshotInvalid(
        file,
        `it is ${kind ?? "not a regular file"}, not a regular file`,
        name,
      );
    }
    throw error;
  }
  if (text === undefined) {
    if (pathExists(dir)) throw snapshotInvalid(file, "the file is missing", name);
    throw podNotFound(layout, name);
  }
  const record = decodePodRecord(text, file, name);
  if (validate) {
    try {
      validate(toJsonValue(record.snapshot.manifest));
    } catch (error) {
      throw snapshotInvalid(
        file,
        `its snapshot manifest does not pass validation (${messageOf(error)})`,
        name,
      );
    }
  }
  return { ...record, dir };
}

function validateNew(opts: StoreOptions, manifest: Record<string, unknown>, name: string): void {
  if (!opts.validateManifest) return;
  try {
    opts.validateManifest(toJsonValue(manifest));
  } catch (error) {
    throw new InsomniaError(
      "snapshot_invalid",
      `the resolved manifest for Pod ${JSON.stringify(name)} does not pass validation, so it ` +
        `was not stored and nothing was changed: ${messageOf(error)}`,
      { pod: name, reason: messageOf(error) },
    );
  }
}

function writeRecord(dir: string, record: PodRecord): void {
  const file = join(dir, "pod.json");
  io("write", file, () => writeFileAtomic(file, encodeJson(record)));
}

/** Deep-copies `value` as JSON data; `snapshot_invalid` when it cannot be stored as JSON. */
function jsonData(value: unknown, what: string, pod: string): unknown {
  if (value === undefined || value === null) return null;
  try {
    return toJsonValue(value);
  } catch (error) {
    throw new InsomniaError(
      "snapshot_invalid",
      `cannot store Pod ${JSON.stringify(pod)}: its ${what} is not representable as JSON ` +
        `(${messageOf(error)}); nothing was changed.`,
      { pod, field: what },
    );
  }
}

function jsonObject(value: unknown, what: string, pod: string): Record<string, unknown> {
  const data = jsonData(value, what, pod);
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new InsomniaError(
      "snapshot_invalid",
      `cannot store Pod ${JSON.stringify(pod)}: its ${what} must be a JSON object; nothing was ` +
        `changed.`,
      { pod, field: what },
    );
  }
  return data as Record<string, unknown>;
}

/** Sets `manifest.pod.name` when the manifest has a `pod` object. */
function setPodName(manifest: Record<string, unknown>, name: string): void {
  const pod = manifest.pod;
  if (pod !== null && typeof pod === "object" && !Array.isArray(pod)) {
    (pod as Record<string, unknown>).name = name;
  }
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, "; ").trim();
}

/**
 * Removes temp entries left by crashed writers (call under the store lock). A half-built Pod
 * directory may have written its session index already; that index is removed with it.
 */
/**
 * Runs `fn` holding the store lock. Breaking the lock of a process that died holding it leaves a
 * marker (`<root>/.sweep`), so the next create or removal sweeps what it may have left behind;
 * otherwise nobody lists the whole store to find temp entries that are not there.
 */
function lockStore<T>(layout: StoreLayout, fn: () => T): T {
  return withLock(layout.lockFile, fn, {
    onStaleBroken: () => closeSync(openSync(sweepMarker(layout), "a", 0o600)),
  });
}

function sweepMarker(layout: StoreLayout): string {
  return join(layout.root, ".sweep");
}

/** Under the lock: the symlink checks always, the sweep when a crashed holder was seen. */
function sweepIfCrashed(layout: StoreLayout): void {
  assertStoreDir(layout.podsDir);
  assertStoreDir(layout.sessionsDir);
  if (!pathExists(sweepMarker(layout))) return;
  sweepStore(layout);
  rmSync(sweepMarker(layout), { force: true });
}

function sweepStore(layout: StoreLayout): void {
  sweepTemps(layout.podsDir, (path) => {
    if (!basename(path).includes("create")) return;
    const text = readTextIfExists(join(path, "pod.json"));
    if (text === undefined) return;
    const record = JSON.parse(text) as { pod?: { id?: unknown; session_id?: unknown } };
    const sid = record.pod?.session_id;
    if (typeof sid !== "string" || !isValidPodName(sid)) return;
    const file = sessionPath(layout, sid);
    const index = decodeIfExists(file);
    if (index && index.pod_id === record.pod?.id) rmSync(file, { force: true });
  });
  sweepTemps(layout.sessionsDir);
}
