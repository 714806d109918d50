import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { listPods, readPod } from "../src/store/pod_store.ts";
import { dirname, fromFileUrl } from "./helpers/path.ts";
import { tempStore } from "./helpers/store_worker.ts";

const WORKER = join(dirname(fromFileUrl(import.meta.url)), "helpers", "store_worker.ts");
const WORKERS = 20;

interface WorkerResult {
  ok: boolean;
  name?: string;
  code?: string;
  message?: string;
  start: number;
  end: number;
}

/** Reads newline-separated JSON lines from a stream. */
async function* jsonLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line) yield JSON.parse(line);
    }
  }
}

/** Starts `WORKERS` create workers, releases them together, and collects their results. */
async function raceCreate(root: string, name: string, explicit: boolean): Promise<WorkerResult[]> {
  const children = Array.from({ length: WORKERS }, () =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", WORKER, "create", root, name, explicit ? "1" : "0"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    }).spawn());
  const lines = children.map((child) => jsonLines(child.stdout));
  // Barrier: every worker has loaded the store code before any of them starts.
  for (const it of lines) assert.deepEqual((await it.next()).value, { ready: true });
  const writers = children.map((child) => child.stdin.getWriter());
  await Promise.all(writers.map((w) => w.write(new TextEncoder().encode("go\n"))));
  const results = await Promise.all(lines.map(async (it) => (await it.next()).value));
  await Promise.all(writers.map((w) => w.close()));
  await Promise.all(lines.map((it) => it.return(undefined)));
  const statuses = await Promise.all(children.map(async (child) => {
    const [status, stderr] = await Promise.all([
      child.status,
      new Response(child.stderr).text(),
    ]);
    return { code: status.code, stderr };
  }));
  for (const s of statuses) assert.equal(s.code, 0, s.stderr);
  const typed = results as WorkerResult[];
  // The workers really raced: some of their createPod calls overlapped in time.
  const overlapping = typed.filter((a) =>
    typed.some((b) => a !== b && a.start <= b.end && b.start <= a.end)
  );
  assert.ok(overlapping.length >= 2, "at least two createPod calls overlapped");
  return typed;
}

Deno.test({
  name: "20 processes creating one explicit name: exactly one wins, the rest get pod_exists",
  fn: async () => {
    const store = tempStore();
    try {
      const results = await raceCreate(store.root, "shared", true);
      const winners = results.filter((r) => r.ok);
      const losers = results.filter((r) => !r.ok);
      assert.equal(winners.length, 1, JSON.stringify(results));
      assert.equal(winners[0].name, "shared");
      assert.equal(losers.length, WORKERS - 1);
      for (const r of losers) {
        assert.equal(r.code, "pod_exists", r.message);
        assert.match(r.message ?? "", /`--pod shared`/);
      }
      assert.deepEqual(listPods(store).map((p) => [p.name, p.ok]), [["shared", true]]);
      assert.equal(readdirSync(join(store.root, "sessions")).length, 1);
      assert.deepEqual(readdirSync(join(store.root, "pods")), ["shared"]);
      assert.ok(readPod(store, "shared").pod.id);
    } finally {
      store.cleanup();
    }
  },
});

Deno.test({
  name: "20 processes creating one implicit name get 20 distinct names",
  fn: async () => {
    const store = tempStore();
    try {
      const results = await raceCreate(store.root, "dup", false);
      assert.ok(results.every((r) => r.ok), JSON.stringify(results));
      const names = results.map((r) => r.name!).sort();
      const expected = ["dup", ...Array.from({ length: WORKERS - 1 }, (_, i) => `dup-${i + 2}`)];
      assert.deepEqual(names, expected.sort());
      const list = listPods(store);
      assert.equal(list.length, WORKERS);
      assert.ok(list.every((p) => p.ok));
      assert.equal(new Set(list.map((p) => p.record!.pod.session_id)).size, WORKERS);
      assert.equal(readdirSync(join(store.root, "sessions")).length, WORKERS);
    } finally {
      store.cleanup();
    }
  },
});
