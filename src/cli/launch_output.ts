/**
 * How the root command (and the New Pod dialog) print a created, resumed or re-resolved Pod: one
 * JSON document with `--json`, else a headline and the manifest's summary rows.
 * @module
 */
import type { CreatePlan } from "../app/create.ts";
import type { LaunchedPod } from "../app/launched.ts";
import type { ReloadPlan } from "../app/reload.ts";
import { renderChanges } from "../manifest/diff.ts";
import type { PodManifest } from "../manifest/schema.ts";
import { renderRows, summaryRows } from "../manifest/summary.ts";
import {
  isProfileProvenance,
  type ManifestProvenance,
  provenanceLabel,
  type RecordedProvenance,
} from "../profile/provenance.ts";
import type { CommandOutput } from "./context.ts";

/** The `pod` object of the JSON output. */
interface PodRef {
  name: string;
  dir: string | null;
  id?: string;
  session_id?: string;
}

function podJson(pod: PodRef) {
  return {
    name: pod.name,
    dir: pod.dir,
    ...(pod.id && { id: pod.id }),
    ...(pod.session_id && { session_id: pod.session_id }),
  };
}

function output(
  action: string,
  pod: PodRef,
  provenance: RecordedProvenance,
  manifest: PodManifest,
  warnings: string[],
  headline: string,
  extra: Record<string, unknown> = {},
): CommandOutput {
  const rows: Array<[string, string]> = [["pod", pod.name], [
    "dir",
    pod.dir ?? "(not written: --dry-run)",
  ], ...summaryRows(manifest)];
  return {
    json: {
      action,
      pod: podJson(pod),
      profile: isProfileProvenance(provenance) ? provenance : null,
      ...(!isProfileProvenance(provenance) && provenance !== null &&
        { manifest_source: { layers: (provenance as ManifestProvenance).source.layers } }),
      manifest,
      warnings,
      ...extra,
    },
    human: `${headline}\n${renderRows(rows)}`,
  };
}

function sourceLabel(provenance: RecordedProvenance): string {
  return `${isProfileProvenance(provenance) ? "profile " : ""}${provenanceLabel(provenance)}`;
}

/** A create: `created` (`pod` is the Pod as stored) or, without `pod`, a dry run. */
export function createdOutput(plan: CreatePlan, pod?: LaunchedPod): CommandOutput {
  const source = sourceLabel(plan.provenance);
  if (pod === undefined) {
    return output(
      "dry_run",
      { name: plan.name, dir: null },
      plan.provenance,
      plan.manifest,
      plan.warnings,
      `resolved ${source} (dry run: nothing written)`,
    );
  }
  return output(
    "created",
    pod,
    plan.provenance,
    pod.manifest,
    plan.warnings,
    `created Pod ${pod.name} from ${source}`,
  );
}

/** A resumed Pod (as `apply()` returned it, or the plan's own with `--dry-run`). */
export function resumedOutput(pod: LaunchedPod, how: string): CommandOutput {
  return output(
    "resumed",
    pod,
    pod.provenance,
    pod.manifest,
    [],
    `resumed Pod ${pod.name} ${how} (snapshot ${
      pod.snapshot_sha256.slice(0, 12)
    }, profile not re-evaluated)`,
    { snapshot_sha256: pod.snapshot_sha256 },
  );
}

/** The first lines of a re-resolve: what was evaluated and what changes (shown before asking). */
export function reloadHeader(plan: ReloadPlan): string {
  return `re-resolved the profile of Pod ${plan.pod.name} (${provenanceLabel(plan.provenance)})\n${
    renderChanges(plan.changes)
  }`;
}

/**
 * A re-resolve; `applied` is the Pod after `apply()`, undefined when it was not applied.
 * `headerShown`: the diff was already printed before the question, so the text gives the status.
 */
export function reloadOutput(
  plan: ReloadPlan,
  applied?: LaunchedPod,
  headerShown = false,
): CommandOutput {
  const fingerprintOnly = plan.changes.length === 0 && plan.fingerprintChanged;
  const status = plan.changes.length === 0
    ? fingerprintOnly
      ? applied
        ? "the profile file changed but evaluates to the same manifest; its new fingerprint was recorded"
        : "the profile file changed but evaluates to the same manifest; run again with --yes to record its new fingerprint"
      : "no changes; the snapshot is up to date"
    : applied
    ? "applied: the snapshot was replaced (the previous one is kept in the Pod's history)"
    : "not applied: run again with --yes to replace the snapshot";
  const pod = applied ?? plan.pod;
  return {
    json: {
      action: "reload",
      applied: applied !== undefined,
      pod: podJson(pod),
      profile: plan.provenance,
      changes: plan.changes,
      fingerprint_changed: plan.fingerprintChanged,
      manifest: applied ? plan.manifest : plan.pod.manifest,
      warnings: plan.warnings,
    },
    human: headerShown ? status : `${reloadHeader(plan)}\n${status}`,
  };
}
