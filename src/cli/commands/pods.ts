/**
 * `pods list|show|rm|export`: the recorded Pods. `show` tells whether the profile file changed
 * since the snapshot (by hash, without evaluating); `export` writes the snapshot as a portable
 * artifact that `--profile path:FILE.json` accepts on another machine, with or without Nix.
 * @module
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { InsomniaError } from "../../errors.ts";
import type { PodManifest } from "../../manifest/schema.ts";
import { builtinSourceSha256 } from "../../profile/builtin.ts";
import type { ProfileProvenance } from "../../profile/resolve.ts";
import { writeFileAtomic } from "../../store/atomic.ts";
import { listPods, readHistory, readPod, removePod } from "../../store/pod_store.ts";
import { validatePodName } from "../../store/pod_name.ts";
import { PROFILE_FORMAT } from "../../version.ts";
import type { CliContext, CommandOutput } from "../context.ts";
import { renderRows, summaryRows } from "../summary.ts";
import { storeOptions } from "./launch.ts";

type Handler = (
  opts: Record<string, unknown>,
  args: string[],
  ctx: CliContext,
) => Promise<CommandOutput>;

function sourceLabel(profile: unknown): string {
  const p = profile as Partial<ProfileProvenance> & { source?: { kind: string } } | null;
  if (!p?.source) return "-";
  const s = p.source as ProfileProvenance["source"] | { kind: "manifest" };
  if (s.kind === "registry") return `${s.source}:${s.name}`;
  if (s.kind === "flake") return `flake:${s.ref}#${s.name}`;
  if (s.kind === "path") return s.path;
  return "manifest";
}

/** Whether the profile's file changed since the snapshot: by sha256, never by evaluating. */
export function profileDrift(profile: unknown): "unchanged" | "changed" | "missing" | "unknown" {
  const p = profile as ProfileProvenance | null;
  const recorded = p?.fingerprint?.profile_sha256;
  if (!p?.source || !recorded) return "unknown";
  let current: string | undefined;
  if (p.source.kind === "registry" && p.source.source === "builtin") {
    current = builtinSourceSha256(p.source.name);
  } else if (p.source.kind === "path" || p.source.kind === "registry") {
    try {
      current = createHash("sha256").update(readFileSync(p.source.path)).digest("hex");
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
        source: sourceLabel(entry.record!.profile),
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
    source: sourceLabel(h.profile),
  }));
  const drift = profileDrift(record.profile);
  const manifest = record.snapshot.manifest as unknown as PodManifest;
  const p = record.profile as ProfileProvenance | null;
  const rows: Array<[string, string]> = [
    ["dir", record.dir],
    ["id", record.pod.id],
    ["session", record.pod.session_id],
    ["created", record.pod.created_at],
    ["updated", record.pod.updated_at],
    ["source", sourceLabel(record.profile)],
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

// deno-lint-ignore require-await
async function exportPod(
  opts: Record<string, unknown>,
  args: string[],
  ctx: CliContext,
): Promise<CommandOutput> {
  validatePodName(args[0]);
  const record = readPod(storeOptions(opts, ctx), args[0]);
  const p = record.profile as ProfileProvenance | null;
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
        ...(p?.selector !== undefined && { selector: p.selector }),
        ...(p?.source && { source: p.source }),
        ...(record.fingerprint !== null && { fingerprint: record.fingerprint }),
      },
    },
    manifest: record.snapshot.manifest,
  };
  const target = opts.output as string | undefined;
  if (target) {
    const file = resolve(ctx.cwd, target);
    writeFileAtomic(file, JSON.stringify(artifact, null, 2) + "\n", 0o600);
    return { json: { exported: args[0], file }, human: `exported Pod ${args[0]} to ${file}` };
  }
  return { json: artifact, human: JSON.stringify(artifact, null, 2) };
}

/** The handler for `pods <sub>`. */
export function podsCommand(sub: string): Handler {
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
