/**
 * The store's index (`<root>/index.jsonl`): for each Pod the fields `pods list` shows, and the
 * size, inode and mtime of its `pod.json` when it was indexed. Every change appends one line under
 * the store lock (the last line of a name wins; a `null` entry forgets it), so a create costs the
 * same in a store of ten Pods or ten thousand; once the log is more than twice the size it had
 * after its last compaction, it is rewritten with the live entries only (amortised O(1)).
 *
 * It is only ever trusted for a record whose stat still matches — any other record (edited by
 * hand, written by a run that crashed before the index, or not in it) is read and verified as
 * before. A missing, truncated or broken index costs time, never correctness.
 * @module
 */
import { appendFileSync, closeSync, openSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../fs/atomic.ts";
import { readTextIfExists } from "../fs/errno.ts";
import { provenanceLabel } from "../profile/provenance.ts";
import type { PodRecord, StoreLayout } from "./records.ts";

/** Format tag of the index's first line. */
const INDEX_FORMAT = "insomnia.store-index.v1";

/** What the index keeps of one Pod. */
export interface IndexEntry {
  id: string;
  session_id: string;
  created_at: string;
  updated_at: string;
  /** `provenanceLabel` of the record's profile. */
  source: string;
  /** The stat of `pod.json` when indexed: the entry counts only while it still matches. */
  size: number;
  ino: number;
  /** Whole milliseconds (runtimes differ in the fraction they report). */
  mtime_ms: number;
}

/** The index file of a store. */
function indexFile(layout: StoreLayout): string {
  return join(layout.root, "index.jsonl");
}

const HEADER_BYTES = 4096;

function header(liveBytes: number): string {
  return JSON.stringify({ format: INDEX_FORMAT, compacted_bytes: liveBytes }) + "\n";
}

/** The indexed Pods (empty when the index is missing or unreadable: it is only a cache). */
export function readIndex(layout: StoreLayout): Record<string, IndexEntry> {
  const pods: Record<string, IndexEntry> = {};
  let text: string | undefined;
  try {
    text = readTextIfExists(indexFile(layout));
  } catch {
    return pods;
  }
  if (!text) return pods;
  const lines = text.split("\n");
  try {
    if (JSON.parse(lines[0])?.format !== INDEX_FORMAT) return pods;
  } catch {
    return pods;
  }
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    try {
      const { n, e } = JSON.parse(line);
      if (typeof n !== "string") continue;
      if (e === null) delete pods[n];
      else if (typeof e === "object") pods[n] = e;
    } catch {
      // a line cut by a crash: the records it described are read the slow way
    }
  }
  return pods;
}

/** The entry of Pod `name` when its `pod.json` is still the indexed one, else undefined. */
export function freshEntry(
  index: Record<string, IndexEntry>,
  recordFile: string,
  name: string,
): IndexEntry | undefined {
  const entry = Object.hasOwn(index, name) ? index[name] : undefined;
  if (!entry || typeof entry !== "object") return undefined;
  try {
    const st = statSync(recordFile);
    return st.isFile() && st.size === entry.size && st.ino === entry.ino &&
        wholeMs(st.mtimeMs) === entry.mtime_ms && typeof entry.source === "string"
      ? entry
      : undefined;
  } catch {
    return undefined;
  }
}

function entryOf(record: PodRecord, recordFile: string): IndexEntry {
  const st = statSync(recordFile);
  return {
    id: record.pod.id,
    session_id: record.pod.session_id,
    created_at: record.pod.created_at,
    updated_at: record.pod.updated_at,
    source: provenanceLabel(record.profile),
    size: st.size,
    ino: st.ino,
    mtime_ms: wholeMs(st.mtimeMs),
  };
}

/** Whole milliseconds: Deno reports mtimes in whole ms, Bun with a fraction (one index, both). */
function wholeMs(ms: number): number {
  return Math.floor(ms);
}

/** Size of the log after its last compaction, from its first line (undefined: no usable log). */
function compactedBytes(file: string): number | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const buf = new Uint8Array(HEADER_BYTES);
    const n = readSync(fd, buf, 0, HEADER_BYTES, 0);
    const first = new TextDecoder().decode(buf.subarray(0, n)).split("\n")[0];
    const head = JSON.parse(first);
    return head?.format === INDEX_FORMAT && typeof head.compacted_bytes === "number"
      ? head.compacted_bytes
      : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Records (or, with `record` null, forgets) Pod `name` in the index. Call it under the store
 * lock, right after `pod.json` was written. Best effort: a failure leaves the index stale, which
 * {@link freshEntry} detects.
 */
export function updateIndex(
  layout: StoreLayout,
  name: string,
  record: PodRecord | null,
  recordFile: string,
): void {
  const file = indexFile(layout);
  try {
    const line = JSON.stringify({ n: name, e: record ? entryOf(record, recordFile) : null }) + "\n";
    const base = compactedBytes(file);
    const size = base === undefined ? undefined : statSync(file).size;
    if (base === undefined || size === undefined || size + line.length > 2 * base + 65536) {
      compact(layout, file);
    }
    // One line, appended: no fsync, the index is a cache checked against every record.
    appendFileSync(file, line, { mode: 0o600 });
  } catch {
    // best effort (see above)
  }
}

/** Rewrites the log with the live entries only. */
function compact(layout: StoreLayout, file: string): void {
  const pods = readIndex(layout);
  const lines = Object.entries(pods).map(([n, e]) => JSON.stringify({ n, e }) + "\n").join("");
  writeFileAtomic(file, header(lines.length) + lines, 0o600, { sync: false });
}
