/**
 * Credential positions of a manifest and what may stand there: reference objects only, never
 * literal credentials (anchor-facts §3, §10–11).
 * @module
 */
import { closest, distance } from "npm:fastest-levenshtein@1.0.16";
import { InsomniaError, isInsomniaError } from "../errors.ts";
import {
  detectSecretKinds,
  ENV_NAME_RE,
  looksLikeCredential,
  secretKindLabel,
} from "./patterns.ts";
import { validateSecretRefId } from "./refs.ts";
import { childPath, getAtPath, isRecord, walkJson } from "./walk.ts";

/** Manifest fields that hold credentials (AuthRef positions and the web search key). */
export const CREDENTIAL_POSITIONS = [
  "model.auth",
  "compaction.model.auth",
  "memory.extract_model.auth",
  "memory.consolidation_model.auth",
  "web.search.api_key",
] as const;

/** One of {@link CREDENTIAL_POSITIONS}. */
export type CredentialPosition = typeof CREDENTIAL_POSITIONS[number];

/** Fields that must hold an environment variable NAME (a value there is plaintext). */
export const ENV_NAME_POSITIONS = ["web.search.api_key_env"] as const;

/** Positions where only `secret_ref` is accepted. */
const SECRET_REF_ONLY: ReadonlySet<string> = new Set(["web.search.api_key"]);

/** Fields (besides `kind`) each AuthRef kind may carry. */
const KIND_FIELDS: Readonly<Record<string, readonly string[]>> = {
  none: [],
  api_key: ["env", "file"],
  codex_oauth: [],
  secret_ref: ["ref"],
};

/** The sentence every plaintext error ends with: how to write a reference and store the value. */
export const REFERENCE_HINT =
  'Use secrets.ref "<id>" in Nix or { kind = "secret_ref", ref = "<id>" } ' +
  'in TOML (for example "llm.anthropic.default"), and store the value with ' +
  '`printf %s "$KEY" | insomnia-pod secrets set <id>`.';

/** A problem found at a credential position (never carries the offending value). */
export interface CredentialProblem {
  code: "secret_plaintext" | "secret_ref_invalid";
  field: string;
  /** Detected credential kind, or `literal` when the value is not a recognised format. */
  kind?: string;
  message: string;
}

function looksLike(value: string): string {
  const kinds = detectSecretKinds(value);
  return kinds.length > 0 ? ` (it looks like ${secretKindLabel(kinds[0])})` : "";
}

function literal(field: string, value: unknown, what: string): CredentialProblem {
  const kinds = typeof value === "string" ? detectSecretKinds(value) : [];
  const hint = typeof value === "string" ? looksLike(value) : "";
  return {
    code: "secret_plaintext",
    field,
    kind: kinds[0] ?? "literal",
    message: `${field} ${what}${hint}; credentials must be references. ${REFERENCE_HINT}`,
  };
}

/** Every string or number leaf under `value`, as plaintext problems. */
function leafLiterals(value: unknown, base: string, why?: string): CredentialProblem[] {
  const out: CredentialProblem[] = [];
  walkJson(value, {
    value(node, at) {
      const path = at();
      const field = path === "" ? base : path.startsWith("[") ? base + path : `${base}.${path}`;
      if (typeof node === "string") {
        out.push(literal(field, node, why ?? "holds a literal string"));
      }
      if (typeof node === "number" || typeof node === "bigint") {
        out.push(literal(field, node, why ?? "holds a literal number"));
      }
    },
  });
  return out;
}

/** True when `value` is an environment variable name that does not look like a credential. */
export function isEnvVarName(value: unknown): value is string {
  return typeof value === "string" && ENV_NAME_RE.test(value) && !looksLikeCredential(value);
}

function inspectEnv(field: string, value: unknown): CredentialProblem[] {
  if (typeof value !== "string") return leafLiterals(value, field);
  if (isEnvVarName(value)) return [];
  const kinds = detectSecretKinds(value);
  const message = looksLikeCredential(value)
    ? `${field} must name an environment variable, but its value looks like ${
      secretKindLabel(kinds[0] ?? "")
    } rather than a name; credentials must be references. ${REFERENCE_HINT}`
    : `${field} is not an environment variable name (letters, digits and _, not starting with a ` +
      `digit); if it holds a credential, it must be a reference instead. ${REFERENCE_HINT}`;
  return [{ code: "secret_plaintext", field, kind: kinds[0] ?? "literal", message }];
}

/** `api_key.file`: a path string or `{ kind = "workspace_path", path = "…" }`. */
function inspectFile(field: string, value: unknown): CredentialProblem[] {
  const pathProblem = (f: string, path: string) =>
    detectSecretKinds(path).length > 0
      ? [literal(f, path, "must be a file path but holds a credential")]
      : [];
  if (typeof value === "string") return pathProblem(field, value);
  if (
    isRecord(value) && value.kind === "workspace_path" && typeof value.path === "string" &&
    Object.keys(value).every((k) => k === "kind" || k === "path")
  ) {
    return pathProblem(childPath(field, "path"), value.path);
  }
  return leafLiterals(value, field);
}

function inspectObject(
  position: string,
  value: Record<string, unknown>,
): CredentialProblem[] {
  const kind = typeof value.kind === "string" ? value.kind : undefined;
  // Own keys only: a kind such as "constructor" must not find Object.prototype's.
  const allowed = kind !== undefined && Object.hasOwn(KIND_FIELDS, kind)
    ? KIND_FIELDS[kind]
    : undefined;
  const problems: CredentialProblem[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (key === "kind") continue;
    const field = childPath(position, key);
    if (allowed?.includes(key)) {
      if (key === "env") problems.push(...inspectEnv(field, child));
      if (key === "file") problems.push(...inspectFile(field, child));
      if (key === "ref") {
        if (typeof child === "string") {
          try {
            validateSecretRefId(child, field);
          } catch (error) {
            if (!isInsomniaError(error)) throw error;
            problems.push({
              code: error.code === "secret_plaintext" ? "secret_plaintext" : "secret_ref_invalid",
              field,
              kind: typeof error.details.kind === "string" ? error.details.kind : undefined,
              message: error.message,
            });
          }
        } else {
          problems.push(...leafLiterals(child, field));
          problems.push({
            code: "secret_ref_invalid",
            field,
            message: `${field} must be a secret id string such as "llm.anthropic.default".`,
          });
        }
      }
    } else {
      const why = kind === undefined
        ? "holds a literal value in a credential object without a kind"
        : allowed === undefined
        ? `holds a literal value in a credential object of unknown kind "${kind}"`
        : `is not a field of a credential of kind "${kind}" and holds a literal value${
          suggestField(key, ["kind", ...allowed], position)
        }`;
      problems.push(...leafLiterals(child, field, why));
    }
  }
  if (kind === "secret_ref" && !Object.hasOwn(value, "ref")) {
    problems.push({
      code: "secret_ref_invalid",
      field: childPath(position, "ref"),
      message:
        `${position} is a secret_ref without a ref; write { kind = "secret_ref", ref = "<id>" }.`,
    });
  }
  if (SECRET_REF_ONLY.has(position) && kind !== "secret_ref" && problems.length === 0) {
    problems.push({
      code: "secret_ref_invalid",
      field: position,
      message: `${position} accepts only a secret reference, not ${
        kind === undefined ? "an object without a kind" : `kind "${kind}"`
      }. ${REFERENCE_HINT}`,
    });
  }
  return problems;
}

/** Problems at one credential position (empty when the value is absent or a valid reference). */
function inspectCredential(position: string, value: unknown): CredentialProblem[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return [literal(position, value, "holds a literal string")];
  if (typeof value === "number" || typeof value === "bigint") {
    return [literal(position, value, "holds a literal number")];
  }
  if (Array.isArray(value)) return leafLiterals(value, position);
  if (isRecord(value)) return inspectObject(position, value);
  return [];
}

/** True when `value` is a reference object accepted at `position` (absent values are not). */
export function isValidCredentialValue(position: string, value: unknown): boolean {
  if (!isRecord(value) || typeof value.kind !== "string") return false;
  if (!Object.hasOwn(KIND_FIELDS, value.kind)) return false;
  if (SECRET_REF_ONLY.has(position) && value.kind !== "secret_ref") return false;
  if (value.kind === "secret_ref" && typeof value.ref !== "string") return false;
  return inspectCredential(position, value).length === 0;
}

/** Problems at every credential position of a manifest, plaintext first. */
function credentialProblems(manifest: unknown): CredentialProblem[] {
  const problems = [
    ...CREDENTIAL_POSITIONS.flatMap((p) => inspectCredential(p, getAtPath(manifest, p))),
    ...ENV_NAME_POSITIONS.flatMap((p) => {
      const value = getAtPath(manifest, p);
      return value === undefined || value === null ? [] : inspectEnv(p, value);
    }),
  ];
  return [
    ...problems.filter((p) => p.code === "secret_plaintext"),
    ...problems.filter((p) => p.code !== "secret_plaintext"),
  ];
}

/**
 * Checks every credential position of a manifest ({@link CREDENTIAL_POSITIONS}). A literal string or
 * number there is `secret_plaintext`; so is an `api_key.env` (or `web.search.api_key_env`, see
 * {@link ENV_NAME_POSITIONS}) that is not a variable name or looks like a key. Accepted:
 * `{kind="none"}`, `{kind="api_key", env?, file?}`, `{kind="codex_oauth"}`, `{kind="secret_ref", ref}`
 * (the id is validated; `secret_ref_invalid` otherwise); `web.search.api_key` accepts `secret_ref`
 * only. `origin` (a file or profile name) prefixes the message when given.
 */
export function checkCredentialPositions(manifest: unknown, origin?: string): void {
  const problems = credentialProblems(manifest);
  if (problems.length === 0) return;
  const [first, ...rest] = problems;
  const more = rest.length === 0
    ? ""
    : ` Also: ${rest.map((p) => `${p.field} (${p.code})`).join(", ")}.`;
  const details: Record<string, unknown> = { field: first.field };
  if (first.kind) details.kind = first.kind;
  if (rest.length > 0) {
    details.problems = problems.map((p) => ({ field: p.field, code: p.code, kind: p.kind }));
  }
  throw new InsomniaError(
    first.code,
    `${origin ? `${origin}: ` : ""}${first.message}${more}`,
    details,
  );
}

/** " (did you mean `<position>.<key>`?)" for a near-miss field name, else "". */
function suggestField(key: string, known: string[], position: string): string {
  const best = closest(key, known);
  return distance(key, best) <= Math.max(2, Math.floor(key.length / 3))
    ? ` (did you mean \`${position}.${best}\`?)`
    : "";
}
