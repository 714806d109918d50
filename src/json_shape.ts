/**
 * Limits on the shape of every JSON or TOML document insomnia-pod reads or writes (artifacts,
 * manifests, registries, Pod records, Nix output): how deeply values nest and how many entries one
 * list or table holds. A document inside the limits can be walked, redacted, hashed and printed by
 * recursive code without exhausting the stack; one outside is rejected with a coded error naming
 * the field, before anything is written.
 * @module
 */
import { type ErrorCode, InsomniaError } from "./errors.ts";
import { childPath, indexPath } from "./secrets/walk.ts";

/** Deepest nesting of lists and tables allowed (the top-level value is level 1). */
export const MAX_JSON_DEPTH = 64;
/**
 * Where recursive walkers (redaction, canonical JSON) stop: twice {@link MAX_JSON_DEPTH}, so a
 * document within the limits, wrapped in a record or an output object, always fits, and still far
 * below a stack overflow.
 */
export const MAX_WALK_DEPTH = 2 * MAX_JSON_DEPTH;
/** Most entries allowed in one list or one table. */
export const MAX_JSON_ENTRIES = 10_000;

/** Where a document breaks a limit, and which one. */
export interface JsonShapeProblem {
  /** Field path of the offending value (`""` is the top level). */
  field: string;
  /** What is wrong, e.g. "nested more than 64 levels deep". */
  problem: string;
}

interface Node {
  value: unknown;
  depth: number;
  parent: number;
  key: string | number;
}

/**
 * The first place where `root` nests deeper than {@link MAX_JSON_DEPTH} or holds a list or table
 * with more than {@link MAX_JSON_ENTRIES} entries, or undefined when it is within both limits.
 * Iterative: safe for any input, however deep.
 */
export function jsonShapeProblem(root: unknown): JsonShapeProblem | undefined {
  const nodes: Node[] = [{ value: root, depth: 1, parent: -1, key: "" }];
  const pathOf = (index: number): string => {
    const chain: Node[] = [];
    for (let i = index; i > 0; i = nodes[i].parent) chain.push(nodes[i]);
    let path = "";
    for (const node of chain.reverse()) {
      path = typeof node.key === "number" ? indexPath(path, node.key) : childPath(path, node.key);
    }
    return path;
  };
  const stack = [0];
  while (stack.length > 0) {
    const index = stack.pop() as number;
    const { value, depth } = nodes[index];
    if (value === null || typeof value !== "object") continue;
    if (depth > MAX_JSON_DEPTH) {
      return { field: pathOf(index), problem: `nested more than ${MAX_JSON_DEPTH} levels deep` };
    }
    const keys = Array.isArray(value) ? undefined : Object.keys(value);
    const size = keys?.length ?? (value as unknown[]).length;
    if (size > MAX_JSON_ENTRIES) {
      const what = keys ? "a table" : "a list";
      return {
        field: pathOf(index),
        problem: `${what} of ${size} entries (at most ${MAX_JSON_ENTRIES} are allowed)`,
      };
    }
    // Children in reverse, so the first offending one in document order is found first.
    for (let i = size - 1; i >= 0; i--) {
      const key = keys ? keys[i] : i;
      const child = (value as Record<string | number, unknown>)[key]; // holes read as undefined
      if (child === null || typeof child !== "object") continue;
      nodes.push({ value: child, depth: depth + 1, parent: index, key });
      stack.push(nodes.length - 1);
    }
  }
  return undefined;
}

/**
 * Throws `code` (e.g. `artifact_invalid`, `manifest_invalid`, `snapshot_invalid`) when `value`
 * breaks a shape limit; `origin` names the document. `details.field` is the offending path.
 */
export function assertJsonShape(value: unknown, origin: string, code: ErrorCode): void {
  const found = jsonShapeProblem(value);
  if (found === undefined) return;
  throw shapeError(found, origin, code);
}

/** The coded error for a {@link JsonShapeProblem} of the document `origin`. */
export function shapeError(found: JsonShapeProblem, origin: string, code: ErrorCode) {
  return new InsomniaError(
    code,
    `${origin}: ${found.field === "" ? "the top level" : found.field} is ${found.problem}. ` +
      `insomnia-pod reads documents nested at most ${MAX_JSON_DEPTH} levels deep with at most ` +
      `${MAX_JSON_ENTRIES} entries per list or table; a profile should describe a small manifest.`,
    { field: found.field, limit_depth: MAX_JSON_DEPTH, limit_entries: MAX_JSON_ENTRIES },
  );
}
