import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { InsomniaError } from "../src/errors.ts";
import {
  canonicalJson,
  createPod,
  listPods,
  planPodName,
  podRecordSha256,
  readHistory,
  readPod,
  readPodBySession,
  removePod,
  replaceSnapshot,
  sha256Hex,
  touchPod,
} from "../src/store/pod_store.ts";
import { modeOf, podInput, smallManifest, tempStore, tree } from "./helpers/store_worker.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function throwsCode(fn: () => unknown, code: string, match?: RegExp): InsomniaError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof InsomniaError, `expected InsomniaError ${code}, got ${caught}`);
  assert.equal(caught.code, code, caught.message);
  if (match) assert.match(caught.message, match);
  assert.ok(!caught.message.includes("\n    at "), "no stack trace in the message");
  return caught;
}

Deno.test("createPod writes a record that readPod returns unchanged", () => {
  const store = tempStore();
  try {
    const input = podInput("coder");
    const created = createPod(store, input);
    assert.equal(created.format, "insomnia.pod.v1");
    assert.equal(created.pod.name, "coder");
    assert.match(created.pod.id, UUID);
    assert.match(created.pod.session_id, UUID);
    assert.notEqual(created.pod.id, created.pod.session_id);
    assert.equal(created.pod.created_at, created.pod.updated_at);
    assert.ok(!Number.isNaN(Date.parse(created.pod.created_at)));
    assert.deepEqual(created.profile, input.profile);
    assert.deepEqual(created.fingerprint, input.fingerprint);
    assert.equal(created.history_count, 0);
    assert.equal(created.dir, join(store.root, "pods", "coder"));
    // pod.name is set to the final name before hashing; the caller's object is not mutated.
    assert.equal((created.snapshot.manifest.pod as { name: string }).name, "coder");
    assert.equal((input.manifest.pod as { name: string }).name, "from-profile");
    assert.equal(created.snapshot.sha256, sha256Hex(canonicalJson(created.snapshot.manifest)));

    const read = readPod(store, "coder");
    assert.deepEqual(read, created);
    const onDisk = JSON.parse(readFileSync(join(created.dir, "pod.json"), "utf8"));
    assert.deepEqual(Object.keys(onDisk), [
      "format",
      "pod",
      "profile",
      "fingerprint",
      "snapshot",
      "history_count",
      "record_sha256",
    ]);
    assert.equal(onDisk.record_sha256, podRecordSha256(onDisk));
    assert.ok(!("dir" in onDisk));
    assert.deepEqual(JSON.parse(readFileSync(join(store.root, "store.json"), "utf8")), {
      format: "insomnia.store.v1",
    });
    const index = JSON.parse(
      readFileSync(join(store.root, "sessions", `${created.pod.session_id}.json`), "utf8"),
    );
    assert.deepEqual(index, {
      format: "insomnia.session.v1",
      pod: "coder",
      pod_id: created.pod.id,
    });
  } finally {
    store.cleanup();
  }
});

Deno.test("createPod keeps a manifest without a pod object as is", () => {
  const store = tempStore(false);
  try {
    const created = createPod(store, { ...podInput("bare"), manifest: { model: { x: 1 } } });
    assert.deepEqual(created.snapshot.manifest, { model: { x: 1 } });
    assert.deepEqual(readPod(store, "bare").snapshot, created.snapshot);
  } finally {
    store.cleanup();
  }
});

Deno.test("store directories are 0700 and files 0600", () => {
  const store = tempStore();
  try {
    const pod = createPod(store, podInput("perm"));
    replaceSnapshot(store, "perm", { manifest: smallManifest("2"), profile: null, fingerprint: 1 });
    const history = join(pod.dir, "history");
    for (const dir of [store.root, join(store.root, "pods"), join(store.root, "sessions")]) {
      assert.equal(modeOf(dir), 0o700, dir);
    }
    assert.equal(modeOf(pod.dir), 0o700);
    assert.equal(modeOf(history), 0o700);
    assert.equal(modeOf(join(pod.dir, "pod.json")), 0o600);
    assert.equal(modeOf(join(store.root, "store.json")), 0o600);
    assert.equal(modeOf(join(store.root, "sessions", `${pod.pod.session_id}.json`)), 0o600);
    for (const file of readdirSync(history)) assert.equal(modeOf(join(history, file)), 0o600);
    assert.ok(!existsSync(join(store.root, ".lock")), "the lock is released");
  } finally {
    store.cleanup();
  }
});

Deno.test("implicit names get -2, -3…; explicit collisions are pod_exists", () => {
  const store = tempStore();
  try {
    assert.equal(planPodName(store, "coder", false), "coder");
    assert.ok(!existsSync(store.root), "planPodName writes nothing");
    assert.equal(createPod(store, podInput("coder", false)).pod.name, "coder");
    assert.equal(planPodName(store, "coder", false), "coder-2");
    const second = createPod(store, podInput("coder", false));
    assert.equal(second.pod.name, "coder-2");
    assert.equal((second.snapshot.manifest.pod as { name: string }).name, "coder-2");
    assert.equal(createPod(store, podInput("coder", false)).pod.name, "coder-3");
    removePod(store, "coder-2");
    assert.equal(createPod(store, podInput("coder", false)).pod.name, "coder-2");
    assert.equal(createPod(store, podInput("coder", false)).pod.name, "coder-4");

    const before = tree(store.root);
    const error = throwsCode(() => createPod(store, podInput("coder", true)), "pod_exists");
    assert.match(error.message, /`--pod coder`/);
    throwsCode(() => planPodName(store, "coder", true), "pod_exists");
    assert.deepEqual(tree(store.root), before, "a refused create changes nothing");
    assert.equal(planPodName(store, "fresh", true), "fresh");
  } finally {
    store.cleanup();
  }
});

Deno.test("implicit suffixes keep a 128-character base valid", () => {
  const store = tempStore();
  try {
    const base = "b".repeat(128);
    assert.equal(createPod(store, podInput(base, false)).pod.name, base);
    const next = createPod(store, podInput(base, false)).pod.name;
    assert.equal(next, "b".repeat(126) + "-2");
    assert.equal(readPod(store, next).pod.name, next);
  } finally {
    store.cleanup();
  }
});

Deno.test("invalid names are refused before anything is written", () => {
  const store = tempStore();
  try {
    for (const name of ["", "../evil", ".hidden", "a b"]) {
      throwsCode(() => createPod(store, podInput(name)), "pod_name_invalid");
      throwsCode(() => readPod(store, name), "pod_name_invalid");
      throwsCode(() => removePod(store, name), "pod_name_invalid");
    }
    assert.ok(!existsSync(store.root));
  } finally {
    store.cleanup();
  }
});

Deno.test("createPod refuses a manifest that validateManifest rejects", () => {
  const store = tempStore();
  try {
    const input = podInput("bad");
    input.manifest = { pod: { name: "bad" }, scope: { allow: [] } };
    throwsCode(() => createPod(store, input), "snapshot_invalid", /scope\.allow/);
    assert.deepEqual(listPods(store), []);
    assert.deepEqual(readdirSync(join(store.root, "pods")), []);
    assert.deepEqual(readdirSync(join(store.root, "sessions")), []);
  } finally {
    store.cleanup();
  }
});

Deno.test("readPod on a missing Pod or store is pod_not_found and creates nothing", () => {
  const store = tempStore();
  try {
    throwsCode(() => readPod(store, "ghost"), "pod_not_found", /no Pod named "ghost"/);
    assert.ok(!existsSync(store.root));
    assert.deepEqual(listPods(store), []);
    createPod(store, podInput("real"));
    throwsCode(() => readPod(store, "ghost"), "pod_not_found", /Pods in this store: real/);
  } finally {
    store.cleanup();
  }
});

/** Corruptions of pod.json, each expected to yield snapshot_invalid with `reason` in the message. */
const CORRUPTIONS: Array<{ label: string; reason: RegExp; edit: (text: string) => string }> = [
  {
    label: "one byte edited in the manifest",
    reason: /SHA-256 of snapshot\.manifest/,
    edit: (t) => t.replace('"max_turns": 10', '"max_turns": 11'),
  },
  {
    label: "one byte edited in a string",
    reason: /edited or corrupted/,
    edit: (t) => t.replace("$insomnia/default", "$insomnia/defaulT"),
  },
  { label: "truncated file", reason: /not valid JSON/, edit: (t) => t.slice(0, t.length / 2) },
  { label: "empty file", reason: /not valid JSON/, edit: () => "" },
  { label: "invalid JSON", reason: /not valid JSON/, edit: (t) => t.replace("{", "{,") },
  { label: "JSON array", reason: /not a JSON object/, edit: () => "[]" },
  {
    label: "wrong format version",
    reason: /"insomnia\.pod\.v2".*reads only "insomnia\.pod\.v1"/,
    edit: (t) => t.replace('"insomnia.pod.v1"', '"insomnia.pod.v2"'),
  },
  {
    label: "missing format",
    reason: /no "format" field/,
    edit: (t) => t.replace('"format": "insomnia.pod.v1",', ""),
  },
  {
    label: "sha256 not hex",
    reason: /snapshot\.sha256/,
    edit: (t) => t.replace(/"sha256": "[0-9a-f]{64}"/, '"sha256": "nope"'),
  },
  {
    label: "renamed pod",
    reason: /pod\.name is "other"/,
    edit: (t) => t.replace('"name": "victim",\n    "id"', '"name": "other",\n    "id"'),
  },
  {
    label: "profile source path pointed at another file",
    reason: /record_sha256.*profile \(provenance\)/,
    edit: (t) => t.replace('"path": "/home/u/coder.nix"', '"path": "/tmp/evil.nix"'),
  },
  {
    label: "profile workspace changed",
    reason: /record_sha256/,
    edit: (t) => t.replace('"workspace": "/work"', '"workspace": "/elsewhere"'),
  },
  {
    label: "profile replaced by null",
    reason: /record_sha256/,
    edit: (t) =>
      t.replace(
        /"profile": \{[\s\S]*?\n {2}\},\n {2}"fingerprint"/,
        '"profile": null,\n  "fingerprint"',
      ),
  },
  {
    label: "fingerprint edited",
    reason: /record_sha256.*fingerprint/,
    edit: (t) => t.replace('"profile_sha256": "abab', '"profile_sha256": "cdab'),
  },
  {
    label: "session id edited",
    reason: /record_sha256/,
    edit: (t) => t.replace(/"session_id": "[0-9a-f]/, '"session_id": "x'),
  },
  {
    label: "created_at edited",
    reason: /record_sha256/,
    edit: (t) => t.replace(/"created_at": "\d/, '"created_at": "9'),
  },
  {
    label: "manifest edited and snapshot.sha256 recomputed",
    reason: /record_sha256/,
    edit: (t) => {
      const record = JSON.parse(t);
      record.snapshot.manifest.model.ref = "anthropic/claude-opus-4-1";
      record.snapshot.sha256 = sha256Hex(canonicalJson(record.snapshot.manifest));
      return JSON.stringify(record, null, 2) + "\n";
    },
  },
  {
    label: "record_sha256 removed",
    reason: /record_sha256 is missing/,
    edit: (t) => t.replace(/,\n {2}"record_sha256": "[0-9a-f]{64}"/, ""),
  },
  {
    label: "record_sha256 edited",
    reason: /record_sha256 says/,
    edit: (t) =>
      t.replace(/"record_sha256": "[0-9a-f]{64}"/, `"record_sha256": "${"0".repeat(64)}"`),
  },
  {
    label: "negative history_count",
    reason: /history_count/,
    edit: (t) => t.replace('"history_count": 0', '"history_count": -1'),
  },
];

Deno.test("readPod reports a corrupted record as snapshot_invalid and leaves its bytes alone", () => {
  for (const { label, reason, edit } of CORRUPTIONS) {
    const store = tempStore();
    try {
      const pod = createPod(store, podInput("victim"));
      const file = join(pod.dir, "pod.json");
      const original = readFileSync(file, "utf8");
      const corrupted = edit(original);
      assert.notEqual(corrupted, original, `${label}: the edit applies`);
      writeFileSync(file, corrupted);
      const before = tree(store.root);
      const error = throwsCode(() => readPod(store, "victim"), "snapshot_invalid", reason);
      assert.ok(error.message.includes(file), `${label}: names the file`);
      assert.match(error.message, /left untouched/, label);
      assert.equal(error.details.file, file);
      const [entry] = listPods(store);
      assert.equal(entry.ok, false, label);
      assert.equal(entry.error?.code, "snapshot_invalid", label);
      throwsCode(() => readPodBySession(store, pod.pod.session_id), "snapshot_invalid");
      throwsCode(
        () =>
          replaceSnapshot(store, "victim", {
            manifest: smallManifest(),
            profile: null,
            fingerprint: null,
          }),
        "snapshot_invalid",
      );
      throwsCode(() => touchPod(store, "victim"), "snapshot_invalid");
      assert.deepEqual(tree(store.root), before, `${label}: nothing changed`);
      assert.equal(readFileSync(file, "utf8"), corrupted);
      removePod(store, "victim");
      assert.deepEqual(listPods(store), [], `${label}: a broken Pod can be removed`);
      assert.deepEqual(readdirSync(join(store.root, "sessions")), [], label);
    } finally {
      store.cleanup();
    }
  }
});

Deno.test("readPod turns a validateManifest failure into snapshot_invalid", () => {
  const store = tempStore(false);
  try {
    createPod(store, podInput("strict"));
    const before = tree(store.root);
    const strict = {
      ...store,
      validateManifest: () => {
        throw new Error("missing required field: scope.allow\nmore detail");
      },
    };
    const error = throwsCode(() => readPod(strict, "strict"), "snapshot_invalid");
    assert.match(
      error.message,
      /does not pass validation \(missing required field: scope\.allow; more detail\)/,
    );
    assert.deepEqual(listPods(strict).map((p) => [p.name, p.ok]), [["strict", false]]);
    assert.deepEqual(tree(store.root), before);
    // The structural read used by replace does not apply validateManifest to the old snapshot.
    const replaced = replaceSnapshot(store, "strict", {
      manifest: smallManifest("new"),
      profile: null,
      fingerprint: null,
    });
    assert.equal(replaced.history_count, 1);
  } finally {
    store.cleanup();
  }
});

Deno.test("a Pod directory without pod.json is snapshot_invalid, not missing", () => {
  const store = tempStore();
  try {
    createPod(store, podInput("ok"));
    mkdirSync(join(store.root, "pods", "empty"));
    throwsCode(() => readPod(store, "empty"), "snapshot_invalid", /the file is missing/);
    assert.deepEqual(listPods(store).map((p) => [p.name, p.ok]), [["empty", false], ["ok", true]]);
  } finally {
    store.cleanup();
  }
});

Deno.test("replaceSnapshot writes history first and keeps every previous snapshot", () => {
  const store = tempStore();
  try {
    const first = createPod(store, podInput("hist", true, "v1"));
    const second = replaceSnapshot(store, "hist", {
      manifest: smallManifest("v2"),
      profile: { source: "v2" },
      fingerprint: { n: 2 },
    });
    assert.equal(second.history_count, 1);
    assert.equal(second.pod.id, first.pod.id);
    assert.equal(second.pod.session_id, first.pod.session_id);
    assert.equal(second.pod.created_at, first.pod.created_at);
    assert.ok(second.pod.updated_at >= first.pod.updated_at);
    assert.equal((second.snapshot.manifest.pod as { name: string }).name, "hist");
    assert.deepEqual(second.profile, { source: "v2" });
    const third = replaceSnapshot(store, "hist", {
      manifest: smallManifest("v3"),
      profile: null,
      fingerprint: null,
    });
    assert.equal(third.history_count, 2);
    assert.deepEqual(readPod(store, "hist"), third);

    const history = readHistory(store, "hist");
    assert.deepEqual(history.map((h) => h.seq), [1, 2]);
    assert.deepEqual(history[0].snapshot, first.snapshot);
    assert.deepEqual(history[0].profile, first.profile);
    assert.deepEqual(history[0].fingerprint, first.fingerprint);
    assert.deepEqual(history[1].snapshot, second.snapshot);
    assert.deepEqual(history[1].profile, { source: "v2" });
    assert.equal(history[1].replaced_at, third.pod.updated_at);
    const files = readdirSync(join(first.dir, "history")).sort();
    assert.equal(files.length, 2);
    assert.match(files[0], /^000001-\d{8}T\d{9}Z\.json$/);
    const entry = JSON.parse(readFileSync(join(first.dir, "history", files[0]), "utf8"));
    assert.equal(entry.format, "insomnia.pod-history.v1");
    assert.equal(entry.seq, 1);
  } finally {
    store.cleanup();
  }
});

Deno.test("replaceSnapshot refuses an invalid manifest and a missing Pod without writing", () => {
  const store = tempStore();
  try {
    createPod(store, podInput("keep"));
    const before = tree(store.root);
    throwsCode(
      () =>
        replaceSnapshot(store, "keep", { manifest: { pod: {} }, profile: null, fingerprint: null }),
      "snapshot_invalid",
      /not stored and nothing was changed/,
    );
    throwsCode(
      () =>
        replaceSnapshot(store, "nope", {
          manifest: smallManifest(),
          profile: null,
          fingerprint: null,
        }),
      "pod_not_found",
    );
    assert.deepEqual(tree(store.root), before);
  } finally {
    store.cleanup();
  }
});

Deno.test("history left by a crashed replace is ignored, then superseded", () => {
  const store = tempStore();
  try {
    const pod = createPod(store, podInput("orphan", true, "v1"));
    // A replace that wrote its history entry and died before writing pod.json.
    const orphan = join(pod.dir, "history", "000001-20260101T000000000Z.json");
    writeFileSync(orphan, JSON.stringify({ format: "insomnia.pod-history.v1", seq: 1 }));
    assert.deepEqual(readHistory(store, "orphan"), []);
    replaceSnapshot(store, "orphan", {
      manifest: smallManifest("v2"),
      profile: null,
      fingerprint: null,
    });
    assert.ok(!existsSync(orphan));
    const history = readHistory(store, "orphan");
    assert.equal(history.length, 1);
    assert.deepEqual(history[0].snapshot, pod.snapshot);
  } finally {
    store.cleanup();
  }
});

Deno.test("readHistory works on a Pod whose current record is broken", () => {
  const store = tempStore();
  try {
    const pod = createPod(store, podInput("rescue", true, "v1"));
    replaceSnapshot(store, "rescue", {
      manifest: smallManifest("v2"),
      profile: null,
      fingerprint: null,
    });
    writeFileSync(join(pod.dir, "pod.json"), "{ truncated");
    const history = readHistory(store, "rescue");
    assert.equal(history.length, 1);
    assert.deepEqual(history[0].snapshot, pod.snapshot);
    throwsCode(() => readHistory(store, "absent"), "pod_not_found");
    const [file] = readdirSync(join(pod.dir, "history"));
    writeFileSync(join(pod.dir, "history", file), "{}");
    throwsCode(() => readHistory(store, "rescue"), "snapshot_invalid", /no "format" field/);
  } finally {
    store.cleanup();
  }
});

Deno.test("readPodBySession finds the Pod, also without its index file", () => {
  const store = tempStore();
  try {
    const a = createPod(store, podInput("alpha"));
    const b = createPod(store, podInput("beta"));
    assert.deepEqual(readPodBySession(store, a.pod.session_id), a);
    assert.deepEqual(readPodBySession(store, b.pod.session_id), b);
    throwsCode(() => readPodBySession(store, crypto.randomUUID()), "pod_not_found", /session id/);
    throwsCode(() => readPodBySession(store, "../../etc/passwd"), "pod_not_found");
    Deno.removeSync(join(store.root, "sessions", `${b.pod.session_id}.json`));
    assert.deepEqual(readPodBySession(store, b.pod.session_id), b);
    // A stale index pointing at a re-created Pod of the same name is not trusted.
    removePod(store, "alpha");
    writeFileSync(
      join(store.root, "sessions", `${a.pod.session_id}.json`),
      JSON.stringify({ format: "insomnia.session.v1", pod: "alpha", pod_id: a.pod.id }),
    );
    createPod(store, podInput("alpha"));
    throwsCode(() => readPodBySession(store, a.pod.session_id), "pod_not_found");
  } finally {
    store.cleanup();
  }
});

Deno.test("removePod deletes the Pod directory and its session index", () => {
  const store = tempStore();
  try {
    const pod = createPod(store, podInput("gone"));
    replaceSnapshot(store, "gone", {
      manifest: smallManifest("2"),
      profile: null,
      fingerprint: null,
    });
    createPod(store, podInput("stay"));
    removePod(store, "gone");
    assert.ok(!existsSync(pod.dir));
    assert.ok(!existsSync(join(store.root, "sessions", `${pod.pod.session_id}.json`)));
    throwsCode(() => readPod(store, "gone"), "pod_not_found");
    throwsCode(() => readPodBySession(store, pod.pod.session_id), "pod_not_found");
    throwsCode(() => removePod(store, "gone"), "pod_not_found");
    assert.deepEqual(readdirSync(join(store.root, "pods")), ["stay"]);
    assert.equal(readdirSync(join(store.root, "sessions")).length, 1);
  } finally {
    store.cleanup();
  }
});

Deno.test("listPods is sorted, hides temp and hidden entries, and marks a broken record", () => {
  const store = tempStore();
  try {
    for (const name of ["zeta", "Alpha", "beta", "alpha-2", "9"]) createPod(store, podInput(name));
    writeFileSync(join(store.root, "pods", "beta", "pod.json"), "{");
    mkdirSync(join(store.root, "pods", ".tmp-create.1.abcdef"));
    writeFileSync(join(store.root, "pods", ".tmp-create.1.abcdef", "pod.json"), "{}");
    mkdirSync(join(store.root, "pods", ".hidden"));
    writeFileSync(join(store.root, "pods", "stray-file"), "x");
    const list = listPods(store);
    assert.deepEqual(list.map((p) => p.name), ["9", "Alpha", "alpha-2", "beta", "zeta"]);
    assert.deepEqual(list.map((p) => p.ok), [true, true, true, false, true]);
    assert.equal(list[3].error?.code, "snapshot_invalid");
    assert.equal(list[3].record, undefined);
    assert.equal(list[0].record?.pod.name, "9");
    const odd = join(store.root, "pods", "bad name");
    mkdirSync(odd);
    const withOdd = listPods(store);
    assert.equal(withOdd[0].name, "9");
    assert.deepEqual(withOdd.find((p) => p.name === "bad name")?.error?.code, "pod_name_invalid");
  } finally {
    store.cleanup();
  }
});

Deno.test("touchPod bumps updated_at and nothing else", async () => {
  const store = tempStore();
  try {
    const pod = createPod(store, podInput("touch"));
    await new Promise((r) => setTimeout(r, 5));
    const touched = touchPod(store, "touch");
    assert.notEqual(touched.pod.updated_at, pod.pod.updated_at);
    assert.deepEqual({ ...touched, pod: { ...touched.pod, updated_at: "" } }, {
      ...pod,
      pod: { ...pod.pod, updated_at: "" },
    });
    assert.deepEqual(readPod(store, "touch"), touched);
    const text = readFileSync(join(pod.dir, "pod.json"), "utf8");
    assert.equal(
      text.replace(touched.pod.updated_at, pod.pod.updated_at),
      JSON.stringify({ ...pod, dir: undefined }, null, 2) + "\n",
      "only updated_at changed in the file",
    );
    throwsCode(() => touchPod(store, "missing"), "pod_not_found");
  } finally {
    store.cleanup();
  }
});

Deno.test("a store.json of another format is refused with store_io", () => {
  const store = tempStore();
  try {
    mkdirSync(store.root, { recursive: true });
    writeFileSync(join(store.root, "store.json"), JSON.stringify({ format: "other.v9" }));
    throwsCode(() => createPod(store, podInput("x")), "store_io", /"other\.v9"/);
    throwsCode(() => listPods(store), "store_io");
    assert.ok(!existsSync(join(store.root, "pods")));
  } finally {
    store.cleanup();
  }
});

Deno.test("createPod sweeps a half-built Pod left by a dead process, with its session index", () => {
  const store = tempStore();
  try {
    createPod(store, podInput("first"));
    const deadPid = 2 ** 22 + 12345; // above Linux's default pid_max
    const temp = join(store.root, "pods", `.tmp-create.${deadPid}.a1b2c3`);
    mkdirSync(temp);
    const sid = crypto.randomUUID();
    writeFileSync(
      join(temp, "pod.json"),
      JSON.stringify({ pod: { id: "pid-x", session_id: sid } }),
    );
    const index = join(store.root, "sessions", `${sid}.json`);
    writeFileSync(
      index,
      JSON.stringify({ format: "insomnia.session.v1", pod: "x", pod_id: "pid-x" }),
    );
    const liveTemp = join(store.root, "pods", `.tmp-create.${Deno.pid}.d4e5f6`);
    mkdirSync(liveTemp);
    // The dead process died holding the store lock (temp entries exist only under it): its lock
    // is broken as stale, and that is what makes the next create sweep.
    writeFileSync(
      join(store.root, ".lock"),
      JSON.stringify({ pid: deadPid, token: "dead", acquired_at: new Date(0).toISOString() }),
    );
    createPod(store, podInput("second"));
    assert.ok(!existsSync(join(store.root, ".sweep")), "the sweep marker is consumed");
    assert.ok(!existsSync(temp));
    assert.ok(!existsSync(index));
    assert.ok(existsSync(liveTemp), "a temp dir of a live process is kept");
    assert.deepEqual(listPods(store).map((p) => p.name), ["first", "second"]);
  } finally {
    store.cleanup();
  }
});

Deno.test("store files are pretty JSON with a trailing newline", () => {
  const store = tempStore();
  try {
    const pod = createPod(store, podInput("pretty"));
    const text = readFileSync(join(pod.dir, "pod.json"), "utf8");
    assert.ok(text.endsWith("}\n"));
    assert.ok(
      text.startsWith('{\n  "format": "insomnia.pod.v1",\n  "pod": {\n    "name": "pretty"'),
    );
  } finally {
    store.cleanup();
  }
});

Deno.test("record_sha256 leaves out only updated_at: a hand-edited timestamp still reads", () => {
  const store = tempStore();
  try {
    const pod = createPod(store, podInput("clock"));
    const file = join(pod.dir, "pod.json");
    const text = readFileSync(file, "utf8");
    writeFileSync(file, text.replace(`"updated_at": "${pod.pod.updated_at}"`, '"updated_at": "x"'));
    const read = readPod(store, "clock");
    assert.equal(read.pod.updated_at, "x");
    assert.equal(read.record_sha256, pod.record_sha256);
    const touched = touchPod(store, "clock");
    assert.equal(touched.record_sha256, pod.record_sha256, "touch does not change the hash");
    assert.deepEqual(readPod(store, "clock"), touched);
    const replaced = replaceSnapshot(store, "clock", {
      manifest: smallManifest("2"),
      profile: { other: true },
      fingerprint: null,
    });
    assert.notEqual(replaced.record_sha256, pod.record_sha256);
    assert.deepEqual(readPod(store, "clock"), replaced);
  } finally {
    store.cleanup();
  }
});

Deno.test("history files carry record_sha256: edited provenance or fingerprint is snapshot_invalid", () => {
  const edits: Array<[string, (t: string) => string]> = [
    ["profile path", (t) => t.replace('"path": "/home/u/coder.nix"', '"path": "/tmp/evil.nix"')],
    ["fingerprint", (t) => t.replace('"profile_sha256": "abab', '"profile_sha256": "cdab')],
    ["pod id", (t) => t.replace(/"id": "[0-9a-f]/, '"id": "x')],
    ["record_sha256 removed", (t) => t.replace(/,\n {2}"record_sha256": "[0-9a-f]{64}"/, "")],
  ];
  for (const [label, edit] of edits) {
    const store = tempStore();
    try {
      const pod = createPod(store, podInput("hist"));
      replaceSnapshot(store, "hist", {
        manifest: smallManifest("2"),
        profile: null,
        fingerprint: null,
      });
      const [name] = readdirSync(join(pod.dir, "history"));
      const file = join(pod.dir, "history", name);
      const original = readFileSync(file, "utf8");
      const entry = JSON.parse(original);
      assert.equal(entry.format, "insomnia.pod-history.v1");
      assert.match(entry.record_sha256, /^[0-9a-f]{64}$/);
      assert.deepEqual(readHistory(store, "hist")[0].profile, pod.profile, label);
      const corrupted = edit(original);
      assert.notEqual(corrupted, original, `${label}: the edit applies`);
      writeFileSync(file, corrupted);
      const before = tree(store.root);
      const error = throwsCode(
        () => readHistory(store, "hist"),
        "snapshot_invalid",
        /record_sha256/,
      );
      assert.ok(error.message.includes(file), `${label}: names the file`);
      assert.deepEqual(tree(store.root), before, `${label}: nothing changed`);
      writeFileSync(file, original);
      assert.equal(readHistory(store, "hist").length, 1, `${label}: the restored file reads`);
    } finally {
      store.cleanup();
    }
  }
});

Deno.test("a store path that is a regular file is store_io 'not a directory', for reads and writes", () => {
  const store = tempStore();
  try {
    writeFileSync(store.root, "not a store\n");
    const calls: Array<[string, () => unknown]> = [
      ["listPods", () => listPods(store)],
      ["readPod", () => readPod(store, "coder")],
      ["readPodBySession", () => readPodBySession(store, crypto.randomUUID())],
      ["readHistory", () => readHistory(store, "coder")],
      ["planPodName", () => planPodName(store, "coder", false)],
      ["createPod", () => createPod(store, podInput("coder"))],
      ["touchPod", () => touchPod(store, "coder")],
      ["removePod", () => removePod(store, "coder")],
      [
        "replaceSnapshot",
        () =>
          replaceSnapshot(store, "coder", {
            manifest: smallManifest(),
            profile: null,
            fingerprint: null,
          }),
      ],
    ];
    for (const [label, call] of calls) {
      const error = throwsCode(call, "store_io", /is not a directory/);
      assert.ok(error.message.includes(store.root), label);
      assert.doesNotMatch(error.message, /disk is not full/, label);
    }
    assert.equal(readFileSync(store.root, "utf8"), "not a store\n");
    assert.deepEqual(readdirSync(store.base), ["store"]);

    const nested = { ...store, root: join(store.root, "sub") };
    throwsCode(() => listPods(nested), "store_io", /a parent of .* is not a directory/);
    throwsCode(() => createPod(nested, podInput("coder")), "store_io", /not a directory/);
  } finally {
    store.cleanup();
  }
});

Deno.test("a store whose pods/ is a file is store_io, not an empty store", () => {
  const store = tempStore();
  try {
    createPod(store, podInput("x"));
    removePod(store, "x");
    Deno.removeSync(join(store.root, "pods"));
    writeFileSync(join(store.root, "pods"), "");
    throwsCode(() => listPods(store), "store_io", /pods is not a directory/);
    throwsCode(() => createPod(store, podInput("y")), "store_io", /pods is not a directory/);
  } finally {
    store.cleanup();
  }
});
