/**
 * Secret references: `{ "kind": "secret_ref", "ref": "llm.anthropic.default" }` (anchor-facts §10–11).
 * @module
 */
import { InsomniaError } from "../errors.ts";
import { detectSecretKinds, secretKindLabel } from "./patterns.ts";
import { isRecord, walkJson } from "./walk.ts";

/** A typed reference to a secret stored outside the manifest. */
export interface SecretRef {
  /** Marks the object as a reference. */
  kind: "secret_ref";
  /** The secret id, e.g. `llm.anthropic.default` (see {@link validateSecretRefId}). */
  ref: string;
}

/** Longest accepted id, in UTF-8 bytes. */
const MAX_SECRET_REF_BYTES = 128;

const ID_CHARS = /^[A-Za-z0-9._/-]*$/;

/** True when `value` has the shape of a secret reference (`kind` = "secret_ref", string `ref`). */
export function isSecretRef(value: unknown): value is SecretRef {
  return isRecord(value) && value.kind === "secret_ref" && typeof value.ref === "string";
}

/** Builds a validated {@link SecretRef}. */
export function secretRef(id: string): SecretRef {
  validateSecretRefId(id);
  return { kind: "secret_ref", ref: id };
}

/**
 * Checks a secret id: non-empty, at most 128 UTF-8 bytes, only `A-Z a-z 0-9 . _ / -`, no leading
 * `/`, no empty, `.` or `..` segment between slashes. Throws `secret_ref_invalid` (the message
 * never repeats the id: a malformed id may be a pasted credential). An id that is itself a
 * recognised credential format throws `secret_plaintext`.
 */
export function validateSecretRefId(id: string, field?: string): void {
  const where = field ? ` at ${field}` : "";
  const fail = (problem: string): never => {
    throw new InsomniaError(
      "secret_ref_invalid",
      `invalid secret reference id${where}: ${problem}. Ids use letters, digits and . _ / - ` +
        `(for example "llm.anthropic.default"), at most ${MAX_SECRET_REF_BYTES} bytes.`,
      field ? { field } : {},
    );
  };
  if (typeof id !== "string") fail("it must be a string");
  if (id.length === 0) fail("it is empty");
  const bytes = new TextEncoder().encode(id).length;
  if (bytes > MAX_SECRET_REF_BYTES) fail(`it is ${bytes} bytes long`);
  if (!ID_CHARS.test(id)) {
    const at = [...id].findIndex((c) => !/[A-Za-z0-9._/-]/.test(c));
    fail(`character ${at + 1} is not allowed`);
  }
  if (id.startsWith("/")) fail("it starts with /");
  const segments = id.split("/");
  const bad = segments.findIndex((s) => s === "" || s === "." || s === "..");
  if (bad >= 0) fail(`segment ${bad + 1} between slashes is empty, "." or ".."`);
  const kinds = detectSecretKinds(id);
  if (kinds.length > 0) {
    throw new InsomniaError(
      "secret_plaintext",
      `the secret reference id${where} looks like ${secretKindLabel(kinds[0])}, not an id: put ` +
        `the value in the store with \`printf %s "$KEY" | insomnia-pod secrets set <id>\` and ` +
        `reference it by a name such as "llm.anthropic.default".`,
      field ? { field, kind: kinds[0] } : { kind: kinds[0] },
    );
  }
}

/** Every secret reference in a JSON value, with its field path (`model.auth`), in document order. */
export function collectSecretRefs(value: unknown): Array<{ path: string; ref: string }> {
  const found: Array<{ path: string; ref: string }> = [];
  walkJson(value, {
    value(node, path) {
      if (isSecretRef(node)) {
        found.push({ path: path(), ref: node.ref });
        return false;
      }
    },
  });
  return found;
}
