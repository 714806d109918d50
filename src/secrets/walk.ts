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

/** Callbacks for {@link walkJson}. */
export interface JsonVisitor {
  /** Called for every value (objects and arrays before their children). Return `false` to skip the children. */
  value?(value: unknown, path: string): boolean | void;
  /** Called for every object key; `path` is the path of the object holding it. */
  key?(key: string, path: string): void;
}

/** Visits every value and object key of a JSON-like tree; cycles are visited once. */
export function walkJson(root: unknown, visitor: JsonVisitor): void {
  const seen = new WeakSet<object>();
  const visit = (value: unknown, path: string): void => {
    if (visitor.value?.(value, path) === false) return;
    if (value === null || typeof value !== "object") return;
    if (seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, indexPath(path, i)));
      return;
    }
    for (const [key, child] of Object.entries(value)) {
      visitor.key?.(key, path);
      visit(child, childPath(path, key));
    }
  };
  visit(root, "");
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
