/**
 * Walking JSON values with field paths in the project's format: dotted keys, `[i]` for array
 * indices (`scope.allow[0].target`), `["…"]` for keys that are not plain identifiers. A key that
 * looks like a secret is never spelled out in a path: it appears as `["[redacted]"]`.
 * @module
 */
import { detectSecretKinds } from "./patterns.ts";
import { registeredSecretsGeneration, registeredSecretValues } from "./registry.ts";
import { isRecord } from "../json.ts";

export { isRecord };

const PLAIN_KEY = /^[A-Za-z0-9_$-]+$/;

// Manifests repeat a few keys (`target`, `permission`, …) thousands of times.
const secretKeyCache = new Map<string, boolean>();
let cacheGeneration = -1;

/** True when a key must not appear in a path or message because it is (or holds) a secret. */
function isSecretKey(key: string): boolean {
  if (cacheGeneration !== registeredSecretsGeneration()) {
    secretKeyCache.clear();
    cacheGeneration = registeredSecretsGeneration();
  }
  let secret = secretKeyCache.get(key);
  if (secret === undefined) {
    secret = detectSecretKinds(key).length > 0 ||
      registeredSecretValues().some((v) => key.includes(v));
    if (secretKeyCache.size < 4096) secretKeyCache.set(key, secret);
  }
  return secret;
}

/** Path of `key` inside the object at `parent` (`""` is the root). */
export function childPath(parent: string, key: string): string {
  if (isSecretKey(key)) return `${parent}["[redacted]"]`;
  if (PLAIN_KEY.test(key)) return parent === "" ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

/** Path of element `index` of the array at `parent`. */
export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

/** Callbacks for {@link walkJson}; a path is built only when asked for (most visits never do). */
export interface JsonVisitor {
  /** Called for every value (objects and arrays before their children). Return `false` to skip the children. */
  value?(value: unknown, path: () => string): boolean | void;
  /** Called for every object key; `path` gives the path of the object holding it. */
  key?(key: string, path: () => string): void;
}

/** Where a value sits: its parent's place and its key or index there (the root has no parent). */
interface Place {
  parent?: Place;
  step?: string | number;
  path?: string;
}

/** The path of `place`, built once from the nearest ancestor whose path is known. */
function pathOf(place: Place): string {
  const pending: Place[] = [];
  let known: Place | undefined = place;
  while (known.path === undefined && known.parent !== undefined) {
    pending.push(known);
    known = known.parent;
  }
  let path = known.path ?? "";
  for (let i = pending.length - 1; i >= 0; i--) {
    const { step } = pending[i];
    path = typeof step === "number" ? indexPath(path, step) : childPath(path, step as string);
    pending[i].path = path;
  }
  return path;
}

/**
 * Visits every value and object key of a JSON-like tree in document order (pre-order); cycles are
 * visited once. Iterative, so no input is too deep for it.
 */
export function walkJson(root: unknown, visitor: JsonVisitor): void {
  const seen = new WeakSet<object>();
  // Each entry: the value and its place (a key's place is its parent's child).
  const stack: Array<[unknown, Place]> = [[root, { path: "" }]];
  while (stack.length > 0) {
    const [value, place] = stack.pop() as [unknown, Place];
    const parent = place.parent;
    if (parent && typeof place.step === "string") visitor.key?.(place.step, () => pathOf(parent));
    if (visitor.value?.(value, () => pathOf(place)) === false) continue;
    if (value === null || typeof value !== "object") continue;
    if (seen.has(value)) continue;
    seen.add(value);
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push([value[i], { parent: place, step: i }]);
      }
      continue;
    }
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      stack.push([(value as Record<string, unknown>)[key], { parent: place, step: key }]);
    }
  }
}

/** The value at a dotted path of plain keys (`memory.extract_model.auth`), or undefined. */
export function getAtPath(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const key of path.split(".")) {
    if (!isRecord(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}
