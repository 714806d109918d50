/**
 * Selector → resolved Pod manifest with provenance. The one pipeline used by the CLI, the New Pod
 * dialog, `profiles show/check`, explicit re-resolve and library users:
 * selector → registry entry or path → evaluation (Nix, a `.json` artifact, or a builtin's shipped
 * artifact) → envelope → plaintext gate → strict validation → paths → defaults → catalog.
 * @module
 */
import { statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { type Env, processEnv } from "../env.ts";
import { InsomniaError } from "../errors.ts";
import { sha256Hex } from "../sha256.ts";
import { loadCatalog } from "../manifest/catalog.ts";
import { loadLayer } from "../manifest/layer.ts";
import { type ResolvedManifest, resolveManifest } from "../manifest/resolve_manifest.ts";
import type { PodManifest } from "../manifest/schema.ts";
import { DEFAULT_EVAL_TIMEOUT_MS } from "../nix/duration.ts";
import { evaluateNix } from "../nix/evaluate.ts";
import { impureEvalRequested } from "../nix/sandbox.ts";
import { evalCacheDir, evalCacheEnabled } from "../nix/eval_cache.ts";
import { resourceDir } from "../resources.ts";
import { redactText } from "../secrets/redact.ts";
import { assertNoPlaintextSecrets } from "../secrets/plaintext.ts";
import { NIX_LIBRARY_VERSION } from "../version.ts";
import { mark } from "../timing.ts";
import { extractArtifact, type ProfileMetadata } from "./artifact.ts";
import { readBoundedBytes, readBoundedText } from "../fs/read_bounded.ts";
import { assertJsonShape } from "../json_shape.ts";
import { builtinArtifact, builtinSourceSha256 } from "./builtin.ts";
import { type Registry, selectEntry } from "./registry.ts";
import { loadBuiltinRegistry, loadProfileRegistry } from "./discovery.ts";
import { profileFileFor } from "./profile_file.ts";
import { assertProjectEntryTrusted } from "./project_trust.ts";
import { fingerprintInputs, modifiedSince, type ProfileInput } from "../nix/inputs.ts";
import { profileRoots } from "../nix/args.ts";

import { parseSelector, type RegistrySource, type Selector, selectorLabel } from "./selector.ts";

/** Where a resolved profile came from. */
export type ProfileSource =
  | { kind: "path"; path: string }
  | {
    kind: "registry";
    source: RegistrySource;
    name: string;
    path: string;
    /** The entry's `allow` directories, when it has some (a reload evaluates with them). */
    allow?: string[];
  }
  | { kind: "flake"; ref: string; name: string };

/** What the resolved snapshot depended on (for "did the profile change?" checks). */
export interface ProfileFingerprint {
  /** sha256 of the profile file itself (its imports are in {@link inputs}). */
  profile_sha256: string | null;
  /**
   * Every input of a sandboxed evaluation — the profile, each file it imported or read, each
   * directory it listed, each path it tested — with what it held (src/profile/inputs.ts). Absent
   * for builtins, flakes and impure evaluations (which do not report what they read).
   */
  inputs?: ProfileInput[];
  /** The directories the sandbox let the evaluation read (the bundled library is implied). */
  roots?: string[];
  /** `nix --version` of the evaluator, or null when Nix was not used. */
  nix_version: string | null;
  /** Version of the insomnia Nix library bundled with this build. */
  library_version: string;
  /** How the artifact was obtained. */
  evaluator: "nix" | "json" | "shipped";
}

/** Provenance of a resolved profile: what was asked for and what was evaluated. */
export interface ProfileProvenance {
  /** The selector exactly as typed. */
  selector: string;
  /** Where the selector led: a file, a registry entry or a flake output. */
  source: ProfileSource;
  /** Envelope metadata (null for a raw-manifest artifact). */
  metadata: ProfileMetadata | null;
  /** What the result depended on, to tell later whether the profile changed. */
  fingerprint: ProfileFingerprint;
  /** The launch workspace `workspace "…"` paths were resolved against. */
  workspace: string;
}

/** A resolved profile. */
export interface ProfileResolution extends ResolvedManifest {
  /** The resolved, validated manifest. */
  manifest: PodManifest;
  /** What was asked for and what was evaluated (stored as a Pod record's `profile`). */
  provenance: ProfileProvenance;
  /** One-line notes on how the selector was read (a builtin shadowed by the user's profile). */
  notes: string[];
}

/** Options of {@link resolveProfile}. */
export interface ResolveProfileOptions {
  /** Environment (default: the process environment). */
  env?: Env;
  /** Directory selectors and relative paths are read from (default: the process cwd). */
  cwd?: string;
  /** Launch workspace for `workspace "…"` paths (default: `cwd`). */
  workspace?: string;
  /** Runtime Pod name; default: the manifest's `pod.name`, else the profile's name. */
  podName?: string;
  /** Nix evaluation limit in ms (default 30 s). */
  timeoutMs?: number;
  /** Cancels a running evaluation. */
  signal?: AbortSignal;
  /** Nix binary (default `INSOMNIA_NIX_BIN` or `nix` on PATH). */
  nixBin?: string;
  /** Where a failed evaluation's full trace is written. */
  traceDir?: string;
  /** A registry already loaded by the caller (avoids reading registry files twice). */
  registry?: Registry;
  /**
   * Evaluate without the sandbox (`--impure-eval`): the profile may read any file and the network.
   * Default: restricted to the profile's directory and the library (src/nix/sandbox.ts).
   */
  impureEval?: boolean;
  /**
   * Trust every project for this run (`--trust`; also `INSOMNIA_TRUST_ALL=1`). Default: a
   * project's profiles are used only when the user trusts the project (src/trust/gate.ts).
   */
  trustAll?: boolean;
  /** Evaluate with Nix even when the evaluation cache has the result (`--no-cache`). */
  noCache?: boolean;
  /**
   * More directories a `path:` profile's sandbox may read (a reload of a registry entry passes
   * the entry's `allow`); a registry entry brings its own.
   */
  allow?: readonly string[];
}

function sha256File(path: string): string | null {
  try {
    return sha256Hex(readBoundedBytes(path, { code: "artifact_invalid", what: "profile file" }));
  } catch {
    return null;
  }
}

const ARTIFACT_HINT = "A .json profile must be a regular file holding an evaluated artifact " +
  "(e.g. the output of `nix eval --json` or `insomnia-pod pods export`).";

function readJsonArtifact(file: string): unknown {
  const text = readBoundedText(file, {
    code: "artifact_invalid",
    missingCode: "profile_not_found",
    what: "profile artifact",
    hint: ARTIFACT_HINT,
  });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InsomniaError(
      "artifact_invalid",
      `profile artifact ${file} is not valid JSON: ${
        (error as Error).message
      }. A .json profile must be an evaluated artifact (e.g. the output of \`nix eval --json\` or \`insomnia-pod pods export\`).`,
      { file },
    );
  }
  return value;
}

interface Evaluated {
  raw: unknown;
  /** Offers the evaluation to the cache; called once the artifact is known to be valid. */
  cacheable?: () => void;
  base: string;
  origin: string;
  fingerprint: ProfileFingerprint;
}

async function evaluateFile(
  file: string,
  options: ResolveProfileOptions,
  env: Env,
  allow: readonly string[] = [],
): Promise<Evaluated> {
  if (file.endsWith(".json")) {
    return {
      raw: readJsonArtifact(file),
      base: dirname(file),
      origin: file,
      fingerprint: {
        profile_sha256: sha256File(file),
        nix_version: null,
        library_version: NIX_LIBRARY_VERSION,
        evaluator: "json",
      },
    };
  }
  const library = join(resourceDir(env), "nix");
  const impure = impureEvalRequested(options.impureEval, env);
  const before = sha256File(file);
  const result = await evaluateNix({
    target: { kind: "file", file },
    includePaths: { insomnia: library },
    impure,
    allow,
    ...(evalCacheEnabled(options.noCache, env) && { cacheDir: evalCacheDir(env) }),
    timeoutMs: options.timeoutMs ?? DEFAULT_EVAL_TIMEOUT_MS,
    signal: options.signal,
    nixBin: options.nixBin,
    env,
    cwd: dirname(file),
    traceDir: options.traceDir,
    redact: redactText,
  });
  const inputs = result.accessed && fingerprintInputs(result.accessed, [library]);
  const profileSha256 = inputs?.find((input) => input.path === file)?.sha256 ?? sha256File(file);
  assertUnchangedWhileEvaluated(file, before, profileSha256, inputs ?? [], result.startedAtMs);
  return {
    raw: result.value,
    ...(result.cacheable && { cacheable: result.cacheable }),
    base: dirname(file),
    origin: file,
    fingerprint: {
      profile_sha256: profileSha256,
      ...(inputs && { inputs, roots: [...profileRoots(file), ...allow] }),
      nix_version: result.nixVersion ?? null,
      library_version: NIX_LIBRARY_VERSION,
      evaluator: "nix",
    },
  };
}

/**
 * The snapshot must come from the bytes the fingerprint records (D25): a profile or input that
 * changed while Nix read it (its hash moved, or it was modified after nix started and not in the
 * future) fails the run instead of recording a fingerprint of other bytes.
 */
function assertUnchangedWhileEvaluated(
  file: string,
  before: string | null,
  after: string | null,
  inputs: ProfileInput[],
  startedAtMs: number,
): void {
  const now = Date.now();
  const touched = modifiedSince(inputs, startedAtMs)
    .filter((path) => (statMtime(path) ?? Infinity) <= now);
  if (before === after && touched.length === 0) return;
  const which = touched.length ? touched : [file];
  throw new InsomniaError(
    "nix_eval_failed",
    `profile ${file} changed while it was being evaluated (${
      which.join(", ")
    }), so its result cannot be matched to the files on disk; nothing was created. Run the ` +
      "command again once the files are saved.",
    { file, changed: which },
  );
}

function statMtime(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Turns an evaluated artifact into a resolved manifest: envelope rules, plaintext gate, strict
 * validation, relative paths against `base`, workspace paths against `workspace`, defaults, catalog.
 *
 * @example
 * ```ts
 * import process from "node:process";
 * import { resolveArtifact } from "./resolve_profile.ts";
 * declare const raw: unknown; // an evaluated artifact, e.g. JSON.parse of coder.json
 * const { manifest } = resolveArtifact(raw, {
 *   origin: "coder.json",
 *   base: "/srv/profiles",
 *   workspace: "/srv/project",
 *   env: process.env,
 * });
 * console.log(manifest.model);
 * ```
 */
export function resolveArtifact(
  raw: unknown,
  options: { origin: string; base: string; workspace: string; env: Env; podName?: string },
): ResolvedManifest & { metadata: ProfileMetadata | null } {
  assertJsonShape(raw, `profile artifact ${options.origin}`, "artifact_invalid");
  const { metadata, body } = extractArtifact(raw, options.origin);
  if (metadata) assertNoPlaintextSecrets({ profile: metadata }, options.origin);
  const layer = loadLayer(body, options.origin, {
    base: options.base,
    workspace: options.workspace,
  });
  mark("artifact validated");
  const resolved = resolveManifest(layer, options.origin, {
    catalog: loadCatalog(options.env),
    podName: options.podName ?? layer.pod?.name ?? metadata?.name,
    podNameHint:
      "give the profile a name with mkProfile { name = …; } or pass --profile-pod-name NAME",
  });
  mark("manifest resolved");
  return { ...resolved, metadata };
}

/**
 * Resolves a profile selector (string as typed, or parsed) to a manifest with provenance.
 *
 * @example
 * ```ts
 * import { resolveProfile } from "./resolve_profile.ts";
 * const { manifest, warnings } = await resolveProfile("path:./profiles/coder.nix", {
 *   workspace: "/srv/project",
 *   podName: "coder",
 * });
 * console.log(manifest.scope.allow, warnings);
 * ```
 */
export async function resolveProfile(
  selector: string | Selector,
  options: ResolveProfileOptions = {},
): Promise<ProfileResolution> {
  const env = options.env ?? processEnv();
  const cwd = options.cwd ?? process.cwd();
  const workspace = resolve(cwd, options.workspace ?? ".");
  const sel = typeof selector === "string" ? parseSelector(selector) : selector;
  const typed = typeof selector === "string" ? selector : selectorLabel(selector);

  let source: ProfileSource;
  let evaluated: Evaluated;
  const notes: string[] = [];
  if (sel.kind === "path") {
    const file = profileFileFor(resolve(cwd, sel.path), typed);
    source = { kind: "path", path: file };
    evaluated = await evaluateFile(file, options, env, options.allow);
  } else if (sel.kind === "flake") {
    source = { kind: "flake", ref: sel.ref, name: sel.name };
    const result = await evaluateNix({
      target: { kind: "flake", ref: sel.ref, name: sel.name },
      includePaths: { insomnia: join(resourceDir(env), "nix") },
      timeoutMs: options.timeoutMs ?? DEFAULT_EVAL_TIMEOUT_MS,
      signal: options.signal,
      nixBin: options.nixBin,
      env,
      cwd,
      traceDir: options.traceDir,
      redact: redactText,
      label: typed,
    });
    evaluated = {
      raw: result.value,
      base: workspace,
      origin: typed,
      fingerprint: {
        profile_sha256: null,
        nix_version: result.nixVersion ?? null,
        library_version: NIX_LIBRARY_VERSION,
        evaluator: "nix",
      },
    };
  } else {
    const registry = options.registry ??
      (sel.kind === "named" && sel.source === "builtin"
        ? loadBuiltinRegistry(env)
        : loadProfileRegistry(env, cwd));
    const entry = selectEntry(registry, sel);
    if (entry.source === "project") {
      assertProjectEntryTrusted(registry, entry.qualified, { env, trustAll: options.trustAll });
    }
    source = {
      kind: "registry",
      source: entry.source,
      name: entry.name,
      path: entry.path,
      ...(entry.allow && { allow: entry.allow }),
    };
    if (entry.shadowing) notes.push(shadowNote(entry.qualified, entry.shadowing));
    const shipped = entry.source === "builtin" ? builtinArtifact(entry.name) : undefined;
    if (shipped !== undefined) {
      evaluated = {
        raw: shipped,
        base: dirname(entry.path),
        origin: `builtin:${entry.name}`,
        fingerprint: {
          profile_sha256: builtinSourceSha256(entry.name) ?? null,
          nix_version: null,
          library_version: NIX_LIBRARY_VERSION,
          evaluator: "shipped",
        },
      };
    } else {
      if (entry.source === "builtin") resourceDir(env); // unpacked only now that Nix reads it
      evaluated = await evaluateFile(profileFileFor(entry.path, typed), options, env, entry.allow);
    }
  }
  mark("profile evaluated");
  const resolved = resolveArtifact(evaluated.raw, {
    origin: evaluated.origin,
    base: evaluated.base,
    workspace,
    env,
    podName: options.podName,
  });
  evaluated.cacheable?.();
  return {
    manifest: withProfileSnapshot(resolved.manifest, source, resolved.metadata),
    warnings: resolved.warnings,
    provenance: {
      selector: typed,
      source,
      metadata: resolved.metadata,
      fingerprint: evaluated.fingerprint,
      workspace,
    },
    notes,
  };
}

/**
 * The manifest with `profile` — where it was resolved from, in the runtime's shape
 * (`ProfileManifestSnapshot`). A flake has no place in that shape (the runtime knows paths and
 * registries only), so its manifest carries none; the Pod record keeps the full provenance.
 */
function withProfileSnapshot(
  manifest: PodManifest,
  source: ProfileSource,
  metadata: ProfileMetadata | null | undefined,
): PodManifest {
  if (source.kind === "flake") return manifest;
  const profile = metadata
    ? Object.fromEntries(
      (["name", "description", "format"] as const)
        .filter((key) => typeof metadata[key] === "string")
        .map((key) => [key, metadata[key]]),
    )
    : undefined;
  return {
    ...manifest,
    profile: {
      source: source.kind === "path"
        ? { kind: "path", path: source.path }
        : { kind: "registry", source: source.source, name: source.name, path: source.path },
      ...(profile && { profile }),
    },
  };
}

/** The note of a builtin shadowed by the user's or project's profile of the same name. */
function shadowNote(qualified: string, builtin: string): string {
  return `profile ${qualified.slice(qualified.indexOf(":") + 1)} is ${qualified}, which shadows ` +
    `${builtin} (select the builtin with --profile ${builtin})`;
}
