/**
 * Options several commands share, resolved one way: the Nix evaluation limit, the Pod store
 * directory and the launch workspace.
 * @module
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { defaultStoreDir, type Env, envValue } from "../env.ts";
import { InsomniaError } from "../errors.ts";
import { DEFAULT_EVAL_TIMEOUT_MS, parseDuration } from "../nix/duration.ts";
import type { StoreOptions } from "../store/pod_store.ts";
import { readerAt } from "../store/stored_pods.ts";

/** What options are resolved against: the environment and the working directory. */
export interface RunEnv {
  /** Environment variables. */
  env: Env;
  /** Working directory. */
  cwd: string;
}

/**
 * Throws `usage` when a path flag was given an empty value (an unset shell variable, `--store
 * "$DIR"`): resolving "" would silently mean the current directory.
 */
function requireNonEmptyPath(flag: string, value: string | undefined): void {
  if (value !== "") return;
  throw new InsomniaError(
    "usage",
    `${flag} was given an empty path (an unset shell variable?); pass a directory, or leave the ` +
      `option out for the default. Run \`insomnia-pod --help\` for usage.`,
    { option: flag },
  );
}

/** The Pod store directory from `-s/--store` or `<data_dir>/sessions`; undefined if neither. */
export function storeRoot(opts: { store?: unknown }, ctx: RunEnv): string | undefined {
  if (typeof opts.store !== "string") return defaultStoreDir(ctx.env);
  requireNonEmptyPath("--store", opts.store);
  return resolve(ctx.cwd, opts.store);
}

/** The Nix evaluation limit from `--eval-timeout` or `INSOMNIA_EVAL_TIMEOUT`. */
export function evalTimeout(opts: { evalTimeout?: string }, env: Env): number {
  if (opts.evalTimeout !== undefined) return parseDuration(opts.evalTimeout, "--eval-timeout");
  const fromEnv = envValue(env, "INSOMNIA_EVAL_TIMEOUT");
  return fromEnv ? parseDuration(fromEnv, "INSOMNIA_EVAL_TIMEOUT") : DEFAULT_EVAL_TIMEOUT_MS;
}

/** Store options for `-s/--store` or the default `<data_dir>/sessions`. */
export function storeOptions(opts: { store?: string }, ctx: RunEnv): StoreOptions {
  const root = storeRoot(opts, ctx);
  if (!root) {
    throw new InsomniaError(
      "store_io",
      "could not find the Pod store directory: set --store, INSOMNIA_DATA_DIR, INSOMNIA_HOME or HOME.",
    );
  }
  return readerAt(root);
}

/** `--workspace DIR` as an absolute path; it must be an existing directory. */
export function checkedWorkspace(dir: string | undefined, ctx: RunEnv): string {
  requireNonEmptyPath("--workspace", dir);
  const path = resolve(ctx.cwd, dir ?? ".");
  let ok = false;
  try {
    ok = statSync(path).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new InsomniaError(
      "usage",
      `--workspace ${dir}: ${path} is not an existing directory. Pass the directory the Pod is launched for.`,
    );
  }
  return path;
}
