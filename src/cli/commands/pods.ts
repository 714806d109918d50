/**
 * `pods list|show|rm|export`: the recorded Pods. `show` tells whether the profile file changed
 * since the snapshot (by hash, without evaluating); `export` writes the snapshot as a portable
 * artifact that `--profile path:FILE.json` accepts on another machine, with or without Nix:
 * paths inside the recorded launch workspace become `workspace_path` values again, so they follow
 * `--workspace` on import.
 * @module
 */
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { readBoundedBytes } from "../../fs/read_bounded.ts";
import { InsomniaError } from "../../errors.ts";
import type { PathValue, PodManifest } from "../../manifest/schema.ts";
import { builtinSourceSha256 } from "../../profile/builtin.ts";
import {
  isProfileProvenance,
  provenanceLabel,
  type RecordedProvenance,
} from "../../profile/provenance.ts";
import { writeFileAtomic } from "../../store/atomic.ts";
import { toJsonValue } from "../../store/canonical.ts";
import { errnoCode } from "../../store/fs_util.ts";
import { listPods, readHistory, readPod, removePod } from "../../store/pod_store.ts";
import { validatePodName } from "../../store/pod_name.ts";
import { PROFILE_FORMAT } from "../../version.ts";
import type { CliContext, CommandHandler, CommandOutput } from "../context.ts";
import { renderRows, summaryRows } from "../summary.ts";
import { storeOptions } from "../options.ts";

/** Whether the profile's file changed since the snapshot: by sha256, never by evaluating. */
export function profileDrift(profile: unknown): "unchanged" | "changed" | "missing" | "unknown" {
  if (!isProfileProvenance(profile)) return "unknown";
  const p = profile;
  const recorded = p.fingerprint?.profile_sha256;
  if (!recorded) return "unknown";
  let current: string | undefined;
  if (p.source.kind === "registry" && p.source.source === "builtin") {
    current = builtinSourceSha256(p.source.name);
  } else if (p.source.kind === "path" || p.source.kind === "registry") {
    try {
      const bytes = readBoundedBytes(p.source.path, { code: "artifact_invalid" });
      current = createHash("sha256").update(bytes).digest("hex");
    } catch {
      return "missing";
    }
  }
  if (current === undefined) return "unknown";
  return current === recorded ? "unchanged" : "changed";
}

// deno-lint-ignore require-await
async function list(
  opts: Record<string, unknown>,
  _args: string[],
  ctx: CliContext,
): Promise<CommandOutput> {
  const pods = listPods(storeOptions(opts, ctx)).map((entry) =>
    entry.ok
      ? {
        name: entry.name,
        ok: true,
        source: provenanceLabel(entry.record!.profile),
        created_at: entry.record!.pod.created_at,
        updated_at: entry.record!.pod.updated_at,
        session_id: entry.record!.pod.session_id,
      }
      : { name: entry.name, ok: false, error: entry.error }
  );
  const width = Math.max(0, ...pods.map((p) => p.name.length));
  const lines = pods.map((p) =>
    p.ok
      ? `${p.name.padEnd(width)}  ${"source" in p ? p.source : ""}  updated ${
        "updated_at" in p ? p.updated_at : ""
      }`
      : `${p.name.padEnd(width)}  BROKEN: ${"error" in p ? p.error?.message : ""}`
  );
  return { json: { pods }, human: pods.length ? lines.join("\n") : "no Pods recorded" };
}

// deno-lint-ignore require-await
async function show(
  opts: Record<string, unknown>,
  args: string[],
  ctx: CliContext,
): Promise<CommandOutput> {
  validatePodName(args[0]);
  const store = storeOptions(opts, ctx);
  const record = readPod(store, args[0]);
  const history = readHistory(store, args[0]).map((h) => ({
    seq: h.seq,
    replaced_at: h.replaced_at,
    snapshot_sha256: h.snapshot.sha256,
    source: provenanceLabel(h.profile),
  }));
  const drift = profileDrift(record.profile);
  const manifest = record.snapshot.manifest as unknown as PodManifest;
  const p = isProfileProvenance(record.profile) ? record.profile : null;
  const rows: Array<[string, string]> = [
    ["dir", record.dir],
    ["id", record.pod.id],
    ["session", record.pod.session_id],
    ["created", record.pod.created_at],
    ["updated", record.pod.updated_at],
    ["source", provenanceLabel(record.profile)],
    ...(p?.selector ? [["selector", p.selector] as [string, string]] : []),
    [
      "profile file",
      drift === "unchanged"
        ? "unchanged since the snapshot"
        : drift === "changed"
        ? "CHANGED since the snapshot (re-resolve with --pod NAME --reload-profile)"
        : drift === "missing"
        ? "missing (the snapshot still resumes)"
        : "unknown",
    ],
    ["snapshot", record.snapshot.sha256],
    [
      "history",
      history.length ? history.map((h) => `#${h.seq} ${h.replaced_at}`).join(", ") : "none",
    ],
    ...summaryRows(manifest),
  ];
  return {
    json: {
      pod: { ...record.pod, dir: record.dir },
      profile: record.profile,
      fingerprint: record.fingerprint,
      profile_file: drift,
      snapshot_sha256: record.snapshot.sha256,
      history,
      manifest,
    },
    human: `Pod ${record.pod.name}\n${renderRows(rows)}`,
  };
}

// deno-lint-ignore require-await
async function rm(
  opts: Record<string, unknown>,
  args: string[],
  ctx: CliContext,
): Promise<CommandOutput> {
  validatePodName(args[0]);
  removePod(storeOptions(opts, ctx), args[0]);
  return { json: { removed: args[0] }, human: `removed Pod ${args[0]}` };
}

/** A path written relative to the launch workspace, as `workspace "…"` produces it. */
type WorkspacePath = Extract<PathValue, { kind: "workspace_path" }>;

/**
 * `path` as a `workspace_path` relative to `workspace` (`"."` for the workspace itself) when it is
 * inside it; otherwise `path` unchanged.
 */
export function workspaceRelative(path: string, workspace: string): string | WorkspacePath {
  const rel = relative(workspace, path);
  if (rel === "") return { kind: "workspace_path", path: "." };
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return path;
  return { kind: "workspace_path", path: rel.split(sep).join("/") };
}

/**
 * A copy of a resolved snapshot manifest in which every path field inside `workspace` (scope
 * allow/deny targets, `skills.directories`, `memory.workspace_root`, `pod.prompt_pack` and the
 * `api_key` auth files of `model`, `compaction.model`, `memory.extract_model` and
 * `memory.consolidation_model`) is a `{ kind: "workspace_path" }` value again, so the manifest
 * resolves against the `--workspace` it is imported with. Paths outside `workspace` stay absolute.
 * Without a workspace (a Pod created from TOML manifests) the copy is unchanged. Returns the copy
 * and how many paths were rewritten.
 */
export function portableManifest(
  manifest: Record<string, unknown>,
  workspace: string | undefined,
): { manifest: Record<string, unknown>; rewritten: number } {
  const copy = toJsonValue(manifest);
  if (workspace === undefined || !isAbsolute(workspace)) return { manifest: copy, rewritten: 0 };
  let rewritten = 0;
  const portable = (value: unknown): unknown => {
    if (typeof value !== "string" || !isAbsolute(value)) return value;
    const out = workspaceRelative(value, workspace);
    if (typeof out !== "string") rewritten++;
    return out;
  };
  const obj = (value: unknown): Record<string, unknown> | undefined =>
    value !== null && typeof value === "object" && !Array.isArray(value)
      ? value as Record<string, unknown>
      : undefined;
  const field = (parent: unknown, key: string) => {
    const o = obj(parent);
    if (o && key in o) o[key] = portable(o[key]);
  };
  const model = (value: unknown) => {
    const auth = obj(obj(value)?.auth);
    if (auth?.kind === "api_key") field(auth, "file");
  };
  field(copy.pod, "prompt_pack");
  model(copy.model);
  model(obj(copy.compaction)?.model);
  const memory = obj(copy.memory);
  field(memory, "workspace_root");
  model(memory?.extract_model);
  model(memory?.consolidation_model);
  const scope = obj(copy.scope);
  const rules = [scope?.allow, scope?.deny].flatMap((list) => Array.isArray(list) ? list : []);
  for (const rule of rules) field(rule, "target");
  const skills = obj(copy.skills);
  if (skills && Array.isArray(skills.directories)) {
    skills.directories = skills.directories.map(portable);
  }
  return { manifest: copy, rewritten };
}

/** Checks `-o PATH` before anything is written: not a directory, and its parent exists. */
function exportTarget(target: string, cwd: string, pod: string): string {
  const file = resolve(cwd, target);
  const parent = dirname(file);
  const usage = (what: string) =>
    new InsomniaError(
      "usage",
      `pods export ${pod} -o ${target}: ${what}. Pass the path of the file to write (for example ` +
        `-o ${pod}.export.json) inside an existing directory; nothing was written.`,
      { file },
    );
  const kind = (path: string): "dir" | "other" | "missing" | "blocked" => {
    try {
      return statSync(path).isDirectory() ? "dir" : "other";
    } catch (error) {
      const code = errnoCode(error);
      if (code === "ENOENT") return "missing";
      if (code === "ENOTDIR") return "blocked";
      throw writeFailed(file, error);
    }
  };
  if (kind(file) === "dir") throw usage(`${file} is a directory, not a file`);
  const parentKind = kind(parent);
  if (parentKind === "missing") throw usage(`the directory ${parent} does not exist`);
  if (parentKind === "blocked") {
    throw usage(`the directory ${parent} does not exist (a parent of it is a file)`);
  }
  if (parentKind !== "dir") throw usage(`${parent} is not a directory`);
  return file;
}

function writeFailed(file: string, error: unknown): InsomniaError {
  const reason = error instanceof Error ? error.message : String(error);
  return new InsomniaError(
    "store_io",
    `could not write the export file ${file}: ${reason}. Check that its directory is writable ` +
      `by this user and that the disk is not full, or choose another path with -o; the file was ` +
      `not written.`,
    { file, errno: errnoCode(error) },
  );
}

// deno-lint-ignore require-await
async function exportPod(
  opts: Record<string, unknown>,
  args: string[],
  ctx: CliContext,
): Promise<CommandOutput> {
  validatePodName(args[0]);
  const record = readPod(storeOptions(opts, ctx), args[0]);
  const recorded = record.profile as RecordedProvenance;
  const p = isProfileProvenance(recorded) ? recorded : null;
  const workspace = typeof p?.workspace === "string" ? p.workspace : undefined;
  const portable = portableManifest(record.snapshot.manifest, workspace);
  const artifact = {
    profile: {
      format: PROFILE_FORMAT,
      name: p?.metadata?.name ?? record.pod.name,
      ...(p?.metadata?.description && { description: p.metadata.description }),
      exported_from: {
        pod: record.pod.name,
        pod_id: record.pod.id,
        snapshot_sha256: record.snapshot.sha256,
        exported_at: new Date().toISOString(),
        ...(recorded !== null && { selector: recorded.selector }),
        ...(recorded?.source && { source: recorded.source }),
        ...(workspace !== undefined && { workspace }),
        ...(record.fingerprint !== null && { fingerprint: record.fingerprint }),
      },
    },
    manifest: portable.manifest,
  };
  const target = opts.output as string | undefined;
  if (target) {
    const file = exportTarget(target, ctx.cwd, args[0]);
    try {
      writeFileAtomic(file, JSON.stringify(artifact, null, 2) + "\n", 0o600);
    } catch (error) {
      throw writeFailed(file, error);
    }
    const notes = [
      ...(portable.rewritten > 0
        ? [
          `${portable.rewritten} path(s) inside the workspace ${workspace} were written relative ` +
          `to it; they resolve against --workspace (default: the current directory) on import.`,
        ]
        : []),
      `The manifest keeps pod.name ${
        JSON.stringify(record.pod.name)
      }; --profile-pod-name NAME overrides it on import.`,
    ];
    return {
      json: {
        exported: args[0],
        file,
        workspace: workspace ?? null,
        workspace_paths: portable.rewritten,
      },
      human: `exported Pod ${args[0]} to ${file}\n${notes.map((n) => `  ${n}`).join("\n")}`,
    };
  }
  return { json: artifact, human: JSON.stringify(artifact, null, 2) };
}

/** The handler for `pods <sub>`. */
export function podsCommand(sub: string): CommandHandler {
  switch (sub) {
    case "list":
      return list;
    case "show":
      return show;
    case "rm":
      return rm;
    case "export":
      return exportPod;
  }
  throw new InsomniaError("internal", `unknown pods command ${sub}`);
}
