import assert from "node:assert/strict";
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { InsomniaError } from "../src/errors.ts";
import {
  formatRef,
  parseProfileRef,
  parseSelector,
  profileNameProblem,
  type Selector,
  selectorLabel,
} from "../src/profile/selector.ts";

const ok: [string, Selector][] = [
  ["default", { kind: "default" }],
  ["path:default", { kind: "path", path: "default" }],
  ["path:x", { kind: "path", path: "x" }],
  ["path:my profile.nix", { kind: "path", path: "my profile.nix" }],
  ["./coder.nix", { kind: "path", path: "./coder.nix" }],
  ["coder.nix", { kind: "path", path: "coder.nix" }],
  ["a/b", { kind: "path", path: "a/b" }],
  ["/abs/coder.nix", { kind: "path", path: "/abs/coder.nix" }],
  ["x.json", { kind: "path", path: "x.json" }],
  // rule 5 runs before name validation: a leading dot means a (hidden) file, not a name
  [".hidden", { kind: "path", path: ".hidden" }],
  ["..", { kind: "path", path: ".." }],
  ["builtin:coder", { kind: "named", source: "builtin", name: "coder" }],
  ["user:coder", { kind: "named", source: "user", name: "coder" }],
  ["project:coder", { kind: "named", source: "project", name: "coder" }],
  // a source prefix wins over the path-like suffix
  ["user:coder.nix", { kind: "named", source: "user", name: "coder.nix" }],
  ["project:default", { kind: "named", source: "project", name: "default" }],
  ["flake:.#coder", { kind: "flake", ref: ".", name: "coder" }],
  ["flake:github:o/r#x", { kind: "flake", ref: "github:o/r", name: "x" }],
  ["flake:path:/tmp/f?dir=a#coder-2", { kind: "flake", ref: "path:/tmp/f?dir=a", name: "coder-2" }],
  ["coder", { kind: "named", name: "coder" }],
  ["Coder_v2.1-beta", { kind: "named", name: "Coder_v2.1-beta" }],
  ["a".repeat(128), { kind: "named", name: "a".repeat(128) }],
  ["https://example.com/p.nix", { kind: "path", path: "https://example.com/p.nix" }],
  ["C:/x", { kind: "path", path: "C:/x" }],
];

for (const [input, expected] of ok) {
  Deno.test(`parseSelector accepts ${JSON.stringify(input.slice(0, 40))}`, () => {
    assertEquals(parseSelector(input), expected);
  });
}

const bad: [string, RegExp][] = [
  ["", /empty profile selector/],
  ["  ", /empty profile selector/],
  ["\t\n", /empty profile selector/],
  ["path:", /needs a file path/],
  ["path:  ", /needs a file path/],
  ["user:", /needs a profile name/],
  ["builtin:", /needs a profile name/],
  ["project:.hidden", /starts with `\.`/],
  ["user:a b", /contains " "/],
  ["flake:x", /missing `#<name>`.*flake:<ref>#<name>/],
  ["flake:#x", /empty flake reference/],
  ["flake:.#", /empty profile name/],
  ["flake:.#a b", /contains " "/],
  ["flake:.#.x", /starts with `\.`/],
  ["projct:coder", /did you mean `project:coder`\?/i],
  ["usr:coder", /did you mean `user:coder`\?/i],
  ["Builtin:coder", /did you mean `builtin:coder`\?/i],
  ["flak:.#x", /did you mean `flake:\.#x`\?/i],
  ["zzzzzz:coder", /unknown profile selector prefix `zzzzzz:`/],
  // a Windows drive path with backslashes: `C` is an unknown prefix; the message says `path:`
  ["C:\\x", /unknown profile selector prefix `C:`.*path:C:\\x/],
  ["name with space", /contains " "/],
  ["a".repeat(129), /129 characters long/],
  [":x", /contains ":"/],
  ["1abc:x", /contains ":"/],
  ["tab\there", /contains "\\t"/],
];

for (const [input, pattern] of bad) {
  Deno.test(`parseSelector rejects ${JSON.stringify(input.slice(0, 40))}`, () => {
    assert.throws(() => parseSelector(input), (err: unknown) => {
      assert.ok(err instanceof InsomniaError);
      assertEquals(err.code, "selector_invalid");
      assert.match(err.message, pattern);
      assertEquals(err.details.selector, input);
      assert.ok(!err.message.includes("\n    at "), "no stack trace in the message");
      return true;
    });
  });
}

Deno.test("unknown prefix carries a structured suggestion", () => {
  try {
    parseSelector("projct:coder");
    assert.fail("expected an error");
  } catch (err) {
    assert.ok(err instanceof InsomniaError);
    assertEquals(err.details.suggestion, "project:coder");
    assertEquals(err.details.prefix, "projct");
  }
});

Deno.test("selectorLabel prints each kind", () => {
  assertEquals(selectorLabel({ kind: "default" }), "default");
  assertEquals(selectorLabel({ kind: "path", path: "./coder.nix" }), "./coder.nix");
  assertEquals(selectorLabel({ kind: "named", name: "coder" }), "coder");
  assertEquals(selectorLabel({ kind: "named", source: "user", name: "coder" }), "user:coder");
  assertEquals(
    selectorLabel({ kind: "flake", ref: "github:o/r", name: "x" }),
    "flake:github:o/r#x",
  );
});

Deno.test("labels of named, flake and default selectors re-parse to the same selector", () => {
  for (const input of ["default", "coder", "user:coder", "flake:.#coder", "./coder.nix"]) {
    const sel = parseSelector(input);
    assertEquals(parseSelector(selectorLabel(sel)), sel);
  }
});

Deno.test("profileNameProblem", () => {
  assertEquals(profileNameProblem("coder"), undefined);
  assertEquals(profileNameProblem(""), "is empty");
  assertEquals(profileNameProblem(".x"), "starts with `.`");
  assertEquals(profileNameProblem("a/b"), 'contains "/"');
  assertEquals(profileNameProblem("é"), 'contains "é"');
});

Deno.test("parseProfileRef reads registry targets", () => {
  assertEquals(parseProfileRef("coder"), { name: "coder" });
  assertEquals(parseProfileRef("project:coder"), { source: "project", name: "coder" });
  assertEquals(formatRef({ source: "user", name: "x" }), "user:x");
  const bad = parseProfileRef("projct:coder");
  assert.ok("problem" in bad);
  assert.match(bad.problem, /did you mean `project:coder`/);
  assert.ok("problem" in parseProfileRef("user:"));
  assert.ok("problem" in parseProfileRef("a b"));
});
