/**
 * The store's index (`<root>/index.json`): for each Pod the fields `pods list` shows, and the
 * size, inode and mtime of its `pod.json` when it was indexed. It is written under the store lock
 * with each change, and only ever trusted for a record whose stat still matches — any other
 * record (edited by hand, written by a crashed run, or not in the index) is read and verified as
 * before. So a missing, stale or broken index costs time, never correctness; it is rebuilt
 * entry by entry as Pods change.
 * @module
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../fs/atomic.ts";
import { readTextIfExists } from "../fs/errno.ts";
import { provenanceLabel } from "../profile/provenance.ts";
import type { PodRecord, StoreLayout } from "./records.ts";

/** Format tag of the index file. */
export const INDEX_FORMAT = "insomnia.store-index.v1";

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
  mtime_ms: number;
}

/** The index file of a store. */
export function indexFile(layout: StoreLayout): string {
  return join(layout.root, "index.json");
}

/** The indexed Pods (empty when the index is missing or unreadable: it is only a cache). */
export function readIndex(layout: StoreLayout): Record<string, IndexEntry> {
  try {
    const data = JSON.parse(readTextIfExists(indexFile(layout)) ?? "{}");
    if (data?.format !== INDEX_FORMAT || typeof data.pods !== "object" || !data.pods) return {};
    return data.pods as Record<string, IndexEntry>;
  } catch {
    return {};
  }
}

/** The entry of Pod `name` when its `pod.json` is still the indexed one, else undefined. */
export function freshEntry(
  index: Record<string, IndexEntry>,
  recordFile: string,
  name: string,
): IndexEntry | undefined {
  const entry = index[name];
  if (!entry || typeof entry !== "object") return undefined;
  try {
    const st = statSync(recordFile);
    return st.isFile() && st.size === entry.size && st.ino === entry.ino &&
        st.mtimeMs === entry.mtime_ms && typeof entry.source === "string"
      ? entry
      : undefined;
  } catch {
    return undefined;
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
  try {
    const pods = readIndex(layout);
    if (record === null) delete pods[name];
    else {
      const st = statSync(recordFile);
      pods[name] = {
        id: record.pod.id,
        session_id: record.pod.session_id,
        created_at: record.pod.created_at,
        updated_at: record.pod.updated_at,
        source: provenanceLabel(record.profile),
        size: st.size,
        ino: st.ino,
        mtime_ms: st.mtimeMs,
      };
    }
    // No fsync: the index is a cache that is checked against every record it describes.
    writeFileAtomic(indexFile(layout), JSON.stringify({ format: INDEX_FORMAT, pods }), 0o600, {
      sync: false,
    });
  } catch {
    // best effort (see above)
  }
}
