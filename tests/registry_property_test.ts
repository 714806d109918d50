import assert from "node:assert/strict";
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "npm:fast-check@4.10.2";
import { InsomniaError } from "../src/errors.ts";
import {
  defaultEntry,
  listAliases,
  listEntries,
  loadRegistry,
  type RegistryEntry,
  registryProblems,
  selectEntry,
} from "../src/profile/registry.ts";
import {
  isValidProfileName,
  parseSelector,
  REGISTRY_SOURCES,
  type Selector,
  selectorLabel,
} from "../src/profile/selector.ts";

/** Runs `fn`; a thrown value must be an InsomniaError (never a TypeError, RangeError, …). */
function resultOrInsomniaError<T>(fn: () => T): T | InsomniaError {
  try {
    return fn();
  } catch (err) {
    if (err instanceof InsomniaError) {
      assert.ok(err.message.length > 0);
      assert.ok(!err.message.includes("\n"), `one paragraph, no stack trace: ${err.message}`);
      return err;
    }
    throw err;
  }
}

const selectorInput = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ maxLength: 200 }),
  fc.tuple(
    fc.constantFrom(
      "",
      "default",
      "path:",
      "flake:",
      "user:",
      "builtin:",
      "project:",
      "projct:",
      "Flake:",
      ".",
      "./",
      "C:\\",
    ),
    fc.string({ maxLength: 20 }),
    fc.constantFrom("", "#", "#coder", ".nix", ".json", "/", ":", " "),
  ).map(([a, b, c]) => a + b + c),
);

Deno.test("property: parseSelector returns a well-formed Selector or throws selector_invalid", () => {
  fc.assert(
    fc.property(selectorInput, (input) => {
      const result = resultOrInsomniaError(() => parseSelector(input));
      if (result instanceof InsomniaError) {
        assertEquals(result.code, "selector_invalid");
        assertEquals(result.details.selector, input);
        return;
      }
      const sel: Selector = result;
      switch (sel.kind) {
        case "default":
          assertEquals(input, "default");
          break;
        case "path":
          assert.ok(sel.path.trim().length > 0);
          break;
        case "flake":
          assert.ok(isValidProfileName(sel.name));
          assert.ok(sel.ref.trim().length > 0);
          assertEquals(parseSelector(selectorLabel(sel)), sel);
          break;
        case "named":
          assert.ok(isValidProfileName(sel.name));
          assertEquals(parseSelector(selectorLabel(sel)), sel);
          break;
      }
    }),
    { numRuns: 2000 },
  );
});

// --- random registry documents ----------------------------------------------------------------

const NAMES = ["a", "b", "c", "coder", "default"];
const ALIAS_NAMES = ["a", "w1", "w2", "w3"];
const ALL_NAMES = [...NAMES, ...ALIAS_NAMES.slice(1)];
const keyArb = fc.constantFrom(...NAMES, '"a b"', '".x"', '"user:a"', '"a\\nb"', "defualt", "path");
const refArb = fc.constantFrom(
  ...NAMES,
  ...NAMES.map((n) => `user:${n}`),
  ...NAMES.map((n) => `project:${n}`),
  ...NAMES.map((n) => `builtin:${n}`),
  "zz:q",
  "",
  "a b",
);
const valueArb = fc.oneof(
  refArb.map((r) => JSON.stringify(r)),
  fc.constantFrom(
    '"./p.nix"',
    '"/abs/p.nix"',
    '""',
    "42",
    "true",
    "[1, 2]",
    "1979-05-27",
    '{ path = "p.nix" }',
    '{ path = "p.nix", description = "d" }',
    '{ descripton = "x" }',
    "{ path = 1 }",
    "{}",
  ),
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
);
const lineArb = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "[profiles]",
      "[profiles.profile]",
      "[profiles.alias]",
      "[profiles.profile.coder]",
      "[pod]",
      "[profiles.aliases]",
      "[[profiles]]",
    ),
  },
  { weight: 6, arbitrary: fc.tuple(keyArb, valueArb).map(([k, v]) => `${k} = ${v}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);
const garbageDocArb = fc.array(lineArb, { maxLength: 12 }).map((lines) => lines.join("\n") + "\n");

/** Mostly well-formed documents (so selection is exercised), sometimes with one stray line. */
const validRefArb = fc.constantFrom(
  ...ALL_NAMES,
  ...ALL_NAMES.map((n) => `user:${n}`),
  ...ALL_NAMES.map((n) => `project:${n}`),
  "builtin:coder",
  "builtin:default",
);
const structuredDocArb = fc.record({
  def: fc.option(validRefArb),
  profiles: fc.dictionary(
    fc.constantFrom(...NAMES),
    fc.constantFrom('"p.nix"', '"/abs/p.nix"', '{ path = "q.nix", description = "d" }'),
    { maxKeys: 4 },
  ),
  aliases: fc.dictionary(fc.constantFrom(...ALIAS_NAMES), validRefArb, { maxKeys: 3 }),
  stray: fc.oneof(
    { weight: 5, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: lineArb },
  ),
}).map(({ def, profiles, aliases, stray }) => {
  const lines = ["[profiles]"];
  if (def !== null) lines.push(`default = ${JSON.stringify(def)}`);
  lines.push("[profiles.profile]");
  for (const [k, v] of Object.entries(profiles)) lines.push(`${k} = ${v}`);
  lines.push("[profiles.alias]");
  for (const [k, v] of Object.entries(aliases)) lines.push(`${k} = ${JSON.stringify(v)}`);
  if (stray !== null) lines.push(stray);
  return lines.join("\n") + "\n";
});
const docArb = fc.oneof(
  { weight: 3, arbitrary: structuredDocArb },
  { weight: 1, arbitrary: garbageDocArb },
);

const BUILTIN = [
  { name: "coder", path: "/builtin/coder.nix" },
  { name: "default", path: "/builtin/default.nix" },
];
const SELECTORS: Selector[] = [
  { kind: "default" },
  ...ALL_NAMES.map((name): Selector => ({ kind: "named", name })),
  ...REGISTRY_SOURCES.flatMap((source) =>
    ALL_NAMES.map((name): Selector => ({ kind: "named", source, name }))
  ),
];
const ALLOWED = new Set([
  "registry_invalid",
  "profile_not_found",
  "profile_ambiguous",
  "no_default_profile",
]);

function checkListing(entries: RegistryEntry[]): void {
  const rank = (e: RegistryEntry) => REGISTRY_SOURCES.indexOf(e.source);
  for (let i = 1; i < entries.length; i++) {
    const [p, q] = [entries[i - 1]!, entries[i]!];
    assert.ok(rank(p) < rank(q) || (rank(p) === rank(q) && p.name < q.name), "sorted");
  }
  assert.ok(entries.filter((e) => e.isDefault).length <= 1);
  const byQualified = new Map(entries.map((e) => [e.qualified, e]));
  for (const e of entries) {
    assertEquals(e.qualified, `${e.source}:${e.name}`);
    for (const s of e.shadows) assert.ok(byQualified.get(s)?.shadows.includes(e.qualified));
  }
}

Deno.test("property: random registry documents give results or InsomniaErrors", () => {
  const root = mkdtempSync(join(tmpdir(), "insomnia-registry-prop-"));
  try {
    const userFile = join(root, "user", "manifest.toml");
    const projectFile = join(root, "proj", ".insomnia", "manifest.toml");
    mkdirSync(join(root, "user"));
    mkdirSync(join(root, "proj", ".insomnia"), { recursive: true });
    fc.assert(
      fc.property(docArb, docArb, (userText, projectText) => {
        writeFileSync(userFile, userText);
        writeFileSync(projectFile, projectText);
        const reg = loadRegistry({ builtin: BUILTIN, userFile, projectStart: join(root, "proj") });
        const listed = resultOrInsomniaError(() => listEntries(reg));
        if (!(listed instanceof InsomniaError)) checkListing(listed);
        else assertEquals(listed.code, "registry_invalid");
        const def = resultOrInsomniaError(() => defaultEntry(reg));
        for (const sel of SELECTORS) {
          const result = resultOrInsomniaError(() => selectEntry(reg, sel));
          if (result instanceof InsomniaError) {
            assert.ok(ALLOWED.has(result.code), `${selectorLabel(sel)}: ${result.code}`);
            continue;
          }
          if (!(listed instanceof InsomniaError)) {
            assert.ok(
              listed.some((e) => e.qualified === result.qualified),
              "selected entries are listed",
            );
          }
          if (sel.kind === "named" && sel.source === "builtin") {
            assertEquals(result.source, "builtin");
          }
          if (sel.kind === "default" && !(def instanceof InsomniaError)) {
            assertEquals(def?.qualified, result.qualified);
            assertEquals(result.isDefault, true);
          }
        }
        for (const p of registryProblems(reg)) assertEquals(p.code, "registry_invalid");
        assert.ok(Array.isArray(listAliases(reg)));
      }),
      { numRuns: 300 },
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

Deno.test("property: builtin qualified selection is unaffected by broken user/project files", () => {
  const root = mkdtempSync(join(tmpdir(), "insomnia-registry-prop-"));
  try {
    const userFile = join(root, "manifest.toml");
    fc.assert(
      fc.property(docArb, (text) => {
        writeFileSync(userFile, text);
        const reg = loadRegistry({ builtin: BUILTIN, userFile });
        assertEquals(
          selectEntry(reg, { kind: "named", source: "builtin", name: "coder" }).qualified,
          "builtin:coder",
        );
      }),
      { numRuns: 200 },
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
