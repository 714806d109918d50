import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  createPod,
  listPods,
  readHistory,
  readPodBySession,
  type StoreOptions,
} from "../src/store/pod_store.ts";
import { dirname, fromFileUrl } from "./helpers/path.ts";
import { podInput, tempStore } from "./helpers/store_worker.ts";

const WORKER = join(dirname(fromFileUrl(import.meta.url)), "helpers", "store_worker.ts");
const TRIALS = 100;
const MAX_DELAY_MS = 150;

/**
 * Reads `stream` to its end in the background; `first` resolves with its first line. (Cancelling
 * a child's stdout while its read is pending would hang, so the stream is always drained.)
 */
function readLines(
  stream: ReadableStream<Uint8Array>,
): { first: Promise<string>; done: Promise<void> } {
  const decoder = new TextDecoder();
  let text = "";
  let resolveFirst: (line: string) => void = () => {};
  const first = new Promise<string>((resolve) => (resolveFirst = resolve));
  const done = (async () => {
    for await (const chunk of stream) {
      text += decoder.decode(chunk, { stream: true });
      const newline = text.indexOf("\n");
      if (newline >= 0) resolveFirst(text.slice(0, newline));
    }
    resolveFirst(text);
  })();
  return { first, done };
}

/** Number of temp entries in `dir` (0 when it does not exist yet). */
function tempsIn(dir: string): number {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith(".tmp-")).length : 0;
}

interface Observed {
  pods: number;
  tempsInPods: number;
  tempsInPodDirs: number;
  lockLeft: number;
}

/** Asserts the store is consistent after a crash and returns what the crash left behind. */
function verify(store: StoreOptions, trial: number, observed: Observed): void {
  const entries = listPods(store);
  for (const entry of entries) {
    assert.ok(
      entry.ok,
      `trial ${trial}: ${entry.name}: ${entry.error?.code} ${entry.error?.message}`,
    );
    assert.ok(!entry.name.startsWith("."), `trial ${trial}: temp entry ${entry.name} listed`);
    const record = entry.record!;
    assert.equal(readPodBySession(store, record.pod.session_id).pod.name, entry.name);
    assert.equal(readHistory(store, entry.name).length, record.history_count, `trial ${trial}`);
    observed.tempsInPodDirs += tempsIn(record.dir) + tempsIn(join(record.dir, "history"));
  }
  observed.pods += entries.length;
  observed.tempsInPods += tempsIn(join(store.root, "pods"));
  if (existsSync(join(store.root, ".lock"))) observed.lockLeft++;
}

Deno.test(`SIGKILL at random points of ${TRIALS} write loops never exposes a partial Pod`, async () => {
  const store = tempStore();
  const observed: Observed = { pods: 0, tempsInPods: 0, tempsInPodDirs: 0, lockLeft: 0 };
  try {
    for (let trial = 0; trial < TRIALS; trial++) {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--quiet", WORKER, "churn", store.root, String(trial + 1)],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
      }).spawn();
      const stderr = new Response(child.stderr).text();
      const stdout = readLines(child.stdout);
      const ready = await stdout.first;
      if (ready !== '{"ready":true}') {
        assert.fail(`worker did not start: ${ready}\n${await stderr}`);
      }
      // Spread the kills evenly over 0–150 ms, with jitter, so they land in every write phase.
      const delay = ((trial * 37) % (MAX_DELAY_MS + 1)) + Math.random() * 3;
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.kill("SIGKILL");
      const status = await child.status;
      assert.equal(status.signal, "SIGKILL", `worker ended on its own: ${await stderr}`);
      await Promise.all([stderr, stdout.done]);
      verify(store, trial, observed);
    }
    // After all the crashes the store still works: stale locks are broken, stale temps swept.
    const final = createPod(store, podInput("after-crashes"));
    assert.equal(final.pod.name, "after-crashes");
    assert.ok(listPods(store).every((p) => p.ok));
    assert.deepEqual(
      readdirSync(join(store.root, "pods")).filter((f) => f.startsWith(".")),
      [],
      "stale temp directories of dead workers were swept",
    );
    console.log(`crash trials: ${JSON.stringify(observed)}`);
    // Evidence that kills landed inside critical sections, not only between operations.
    assert.ok(observed.lockLeft > 0, "some kills happened while the store lock was held");
  } finally {
    store.cleanup();
  }
});
