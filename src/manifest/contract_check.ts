/**
 * The runtime's own contract as a check: does the agent runtime (HareK02/yoi d77a86d5,
 * `PodManifest`) load this manifest, and does it read every key in it? The check is the contract
 * in resources/contract/ compiled ahead of time (scripts/gen_contract_validator.ts), so it costs
 * no schema construction at start-up: it is what a stored snapshot is checked against when it is
 * read back (docs/session-store.md, "What a read verifies").
 * @module
 */
import { InsomniaError } from "../errors.ts";
import { formatPath } from "./field_path.ts";
import { type ContractError, contractValidator } from "../generated/contract_validator.ts";

/** `/scope/allow/0/target` → `scope.allow[0].target` (the field paths our messages use). */
function fieldPath(pointer: string): string {
  return formatPath(
    pointer.split("/").slice(1).map((raw) => {
      const part = raw.replaceAll("~1", "/").replaceAll("~0", "~");
      return /^\d+$/.test(part) ? Number(part) : part;
    }),
  );
}

function describe(error: ContractError): string {
  const at = fieldPath(error.instancePath);
  const p = error.params;
  const where = at === "" ? "the manifest" : at;
  switch (error.keyword) {
    case "unevaluatedProperties":
    case "additionalProperties": {
      const key = String(p.unevaluatedProperty ?? p.additionalProperty);
      return `${at === "" ? key : `${at}.${key}`}: a field the runtime does not read`;
    }
    case "required":
      return `${at === "" ? "" : `${at}.`}${String(p.missingProperty)}: missing required field`;
    case "type":
      return `${where}: must be of type ${String(p.type)}`;
    case "enum":
      return `${where}: must be one of ${JSON.stringify(p.allowedValues)}`;
    case "const":
      return `${where}: must be ${JSON.stringify(p.allowedValue)}`;
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return `${where}: must be ${String(p.comparison)} ${String(p.limit)}`;
    case "minLength":
    case "maxLength":
    case "minItems":
    case "maxItems":
      return `${where}: ${error.keyword} is ${String(p.limit)}`;
    case "oneOf":
    case "anyOf":
      return `${where}: matches none of the forms the runtime accepts`;
    default:
      return `${where}: fails the runtime's ${error.keyword} check`;
  }
}

/**
 * The first problem `manifest` has against the runtime's strict contract, as one line naming the
 * field; undefined when the runtime loads it and reads every key in it.
 *
 * @example
 * ```ts
 * import { runtimeContractProblem } from "./contract_check.ts";
 * console.log(runtimeContractProblem({ pod: {} })); // "pod.name: missing required field" or similar
 * ```
 */
export function runtimeContractProblem(manifest: unknown): string | undefined {
  const compiled = contractValidator();
  if (compiled(manifest)) return undefined;
  const [first] = compiled.errors ?? [];
  return first ? describe(first) : "it does not match the runtime's contract";
}

/**
 * Throws `snapshot_invalid` naming `origin` unless the runtime's strict contract accepts
 * `manifest`.
 *
 * @example
 * ```ts
 * import { assertRuntimeContract } from "./contract_check.ts";
 * declare const stored: unknown; // a snapshot read back from disk
 * assertRuntimeContract(stored, "pods/coder/pod.json");
 * ```
 */
export function assertRuntimeContract(manifest: unknown, origin: string): void {
  const problem = runtimeContractProblem(manifest);
  if (problem === undefined) return;
  throw new InsomniaError(
    "snapshot_invalid",
    `${origin} is not a manifest the runtime accepts: ${problem}.`,
    { field: problem.split(":")[0] },
  );
}
