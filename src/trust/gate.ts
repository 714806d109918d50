/**
 * The trust gate: profiles and settings that come from a project directory (a `project:` entry,
 * a project default, the TOML cascade's project layer) are used only when the user trusts that
 * project and nothing in it changed since. An explicit `--profile ./x.nix`, `path:` or `flake:`
 * is consent and never reaches the gate; builtin and user sources are the user's own.
 * @module
 */
import { lstatSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { type Env, envValue } from "../env.ts";
import { InsomniaError } from "../errors.ts";
import { type ProjectDigest, projectDigest, projectRootOf } from "./project_digest.ts";
import { readTrusted, type TrustRecord } from "./trust_store.ts";

/** Where a project stands with the user. */
export interface ProjectTrust {
  /** `trusted`; `untrusted` (never trusted); `changed` (trusted, then its files changed). */
  state: "trusted" | "untrusted" | "changed";
  /** The project root. */
  root: string;
  /** What the project holds now. */
  digest: ProjectDigest;
  /** For `changed`: the files that differ from what was trusted (relative to the root). */
  changed: string[];
  /** Why the project's files are not plainly the user's own (another owner, writable by others). */
  ownership?: string;
}

/** True when this run trusts every project (`--trust` or `INSOMNIA_TRUST_ALL=1`). */
export function trustAllRequested(flag: boolean | undefined, env: Env): boolean {
  if (flag) return true;
  const value = envValue(env, "INSOMNIA_TRUST_ALL")?.trim().toLowerCase();
  return value !== undefined && ["1", "true", "yes", "on"].includes(value);
}

/** Like git's `safe.directory`: files owned by someone else, or writable by others, are foreign. */
function ownershipProblem(root: string, manifest: string): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  for (const path of [join(root, ".insomnia"), manifest]) {
    try {
      const st = lstatSync(path);
      if (st.uid !== uid) return `${path} is owned by uid ${st.uid}, not by you (uid ${uid})`;
      if ((st.mode & 0o022) !== 0) return `${path} is writable by other users`;
    } catch {
      // a missing path is reported when the registry is read
    }
  }
  return undefined;
}

function changedFiles(record: TrustRecord, digest: ProjectDigest): string[] {
  const names = new Set([...Object.keys(record.files), ...Object.keys(digest.files)]);
  return [...names].filter((name) => record.files[name] !== digest.files[name]).sort();
}

/**
 * Where the project of registry file `manifest` stands: its current digest (over the registry,
 * `.insomnia/` and the named `profiles`) against the trust file.
 */
export function projectTrust(
  manifest: string,
  profiles: readonly string[],
  env: Env,
): ProjectTrust {
  const root = projectRootOf(manifest);
  const digest = projectDigest(root, profiles);
  const record = readTrusted(env)[root];
  const ownership = ownershipProblem(root, manifest);
  const base = { root, digest, ...(ownership && { ownership }) };
  if (!record) return { ...base, state: "untrusted", changed: [] };
  if (record.digest === digest.sha256) return { ...base, state: "trusted", changed: [] };
  return { ...base, state: "changed", changed: changedFiles(record, digest) };
}

/**
 * Fails closed with `project_untrusted` unless the project of `manifest` is trusted as it is now
 * (or the run trusts everything). `what` says what would have been used: "profile project:coder",
 * "the project layer of the TOML cascade".
 */
export function assertProjectTrusted(
  manifest: string,
  profiles: readonly string[],
  what: string,
  options: { env: Env; trustAll?: boolean },
): void {
  if (trustAllRequested(options.trustAll, options.env)) return;
  const trust = projectTrust(manifest, profiles, options.env);
  if (trust.state === "trusted") return;
  throw untrustedError(trust, what);
}

/** The `project_untrusted` error for a project that is not trusted as it is now. */
function untrustedError(trust: ProjectTrust, what: string): InsomniaError {
  const why = trust.state === "changed"
    ? `changed since you trusted it (${summarise(trust.changed)})`
    : "is not trusted";
  const owner = trust.ownership ? ` Careful: ${trust.ownership}.` : "";
  return new InsomniaError(
    "project_untrusted",
    `the project ${trust.root} ${why}, so ${what} was not used and nothing was evaluated.${owner} ` +
      `Review its .insomnia/ directory, then trust it with \`insomnia-pod trust ${
        shellWord(trust.root)
      }\`; or select a profile explicitly (--profile builtin:coder, --profile ./file.nix). ` +
      "On a throw-away CI machine, --trust or INSOMNIA_TRUST_ALL=1 trusts every project.",
    { file: trust.root, state: trust.state, changed: trust.changed },
  );
}

function summarise(files: string[]): string {
  const shown = files.slice(0, 5).join(", ");
  return files.length > 5 ? `${shown} and ${files.length - 5} more` : shown || "its files";
}

/** `dir` as one shell word (quoted when it needs to be). */
export function shellWord(dir: string): string {
  return /^[A-Za-z0-9_./@%+=:,-]+$/.test(dir) ? dir : `'${dir.replaceAll("'", `'\\''`)}'`;
}
