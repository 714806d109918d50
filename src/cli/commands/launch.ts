/**
 * The root command: create a Pod from a profile (default) or the TOML path, resume one from its
 * snapshot (`--pod`, `--session`; never runs Nix), or re-resolve its profile explicitly
 * (`--pod N --reload-profile`, applied only with `--yes` or a yes at the prompt).
 * @module
 */
import process from "node:process";
import { InsomniaError } from "../../errors.ts";
import type { ManifestResult } from "../../manifest/cascade.ts";
import type { PodManifest } from "../../manifest/schema.ts";
import type { ProfileProvenance } from "../../profile/resolve_profile.ts";
import {
  isProfileProvenance,
  type ManifestProvenance,
  provenanceLabel,
  type RecordedProvenance,
  reselectorOf,
} from "../../profile/provenance.ts";
import {
  checkStore,
  createPod,
  planPodName,
  readPod,
  readPodBySession,
  replaceSnapshot,
  touchPod,
} from "../../store/pod_store.ts";
import { validatePodName } from "../../manifest/pod_name.ts";
import type { RootOptions } from "../program.ts";
import type { CliContext, CommandOutput } from "../context.ts";
import { checkedWorkspace, evalTimeout, storeOptions } from "../../app/options.ts";
import { withProgress } from "../progress.ts";
import { checkRelations, creationOnlyFlagsGiven } from "../flag_relations.ts";
import { renderRows, summaryRows } from "../../manifest/summary.ts";

interface Created {
  action: "created" | "dry_run";
  name: string;
  dir: string | null;
  id?: string;
  session_id?: string;
}

function podJson(
  pod: Created | {
    action: string;
    name: string;
    dir: string | null;
    id?: string;
    session_id?: string;
  },
) {
  return {
    name: pod.name,
    dir: pod.dir,
    ...(pod.id && { id: pod.id }),
    ...(pod.session_id && { session_id: pod.session_id }),
  };
}

function output(
  action: string,
  pod: { name: string; dir: string | null; id?: string; session_id?: string },
  provenance: RecordedProvenance,
  manifest: PodManifest,
  warnings: string[],
  headline: string,
  extra: Record<string, unknown> = {},
  extraHuman = "",
): CommandOutput {
  const rows: Array<[string, string]> = [["pod", pod.name], [
    "dir",
    pod.dir ?? "(not written: --dry-run)",
  ], ...summaryRows(manifest)];
  return {
    json: {
      action,
      pod: podJson({ action, ...pod }),
      profile: isProfileProvenance(provenance) ? provenance : null,
      ...(!isProfileProvenance(provenance) && provenance !== null &&
        { manifest_source: { layers: (provenance as ManifestProvenance).source.layers } }),
      manifest,
      warnings,
      ...extra,
    },
    human: `${headline}\n${renderRows(rows)}${extraHuman ? "\n" + extraHuman : ""}`,
  };
}

/**
 * Creates a Pod from a profile (`opts.profile`, default "default") or from the TOML path, exactly
 * as the root command does; used by the New Pod dialog too. Honors `dryRun`.
 */
export async function createFromSource(opts: RootOptions, ctx: CliContext): Promise<CommandOutput> {
  const workspace = checkedWorkspace(opts.workspace, ctx);
  // A store that cannot be used fails now, not after a slow evaluation.
  const store = storeOptions(opts, ctx);
  checkStore(store);
  const useToml = Boolean(
    opts.manifest || opts.manifestCascade || opts.project || opts.overlay || opts.pod,
  );
  let manifest: PodManifest;
  let warnings: string[];
  let provenance: ProfileProvenance | null = null;
  let layers: ManifestResult["layers"] | undefined;
  let explicitName: boolean;
  if (useToml) {
    if (opts.pod !== undefined) validatePodName(opts.pod);
    const common = { env: ctx.env, cwd: ctx.cwd, workspace, podName: opts.pod };
    const { resolveCascade, resolveManifestFile } = await import("../../manifest/cascade.ts");
    const result = opts.manifest
      ? resolveManifestFile(opts.manifest, common)
      : resolveCascade({ ...common, projectStart: opts.project, overlay: opts.overlay });
    ({ manifest, warnings, layers } = result);
    explicitName = opts.pod !== undefined;
  } else {
    if (opts.profilePodName !== undefined) validatePodName(opts.profilePodName);
    const selector = opts.profile ?? "default";
    const timeoutMs = evalTimeout(opts, ctx.env);
    const { resolveProfile } = await import("../../profile/resolve_profile.ts");
    const resolved = await withProgress(
      `evaluating profile ${selector}`,
      ctx,
      resolveProfile(selector, {
        env: ctx.env,
        cwd: ctx.cwd,
        workspace,
        podName: opts.profilePodName,
        timeoutMs,
        signal: ctx.signal,
      }),
    );
    ({ manifest, warnings, provenance } = resolved);
    explicitName = opts.profilePodName !== undefined;
  }
  validatePodName(manifest.pod.name);
  for (const warning of warnings) ctx.note(`warning: ${warning}`);
  if (opts.checkSecrets) {
    const { assertSecretRefsResolve } = await import("../../secrets/resolve_secret.ts");
    assertSecretRefsResolve(manifest, { env: ctx.env });
  }
  const recorded: RecordedProvenance = provenance ??
    { selector: null, source: { kind: "manifest", layers: layers ?? [] } };
  const source = `${isProfileProvenance(recorded) ? "profile " : ""}${provenanceLabel(recorded)}`;
  if (opts.dryRun) {
    const name = planPodName(store, manifest.pod.name, explicitName);
    const planned = { ...manifest, pod: { ...manifest.pod, name } };
    return output(
      "dry_run",
      { name, dir: null },
      recorded,
      planned,
      warnings,
      `resolved ${source} (dry run: nothing written)`,
    );
  }
  const record = createPod(store, {
    name: manifest.pod.name,
    explicitName,
    profile: recorded,
    fingerprint: provenance?.fingerprint ?? null,
    manifest: manifest as unknown as Record<string, unknown>,
  });
  return output(
    "created",
    {
      name: record.pod.name,
      dir: record.dir,
      id: record.pod.id,
      session_id: record.pod.session_id,
    },
    recorded,
    record.snapshot.manifest as unknown as PodManifest,
    warnings,
    `created Pod ${record.pod.name} from ${source}`,
  );
}

function resumed(record: ReturnType<typeof readPod>, how: string): CommandOutput {
  const provenance = record.profile as RecordedProvenance;
  const manifest = record.snapshot.manifest as unknown as PodManifest;
  return output(
    "resumed",
    {
      name: record.pod.name,
      dir: record.dir,
      id: record.pod.id,
      session_id: record.pod.session_id,
    },
    provenance,
    manifest,
    [],
    `resumed Pod ${record.pod.name} ${how} (snapshot ${
      record.snapshot.sha256.slice(0, 12)
    }, profile not re-evaluated)`,
    { snapshot_sha256: record.snapshot.sha256 },
  );
}

async function confirm(message: string): Promise<boolean> {
  const { default: confirm } = await import("@inquirer/confirm");
  try {
    // stdout may be redirected to capture the result; the question belongs on the terminal.
    return await confirm({ message, default: false }, { output: process.stderr });
  } catch {
    throw new InsomniaError("cancelled", "cancelled; the snapshot was not replaced.");
  }
}

async function reload(opts: RootOptions, ctx: CliContext): Promise<CommandOutput> {
  const store = storeOptions(opts, ctx);
  const record = readPod(store, opts.pod!);
  const before = record.profile;
  if (!isProfileProvenance(before)) {
    throw new InsomniaError(
      "usage",
      `Pod ${record.pod.name} was created from ${
        provenanceLabel(before)
      }, not from a profile, so there is no profile to re-resolve. Resume it with --pod ${record.pod.name}.`,
    );
  }
  const workspace = opts.workspace
    ? checkedWorkspace(opts.workspace, ctx)
    : before.workspace ?? ctx.cwd;
  // Only explicit re-resolve and create load the resolver; resume reads the snapshot alone.
  const { resolveProfile } = await import("../../profile/resolve_profile.ts");
  const { diffManifests, renderChanges } = await import("../../manifest/diff.ts");
  const fresh = await withProgress(
    `re-evaluating profile ${before.selector}`,
    ctx,
    resolveProfile(reselectorOf(before), {
      env: ctx.env,
      cwd: ctx.cwd,
      workspace,
      podName: record.pod.name,
      timeoutMs: evalTimeout(opts, ctx.env),
      signal: ctx.signal,
    }),
  );
  const provenance: ProfileProvenance = {
    ...fresh.provenance,
    selector: before.selector,
    source: before.source,
  };
  const changes = diffManifests(record.snapshot.manifest, fresh.manifest);
  // The file may change without changing the manifest (a comment): recording the new fingerprint
  // is then the only update, so `pods show` stops reporting the profile as changed.
  const fingerprintOnly = changes.length === 0 &&
    JSON.stringify(before.fingerprint) !== JSON.stringify(provenance.fingerprint);
  const header = `re-resolved the profile of Pod ${record.pod.name} (${
    provenanceLabel(provenance)
  })\n${renderChanges(changes)}`;
  let applied = false;
  if ((changes.length > 0 || fingerprintOnly) && !opts.dryRun) {
    if (opts.yes) applied = true;
    else if (ctx.interactive && !ctx.json) {
      ctx.note(header); // the diff comes before the question
      applied = await confirm(
        changes.length > 0
          ? `Replace the snapshot of Pod ${record.pod.name}?`
          : `Record the changed profile file (same manifest) for Pod ${record.pod.name}?`,
      );
    }
  }
  let dir = record.dir;
  if (applied) {
    dir = replaceSnapshot(store, record.pod.name, {
      manifest: fresh.manifest as unknown as Record<string, unknown>,
      profile: provenance,
      fingerprint: provenance.fingerprint,
    }).dir;
  }
  const status = changes.length === 0
    ? fingerprintOnly
      ? applied
        ? "the profile file changed but evaluates to the same manifest; its new fingerprint was recorded"
        : "the profile file changed but evaluates to the same manifest; run again with --yes to record its new fingerprint"
      : "no changes; the snapshot is up to date"
    : applied
    ? "applied: the snapshot was replaced (the previous one is kept in the Pod's history)"
    : "not applied: run again with --yes to replace the snapshot";
  return {
    json: {
      action: "reload",
      applied,
      pod: podJson({
        action: "reload",
        name: record.pod.name,
        dir,
        id: record.pod.id,
        session_id: record.pod.session_id,
      }),
      profile: provenance,
      changes,
      fingerprint_changed: fingerprintOnly ||
        JSON.stringify(before.fingerprint) !== JSON.stringify(provenance.fingerprint),
      manifest: applied ? fresh.manifest : record.snapshot.manifest,
      warnings: fresh.warnings,
    },
    human: `${header}\n${status}`,
  };
}

/** Entry of the root command. */
export async function launch(
  raw: Record<string, unknown>,
  _args: string[],
  ctx: CliContext,
): Promise<CommandOutput> {
  const opts = raw as RootOptions;
  checkRelations(opts);
  // An invalid flag is a usage error on every form, also where no evaluation follows (resume).
  if (opts.evalTimeout !== undefined) evalTimeout(opts, ctx.env);
  if (opts.reloadProfile) return await reload(opts, ctx);
  if (opts.session !== undefined) {
    const store = storeOptions(opts, ctx);
    const record = readPodBySession(store, opts.session);
    return resumed(
      opts.dryRun ? record : touchPod(store, record.pod.name),
      `by session ${opts.session}`,
    );
  }
  if (opts.pod !== undefined) {
    validatePodName(opts.pod);
    const store = storeOptions(opts, ctx);
    let record: ReturnType<typeof readPod> | undefined;
    try {
      record = readPod(store, opts.pod);
    } catch (error) {
      if (
        !(error instanceof InsomniaError) || error.code !== "pod_not_found" || opts.requirePodState
      ) throw error;
    }
    if (record) {
      const ignored = creationOnlyFlagsGiven(opts);
      if (ignored.length > 0) {
        ctx.note(
          `warning: Pod ${record.pod.name} exists, so it resumes from its snapshot; ${
            ignored.join(", ")
          } ${ignored.length === 1 ? "applies" : "apply"} only when the Pod is created`,
        );
      }
      return resumed(opts.dryRun ? record : touchPod(store, record.pod.name), "from its snapshot");
    }
    try {
      return await createFromSource(opts, ctx);
    } catch (error) {
      if (!(error instanceof InsomniaError) || error.code === "usage") throw error;
      throw new InsomniaError(
        error.code,
        `no Pod named ${opts.pod} exists, so it was to be created from the TOML ${
          opts.manifest ? "manifest" : "cascade"
        }, which failed: ${error.message} (Pass --require-pod-state to only resume existing Pods.)`,
        error.details,
      );
    }
  }
  return await createFromSource(opts, ctx);
}
