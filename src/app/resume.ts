/**
 * Use case: resume a Pod from its snapshot, by name or by session id. Never runs Nix and never
 * loads the profile pipeline; `apply()` only records the resume (`updated_at`).
 * @module
 */
import { InsomniaError } from "../errors.ts";
import { validatePodName } from "../manifest/pod_name.ts";
import { touchPod } from "../store/pod_store.ts";
import { askWarning, assertStartsIn } from "../manifest/runtime_contract.ts";
import { readPod, readPodBySession } from "../store/stored_pods.ts";
import { type LaunchedPod, launchedPod, type Planned, runEnvOf, waitingPlan } from "./launched.ts";
import type { LaunchRequest } from "./launch_request.ts";
import { checkedWorkspace, storeOptions } from "./options.ts";

/** A Pod about to resume. */
export interface ResumePlan extends Planned {
  /** The Pod as stored (before `apply()` records the resume). */
  pod: LaunchedPod;
}

function readOnly(error: unknown): boolean {
  return error instanceof InsomniaError && error.code === "store_io" &&
    ["EROFS", "EACCES", "EPERM"].includes(String(error.details.errno));
}

/**
 * Reads the Pod `request.name` (or the one owning `request.session`); `pod_not_found` if none.
 *
 * @example
 * ```ts
 * import { resume } from "./resume.ts";
 * const plan = await resume({ name: "coder", store: "/tmp/my-store" });
 * console.log(plan.pod.manifest.model); // the snapshot; Nix never runs
 * plan.apply(); // records the resume
 * ```
 */
// deno-lint-ignore require-await
export async function resume(request: LaunchRequest): Promise<ResumePlan> {
  if (request.session === undefined) {
    if (request.name === undefined) {
      throw new InsomniaError("usage", "resume needs the Pod's name or a session id.");
    }
    validatePodName(request.name);
  }
  const store = storeOptions({ store: request.store }, runEnvOf(request));
  const record = request.session !== undefined
    ? readPodBySession(store, request.session)
    : readPod(store, request.name!);
  const pod = launchedPod(record);
  // What the runtime checks when the Pod starts: the launch directory inside the scope.
  assertStartsIn(pod.manifest, checkedWorkspace(request.workspace, runEnvOf(request)));
  const asks = askWarning(pod.manifest);
  if (asks) request.onWarning?.(asks);
  return waitingPlan(store, {
    pod,
    changes: [],
    apply: () => {
      try {
        return launchedPod(touchPod(store, record.pod.name));
      } catch (error) {
        // A read-only store (a ro mount, an image layer) still resumes: the snapshot is intact,
        // only the resume cannot be recorded.
        if (!readOnly(error)) throw error;
        request.onWarning?.(
          `the store ${store.root} is read-only, so this resume was not recorded (updated_at ` +
            `stays ${record.pod.updated_at}); the Pod resumes from its snapshot unchanged.`,
        );
        return launchedPod(record);
      }
    },
  });
}
