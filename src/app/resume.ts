/**
 * Use case: resume a Pod from its snapshot, by name or by session id. Never runs Nix and never
 * loads the profile pipeline; `apply()` only records the resume (`updated_at`).
 * @module
 */
import { InsomniaError } from "../errors.ts";
import { validatePodName } from "../manifest/pod_name.ts";
import { touchPod } from "../store/pod_store.ts";
import { readPod, readPodBySession } from "../store/validated_store.ts";
import { type LaunchedPod, launchedPod, type Planned, runEnvOf } from "./launched.ts";
import type { LaunchRequest } from "./launch_request.ts";
import { storeOptions } from "./options.ts";

/** A Pod about to resume. */
export interface ResumePlan extends Planned {
  /** The Pod as stored (before `apply()` records the resume). */
  pod: LaunchedPod;
}

/** Reads the Pod `request.name` (or the one owning `request.session`); `pod_not_found` if none. */
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
  return {
    pod: launchedPod(record),
    changes: [],
    apply: () => launchedPod(touchPod(store, record.pod.name)),
  };
}
