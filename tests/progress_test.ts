/**
 * The stderr spinner: nothing unless on a terminal and neither --quiet nor --json; nothing for
 * work faster than the delay; the line is erased afterwards; NO_COLOR means no escape codes.
 */
import assert from "node:assert/strict";
import { progressEnabled, type ProgressStream, withProgress } from "../src/cli/progress.ts";

class FakeStream implements ProgressStream {
  written: string[] = [];
  constructor(public isTTY: boolean, public columns = 80) {}
  write(text: string): boolean {
    this.written.push(text);
    return true;
  }
  get text(): string {
    return this.written.join("");
  }
}

const tty = { env: {}, json: false, quiet: false };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const later = <T>(ms: number, value: T) => sleep(ms).then(() => value);

Deno.test("progress: not a terminal → nothing printed, result passed through", async () => {
  const stream = new FakeStream(false);
  const value = await withProgress("evaluating", tty, later(40, 42), {
    stream,
    delayMs: 1,
    frameMs: 5,
  });
  assert.equal(value, 42);
  assert.equal(stream.text, "");
});

Deno.test("progress: --quiet, --json and TERM=dumb print nothing even on a terminal", async () => {
  for (
    const ctx of [{ ...tty, quiet: true }, { ...tty, json: true }, {
      ...tty,
      env: { TERM: "dumb" },
    }]
  ) {
    const stream = new FakeStream(true);
    assert.equal(progressEnabled(ctx, stream), false);
    await withProgress("evaluating", ctx, later(30, null), { stream, delayMs: 1, frameMs: 5 });
    assert.equal(stream.text, "", JSON.stringify(ctx));
  }
  assert.equal(progressEnabled(tty, new FakeStream(true)), true);
});

Deno.test("progress: fast work on a terminal shows no spinner", async () => {
  const stream = new FakeStream(true);
  await withProgress("evaluating", tty, later(5, "ok"), { stream, delayMs: 200 });
  assert.equal(stream.text, "");
});

Deno.test("progress: slow work shows the label after the delay and erases the line", async () => {
  const stream = new FakeStream(true);
  const value = await withProgress("evaluating profile coder", tty, later(120, "done"), {
    stream,
    delayMs: 20,
    frameMs: 10,
  });
  assert.equal(value, "done");
  assert.ok(stream.written.length >= 3, "several frames were drawn");
  assert.match(stream.written[0], /^\r.*evaluating profile coder/);
  const last = stream.written.at(-1)!;
  assert.match(last, /^\r +\r$/, "the last write blanks the line and returns the cursor");
  // The blanking is as wide as the widest frame (glyph, space, label).
  assert.equal(last.length, "⠋ evaluating profile coder".length + 2);
});

Deno.test("progress: a terminal reporting 0 columns gets the 80-column default", async () => {
  const stream = new FakeStream(true, 0);
  await withProgress("evaluating profile coder", tty, later(60, 0), {
    stream,
    delayMs: 5,
    frameMs: 10,
  });
  assert.match(stream.written[0], /evaluating profile coder/, "the label is not cut to nothing");
});

Deno.test("progress: NO_COLOR draws plain text without escape sequences", async () => {
  const colored = new FakeStream(true);
  await withProgress("x", tty, later(60, 0), { stream: colored, delayMs: 5, frameMs: 10 });
  assert.ok(colored.text.includes("\x1b["), "colour by default");
  const plain = new FakeStream(true);
  await withProgress("x", { ...tty, env: { NO_COLOR: "1" } }, later(60, 0), {
    stream: plain,
    delayMs: 5,
    frameMs: 10,
  });
  assert.ok(plain.text.length > 0);
  assert.ok(!plain.text.includes("\x1b"), JSON.stringify(plain.text));
});

Deno.test("progress: a rejection propagates, the line is erased and no timer is left", async () => {
  const stream = new FakeStream(true);
  const failing = sleep(60).then(() => {
    throw new Error("nix failed");
  });
  await assert.rejects(
    withProgress("evaluating", tty, failing, { stream, delayMs: 5, frameMs: 10 }),
    /nix failed/,
  );
  const count = stream.written.length;
  assert.match(stream.written.at(-1)!, /^\r +\r$/);
  await sleep(40);
  assert.equal(stream.written.length, count, "nothing drawn after the work settled");
});

Deno.test("progress: long labels are cut to the terminal width", async () => {
  const stream = new FakeStream(true, 20);
  await withProgress("a".repeat(100), { ...tty, env: { NO_COLOR: "1" } }, later(40, 0), {
    stream,
    delayMs: 5,
    frameMs: 10,
  });
  for (const chunk of stream.written) {
    assert.ok(chunk.replace(/\r/g, "").length <= 19, JSON.stringify(chunk));
  }
});
