import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InsomniaError } from "../src/errors.ts";
import { acquireLock, withLock } from "../src/fs/lock.ts";

function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "insomnia-lock-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

Deno.test("a lock holds the pid and is released", () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, ".lock");
    const value = withLock(path, () => {
      const content = JSON.parse(readFileSync(path, "utf8"));
      assert.equal(content.pid, Deno.pid);
      assert.equal(typeof content.token, "string");
      return 42;
    });
    assert.equal(value, 42);
    assert.ok(!existsSync(path));
    assert.throws(() =>
      withLock(path, () => {
        throw new Error("boom");
      }), /boom/);
    assert.ok(!existsSync(path), "released after a throw");
  } finally {
    cleanup();
  }
});

Deno.test("a live holder makes others wait, then time out with store_io", () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, ".lock");
    const held = acquireLock(path);
    const start = Date.now();
    assert.throws(
      () => acquireLock(path, { timeoutMs: 150 }),
      (e: unknown) =>
        e instanceof InsomniaError && e.code === "store_io" &&
        e.message.includes(`process ${Deno.pid}`) && e.message.includes(path),
    );
    assert.ok(Date.now() - start >= 140);
    held.release();
    acquireLock(path, { timeoutMs: 150 }).release();
  } finally {
    cleanup();
  }
});

Deno.test("a lock of a dead pid is broken at once", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, ".lock");
    writeFileSync(path, JSON.stringify({ pid: await deadPid(), token: "old" }));
    const start = Date.now();
    const lock = acquireLock(path, { timeoutMs: 1000 });
    assert.ok(Date.now() - start < 500);
    assert.equal(JSON.parse(readFileSync(path, "utf8")).pid, Deno.pid);
    lock.release();
    assert.ok(!existsSync(path));
  } finally {
    cleanup();
  }
});

Deno.test("a lock older than the stale age is broken even if its pid is alive", () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, ".lock");
    writeFileSync(path, JSON.stringify({ pid: 1, token: "ancient" }));
    const old = new Date(Date.now() - 31_000);
    utimesSync(path, old, old);
    acquireLock(path, { timeoutMs: 1000 }).release();
    // An empty lock file (creator died between create and write) goes stale after 2 s.
    writeFileSync(path, "");
    const twoSecondsAgo = new Date(Date.now() - 3_000);
    utimesSync(path, twoSecondsAgo, twoSecondsAgo);
    acquireLock(path, { timeoutMs: 1000 }).release();
  } finally {
    cleanup();
  }
});

Deno.test("release never removes a lock that was broken and re-taken by someone else", () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, ".lock");
    const mine = acquireLock(path);
    writeFileSync(path, JSON.stringify({ pid: 1, token: "someone-else" }));
    mine.release();
    assert.ok(existsSync(path));
  } finally {
    cleanup();
  }
});
