/**
 * The evaluation cache: a sandboxed `nix eval` is a function of its command line (the profile,
 * the readable roots, the library), the Nix binary, the `NIX_*` environment and the files it
 * touched — and restricted mode names every one of those files. So its result is cached under a
 * key of the first four (`<cache_dir>/evals/<key>.json`, private) together with each touched
 * path and what it held; a later run with the same key whose paths all still hold the same is a
 * hit and runs no Nix at all.
 *
 * Checking costs a `stat` per input: a file whose size, inode and mtime are unchanged, and whose
 * mtime is older than the entry by more than the racy window, is taken as unchanged (as git's
 * index does); anything else is hashed again. Directories are listed again, missing paths tested
 * again. Entries are written only when the command succeeds (like the version cache), atomically;
 * a broken, truncated or foreign entry is a miss, never an error. At most {@link MAX_ENTRIES}
 * entries are kept. `--no-cache` / `INSOMNIA_NO_EVAL_CACHE=1` bypass it; impure evaluations and
 * flakes are never cached.
 * @module
 */
import { readdirSync, realpathSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { cacheDir, type Env, envValue } from "../env.ts";
import { writeFileAtomic } from "../fs/atomic.ts";
import { readBoundedText } from "../fs/read_bounded.ts";
import { sha256Hex } from "../sha256.ts";
import { currentInput, type ProfileInput } from "./inputs.ts";

/** Format tag of a cache entry. */
const EVAL_CACHE_FORMAT = "insomnia.eval-cache.v1";
/** At most this many entries are kept; the least recently written go first. */
const MAX_ENTRIES = 256;
/** A file modified this close to the entry's writing is hashed again, whatever its stat says. */
const RACY_MS = 2000;

/** What identifies one evaluation, before its inputs are known. */
export interface EvalCacheSpec {
  /** The Nix binary's identity (real path, size, mtime). */
  binary: string;
  args: readonly string[];
  cwd: string;
  /** The environment the nix process gets. */
  env: Env;
}

/** One input as cached: what it held, and the stat that lets a check skip hashing it. */
interface CachedInput extends ProfileInput {
  size?: number;
  ino?: number;
  mtimeMs?: number;
}

interface Entry {
  format: string;
  key: string;
  written_at: number;
  nix_version: string | null;
  accessed: string[];
  inputs: CachedInput[];
  value: unknown;
}

/** A cached evaluation. */
export interface CacheHit {
  value: unknown;
  nixVersion: string | undefined;
  accessed: string[];
}

/** A Nix binary's identity: its real path, size and mtime (undefined when it cannot be read). */
export function binaryIdentity(bin: string): string | undefined {
  try {
    const real = realpathSync(bin);
    const st = statSync(real);
    return `${real}:${st.size}:${Math.trunc(st.mtimeMs)}`;
  } catch {
    return undefined;
  }
}

/** True unless this run bypasses the cache (`--no-cache`, `INSOMNIA_NO_EVAL_CACHE=1`). */
export function evalCacheEnabled(noCache: boolean | undefined, env: Env): boolean {
  if (noCache) return false;
  const value = envValue(env, "INSOMNIA_NO_EVAL_CACHE")?.trim().toLowerCase();
  return !(value !== undefined && ["1", "true", "yes", "on"].includes(value));
}

/** The cache directory (`<cache_dir>/evals`), or undefined when there is none. */
export function evalCacheDir(env: Env): string | undefined {
  const dir = cacheDir(env);
  return dir ? join(dir, "evals") : undefined;
}

/** The key of an evaluation: only `NIX_*` variables of its environment can change its result. */
function evalCacheKey(spec: EvalCacheSpec): string {
  const nixVars = Object.entries(spec.env)
    .filter(([name, value]) => name.startsWith("NIX_") && value !== undefined)
    .sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  return sha256Hex(JSON.stringify([EVAL_CACHE_FORMAT, spec.binary, spec.args, spec.cwd, nixVars]));
}

function entryPath(dir: string, key: string): string {
  return join(dir, `${key}.json`);
}

function stillHolds(input: CachedInput, writtenAt: number): boolean {
  if (input.kind === "file" && input.size !== undefined) {
    try {
      const st = statSync(input.path);
      if (
        st.isFile() && st.size === input.size && st.ino === input.ino &&
        Math.floor(st.mtimeMs) === input.mtimeMs && st.mtimeMs < writtenAt - RACY_MS
      ) {
        return true;
      }
    } catch {
      return false;
    }
  }
  const now = currentInput(input.path, input.kind === "dir" && input.sha256 === null);
  return now.kind === input.kind && now.sha256 === input.sha256;
}

/** The cached result of `spec`'s evaluation when every input still holds what it held. */
export function lookupEvalCache(dir: string, spec: EvalCacheSpec): CacheHit | undefined {
  const key = evalCacheKey(spec);
  // The early start (src/cli/early_eval.ts) looked this entry up a moment ago in this process:
  // its hit is handed to the pipeline once instead of being read and checked again.
  const early = verifiedHits.get(`${dir}\0${key}`);
  if (early) {
    verifiedHits.delete(`${dir}\0${key}`);
    return early;
  }
  try {
    const entry = JSON.parse(
      readBoundedText(entryPath(dir, key), { code: "store_io", what: "evaluation cache entry" }),
    ) as Entry;
    if (
      entry?.format !== EVAL_CACHE_FORMAT || entry.key !== key || !Array.isArray(entry.inputs) ||
      !Array.isArray(entry.accessed) || typeof entry.written_at !== "number" ||
      !("value" in entry)
    ) {
      return undefined;
    }
    if (!entry.inputs.every((input) => stillHolds(input, entry.written_at))) return undefined;
    return {
      value: entry.value,
      nixVersion: entry.nix_version ?? undefined,
      accessed: entry.accessed,
    };
  } catch {
    return undefined; // missing, unreadable, truncated or not JSON: a miss
  }
}

/** Hits found by {@link peekEvalCache}, each handed out once by {@link lookupEvalCache}. */
const verifiedHits = new Map<string, CacheHit>();

/**
 * Whether {@link lookupEvalCache} will hit for `spec`; a hit is kept for the lookup that follows
 * in this process (the early start asks first, the pipeline uses the result).
 */
export function peekEvalCache(dir: string, spec: EvalCacheSpec): boolean {
  const hit = lookupEvalCache(dir, spec);
  if (hit) verifiedHits.set(`${dir}\0${evalCacheKey(spec)}`, hit);
  return hit !== undefined;
}

const pending = new Map<string, Entry>();
let pendingDir: string | undefined;

/**
 * Remembers a finished evaluation, to be written by {@link commitEvalCache} once the command
 * succeeds. The inputs are hashed now, right after the evaluation.
 */
export function rememberEvaluation(
  dir: string,
  spec: EvalCacheSpec,
  result: { value: unknown; nixVersion: string | undefined; accessed: string[] },
): void {
  const key = evalCacheKey(spec);
  const accessed = new Set(result.accessed);
  const inputs = result.accessed.map((path): CachedInput => {
    const input: CachedInput = currentInput(path, accessed.has(join(path, "default.nix")));
    if (input.kind === "file") {
      try {
        const st = statSync(path);
        // Whole ms: Deno and Bun report different fractions of the same mtime.
        Object.assign(input, { size: st.size, ino: st.ino, mtimeMs: Math.floor(st.mtimeMs) });
      } catch {
        // hashed above; without a stat the check hashes again
      }
    }
    return input;
  });
  pendingDir = dir;
  pending.set(key, {
    format: EVAL_CACHE_FORMAT,
    key,
    written_at: Date.now(),
    nix_version: result.nixVersion ?? null,
    accessed: result.accessed,
    inputs,
    value: result.value,
  });
}

/**
 * Writes the evaluations remembered by this process (the CLI calls it when a command succeeded)
 * and keeps the cache within {@link MAX_ENTRIES}; best effort.
 */
export function commitEvalCache(): void {
  const dir = pendingDir;
  if (!dir || pending.size === 0) return;
  for (const [key, entry] of pending) {
    try {
      writeFileAtomic(entryPath(dir, key), JSON.stringify(entry));
    } catch {
      // best effort: the next run evaluates again
    }
  }
  pending.clear();
  prune(dir);
}

function prune(dir: string): void {
  try {
    const names = readdirSync(dir);
    const now = Date.now();
    const entries: Array<{ path: string; mtime: number }> = [];
    for (const name of names) {
      const path = join(dir, name);
      const st = statSync(path);
      // A temp file of a writer killed mid-write (kill -9) is removed once it is old.
      if (name.startsWith(".tmp-")) {
        if (now - st.mtimeMs > 60_000) rmSync(path, { force: true });
      } else if (name.endsWith(".json")) entries.push({ path, mtime: st.mtimeMs });
    }
    entries.sort((a, b) => b.mtime - a.mtime);
    for (const old of entries.slice(MAX_ENTRIES)) rmSync(old.path, { force: true });
  } catch {
    // best effort
  }
}
