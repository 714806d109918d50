/**
 * The evaluation sandbox: what a profile's Nix code may reach. A `.nix` profile is evaluated in
 * Nix's restricted mode: it may read files only under its own directory and the bundled library
 * (`-I` roots), `builtins.getEnv` returns "", and no URI may be fetched (`allowed-uris` empty). The
 * nix process gets an allow-list of environment variables, not the caller's whole environment.
 * `--impure-eval` (or `INSOMNIA_IMPURE_EVAL=1`) lifts the restriction for one run.
 * @module
 */
import { type Env, envValue } from "../env.ts";

/** The arguments that put one file evaluation in the sandbox with `roots` readable. */
export function sandboxArgs(roots: string[]): string[] {
  return [
    "--option",
    "restrict-eval",
    "true",
    "--option",
    "allowed-uris",
    "",
    // Every search path entry is a readable root in restricted mode: NIX_PATH (`secret=/etc`) or
    // a `nix-path` in nix.conf would open the sandbox. Only our own -I roots count.
    "--option",
    "nix-path",
    "",
    ...roots.flatMap((root) => ["-I", root]),
  ];
}

/** True when this run asked for an unrestricted evaluation (flag or `INSOMNIA_IMPURE_EVAL=1`). */
export function impureEvalRequested(flag: boolean | undefined, env: Env): boolean {
  if (flag) return true;
  const value = envValue(env, "INSOMNIA_IMPURE_EVAL")?.trim().toLowerCase();
  return value !== undefined && ["1", "true", "yes", "on"].includes(value);
}

/** Variables Nix itself needs; everything else (tokens, keys, the secret store's) stays out. */
const NIX_ENV =
  /^(PATH|HOME|USER|LOGNAME|TMPDIR|TMP|TEMP|LANG|LC_[A-Z_]+|TZ|XDG_CACHE_HOME|XDG_CONFIG_HOME|XDG_DATA_HOME|XDG_STATE_HOME|NIX_[A-Z_]+|SSL_CERT_FILE|SSL_CERT_DIR|CURL_CA_BUNDLE)$/;

/**
 * The environment the nix process gets: an allow-list, so a profile (impure or not) can never
 * read `GITHUB_TOKEN`, `AWS_SECRET_ACCESS_KEY` or an `INSOMNIA_SECRET_*` value.
 *
 * @example
 * ```ts
 * import { nixEnv } from "./sandbox.ts";
 * nixEnv({ PATH: "/bin", GITHUB_TOKEN: "x" }); // { PATH: "/bin" }
 * ```
 */
export function nixEnv(env: Env): Env {
  return Object.fromEntries(
    Object.entries(env).filter(([name, value]) =>
      value !== undefined && NIX_ENV.test(name) && !name.startsWith("NIX_SECRET")
    ),
  );
}

/** The hint added to an evaluation that the sandbox refused. */
export function sandboxHint(stderr: string): string | undefined {
  const match = /access to (?:absolute path|path|URI) '([^']+)' is forbidden in restricted mode/
    .exec(stderr);
  if (!match) return undefined;
  return `The evaluation sandbox refused ${match[1]}: a profile may read only files under its ` +
    "own directory and the bundled library, never the network or the environment. If the " +
    "profile is yours and needs it, list the directory in its registry entry " +
    '(`name = { path = "…", allow = ["/dir"] }`), or run once with --impure-eval ' +
    "(or INSOMNIA_IMPURE_EVAL=1).";
}
