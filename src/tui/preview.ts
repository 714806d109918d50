/**
 * Background previews for the New Pod dialog: one evaluation per choice, started on demand and
 * cached (a map of promises keyed by the choice's key), never rejected — an evaluation error
 * becomes an `error` preview the dialog shows in place. Also turns a resolved manifest into the
 * short rows the dialog displays (model, auth reference, workspace/scope, tool policy, context).
 * @module
 */
import { toInsomniaError } from "../errors.ts";
import type { PodManifest } from "../manifest/schema.ts";
import { describeAuth, describeModel, summaryRows } from "../manifest/summary.ts";

/** A settled preview. */
export type Preview =
  | { status: "ok"; rows: Array<[string, string]>; warnings: string[] }
  | { status: "error"; code: string; message: string };

/** Evaluates one choice (by key) to a manifest; may throw; should honour `signal`. */
export type Evaluator = (
  key: string,
  signal: AbortSignal,
) => Promise<{ manifest: PodManifest; warnings: string[]; workspace: string }>;

/** The preview rows of a manifest. */
function previewRows(manifest: PodManifest, workspace: string): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ["model", describeModel(manifest.model)],
    ["auth", describeAuth(manifest.model.auth)],
    ["workspace", workspace],
  ];
  for (const [key, value] of summaryRows(manifest)) {
    if (key === "scope" || key === "deny") rows.push([key, value]);
    else if (key === "permissions") rows.push(["tools", value]);
    else if (key === "compaction") {
      rows.push([
        "context",
        `window ${manifest.model.context_window}; compaction ${value}`,
      ]);
    }
  }
  return rows;
}

/** Caches one evaluation per key; `get` reports a settled preview, `ensure` starts one. */
export class PreviewCache {
  readonly #evaluate: Evaluator;
  readonly #signal: AbortSignal;
  readonly #pending = new Map<string, Promise<Preview>>();
  readonly #settled = new Map<string, Preview>();

  /** `signal` aborts every running evaluation (the dialog closed). */
  constructor(evaluate: Evaluator, signal: AbortSignal) {
    this.#evaluate = evaluate;
    this.#signal = signal;
  }

  /** The settled preview of `key`, if any. */
  get(key: string): Preview | undefined {
    return this.#settled.get(key);
  }

  /** True while `key` is being evaluated. */
  isPending(key: string): boolean {
    return this.#pending.has(key) && !this.#settled.has(key);
  }

  /** Forgets every preview (e.g. a project became trusted); running evaluations are dropped. */
  clear(): void {
    this.#pending.clear();
    this.#settled.clear();
  }

  /** Starts evaluating `key` unless it already was; resolves when its preview is settled. */
  ensure(key: string): Promise<Preview> {
    const known = this.#pending.get(key);
    if (known) return known;
    const promise = (async (): Promise<Preview> => {
      try {
        const { manifest, warnings, workspace } = await this.#evaluate(key, this.#signal);
        return { status: "ok", rows: previewRows(manifest, workspace), warnings };
      } catch (error) {
        const failure = toInsomniaError(error);
        return { status: "error", code: failure.code, message: failure.message };
      }
    })().then((preview) => {
      // A clear() since this started made it stale: it is not kept.
      if (this.#pending.get(key) === promise) this.#settled.set(key, preview);
      return preview;
    });
    this.#pending.set(key, promise);
    return promise;
  }
}
