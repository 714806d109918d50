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

/** `store.json` format. */
export const STORE_FORMAT = "insomnia.store.v1";
/** `pods/<name>/pod.json` format. */
export const POD_FORMAT = "insomnia.pod.v1";
/** `pods/<name>/history/<seq>-<utc>.json` format. */
export const POD_HISTORY_FORMAT = "insomnia.pod-history.v1";
/** `sessions/<session_id>.json` format. */
export const SESSION_FORMAT = "insomnia.session.v1";

/** Identity and timestamps of a Pod. */
export interface PodIdentity {
  name: string;
  id: string;
  session_id: string;
  created_at: string;
  updated_at: string;
}

/** A resolved manifest and the SHA-256 of its canonical JSON. */
export interface PodSnapshot {
  sha256: string;
  manifest: Record<string, unknown>;
}

/** The content of `pod.json`. */
export interface PodRecord {
  format: string;
  pod: PodIdentity;
  profile: unknown | null;
  fingerprint: unknown | null;
  snapshot: PodSnapshot;
  history_count: number;
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

/** Builds a `pod.json` object with keys in their documented order. */
export function podRecordOf(
  pod: PodIdentity,
  profile: unknown,
  fingerprint: unknown,
  snapshot: PodSnapshot,
  historyCount: number,
): PodRecord {
  return {
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

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function parseJsonObject(text: string, file: string, label: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw snapshotInvalid(file, `it is not valid JSON (${reason}; the file may be truncated)`);
  }
  if (!isObject(value)) throw snapshotInvalid(file, `it is not a JSON object (expected ${label})`);
  return value;
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
  if (!isObject(value)) throw snapshotInvalid(file, "snapshot is missing or not an object");
  const sha256 = value.sha256;
  if (typeof sha256 !== "string" || !/^[0-9a-f]{64}$/.test(sha256)) {
    throw snapshotInvalid(file, "snapshot.sha256 is missing or not a 64-digit hex SHA-256");
  }
  if (!isObject(value.manifest)) {
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
 * `pod.name` equal to `expectedName`, snapshot hash matching the manifest. Throws
 * `snapshot_invalid` otherwise.
 */
export function decodePodRecord(text: string, file: string, expectedName: string): PodRecord {
  const obj = parseJsonObject(text, file, "a Pod record");
  checkFormat(obj, file, POD_FORMAT);
  if (!isObject(obj.pod)) throw snapshotInvalid(file, "pod is missing or not an object");
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
  return podRecordOf(identity, obj.profile, obj.fingerprint, snapshot, count);
}

/** Decodes the text of a history file; `seq` must match the file name. */
export function decodeHistoryFile(text: string, file: string, seq: number): HistoryFile {
  const obj = parseJsonObject(text, file, "a Pod history entry");
  checkFormat(obj, file, POD_HISTORY_FORMAT);
  if (obj.seq !== seq) {
    throw snapshotInvalid(file, `seq is ${JSON.stringify(obj.seq)} but the file name says ${seq}`);
  }
  const replacedAt = requireString(obj, "replaced_at", file, "");
  const pod = isObject(obj.pod) ? obj.pod : {};
  return {
    format: POD_HISTORY_FORMAT,
    seq,
    replaced_at: replacedAt,
    pod: { name: String(pod.name ?? ""), id: String(pod.id ?? "") },
    snapshot: decodeSnapshot(obj.snapshot, file),
    profile: obj.profile ?? null,
    fingerprint: obj.fingerprint ?? null,
  };
}

/** Decodes a session index file, or returns undefined when it is not a valid one. */
export function decodeSessionIndex(text: string): SessionIndex | undefined {
  try {
    const obj = JSON.parse(text) as Record<string, unknown>;
    if (!isObject(obj) || obj.format !== SESSION_FORMAT) return undefined;
    if (typeof obj.pod !== "string" || typeof obj.pod_id !== "string") return undefined;
    return { format: SESSION_FORMAT, pod: obj.pod, pod_id: obj.pod_id };
  } catch {
    return undefined;
  }
}
