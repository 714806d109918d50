/**
 * The flag relations commander cannot check (`requires`, `appliesTo`, `excludes` with a reason),
 * read from the flag table (src/app/launch_flags.ts); commander checks `conflicts` itself.
 * @module
 */
import { InsomniaError } from "../errors.ts";
import {
  CREATION_ONLY_FLAGS,
  flagUsage,
  given,
  launchFlags,
  type LaunchOptions,
  longFlag,
} from "../app/launch_flags.ts";

function usage(message: string): InsomniaError {
  return new InsomniaError("usage", `${message} Run \`insomnia-pod --help\` for usage.`);
}

/** Throws the `usage` error of the first broken relation, in the table's order. */
export function checkRelations(options: LaunchOptions): void {
  const flags = launchFlags().filter(([flag]) => given(options, flag));
  for (const [flag, spec] of flags) {
    if (spec.requires && !given(options, spec.requires)) {
      throw usage(`option '${flagUsage(flag)}' requires '${flagUsage(spec.requires)}'.`);
    }
    if (spec.appliesTo && !given(options, spec.appliesTo)) {
      throw usage(`option '${flagUsage(flag)}' only applies to '${flagUsage(spec.appliesTo)}'.`);
    }
  }
  for (const [flag, spec] of flags) {
    if (spec.excludes?.flags.some((other) => Boolean(options[other]))) {
      throw usage(`option '${flagUsage(flag)}' ${spec.excludes.reason}.`);
    }
  }
}

/** The creation-only flags given (`--manifest`, …): ignored when an existing Pod resumes. */
export function creationOnlyFlagsGiven(options: LaunchOptions): string[] {
  return CREATION_ONLY_FLAGS.filter((flag) => given(options, flag)).map(longFlag);
}
