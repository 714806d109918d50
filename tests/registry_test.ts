import assert from "node:assert/strict";
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { InsomniaError } from "../src/errors.ts";
import {
  defaultEntry,
  listAliases,
  listEntries,
  loadRegistry,
  type Registry,
  type RegistryInputs,
  registryProblems,
  scanBuiltinDir,
  selectEntry,
} from "../src/profile/registry.ts";
import { findProjectManifest } from "../src/env.ts";
import { readRegistrySource } from "../src/profile/registry_file.ts";
import { parseSelector } from "../src/profile/selector.ts";

/** A throwaway directory tree; `write` creates parents and returns the absolute path. */
function sandbox() {
  const root = mkdtempSync(join(tmpdir(), "insomnia-registry-"));
  return {
    root,
    write(rel: string, text: string): string {
      const file = join(root, rel);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      return file;
    },
    [Symbol.dispose]() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function select(reg: Registry, input: string) {
  return selectEntry(reg, parseSelector(input));
}

/** Asserts `fn` throws an InsomniaError with `code`, returns it for further checks. */
function throwsCode(fn: () => unknown, code: string): InsomniaError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InsomniaError, `expected InsomniaError, got ${err}`);
    assertEquals(err.code, code, err.message);
    assert.ok(!err.message.includes("\n"), `one paragraph: ${err.message}`);
    return err;
  }
  assert.fail(`expected ${code}`);
}

function qualifiedNames(reg: Registry): string[] {
  return listEntries(reg).map((e) => e.qualified);
}

const BUILTINS = (root: string): RegistryInputs["builtin"] => [
  { name: "coder", path: join(root, "builtin", "coder.nix"), description: "Builtin coder" },
  { name: "default", path: join(root, "builtin", "default.nix") },
];

// --- anchor §6.10 cases ---------------------------------------------------------------------

Deno.test("discovery reads user and project registries; the project default wins", () => {
  using box = sandbox();
  const userFile = box.write(
    "config/manifest.toml",
    `[pod]\nname = "ignored"\n\n[profiles]\ndefault = "coder"\n\n[profiles.profile]\ncoder = "profiles/coder.nix"\n`,
  );
  box.write(
    "proj/.insomnia/manifest.toml",
    `[profiles]\ndefault = "reviewer"\n[profiles.profile]\nreviewer = { path = "reviewer.nix", description = "Reviews" }\n`,
  );
  mkdirSync(join(box.root, "proj/src/deep"), { recursive: true });
  const reg = loadRegistry({
    builtin: BUILTINS(box.root),
    userFile,
    projectStart: join(box.root, "proj/src/deep"),
  });
  const def = select(reg, "default");
  assertEquals(def.qualified, "project:reviewer");
  // relative to the declaring file's directory: `.insomnia/` for the project
  assertEquals(def.path, join(box.root, "proj/.insomnia/reviewer.nix"));
  assertEquals(def.description, "Reviews");
  assertEquals(def.isDefault, true);
  assertEquals(select(reg, "user:coder").path, join(box.root, "config/profiles/coder.nix"));
  const flagged = listEntries(reg).filter((e) => e.isDefault).map((e) => e.qualified);
  assertEquals(flagged, ["project:reviewer"]);
  assertEquals(defaultEntry(reg)?.qualified, "project:reviewer");
});

Deno.test("an unqualified alias target resolves within the declaring source", () => {
  using box = sandbox();
  const userFile = box.write("u/manifest.toml", `[profiles.profile]\ncoder = "/u/coder.nix"\n`);
  const projectFile = box.write(
    "p/.insomnia/manifest.toml",
    `[profiles.profile]\ncoder = "/p/coder.nix"\n[profiles.alias]\ndefault-coder = "coder"\n`,
  );
  const reg = loadRegistry({ builtin: [], userFile, projectFile });
  assertEquals(select(reg, "default-coder").qualified, "project:coder");
  assertEquals(select(reg, "project:default-coder").path, "/p/coder.nix");
  assertEquals(listAliases(reg).map((a) => [a.qualified, `${a.target.source}:${a.target.name}`]), [
    ["project:default-coder", "project:coder"],
  ]);
});

Deno.test("a default that names an alias marks the alias's final target", () => {
  using box = sandbox();
  const userFile = box.write(
    "u/manifest.toml",
    `[profiles]\ndefault = "work"\n[profiles.profile]\ncoder = "c.nix"\nother = "o.nix"\n` +
      `[profiles.alias]\nwork = "job"\njob = "coder"\n`,
  );
  const reg = loadRegistry({ builtin: BUILTINS(box.root), userFile });
  assertEquals(listEntries(reg).filter((e) => e.isDefault).map((e) => e.qualified), ["user:coder"]);
  assertEquals(select(reg, "default").qualified, "user:coder");
  assertEquals(select(reg, "work").qualified, "user:coder");
});

Deno.test("unqualified names defined in several sources fail closed; qualified ones work", () => {
  using box = sandbox();
  const userFile = box.write("u/manifest.toml", `[profiles.profile]\ncoder = "/u/coder.nix"\n`);
  const projectFile = box.write("p/manifest.toml", `[profiles.profile]\ncoder = "/p/coder.nix"\n`);
  const reg = loadRegistry({ builtin: [], userFile, projectFile });
  const err = throwsCode(() => select(reg, "coder"), "profile_ambiguous");
  assertEquals(err.details.choices, ["user:coder", "project:coder"]);
  assert.match(err.message, /source-qualified/);
  assertEquals(select(reg, "project:coder").path, "/p/coder.nix");
  assertEquals(select(reg, "user:coder").path, "/u/coder.nix");
});

Deno.test("an alias and an entry of the same name in different sources are ambiguous", () => {
  using box = sandbox();
  const userFile = box.write("u/manifest.toml", `[profiles.alias]\ncoder = "project:x"\n`);
  const projectFile = box.write(
    "p/manifest.toml",
    `[profiles.profile]\ncoder = "/c.nix"\nx = "/x.nix"\n`,
  );
  const reg = loadRegistry({ builtin: [], userFile, projectFile });
  assertEquals(throwsCode(() => select(reg, "coder"), "profile_ambiguous").details.choices, [
    "user:coder",
    "project:coder",
  ]);
  // a qualified alias target crosses sources
  assertEquals(select(reg, "user:coder").qualified, "project:x");
});

// --- aliases --------------------------------------------------------------------------------

Deno.test("a self-alias is a cycle", () => {
  using box = sandbox();
  const userFile = box.write("u/manifest.toml", `[profiles.alias]\na = "a"\n`);
  const reg = loadRegistry({ builtin: [], userFile });
  const err = throwsCode(() => select(reg, "a"), "registry_invalid");
  assert.match(err.message, /user:a → user:a/);
  assertEquals(err.details.cycle, ["user:a", "user:a"]);
  assert.ok(String(err.details.file).endsWith("manifest.toml"));
});

Deno.test("a three-alias cycle is named in order, also when entered from outside", () => {
  using box = sandbox();
  const userFile = box.write(
    "u/manifest.toml",
    `[profiles.alias]\na = "b"\nb = "c"\nc = "a"\nx = "b"\n`,
  );
  const reg = loadRegistry({ builtin: [], userFile });
  assert.match(
    throwsCode(() => select(reg, "a"), "registry_invalid").message,
    /user:a → user:b → user:c → user:a/,
  );
  assert.match(
    throwsCode(() => select(reg, "user:x"), "registry_invalid").message,
    /user:b → user:c → user:a → user:b/,
  );
  // the problem report lists the cycle once
  assertEquals(registryProblems(reg).length, 1);
});

Deno.test("a cycle across sources is detected", () => {
  using box = sandbox();
  const userFile = box.write("u/manifest.toml", `[profiles.alias]\na = "project:b"\n`);
  const projectFile = box.write("p/manifest.toml", `[profiles.alias]\nb = "user:a"\n`);
  const reg = loadRegistry({ builtin: [], userFile, projectFile });
  const err = throwsCode(() => select(reg, "user:a"), "registry_invalid");
  assert.match(err.message, /user:a → project:b → user:a/);
  assertEquals((err.details.files as string[]).length, 2);
});

Deno.test("an alias and an entry with the same name in one source break that source", () => {
  using box = sandbox();
  const userFile = box.write(
    "u/manifest.toml",
    `[profiles.profile]\ncoder = "c.nix"\n[profiles.alias]\ncoder = "other"\n`,
  );
  const reg = loadRegistry({ builtin: BUILTINS(box.root), userFile });
  const err = throwsCode(() => select(reg, "user:coder"), "registry_invalid");
  assert.match(err.message, /declared both as a profile/);
  assertEquals(err.details.field, "profiles.alias.coder");
  assertEquals(err.details.file, userFile);
  throwsCode(() => listEntries(reg), "registry_invalid");
});

Deno.test("a dangling alias is registry_invalid naming the alias and file", () => {
  using box = sandbox();
  const userFile = box.write("u/manifest.toml", `[profiles.alias]\nwork = "gone"\n`);
  const reg = loadRegistry({ builtin: [], userFile });
  const err = throwsCode(() => select(reg, "work"), "registry_invalid");
  assert.match(err.message, /alias `user:work`.*`user:gone`, which is not defined/);
  assertEquals(err.details.field, "profiles.alias.work");
  // listing itself is fine (aliases are not entries); the problem report has it
  assertEquals(listEntries(reg), []);
  assertEquals(registryProblems(reg).map((p) => p.details.alias), ["user:work"]);
});

// --- listing ----------------------------------------------------------------------------------

Deno.test("listing is ordered by source then name, whatever the input order", () => {
  using box = sandbox();
  const userFile = box.write(
    "u/manifest.toml",
    `[profiles.profile]\nzeta = "z.nix"\nAlpha = "A.nix"\nalpha = "a.nix"\n"m.2" = "m.nix"\n`,
  );
  const projectFile = box.write(
    "p/manifest.toml",
    `[profiles.profile]\nb = "b.nix"\na = "a.nix"\n`,
  );
  const builtin = [
    { name: "writer", path: "/b/writer.nix" },
    { name: "coder", path: "/b/coder.nix" },
  ];
  const reg = loadRegistry({ builtin, userFile, projectFile });
  assertEquals(qualifiedNames(reg), [
    "builtin:coder",
    "builtin:writer",
    "user:Alpha",
    "user:alpha",
    "user:m.2",
    "user:zeta",
    "project:a",
    "project:b",
  ]);
  assertEquals(
    qualifiedNames(loadRegistry({ builtin: [...builtin].reverse(), userFile, projectFile })),
    qualifiedNames(reg),
  );
});

Deno.test("shadows lists same-named entries of the other sources", () => {
  using box = sandbox();
  const userFile = box.write(
    "u/manifest.toml",
    `[profiles.profile]\ncoder = "c.nix"\nsolo = "s.nix"\n`,
  );
  const projectFile = box.write(
    "p/manifest.toml",
    `[profiles.profile]\ncoder = "c.nix"\n[profiles.alias]\nsolo = "coder"\n`,
  );
  const reg = loadRegistry({ builtin: BUILTINS(box.root), userFile, projectFile });
  const byName = new Map(listEntries(reg).map((e) => [e.qualified, e.shadows]));
  assertEquals(byName.get("builtin:coder"), ["user:coder", "project:coder"]);
  assertEquals(byName.get("user:coder"), ["builtin:coder", "project:coder"]);
  assertEquals(byName.get("project:coder"), ["builtin:coder", "user:coder"]);
  // aliases do not shadow entries
  assertEquals(byName.get("user:solo"), []);
  assertEquals(select(reg, "project:coder").shadows, ["builtin:coder", "user:coder"]);
});

// --- defaults ---------------------------------------------------------------------------------

Deno.test("builtin:default is the fallback default; a user default overrides it", () => {
  using box = sandbox();
  const plain = loadRegistry({ builtin: BUILTINS(box.root) });
  assertEquals(select(plain, "default").qualified, "builtin:default");
  assertEquals(listEntries(plain).filter((e) => e.isDefault).map((e) => e.qualified), [
    "builtin:default",
  ]);
  const userFile = box.write("u/manifest.toml", `[profiles]\ndefault = "builtin:coder"\n`);
  const reg = loadRegistry({ builtin: BUILTINS(box.root), userFile });
  assertEquals(select(reg, "default").qualified, "builtin:coder");
});

Deno.test("no default anywhere is no_default_profile", () => {
  using box = sandbox();
  const userFile = box.write("u/manifest.toml", `[profiles.profile]\ncoder = "c.nix"\n`);
  const reg = loadRegistry({ builtin: [{ name: "coder", path: "/b/coder.nix" }], userFile });
  const err = throwsCode(() => select(reg, "default"), "no_default_profile");
  assert.match(err.message, /default = /);
  assertEquals(defaultEntry(reg), undefined);
  assert.ok(listEntries(reg).every((e) => !e.isDefault));
});

Deno.test("an unresolvable configured default fails instead of falling back to builtin:default", () => {
  using box = sandbox();
  const userFile = box.write("u/manifest.toml", `[profiles]\ndefault = "missing"\n`);
  const reg = loadRegistry({ builtin: BUILTINS(box.root), userFile });
  const err = throwsCode(() => select(reg, "default"), "registry_invalid");
  assert.match(err.message, /user:missing/);
  assertEquals(err.details.file, userFile);
  assertEquals(err.details.field, "profiles.default");
  // listing still works, flags nothing, and the problem report names the default
  assert.ok(listEntries(reg).every((e) => !e.isDefault));
  assertEquals(registryProblems(reg).map((p) => p.details.field), ["profiles.default"]);
});

Deno.test("a qualified default may point into another source", () => {
  using box = sandbox();
  const userFile = box.write("u/manifest.toml", `[profiles]\ndefault = "project:coder"\n`);
  const projectFile = box.write("p/manifest.toml", `[profiles.profile]\ncoder = "c.nix"\n`);
  const reg = loadRegistry({ builtin: [], userFile, projectFile });
  assertEquals(select(reg, "default").qualified, "project:coder");
});

// --- broken files ---------------------------------------------------------------------------

Deno.test("a broken user file blocks unqualified names, defaults and listing, not builtin:x", () => {
  using box = sandbox();
  const userFile = box.write("u/manifest.toml", `[profiles.profile]\ncoder = "c.nix"\nbad = \n`);
  const projectFile = box.write("p/manifest.toml", `[profiles.profile]\nreviewer = "r.nix"\n`);
  const reg = loadRegistry({ builtin: BUILTINS(box.root), userFile, projectFile }); // does not throw
  const err = throwsCode(() => select(reg, "coder"), "registry_invalid");
  assert.ok(err.message.includes(`${userFile}:3:7`), err.message);
  assertEquals([err.details.file, err.details.line, err.details.column], [userFile, 3, 7]);
  assertEquals(err.details.choices, ["builtin:coder"]);
  assert.match(err.message, /`builtin:coder`/);
  throwsCode(() => select(reg, "reviewer"), "registry_invalid");
  throwsCode(() => select(reg, "default"), "registry_invalid");
  throwsCode(() => select(reg, "user:coder"), "registry_invalid");
  const listed = throwsCode(() => listEntries(reg), "registry_invalid");
  assertEquals(listed.details.line, 3);
  // qualified selectors for healthy sources keep working
  assertEquals(select(reg, "builtin:coder").qualified, "builtin:coder");
  assertEquals(select(reg, "project:reviewer").qualified, "project:reviewer");
  assertEquals(registryProblems(reg).length, 1);
});

Deno.test("an alias into a broken source reports that source", () => {
  using box = sandbox();
  const userFile = box.write("u/manifest.toml", `[profiles.alias]\nr = "project:reviewer"\n`);
  const projectFile = box.write("p/manifest.toml", `[profiles\n`);
  const reg = loadRegistry({ builtin: [], userFile, projectFile });
  const err = throwsCode(() => select(reg, "user:r"), "registry_invalid");
  assertEquals(err.details.file, projectFile);
  assert.match(err.message, /alias `user:r` → `project:reviewer`/);
  // the broken project file is reported once, not again through the alias
  assertEquals(registryProblems(reg).length, 1);
});

Deno.test("schema errors name the file, the key path and, when unambiguous, the line", () => {
  using box = sandbox();
  const cases: [string, RegExp, string][] = [
    [
      `[profiles]\ndefualt = "x"\n`,
      /unknown key `defualt`.*did you mean `default`\?/,
      "profiles.defualt",
    ],
    [
      `[profiles.aliases]\nx = "y"\n[profiles.alias]\nz = "y"\n`,
      /`profiles.aliases` and `profiles.alias` are the same table/,
      "profiles.aliases",
    ],
    [
      `[profiles.entries]\nx = "y.nix"\n[profiles.profile]\nz = "y.nix"\n`,
      /`profiles.entries` and `profiles.profile` are the same table/,
      "profiles.entries",
    ],
    [
      `[profiles.entrie]\nx = "y"\n`,
      /did you mean `profile`\?|unknown key `entrie`/,
      "profiles.entrie",
    ],
    [
      `[profiles.profile.coder]\npath = "c.nix"\ndescripton = "x"\n`,
      /unknown key `descripton`.*did you mean `description`\?/,
      "profiles.profile.coder.descripton",
    ],
    [
      `[profiles.profile]\ncoder = 42\n`,
      /must be a path string or a table/,
      "profiles.profile.coder",
    ],
    [`[profiles.profile]\ncoder = ""\n`, /non-empty file path/, "profiles.profile.coder"],
    [
      `[profiles.profile]\ncoder = { description = "x" }\n`,
      /needs a `path`/,
      "profiles.profile.coder",
    ],
    [`[profiles.profile]\n"my coder" = "c.nix"\n`, /contains " "/, 'profiles.profile."my coder"'],
    [`[profiles.profile]\n".x" = "c.nix"\n`, /starts with `\.`/, 'profiles.profile.".x"'],
    [`[profiles]\ndefault = 3\n`, /must be a profile name/, "profiles.default"],
    [`[profiles]\ndefault = "projct:x"\n`, /did you mean `project:x`\?/, "profiles.default"],
    [`[profiles.alias]\nw = "a b"\n`, /not a valid profile reference/, "profiles.alias.w"],
    [`profiles = 1\n`, /must be a table/, "profiles"],
    [`[profiles]\nprofile = []\n`, /must be a table/, "profiles.profile"],
  ];
  for (const [text, pattern, field] of cases) {
    const file = box.write("u/manifest.toml", text);
    const reg = loadRegistry({ builtin: [], userFile: file });
    const err = throwsCode(() => select(reg, "x"), "registry_invalid");
    assert.match(err.message, pattern, text);
    assertEquals(err.details.field, field, text);
    assertEquals(err.details.file, file);
  }
  const file = box.write("u/manifest.toml", `# c\n[profiles]\n  defualt = "x"\n`);
  const err = throwsCode(
    () => select(loadRegistry({ builtin: [], userFile: file }), "x"),
    "registry_invalid",
  );
  assert.ok(err.message.includes(`${file}:3:3`), err.message);
  assertEquals([err.details.line, err.details.column], [3, 3]);
});

Deno.test("other tables are ignored; a missing [profiles] or file is an empty source", () => {
  using box = sandbox();
  const userFile = box.write("u/manifest.toml", `[pod]\nname = "x"\n[scope]\nallow = []\n`);
  const reg = loadRegistry({
    builtin: [],
    userFile,
    projectFile: undefined,
    projectStart: box.root,
  });
  assertEquals(listEntries(reg), []);
  const missing = loadRegistry({ builtin: [], userFile: join(box.root, "nope.toml") });
  assertEquals(listEntries(missing), []);
});

Deno.test("required files that are missing, or unreadable files, break their source", () => {
  using box = sandbox();
  const reg = loadRegistry({
    builtin: [],
    userFile: join(box.root, "nope.toml"),
    userFileRequired: true,
    projectFile: join(box.root, "proj.toml"),
  });
  assert.match(
    throwsCode(() => select(reg, "user:x"), "registry_invalid").message,
    /does not exist/,
  );
  assert.match(
    throwsCode(() => select(reg, "project:x"), "registry_invalid").message,
    /does not exist/,
  );
  const dirAsFile = loadRegistry({ builtin: [], userFile: box.root });
  assert.match(
    throwsCode(() => listEntries(dirAsFile), "registry_invalid").message,
    /cannot be read/,
  );
  const latin1 = box.write("l/manifest.toml", "");
  Deno.writeFileSync(latin1, new Uint8Array([0x61, 0x3d, 0x22, 0xe9, 0x22]));
  const enc = loadRegistry({ builtin: [], userFile: latin1 });
  assert.match(throwsCode(() => listEntries(enc), "registry_invalid").message, /UTF-8/);
});

// --- discovery ------------------------------------------------------------------------------

Deno.test("findProjectManifest returns the nearest .insomnia/manifest.toml walking up", () => {
  using box = sandbox();
  const outer = box.write("outer/.insomnia/manifest.toml", "");
  const inner = box.write("outer/inner/.insomnia/manifest.toml", "");
  mkdirSync(join(box.root, "outer/inner/a/b"), { recursive: true });
  mkdirSync(join(box.root, "outer/other"), { recursive: true });
  assertEquals(findProjectManifest(join(box.root, "outer/inner/a/b")), inner);
  assertEquals(findProjectManifest(join(box.root, "outer/inner")), inner);
  assertEquals(findProjectManifest(join(box.root, "outer/other")), outer);
  assertEquals(findProjectManifest(join(box.root, "outer/inner/.insomnia")), inner);
});

Deno.test("scanBuiltinDir finds *.nix files and <dir>/profile.nix, sorted; missing dir is empty", () => {
  using box = sandbox();
  box.write("b/zeta.nix", "{}");
  box.write("b/alpha.nix", "{}");
  box.write("b/mid/profile.nix", "{}");
  box.write("b/nodir/other.nix", "{}");
  box.write("b/alpha/profile.nix", "{}"); // the file `alpha.nix` wins
  box.write("b/README.md", "");
  box.write("b/bad name.nix", "{}");
  mkdirSync(join(box.root, "b/dir.nix"));
  const dir = join(box.root, "b");
  assertEquals(scanBuiltinDir(dir), [
    { name: "alpha", path: join(dir, "alpha.nix") },
    { name: "mid", path: join(dir, "mid/profile.nix") },
    { name: "zeta", path: join(dir, "zeta.nix") },
  ]);
  assertEquals(scanBuiltinDir(join(box.root, "missing")), []);
});

// --- not found ------------------------------------------------------------------------------

Deno.test("not found suggests close qualified names and `profiles list`", () => {
  using box = sandbox();
  const userFile = box.write("u/manifest.toml", `[profiles.profile]\ncoder = "c.nix"\n`);
  const reg = loadRegistry({ builtin: BUILTINS(box.root), userFile });
  const err = throwsCode(() => select(reg, "codr"), "profile_not_found");
  assert.match(err.message, /did you mean `builtin:coder` or `user:coder`\?/i);
  assert.match(err.message, /insomnia-pod profiles list/);
  const qualified = throwsCode(() => select(reg, "project:coder"), "profile_not_found");
  assertEquals(qualified.details.suggestions, ["builtin:coder", "user:coder"]);
  assertEquals(
    throwsCode(() => select(reg, "zzzzzzzz"), "profile_not_found").details.suggestions,
    [],
  );
  // a profile named `default` is reachable only qualified
  assertEquals(select(reg, "builtin:default").qualified, "builtin:default");
});

Deno.test("path and flake selectors are not registry names", () => {
  const reg = loadRegistry({ builtin: [] });
  throwsCode(() => selectEntry(reg, { kind: "path", path: "./x.nix" }), "internal");
  throwsCode(() => selectEntry(reg, { kind: "flake", ref: ".", name: "x" }), "internal");
});

// --- performance ----------------------------------------------------------------------------

Deno.test("10,000 entries in one file list in well under 100 ms after parsing", () => {
  using box = sandbox();
  const lines = ["[profiles]", 'default = "p-00042"', "[profiles.profile]"];
  for (let i = 0; i < 10_000; i++) {
    const n = `p-${String(i).padStart(5, "0")}`;
    lines.push(
      i % 2
        ? `${n} = "profiles/${n}.nix"`
        : `${n} = { path = "/abs/${n}.nix", description = "d${i}" }`,
    );
  }
  const userFile = box.write("u/manifest.toml", lines.join("\n") + "\n");
  const projectFile = box.write("p/manifest.toml", lines.slice(2).join("\n") + "\n");
  const builtin = Array.from(
    { length: 100 },
    (_, i) => ({ name: `p-${String(i).padStart(5, "0")}`, path: `/b/${i}.nix` }),
  );
  const reg = loadRegistry({ builtin, userFile, projectFile });
  let best = Infinity;
  let listed: ReturnType<typeof listEntries> = [];
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    listed = listEntries(reg);
    best = Math.min(best, performance.now() - start);
  }
  assertEquals(listed.length, 20_100);
  assert.ok(best < 100, `listing took ${best.toFixed(1)} ms`);
  assertEquals(listed.filter((e) => e.isDefault).map((e) => e.qualified), ["user:p-00042"]);
  assertEquals(listed[0]!.shadows, ["user:p-00000", "project:p-00000"]);
  assertEquals(select(reg, "user:p-09999").path, join(box.root, "u/profiles/p-09999.nix"));
});

Deno.test("the original's spellings `entries` and `aliases` are accepted as `profile` and `alias`", () => {
  using box = sandbox();
  const file = box.write(
    "manifest.toml",
    `[profiles]\ndefault = "work"\n[profiles.entries]\ncoder = "coder.nix"\n` +
      `review = { path = "review.nix", description = "Reviewer" }\n[profiles.aliases]\nwork = "coder"\n`,
  );
  const state = readRegistrySource("user", file);
  assert.equal(state.error, undefined);
  assert.deepEqual([...state.entries.keys()], ["coder", "review"]);
  assert.equal(state.entries.get("review")?.description, "Reviewer");
  assert.deepEqual([...state.aliases.keys()], ["work"]);
  assert.equal(state.aliases.get("work")?.field, "profiles.aliases.work");
});

Deno.test("a builtin:NAME selection reads no registry file: a missing explicit user manifest and a broken project registry do not matter", async () => {
  const { loadBuiltinRegistry, loadProfileRegistry } = await import("../src/profile/discovery.ts");
  const { resolveProfile } = await import("../src/profile/resolve_profile.ts");
  const root = mkdtempSync(join(tmpdir(), "insomnia-builtin-only-"));
  try {
    const project = join(root, "project");
    mkdirSync(join(project, ".insomnia"), { recursive: true });
    writeFileSync(join(project, ".insomnia", "manifest.toml"), "[profiles\nbroken = 'x'\n");
    const env = {
      HOME: root,
      XDG_CONFIG_HOME: join(root, "config"),
      XDG_CACHE_HOME: join(root, "cache"),
      XDG_DATA_HOME: join(root, "data"),
      INSOMNIA_USER_MANIFEST: join(root, "missing.toml"),
    };
    const full = loadProfileRegistry(env, project);
    assert.ok(full.sources.user.error && full.sources.project.error, "both files are read there");
    const builtin = loadBuiltinRegistry(env);
    assert.equal(builtin.sources.user.error, undefined);
    assert.equal(builtin.sources.project.error, undefined);
    assert.equal(builtin.sources.project.file, undefined);
    const { manifest } = await resolveProfile("builtin:coder", { env, cwd: project });
    assert.equal(manifest.pod.name, "coder");
    await assert.rejects(resolveProfile("coder", { env, cwd: project }), InsomniaError);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
