import assert from "node:assert/strict";
import {
  DEFAULT_EVAL_TIMEOUT_MS,
  formatDuration,
  MAX_DURATION_MS,
  parseDuration,
} from "../src/nix/duration.ts";
import { InsomniaError } from "../src/errors.ts";

Deno.test("parseDuration accepts units and bare seconds", () => {
  const cases: Array<[string, number]> = [
    ["500ms", 500],
    ["2s", 2000],
    ["1.5s", 1500],
    ["1m", 60_000],
    ["2m", 120_000],
    ["1h", 3_600_000],
    ["30", 30_000],
    ["0.5", 500],
    [".5s", 500],
    [" 10s ", 10_000],
    ["2S", 2000],
    ["24h", MAX_DURATION_MS],
  ];
  for (const [text, ms] of cases) assert.equal(parseDuration(text, "--eval-timeout"), ms, text);
});

Deno.test("parseDuration rejects garbage with a usage error naming the origin", () => {
  for (
    const text of ["", " ", "abc", "1x", "-2s", "0", "0s", "0.0001s", "1e3", "2 s s", "25h", "s"]
  ) {
    assert.throws(
      () => parseDuration(text, "INSOMNIA_EVAL_TIMEOUT"),
      (error: unknown) => {
        assert.ok(error instanceof InsomniaError, text);
        assert.equal(error.code, "usage");
        assert.match(error.message, /INSOMNIA_EVAL_TIMEOUT/);
        assert.match(error.message, /500ms, 2s, 1\.5s, 1m/);
        assert.match(error.message, /bare number of seconds/);
        return true;
      },
    );
  }
});

Deno.test("default timeout and formatting", () => {
  assert.equal(DEFAULT_EVAL_TIMEOUT_MS, 30_000);
  assert.equal(formatDuration(30_000), "30s");
  assert.equal(formatDuration(1500), "1.5s");
  assert.equal(formatDuration(120_000), "2m");
  assert.equal(formatDuration(90_000), "90s");
  assert.equal(formatDuration(3_600_000), "1h");
  assert.equal(formatDuration(250), "250ms");
  for (const text of ["500ms", "1.5s", "2m", "1h", "90s"]) {
    assert.equal(formatDuration(parseDuration(text, "x")), text);
  }
});
