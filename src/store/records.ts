/**
 * On-disk record formats of the session store and their strict decoders.
 *
 * Decoders never touch the filesystem: they take the text of a file and either return a typed
 * value or throw `snapshot_invalid` naming the file and what is wrong with it.
 * @module
 */
import { join } from "node:path";
import { InsomniaError } from "../errors.ts";
import { canonicalSha256 } from "./canonical.ts";
import { isRecord } from "../json.ts";
import { jsonShapeProblem, MAX_JSON_DEPTH, MAX_JSON_ENTRIES } from "../json_shape.ts";

/** `store.json` format. */
export const STORE_FORMAT = "insomnia.store.v1";
/** `pods/<name>/pod.json` format. */
const POD_FORMAT = "insomnia.pod.v1";
/** `pods/<name>/history/<seq>-<utc>.json` format. */
const POD_HISTORY_FORMAT = "insomnia.pod-history.v1";
/** `sessions/<session_id>.json` format. */
export const SESSION_FORMAT = "insomnia.session.v1";

/** Identity and timestamps of a Pod. */
export interface PodIdentity {
  /** Pod name; equals the name of its directory under `pods/`. */
  name: string;
  /** Random UUID of this Pod; a later Pod with the same name gets a new one. */
  id: string;
  /** Random UUID of the Pod's session, indexed in `sessions/`. */
  session_id: string;
  /** Creation time, ISO-8601 UTC (`2026-11-22T02:18:00.123Z`). */
  created_at: string;
  /** Last replace or resume (touch), ISO-8601 UTC; not covered by `record_sha256`. */
  updated_at: string;
}

/** A resolved manifest and the SHA-256 of its canonical JSON. */
export interface PodSnapshot {
  /** SHA-256 (lower-case hex) of the canonical JSON of `manifest`. */
  sha256: string;
  /** The resolved manifest a Pod is resumed from. */
  manifest: Record<string, unknown>;
}

/** The content of `pod.json`. */
export interface PodRecord {
  /** Record format: {@link POD_FORMAT}. */
  format: string;
  /** Identity and timestamps. */
  pod: PodIdentity;
  /** Provenance supplied by the caller, or null; opaque to the store. */
  profile: unknown | null;
  /** Input fingerprint supplied by the caller, or null; opaque to the store. */
  fingerprint: unknown | null;
  /** The current snapshot. */
  snapshot: PodSnapshot;
  /** Number of previous snapshots in `history/`. */
  history_count: number;
  /** SHA-256 binding everything above except `pod.updated_at`; see {@link podRecordSha256}. */
  record_sha256: string;
}

/** A Pod record together with the absolute directory it lives in. */
export type StoredPod = PodRecord & { dir: string };

/** One previous snapshot of a Pod, as returned by `readHistory`. */
export interface HistoryEntry {
  seq: number;
  replaced_at: string;
  snapshot: PodSnapshot;
  profile: unknown;
  fingerprint: unknown;
}

/** The content of a history file. */
export interface HistoryFile extends HistoryEntry {
  format: string;
  pod: { name: string; id: string };
  /** SHA-256 binding every other field; see {@link historyRecordSha256}. */
  record_sha256: string;
}

/** The content of `sessions/<session_id>.json`. */
export interface SessionIndex {
  format: string;
  pod: string;
  pod_id: string;
}

/** Paths inside a store root. */
export interface StoreLayout {
  root: string;
  storeFile: string;
  lockFile: string;
  podsDir: string;
  sessionsDir: string;
}

/** Computes the paths of the store rooted at `root` (an absolute path). */
export function storeLayout(root: string): StoreLayout {
  return {
    root,
    storeFile: join(root, "store.json"),
    lockFile: join(root, ".lock"),
    podsDir: join(root, "pods"),
    sessionsDir: join(root, "sessions"),
  };
}

/** Name of the history file for `seq` replaced at ISO time `replacedAt`: `000042-20261122T021800123Z.json`. */
export function historyFileName(seq: number, replacedAt: string): string {
  return `${String(seq).padStart(6, "0")}-${replacedAt.replace(/[-:.]/g, "")}.json`;
}

/** Parses the sequence number out of a history file name, or undefined when it is not one. */
export function historySeqOf(fileName: string): number | undefined {
  const match = /^(\d{1,12})-[0-9A-Za-z]+\.json$/.exec(fileName);
  return match ? Number(match[1]) : undefined;
}

/** Pretty-printed JSON with a trailing newline: the on-disk form of every store file. */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

/**
 * `record_sha256` of a `pod.json`: the SHA-256 of the canonical JSON of
 * `{format, pod: {name, id, session_id, created_at}, profile, fingerprint, snapshot_sha256,
 * history_count}`. It covers every field except `pod.updated_at` (bumped on each resume) and the
 * manifest itself (bound through `snapshot.sha256`, which is checked against it separately).
 */
export function podRecordSha256(record: Omit<PodRecord, "record_sha256">): string {
  return canonicalSha256({
    format: record.format,
    pod: {
      name: record.pod.name,
      id: record.pod.id,
      session_id: record.pod.session_id,
      created_at: record.pod.created_at,
    },
    profile: record.profile,
    fingerprint: record.fingerprint,
    snapshot_sha256: record.snapshot.sha256,
    history_count: record.history_count,
  });
}

/**
 * `record_sha256` of a history file: the SHA-256 of the canonical JSON of `{format, seq,
 * replaced_at, pod, snapshot_sha256, profile, fingerprint}` (every field; the manifest is bound
 * through `snapshot.sha256`). History files are never rewritten, so nothing is left out.
 */
function historyRecordSha256(entry: Omit<HistoryFile, "record_sha256">): string {
  return canonicalSha256({
    format: entry.format,
    seq: entry.seq,
    replaced_at: entry.replaced_at,
    pod: { name: entry.pod.name, id: entry.pod.id },
    snapshot_sha256: entry.snapshot.sha256,
    profile: entry.profile,
    fingerprint: entry.fingerprint,
  });
}

/** Builds a `pod.json` object with keys in their documented order and its `record_sha256`. */
export function podRecordOf(
  pod: PodIdentity,
  profile: unknown,
  fingerprint: unknown,
  snapshot: PodSnapshot,
  historyCount: number,
): PodRecord {
  const record = {
    format: POD_FORMAT,
    pod: {
      name: pod.name,
      id: pod.id,
      session_id: pod.session_id,
      created_at: pod.created_at,
      updated_at: pod.updated_at,
    },
    profile: profile ?? null,
    fingerprint: fingerprint ?? null,
    snapshot: { sha256: snapshot.sha256, manifest: snapshot.manifest },
    history_count: historyCount,
  };
  return { ...record, record_sha256: podRecordSha256(record) };
}

/** Builds a history file object with keys in their documented order and its `record_sha256`. */
export function historyFileOf(
  seq: number,
  replacedAt: string,
  pod: { name: string; id: string },
  snapshot: PodSnapshot,
  profile: unknown,
  fingerprint: unknown,
): HistoryFile {
  const entry = {
    format: POD_HISTORY_FORMAT,
    seq,
    replaced_at: replacedAt,
    pod: { name: pod.name, id: pod.id },
    snapshot: { sha256: snapshot.sha256, manifest: snapshot.manifest },
    profile: profile ?? null,
    fingerprint: fingerprint ?? null,
  };
  return { ...entry, record_sha256: historyRecordSha256(entry) };
}

/** A `snapshot_invalid` error for `file`, saying what is wrong and that nothing was changed. */
export function snapshotInvalid(file: string, what: string, pod?: string): InsomniaError {
  return new InsomniaError(
    "snapshot_invalid",
    `the Pod record ${file} is invalid: ${what}. The record was left untouched; restore the file ` +
      `(previous snapshots are kept in the Pod's history/ directory) or remove the Pod and ` +
      `create it again.`,
    { file, pod, reason: what },
  );
}

function parseJsonObject(text: string, file: string, label: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw snapshotInvalid(file, `it is not valid JSON (${reason}; the file may be truncated)`);
  }
  if (!isRecord(value)) throw snapshotInvalid(file, `it is not a JSON object (expected ${label})`);
  const shape = jsonShapeProblem(value);
  if (shape !== undefined) {
    throw snapshotInvalid(file, `${shape.field || "the top level"} is ${shape.problem}`);
  }
  return value;
}

/**
 * Throws `snapshot_invalid` when a record holding these parts would break the limits every read
 * applies (src/json_shape.ts), so the store never holds a record it cannot read back. Checked
 * before anything is written; the paths are those of `pod.json`.
 */
export function assertStorableRecord(
  parts: { profile: unknown; fingerprint: unknown; manifest: unknown },
  pod: string,
): void {
  const shape = jsonShapeProblem({
    profile: parts.profile,
    fingerprint: parts.fingerprint,
    snapshot: { manifest: parts.manifest },
  });
  if (shape === undefined) return;
  throw new InsomniaError(
    "snapshot_invalid",
    `cannot store Pod ${JSON.stringify(pod)}: its record would have ${
      shape.field || "the top level"
    } ${shape.problem.replace(/^(a list|a table) of/, "$1 with")}; records are read back only ` +
      `when nested at most ${MAX_JSON_DEPTH} levels deep with at most ${MAX_JSON_ENTRIES} ` +
      "entries per list or table. Nothing was changed.",
    { pod, field: shape.field },
  );
}

function checkFormat(obj: Record<string, unknown>, file: string, expected: string): void {
  if (!("format" in obj)) {
    throw snapshotInvalid(file, `it has no "format" field (expected "${expected}")`);
  }
  if (obj.format !== expected) {
    throw snapshotInvalid(
      file,
      `its format is ${JSON.stringify(obj.format)}, but this version of insomnia-pod reads ` +
        `only "${expected}"`,
    );
  }
}

function requireString(obj: Record<string, unknown>, key: string, file: string, at: string) {
  const value = obj[key];
  if (typeof value !== "string" || value === "") {
    throw snapshotInvalid(file, `${at}${key} is missing or not a non-empty string`);
  }
  return value;
}

function decodeSnapshot(value: unknown, file: string): PodSnapshot {
  if (!isRecord(value)) throw snapshotInvalid(file, "snapshot is missing or not an object");
  const sha256 = value.sha256;
  if (typeof sha256 !== "string" || !/^[0-9a-f]{64}$/.test(sha256)) {
    throw snapshotInvalid(file, "snapshot.sha256 is missing or not a 64-digit hex SHA-256");
  }
  if (!isRecord(value.manifest)) {
    throw snapshotInvalid(file, "snapshot.manifest is missing or not an object");
  }
  const actual = canonicalSha256(value.manifest);
  if (actual !== sha256) {
    throw snapshotInvalid(
      file,
      `the SHA-256 of snapshot.manifest is ${actual} but the record says ${sha256}, so the ` +
        `manifest was edited or corrupted after it was written`,
    );
  }
  return { sha256, manifest: value.manifest };
}

/**
 * Decodes the text of a `pod.json`: JSON object, `format` = {@link POD_FORMAT}, identity fields,
 * `pod.name` equal to `expectedName`, snapshot hash matching the manifest, `record_sha256`
 * matching the rest of the record. Throws `snapshot_invalid` otherwise.
 */
export function decodePodRecord(text: string, file: string, expectedName: string): PodRecord {
  const obj = parseJsonObject(text, file, "a Pod record");
  checkFormat(obj, file, POD_FORMAT);
  if (!isRecord(obj.pod)) throw snapshotInvalid(file, "pod is missing or not an object");
  const pod = obj.pod;
  const identity: PodIdentity = {
    name: requireString(pod, "name", file, "pod."),
    id: requireString(pod, "id", file, "pod."),
    session_id: requireString(pod, "session_id", file, "pod."),
    created_at: requireString(pod, "created_at", file, "pod."),
    updated_at: requireString(pod, "updated_at", file, "pod."),
  };
  if (identity.name !== expectedName) {
    throw snapshotInvalid(
      file,
      `pod.name is ${JSON.stringify(identity.name)} but the record is stored as ` +
        `${JSON.stringify(expectedName)}`,
    );
  }
  for (const key of ["profile", "fingerprint"]) {
    if (!(key in obj)) throw snapshotInvalid(file, `${key} is missing (null is allowed)`);
  }
  const snapshot = decodeSnapshot(obj.snapshot, file);
  const count = obj.history_count;
  if (typeof count !== "number" || !Number.isInteger(count) || count < 0) {
    throw snapshotInvalid(file, "history_count is missing or not a non-negative integer");
  }
  const record = podRecordOf(identity, obj.profile, obj.fingerprint, snapshot, count);
  // Keys record_sha256 does not cover would otherwise pass silently and vanish on the next write.
  rejectUnknownKeys(obj, record, file, "");
  rejectUnknownKeys(pod, record.pod, file, "pod.");
  if (isRecord(obj.snapshot)) rejectUnknownKeys(obj.snapshot, record.snapshot, file, "snapshot.");
  checkRecordSha256(
    obj.record_sha256,
    record.record_sha256,
    file,
    "the Pod identity, profile (provenance), fingerprint or history_count",
  );
  return record;
}

function rejectUnknownKeys(
  found: Record<string, unknown>,
  known: object,
  file: string,
  prefix: string,
): void {
  const unknown = Object.keys(found).filter((key) => !Object.hasOwn(known, key));
  if (unknown.length === 0) return;
  throw snapshotInvalid(
    file,
    `it has key(s) a Pod record never contains (${
      unknown.slice(0, 5).map((key) => prefix + key).join(", ")
    }), so it was edited after it was written`,
  );
}

function checkRecordSha256(found: unknown, actual: string, file: string, what: string): void {
  if (typeof found !== "string" || !/^[0-9a-f]{64}$/.test(found)) {
    throw snapshotInvalid(
      file,
      "record_sha256 is missing or not a 64-digit hex SHA-256 (records written before it " +
        "existed are not accepted)",
    );
  }
  if (found !== actual) {
    throw snapshotInvalid(
      file,
      `the SHA-256 of the record is ${actual} but record_sha256 says ${found}, so ${what} ` +
        `was edited or corrupted after it was written`,
    );
  }
}

/**
 * Decodes the text of a history file: `format` = {@link POD_HISTORY_FORMAT}, `seq` equal to the
 * one in the file name, snapshot hash and `record_sha256` matching. Throws `snapshot_invalid`
 * otherwise.
 */
export function decodeHistoryFile(text: string, file: string, seq: number): HistoryFile {
  const obj = parseJsonObject(text, file, "a Pod history entry");
  checkFormat(obj, file, POD_HISTORY_FORMAT);
  if (obj.seq !== seq) {
    throw snapshotInvalid(file, `seq is ${JSON.stringify(obj.seq)} but the file name says ${seq}`);
  }
  const replacedAt = requireString(obj, "replaced_at", file, "");
  if (!isRecord(obj.pod)) throw snapshotInvalid(file, "pod is missing or not an object");
  const pod = {
    name: requireString(obj.pod, "name", file, "pod."),
    id: requireString(obj.pod, "id", file, "pod."),
  };
  for (const key of ["profile", "fingerprint"]) {
    if (!(key in obj)) throw snapshotInvalid(file, `${key} is missing (null is allowed)`);
  }
  const snapshot = decodeSnapshot(obj.snapshot, file);
  const entry = historyFileOf(seq, replacedAt, pod, snapshot, obj.profile, obj.fingerprint);
  checkRecordSha256(
    obj.record_sha256,
    entry.record_sha256,
    file,
    "its profile (provenance), fingerprint, pod or replaced_at",
  );
  return entry;
}

/** Decodes a session index file, or returns undefined when it is not a valid one. */
export function decodeSessionIndex(text: string): SessionIndex | undefined {
  try {
    const obj = JSON.parse(text) as Record<string, unknown>;
    if (!isRecord(obj) || obj.format !== SESSION_FORMAT) return undefined;
    if (typeof obj.pod !== "string" || typeof obj.pod_id !== "string") return undefined;
    return { format: SESSION_FORMAT, pod: obj.pod, pod_id: obj.pod_id };
  } catch {
    return undefined;
  }
}
