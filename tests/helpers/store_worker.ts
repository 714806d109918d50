/**
 * Subprocess worker for the store's concurrency and crash-safety tests.
 *
 * Also exports the fixtures the store tests share (temp store roots, manifests, tree snapshots).
 *
 * Usage:
 *   store_worker.ts create <root> <name> <explicit:1|0>
 *     prints {"ready":true}, waits for a line on stdin, calls createPod once and prints
 *     {"ok":true,"name":…} or {"ok":false,"code":…,"message":…}.
 *   store_worker.ts churn <root> <seed>
 *     prints {"ready":true}, then loops forever creating, replacing and removing Pods with ~100 KB
 *     manifests (the parent SIGKILLs it). Any error is printed and exits with status 1.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isInsomniaError } from "../../src/errors.ts";
import {
  createPod,
  type CreatePodInput,
  listPods,
  removePod,
  replaceSnapshot,
  type StoreOptions,
} from "../../src/store/pod_store.ts";

/** The manifest check the store tests use: a `pod.name` string and a `scope.allow` list. */
export function testValidateManifest(manifest: unknown): void {
  const m = manifest as { pod?: { name?: unknown }; scope?: { allow?: unknown } };
  if (typeof m?.pod?.name !== "string") throw new Error("missing required field: pod.name");
  if (!Array.isArray(m.scope?.allow) || m.scope.allow.length === 0) {
    throw new Error("missing required field: scope.allow");
  }
}

/** A resolved-manifest-shaped object of roughly `kb` kilobytes, different for each `tag`. */
export function bigManifest(tag: string, kb = 100): Record<string, unknown> {
  const line = `${tag}:`.padEnd(96, "x");
  return {
    pod: { name: "placeholder" },
    model: { ref: "anthropic/claude-sonnet-4-6" },
    scope: { allow: [{ target: "/work", permission: "write", recursive: true }], deny: [] },
    notes: Array.from({ length: Math.ceil((kb * 1024) / 100) }, (_, i) => `${i}:${line}`),
  };
}

/** A temp directory whose `store` child is the (not yet created) store root. */
export function tempStore(validate = true): StoreOptions & { base: string; cleanup(): void } {
  const base = mkdtempSync(join(tmpdir(), "insomnia-store-"));
  return {
    base,
    root: join(base, "store"),
    validateManifest: validate ? testValidateManifest : undefined,
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}

/** A small valid manifest. */
export function smallManifest(tag = "m"): Record<string, unknown> {
  return {
    pod: { name: "from-profile", prompt_pack: null },
    model: { ref: "anthropic/claude-sonnet-4-6", tag },
    scope: { allow: [{ target: "/work", permission: "write", recursive: true }], deny: [] },
    worker: { instruction: "$insomnia/default", max_turns: 10 },
  };
}

/** A CreatePodInput for `name`. */
export function podInput(name: string, explicitName = true, tag = "m"): CreatePodInput {
  return {
    name,
    explicitName,
    profile: {
      selector: "path:/home/u/coder.nix",
      source: { kind: "path", path: "/home/u/coder.nix" },
      metadata: { format: "insomnia.nix-profile.v1", name: "coder" },
      workspace: "/work",
    },
    fingerprint: {
      profile_sha256: "ab".repeat(32),
      nix_version: "nix (Nix) 2.28.3",
      library_version: "1",
      evaluator: "nix",
    },
    manifest: smallManifest(tag),
  };
}

/** Every file and directory under `dir`, relative, with its content (files) or "dir". */
export function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(p).isDirectory()) {
        out[r + "/"] = "dir";
        walk(p, r);
      } else out[r] = readFileSync(p, "latin1");
    }
  };
  walk(dir, "");
  return out;
}

/** Permission bits of `path`. */
export function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

/** Writes one JSON line to stdout synchronously (the churn loop never yields to the event loop). */
function print(value: unknown): void {
  const bytes = new TextEncoder().encode(JSON.stringify(value) + "\n");
  let offset = 0;
  while (offset < bytes.length) offset += Deno.stdout.writeSync(bytes.subarray(offset));
}

async function waitForLine(): Promise<void> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of Deno.stdin.readable) {
    text += decoder.decode(chunk);
    if (text.includes("\n")) return;
  }
}

async function createOnce(root: string, name: string, explicit: boolean): Promise<void> {
  const opts: StoreOptions = { root, validateManifest: testValidateManifest };
  print({ ready: true });
  await waitForLine();
  const start = Date.now();
  try {
    const pod = createPod(opts, {
      name,
      explicitName: explicit,
      profile: { source: { kind: "path", path: "/p.nix" } },
      fingerprint: { pid: Deno.pid },
      manifest: bigManifest(`w${Deno.pid}`, 2),
    });
    print({ ok: true, name: pod.pod.name, start, end: Date.now() });
  } catch (error) {
    if (!isInsomniaError(error)) throw error;
    print({ ok: false, code: error.code, message: error.message, start, end: Date.now() });
  }
}

/** A churn worker exits on its own after this long (the tests kill it much earlier). */
const CHURN_MAX_MS = 15_000;

function churn(root: string, seed: number): void {
  const opts: StoreOptions = { root, validateManifest: testValidateManifest };
  let state = seed * 2654435761 % 4294967296 || 1;
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  print({ ready: true });
  // Never outlive a parent that forgot to kill us.
  const deadline = Date.now() + CHURN_MAX_MS;
  for (let i = 0; Date.now() < deadline; i++) {
    const pods = listPods(opts).filter((p) => p.ok).map((p) => p.name);
    if (pods.length >= 4) removePod(opts, pods[Math.floor(random() * pods.length)]);
    const pod = createPod(opts, {
      name: "crash",
      explicitName: false,
      profile: { source: { kind: "registry", name: "crash" }, seed, i },
      fingerprint: { sha256: "0".repeat(64), i },
      manifest: bigManifest(`s${seed}-i${i}-create`),
    });
    replaceSnapshot(opts, pod.pod.name, {
      manifest: bigManifest(`s${seed}-i${i}-replace`),
      profile: { seed, i, replaced: true },
      fingerprint: null,
    });
    if (pods.length > 0) {
      const other = pods[Math.floor(random() * pods.length)];
      try {
        replaceSnapshot(opts, other, {
          manifest: bigManifest(`s${seed}-i${i}-other`),
          profile: null,
          fingerprint: null,
        });
      } catch (error) {
        // `other` may have been the Pod removed above.
        if (!(isInsomniaError(error) && error.code === "pod_not_found")) throw error;
      }
    }
  }
  print({ ok: false, code: "worker_timeout", message: "churn worker was not killed in time" });
  Deno.exit(2);
}

if (import.meta.main) {
  const [mode, root, ...rest] = Deno.args;
  Deno.unrefTimer(setTimeout(() => Deno.exit(3), 60_000));
  try {
    if (mode === "create") await createOnce(root, rest[0], rest[1] === "1");
    else if (mode === "churn") churn(root, Number(rest[0] ?? 1));
    else throw new Error(`unknown mode ${mode}`);
  } catch (error) {
    print({ ok: false, code: "worker_crash", message: String(error) });
    Deno.exit(1);
  }
}
