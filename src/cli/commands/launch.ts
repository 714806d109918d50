/**
 * The root command: create a Pod from a profile (default) or the TOML path, resume one from its
 * snapshot (`--pod`, `--session`; never runs Nix), or re-resolve its profile explicitly
 * (`--pod N --reload-profile`, applied only with `--yes` or a yes at the prompt). Parses the
 * options into one request, calls the use case (src/app/) and renders its result.
 * @module
 */
import { InsomniaError } from "../../errors.ts";
import { isOn, type LaunchOptions } from "../../app/launch_flags.ts";
import { create } from "../../app/create.ts";
import { type LaunchRequest, launchRequest } from "../../app/launch_request.ts";
import { resume, type ResumePlan } from "../../app/resume.ts";
import type { CliContext, CommandOutput } from "../context.ts";
import { checkRelations, creationOnlyFlagsGiven } from "../flag_relations.ts";
import { createdOutput, reloadHeader, reloadOutput, resumedOutput } from "../launch_output.ts";
import { withProgress } from "../progress.ts";
import { describeChanges, profileDriftDetail } from "../../profile/provenance.ts";
import { confirm } from "../confirm.ts";

/** Entry of the root command. */
export async function launch(
  raw: Record<string, unknown>,
  _args: string[],
  ctx: CliContext,
): Promise<CommandOutput> {
  const opts = raw as LaunchOptions;
  checkRelations(opts);
  // An invalid flag is a usage error on every form, also where no evaluation follows (resume).
  const request: LaunchRequest = {
    ...launchRequest(opts),
    env: ctx.env,
    cwd: ctx.cwd,
    signal: ctx.signal,
    progress: (label, work) => withProgress(label, ctx, work),
    onWarning: (warning) => ctx.note(`warning: ${warning}`),
  };
  if (opts.reloadProfile) return await reloadPod(request, opts, ctx);
  if (opts.session !== undefined) {
    const plan = await resume(request);
    noteChangedProfile(plan, ctx);
    return resumedOutput(await resumed(plan, opts, ctx), `by session ${opts.session}`);
  }
  if (opts.pod !== undefined) return await resumeOrCreate(request, opts, ctx);
  if (await bareRunAsks(raw, ctx)) {
    // A bare `insomnia-pod` typed at a terminal with nothing configured would create a Pod with
    // write access to the current directory by accident: the New Pod dialog asks instead.
    const { newPodCommand } = await import("./new_pod.ts");
    return await newPodCommand({}, [], ctx);
  }
  return await createPod(request, opts, ctx);
}

/**
 * True for `insomnia-pod` with no flag at all, on a terminal, when no default profile is
 * configured (only the `builtin:default` fallback would run). Scripts (no terminal), `--json` and
 * any explicit choice keep today's behaviour.
 */
async function bareRunAsks(raw: Record<string, unknown>, ctx: CliContext): Promise<boolean> {
  if (!ctx.interactive || ctx.json) return false;
  if (Object.values(raw).some((value) => value !== undefined && value !== false)) return false;
  const { loadProfileRegistry } = await import("../../profile/discovery.ts");
  const { defaultTarget } = await import("../../profile/registry.ts");
  try {
    return defaultTarget(loadProfileRegistry(ctx.env, ctx.cwd))?.declared === undefined;
  } catch {
    return false; // a broken registry: the create path reports it
  }
}

/** A resume uses the snapshot as is; when the profile file changed since, it says so (by hash). */
function noteChangedProfile(plan: ResumePlan, ctx: CliContext): void {
  const drift = profileDriftDetail(plan.pod.provenance);
  if (drift.state !== "changed") return;
  ctx.note(
    `note: the profile of Pod ${plan.pod.name} changed since its snapshot (${
      describeChanges(plan.pod.provenance, drift.changes)
    }); the snapshot is used ` +
      `as is (see the changes with \`insomnia-pod --pod ${plan.pod.name} --reload-profile\`)`,
  );
}

function resumed(plan: ResumePlan, opts: LaunchOptions, ctx: CliContext) {
  return opts.dryRun ? Promise.resolve(plan.pod) : plan.applyWhenFree(ctx.signal);
}

async function createPod(
  request: LaunchRequest,
  opts: LaunchOptions,
  ctx: CliContext,
): Promise<CommandOutput> {
  const plan = await create({ ...request, onNote: (n) => ctx.note(`note: ${n}`) });
  return createdOutput(plan, opts.dryRun ? undefined : await plan.applyWhenFree(ctx.signal));
}

/**
 * `--pod NAME`: resume it when it exists; else create it from the TOML path when one is asked for
 * (`--manifest`, `--manifest-cascade`, `--project`, `--overlay`), else `pod_not_found`.
 */
async function resumeOrCreate(
  request: LaunchRequest,
  opts: LaunchOptions,
  ctx: CliContext,
): Promise<CommandOutput> {
  let plan: ResumePlan | undefined;
  try {
    plan = await resume(request);
  } catch (error) {
    if (
      !(error instanceof InsomniaError) || error.code !== "pod_not_found" || opts.requirePodState
    ) throw error;
    // Creating from the TOML path is always an explicit choice: a mistyped name is not a new Pod.
    if (!opts.manifest && !isOn(opts, "manifestCascade")) {
      throw new InsomniaError(
        "pod_not_found",
        `${error.message} To create it from the TOML cascade, add --manifest-cascade ` +
          `(or --manifest FILE).`,
        error.details,
      );
    }
  }
  if (plan) {
    const ignored = creationOnlyFlagsGiven(opts);
    if (ignored.length > 0) {
      ctx.note(
        `warning: Pod ${plan.pod.name} exists, so it resumes from its snapshot; ${
          ignored.join(", ")
        } ${ignored.length === 1 ? "applies" : "apply"} only when the Pod is created`,
      );
    }
    noteChangedProfile(plan, ctx);
    return resumedOutput(await resumed(plan, opts, ctx), "from its snapshot");
  }
  try {
    return await createPod(request, opts, ctx);
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

/** `--pod NAME --reload-profile`: show the changes, then apply them with `--yes` or a yes. */
async function reloadPod(
  request: LaunchRequest,
  opts: LaunchOptions,
  ctx: CliContext,
): Promise<CommandOutput> {
  // Only an explicit re-resolve loads it (a resume never evaluates).
  const { reload } = await import("../../app/reload.ts");
  const plan = await reload(request);
  let apply = false;
  let shown = false;
  if (plan.pending && !opts.dryRun) {
    if (opts.yes) apply = true;
    else if (ctx.interactive && !ctx.json) {
      ctx.note(reloadHeader(plan)); // the diff comes before the question, and only there
      shown = !ctx.quiet;
      apply = await confirm(
        plan.changes.length > 0
          ? `Replace the snapshot of Pod ${plan.pod.name}?`
          : `Record the changed profile file (same manifest) for Pod ${plan.pod.name}?`,
        "cancelled; the snapshot was not replaced.",
      );
    }
  }
  return reloadOutput(plan, apply ? await plan.applyWhenFree(ctx.signal) : undefined, shown);
}
