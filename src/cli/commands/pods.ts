/**
 * `pods list|show|rm|export`: the recorded Pods. `show` tells whether the profile file changed
 * since the snapshot (by hash, without evaluating); `export` writes the snapshot as a portable
 * artifact that `--profile path:FILE.json` accepts on another machine, with or without Nix:
 * paths inside the recorded launch workspace become `workspace_path` values again, so they follow
 * `--workspace` on import.
 * @module
 */
import { fitLines } from "../output.ts";
import { lstatSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InsomniaError } from "../../errors.ts";
import type { PodManifest } from "../../manifest/schema.ts";
import { portableManifest } from "../../manifest/portable.ts";
import {
  describeChanges,
  isProfileProvenance,
  profileDriftDetail,
  provenanceLabel,
  type RecordedProvenance,
} from "../../profile/provenance.ts";
import { nonRegularKind, writeFileAtomic } from "../../fs/atomic.ts";
import { errnoCode } from "../../fs/errno.ts";
import {
  existingPodDir,
  listPodSummaries,
  readHistory,
  readPod,
  removePod,
} from "../../store/pod_store.ts";
import { confirm } from "../confirm.ts";
import { askWarning } from "../../manifest/runtime_contract.ts";
import { validatePodName } from "../../manifest/pod_name.ts";
import type { CliContext, CommandOutput } from "../context.ts";
import { renderRows, summaryRows } from "../../manifest/summary.ts";
import { storeOptions } from "../../app/options.ts";
import { oneLine, widestDisplay } from "../../terminal_text.ts";

/** `pods list` handler. */
// deno-lint-ignore require-await
export async function podsList(
  opts: Record<string, unknown>,
  _args: string[],
  ctx: CliContext,
): Promise<CommandOutput> {
  const pods = listPodSummaries(storeOptions(opts, ctx)).map((entry) =>
    entry.ok
      ? {
        name: entry.name,
        ok: true,
        source: entry.summary!.source,
        created_at: entry.summary!.created_at,
        updated_at: entry.summary!.updated_at,
        session_id: entry.summary!.session_id,
      }
      : { name: entry.name, ok: false, error: entry.error }
  );
  const width = widestDisplay(pods.map((p) => p.name));
  const lines = pods.map((p) =>
    p.ok
      ? `${p.name.padEnd(width)}  ${"source" in p ? oneLine(p.source ?? "") : ""}  updated ${
        "updated_at" in p ? p.updated_at : ""
      }`
      : `${p.name.padEnd(width)}  BROKEN: ${"error" in p ? oneLine(p.error?.message ?? "") : ""}`
  );
  return {
    json: { pods },
    human: pods.length ? fitLines(lines, ctx.columns).join("\n") : "no Pods recorded",
  };
}

/** `pods show` handler. */
// deno-lint-ignore require-await
export async function podsShow(
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
  const detail = profileDriftDetail(record.profile);
  const drift = detail.state;
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
    ...(detail.changes.length
      ? [["changed inputs", describeChanges(record.profile, detail.changes)] as [string, string]]
      : []),
    ["snapshot", record.snapshot.sha256],
    [
      "history",
      history.length ? history.map((h) => `#${h.seq} ${h.replaced_at}`).join(", ") : "none",
    ],
    ...summaryRows(manifest),
  ];
  // The runtime denies every `ask`: a Pod that relies on it is told so wherever it is shown.
  const asks = askWarning(manifest);
  if (asks) ctx.note(`warning: ${asks}`);
  return {
    json: {
      ...(asks && { warnings: [asks] }),
      pod: { ...record.pod, dir: record.dir },
      profile: record.profile,
      fingerprint: record.fingerprint,
      profile_file: drift,
      profile_changes: detail.changes,
      snapshot_sha256: record.snapshot.sha256,
      history,
      manifest,
    },
    human: `Pod ${record.pod.name}\n${renderRows(rows)}`,
  };
}

/** `pods rm` handler. */
export async function podsRm(
  opts: Record<string, unknown>,
  args: string[],
  ctx: CliContext,
): Promise<CommandOutput> {
  const store = storeOptions(opts, ctx);
  const names = [...new Set(args)];
  // Every name is checked before anything is removed: one typo removes nothing.
  const pods = names.map((name) => ({ name, dir: existingPodDir(store, name) }));
  const list = names.join(", ");
  const what = `${names.length === 1 ? "Pod" : `${names.length} Pods`} ${list}`;
  if (opts.dryRun) {
    return {
      json: { action: "dry_run", pods },
      human: pods.map((p) => `would remove Pod ${p.name} (${p.dir})`).join("\n") +
        "\n(dry run: nothing removed)",
    };
  }
  if (!opts.yes && ctx.interactive && !ctx.json) {
    const yes = await confirm(
      `Remove ${what} with ${names.length === 1 ? "its" : "their"} snapshot and history?`,
      "cancelled; nothing was removed.",
    );
    if (!yes) {
      throw new InsomniaError("cancelled", `not confirmed; ${what} kept.`, { pods: names });
    }
  }
  for (const pod of pods) removePod(store, pod.name);
  return {
    json: { action: "removed", pods },
    human: pods.map((p) => `removed Pod ${p.name}`).join("\n"),
  };
}

/** Checks `-o PATH` before anything is written: not a directory, and its parent exists. */
function specialKind(path: string): string | undefined {
  try {
    return nonRegularKind(lstatSync(path));
  } catch {
    return undefined;
  }
}

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
  const special = specialKind(file);
  if (special) {
    throw usage(
      `${file} is ${special}; insomnia-pod writes exports only to regular files (never over a ` +
        `device, FIFO or socket, nor through a symbolic link)`,
    );
  }
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

/** `pods export` handler. */
export async function podsExport(
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
  // The artifact's schema is loaded here only: pods list and show need none.
  const { exportedArtifact } = await import("../../profile/artifact.ts");
  const artifact = exportedArtifact({
    name: p?.metadata?.name ?? record.pod.name,
    description: p?.metadata?.description,
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
  }, portable.manifest);
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
  return { json: artifact, human: JSON.stringify(artifact, null, 2), document: true };
}
