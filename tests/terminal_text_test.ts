/** The terminal sanitiser (src/terminal_text.ts): what reaches a terminal can never drive it. */
import assert from "node:assert/strict";
import {
  clipDisplay,
  displayWidth,
  oneLine,
  padDisplay,
  terminalSafe,
  widestDisplay,
  wrapDisplay,
} from "../src/terminal_text.ts";

const OSC52 = "ok\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07\x1b[2K\rall good";

Deno.test("terminalSafe escapes C0, DEL, C1, separators and bidi controls; keeps text, \\n and \\t", () => {
  assert.equal(
    terminalSafe(OSC52),
    "ok\\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\\x07\\x1b[2K\\rall good",
  );
  assert.equal(terminalSafe("a\u009b31mb\u007fc"), "a\\x9b31mb\\x7fc");
  assert.equal(terminalSafe("x\u202eevil\u2066y\u2028z"), "x\\u202eevil\\u2066y\\u2028z");
  assert.equal(terminalSafe("line one\n\tline two"), "line one\n\tline two");
  assert.equal(terminalSafe("日本語のプロファイル — ok"), "日本語のプロファイル — ok");
});

Deno.test("oneLine also escapes newlines and tabs, so a value cannot start a line", () => {
  assert.equal(oneLine("desc\nwarning: spoofed"), "desc\\nwarning: spoofed");
  assert.equal(oneLine("a\tb\r"), "a\\tb\\r");
  // deno-lint-ignore no-control-regex
  assert.doesNotMatch(oneLine(OSC52), /[\x00-\x1f\x7f]/);
});

Deno.test("display width: wide characters take two columns; cuts and wraps never split them", () => {
  assert.equal(displayWidth("日本語のプロファイル"), 20);
  assert.equal(displayWidth("abc"), 3);
  assert.equal(padDisplay("日本", 6), "日本  ");
  assert.equal(widestDisplay(["ab", "日本語", "x"]), 6);
  assert.equal(clipDisplay("日本語のプロファイル", 7), "日本語…");
  assert.ok(displayWidth(clipDisplay("日本語のプロファイル", 8)) <= 8);
  for (const line of wrapDisplay("説明 日本語のプロファイル とても長い説明文 です", 10)) {
    assert.ok(displayWidth(line) <= 10, line);
  }
});
