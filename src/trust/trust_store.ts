/**
 * The projects the user trusts: `<data_dir>/trust.json` (private, written atomically under a
 * lock), mapping each trusted project root to the digest of what was reviewed.
 * @module
 */
import { join } from "node:path";
import { dataDir, type Env } from "../env.ts";
import { InsomniaError } from "../errors.ts";
import { ensurePrivateDir, writeFileAtomic } from "../fs/atomic.ts";
import { withLock } from "../fs/lock.ts";
import { readBoundedTextIfExists } from "../fs/read_bounded.ts";

/** Format tag of `trust.json`. */
const TRUST_FORMAT = "insomnia.trust.v1";

/** One trusted project. */
export interface TrustRecord {
  /** sha256 of the project's registry and profile files when it was trusted. */
  digest: string;
  /** When it was trusted (ISO 8601). */
  trusted_at: string;
  /** Each covered file (relative to the root) → what it held, to say which file changed. */
  files: Record<string, string>;
}

/** Trusted project roots → what was trusted. */
export type TrustedProjects = Record<string, TrustRecord>;

/** Path of the trust file, or undefined when no data directory can be found. */
function trustFile(env: Env): string | undefined {
  const dir = dataDir(env);
  return dir ? join(dir, "trust.json") : undefined;
}

function invalid(file: string, why: string): InsomniaError {
  return new InsomniaError(
    "project_untrusted",
    `the trust file ${file} ${why}; no project is trusted until it is fixed. Delete it and trust ` +
      "your projects again with `insomnia-pod trust DIR`.",
    { file },
  );
}

function isRecord(value: unknown): value is TrustRecord {
  const v = value as TrustRecord | null;
  return typeof v === "object" && v !== null && typeof v.digest === "string" &&
    /^[0-9a-f]{64}$/.test(v.digest) && typeof v.trusted_at === "string" &&
    typeof v.files === "object" && v.files !== null &&
    Object.values(v.files).every((d) => typeof d === "string");
}

/** The trusted projects (empty when there is no trust file). A broken file is an error. */
export function readTrusted(env: Env): TrustedProjects {
  const file = trustFile(env);
  if (!file) return {};
  const text = readBoundedTextIfExists(file, {
    code: "project_untrusted",
    what: "trust file",
    maxBytes: 4 * 1024 * 1024,
  });
  if (text === undefined) return {};
  let value: { format?: unknown; projects?: unknown };
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid(file, "is not valid JSON");
  }
  if (value?.format !== TRUST_FORMAT || typeof value.projects !== "object" || !value.projects) {
    throw invalid(file, `is not a ${TRUST_FORMAT} document`);
  }
  const projects = value.projects as Record<string, unknown>;
  for (const [root, record] of Object.entries(projects)) {
    if (!root.startsWith("/") || !isRecord(record)) throw invalid(file, `has a malformed entry`);
  }
  return projects as TrustedProjects;
}

/**
 * Changes the trusted projects under the trust file's lock: `change` gets the current map and
 * returns the new one (written only when it differs).
 */
export function updateTrusted(env: Env, change: (projects: TrustedProjects) => TrustedProjects): {
  before: TrustedProjects;
  after: TrustedProjects;
} {
  const file = trustFile(env);
  if (!file) {
    throw new InsomniaError(
      "store_io",
      "could not find the data directory for the trust file: set INSOMNIA_DATA_DIR, INSOMNIA_HOME or HOME.",
    );
  }
  const dir = join(file, "..");
  ensurePrivateDir(dir);
  return withLock(`${file}.lock`, () => {
    const before = readTrusted(env);
    const after = change({ ...before });
    if (JSON.stringify(after) !== JSON.stringify(before)) {
      const sorted = Object.fromEntries(Object.entries(after).sort(([a], [b]) => a < b ? -1 : 1));
      writeFileAtomic(
        file,
        JSON.stringify({ format: TRUST_FORMAT, projects: sorted }, null, 2) + "\n",
        0o600,
      );
    }
    return { before, after };
  });
}
