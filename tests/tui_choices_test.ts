import assert from "node:assert/strict";
import {
  buildChoices,
  CASCADE_LABEL,
  type Choice,
  type ChoiceEntry,
  cycle,
  defaultIndex,
  defaultPodName,
  filterChoices,
  nameProblem,
  planArgs,
  planFor,
  planOptions,
  preselect,
  profileLabel,
  sanitizeName,
} from "../src/tui/choices.ts";
import { wrapIndented } from "../src/tui/text.ts";
import { PreviewCache } from "../src/tui/preview.ts";
import { InsomniaError } from "../src/errors.ts";

const entry = (
  qualified: string,
  description?: string,
  isDefault = false,
): ChoiceEntry => {
  const [source, name] = qualified.split(":") as [ChoiceEntry["source"], string];
  return { qualified, source, name, isDefault, ...(description && { description }) };
};

const ENTRIES: ChoiceEntry[] = [
  entry("builtin:coder", "Builtin coder"),
  entry("builtin:reviewer", "Read-only reviewer"),
  entry("user:alpha", "Fixture alpha", true),
  entry("user:beta", "Fixture beta"),
  entry("project:coder", "Project coder"),
];

const keys = (choices: Choice[], indices: number[]) => indices.map((i) => choices[i].key);

Deno.test("labels: source:name, default mark and description", () => {
  assert.equal(
    profileLabel(entry("user:alpha", "Fixture alpha", true)),
    "user:alpha (default) — Fixture alpha",
  );
  assert.equal(profileLabel(entry("user:beta")), "user:beta");
  const choices = buildChoices(ENTRIES);
  assert.equal(choices[0].kind, "cascade");
  assert.equal(choices[0].label, CASCADE_LABEL);
  assert.deepEqual(choices.slice(1).map((c) => c.key), ENTRIES.map((e) => e.qualified));
});

Deno.test("default index: the default entry, else the cascade choice", () => {
  const choices = buildChoices(ENTRIES);
  assert.equal(choices[defaultIndex(choices)].key, "user:alpha");
  const none = buildChoices(ENTRIES.map((e) => ({ ...e, isDefault: false })));
  assert.equal(none[defaultIndex(none)].kind, "cascade");
  assert.equal(defaultIndex(buildChoices([])), 0);
});

Deno.test("cycle wraps both ways", () => {
  assert.equal(cycle(0, 1, 3), 1);
  assert.equal(cycle(2, 1, 3), 0);
  assert.equal(cycle(0, -1, 3), 2);
  assert.equal(cycle(0, 1, 0), 0);
});

Deno.test("filter: every term must match; order kept; empty query matches all", () => {
  const choices = buildChoices(ENTRIES);
  assert.equal(filterChoices(choices, "").length, choices.length);
  assert.deepEqual(keys(choices, filterChoices(choices, "bet")), ["user:beta"]);
  assert.deepEqual(keys(choices, filterChoices(choices, "CODER")), [
    "builtin:coder",
    "project:coder",
  ]);
  assert.deepEqual(keys(choices, filterChoices(choices, "coder project")), ["project:coder"]);
  assert.deepEqual(keys(choices, filterChoices(choices, "read-only")), ["builtin:reviewer"]);
  assert.deepEqual(keys(choices, filterChoices(choices, "default")), ["user:alpha"]);
  assert.deepEqual(filterChoices(choices, "cascade").map((i) => choices[i].kind), ["cascade"]);
  assert.deepEqual(filterChoices(choices, "zzz"), []);
});

Deno.test("preselect: qualified, unqualified, default, none", () => {
  const choices = buildChoices(ENTRIES);
  const at = (sel?: string) => {
    const p = preselect(choices, sel);
    return {
      key: p.choices[p.index].key,
      message: p.message,
      added: p.choices.length - choices.length,
    };
  };
  assert.deepEqual(at(undefined), { key: "user:alpha", message: undefined, added: 0 });
  assert.deepEqual(at("user:beta"), { key: "user:beta", message: undefined, added: 0 });
  // An unqualified name matches its qualified entry instead of appending a duplicate choice.
  assert.deepEqual(at("beta"), { key: "user:beta", message: undefined, added: 0 });
  assert.deepEqual(at("reviewer"), { key: "builtin:reviewer", message: undefined, added: 0 });
  assert.deepEqual(at("default"), { key: "user:alpha", message: undefined, added: 0 });
});

Deno.test("preselect: ambiguous and unknown names keep the default and explain", () => {
  const choices = buildChoices(ENTRIES);
  // project:coder shadows builtin:coder, as on the command line (issue 16).
  const shadow = preselect(choices, "coder");
  assert.equal(shadow.choices[shadow.index].key, "project:coder");
  assert.equal(shadow.message, undefined);
  const both = buildChoices([...ENTRIES, entry("user:coder", "User coder")]);
  const amb = preselect(both, "coder");
  assert.equal(amb.choices[amb.index].key, "user:alpha");
  assert.equal(amb.choices.length, both.length);
  assert.match(amb.message!, /ambiguous.*project:coder.*user:coder/);
  assert.doesNotMatch(amb.message!, /builtin:coder/);
  const missing = preselect(choices, "nope");
  assert.equal(missing.choices[missing.index].key, "user:alpha");
  assert.match(missing.message!, /no such profile/);
  const invalid = preselect(choices, "projct:coder");
  assert.match(invalid.message!, /did you mean/i);
  const noDefault = preselect(buildChoices([entry("user:beta")]), "default");
  assert.match(noDefault.message!, /no default profile/);
});

Deno.test("preselect: a resolver (aliases) wins over name matching", () => {
  const choices = buildChoices(ENTRIES);
  const p = preselect(choices, "work", (sel) => sel === "work" ? "project:coder" : undefined);
  assert.equal(p.choices[p.index].key, "project:coder");
  assert.equal(p.message, undefined);
});

Deno.test("preselect: a path or flake selector adds exactly one choice", () => {
  const choices = buildChoices(ENTRIES);
  for (const sel of ["./mine.nix", "flake:.#coder"]) {
    const p = preselect(choices, sel);
    assert.equal(p.choices.length, choices.length + 1);
    const chosen = p.choices[p.index];
    assert.equal(chosen.kind, "selector");
    assert.deepEqual(planFor(chosen, "x"), { kind: "profile", selector: sel, name: "x" });
  }
});

Deno.test("default pod name: the workspace folder made safe", () => {
  assert.equal(defaultPodName("/home/me/my project"), "my-project");
  assert.equal(defaultPodName("/home/me/repo/"), "repo");
  assert.equal(defaultPodName("/home/me/.config"), "config");
  assert.equal(defaultPodName("/home/me/été"), "-t-");
  assert.equal(defaultPodName("/"), "pod");
  assert.equal(defaultPodName("/x/" + "a".repeat(200)).length, 128);
});

Deno.test("name field: sanitising keeps the cursor in place; problems", () => {
  assert.deepEqual(sanitizeName("ab c", 3), { line: "abc", cursor: 2 });
  assert.deepEqual(sanitizeName("a/b", 3), { line: "ab", cursor: 2 });
  assert.deepEqual(sanitizeName("a\tb", 2), { line: "ab", cursor: 1 });
  assert.deepEqual(sanitizeName("abc", 0), { line: "abc", cursor: 0 });
  assert.equal(nameProblem(""), "name is required");
  assert.equal(nameProblem("   "), "name is required");
  assert.match(nameProblem(".hidden")!, /invalid name/);
  assert.equal(nameProblem("ok-name_1.2"), undefined);
});

Deno.test("launch plans: a profile plan, a cascade plan, and a resume plan never has a profile", () => {
  const choices = buildChoices(ENTRIES);
  const profile = planFor(choices[3], "pod1");
  assert.deepEqual(planOptions(profile), { profile: "user:alpha", profilePodName: "pod1" });
  assert.deepEqual(planArgs(profile), ["--profile", "user:alpha", "--profile-pod-name", "pod1"]);
  const cascade = planFor(choices[0], "pod2");
  assert.deepEqual(planOptions(cascade), { manifestCascade: true, pod: "pod2" });
  assert.deepEqual(planArgs(cascade), ["--manifest-cascade", "--pod", "pod2"]);
  const resume = { kind: "resume", session: "s-123" } as const;
  assert.deepEqual(planOptions(resume), { session: "s-123" });
  assert.deepEqual(planArgs(resume), ["--session", "s-123"]);
  assert.ok(!planArgs(resume).includes("--profile"));
});

Deno.test("wrapIndented wraps words and long tokens with an indent", () => {
  assert.deepEqual(wrapIndented("aaa bbb ccc", 9, "> ", "  "), ["> aaa bbb", "  ccc"]);
  assert.deepEqual(wrapIndented("abcdefghij", 6, "> ", "  "), ["> abcd", "  efgh", "  ij"]);
});

Deno.test("preview cache: one evaluation per key, errors become previews", async () => {
  let calls = 0;
  const controller = new AbortController();
  const cache = new PreviewCache((key) => {
    calls++;
    if (key === "bad") return Promise.reject(new InsomniaError("nix_eval_failed", "boom"));
    return Promise.reject(new Error("plain failure"));
  }, controller.signal);
  assert.equal(cache.get("bad"), undefined);
  const first = cache.ensure("bad");
  assert.ok(cache.isPending("bad"));
  const again = cache.ensure("bad");
  assert.equal(first, again);
  assert.deepEqual(await first, { status: "error", code: "nix_eval_failed", message: "boom" });
  assert.deepEqual(cache.get("bad"), { status: "error", code: "nix_eval_failed", message: "boom" });
  assert.equal((await cache.ensure("other")).status, "error");
  assert.equal(calls, 2);
});
