/**
 * End-to-end: the library used from someone else's project. A scratch project with its own
 * `deno.json` (no import map) runs the test suite of docs/library.md, verbatim except for where it
 * imports the library from — by relative path, by absolute path and by `file://` URL — with
 * exactly the permissions that docs/library.md lists.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const modTs = join(repo, "src", "mod.ts");
const doc = readFileSync(join(repo, "docs", "library.md"), "utf8");
const section = doc.split("### A complete test suite in your project")[1] ?? "";
const testSource = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
const command = /```sh\n([^\n]*)\n```/.exec(section)?.[1] ?? "";
const DOC_IMPORT = `"../insomnia-pod/src/mod.ts"`;

/** Runs `deno <args>` in a scratch project whose test imports the library as `specifier(dir)`. */
function runInProject(specifier: (dir: string) => string, args: string[]) {
  const root = mkdtempSync(join(tmpdir(), "insomnia-libproj-"));
  try {
    const dir = join(root, "project");
    mkdirSync(join(dir, "profiles"), { recursive: true });
    writeFileSync(join(dir, "deno.json"), "{}\n");
    copyFileSync(
      join(repo, "tests", "fixtures", "library", "reviewer.nix"),
      join(dir, "profiles", "reviewer.nix"),
    );
    writeFileSync(
      join(dir, "my_profiles_test.ts"),
      testSource.replace(DOC_IMPORT, JSON.stringify(specifier(dir))),
    );
    const run = spawnSync(Deno.execPath(), args, {
      cwd: dir,
      encoding: "utf8",
      env: {
        PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
        HOME: root,
        NO_COLOR: "1",
        DENO_NO_UPDATE_CHECK: "1",
        ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
      },
    });
    return { code: run.status, out: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const documentedArgs = command.split(/\s+/).slice(1); // drop the leading `deno`

Deno.test("library project: docs/library.md names the test file, the import and the permissions", () => {
  assert.ok(testSource.includes(`from ${DOC_IMPORT}`), "the example imports the library by path");
  assert.match(command, /^deno test /);
  for (const flag of ["--allow-read", "--allow-write", "--allow-env", "--allow-sys=uid"]) {
    assert.ok(documentedArgs.includes(flag), `${flag} is documented`);
  }
  assert.ok(documentedArgs.includes("--allow-run=nix,/bin/sh"));
  assert.ok(!documentedArgs.includes("-A") && !documentedArgs.includes("--allow-all"));
});

const forms: Record<string, (dir: string) => string> = {
  "relative path": (dir) => relative(dir, modTs).replace(/^(?!\.)/, "./"),
  "absolute path": () => modTs,
  "file:// URL": () => pathToFileURL(modTs).href,
};

for (const [form, specifier] of Object.entries(forms)) {
  Deno.test(`library project: the documented suite passes importing by ${form}`, () => {
    const { code, out } = runInProject(specifier, documentedArgs);
    assert.equal(code, 0, out);
    assert.match(out, /ok \| 1 passed \| 0 failed/);
  });
}

Deno.test("library project: a missing permission is named as such, not as a missing Nix", () => {
  const args = documentedArgs.filter((arg) => arg !== "--allow-sys=uid");
  const { code, out } = runInProject(() => modTs, args);
  assert.notEqual(code, 0);
  assert.match(out, /the Deno runtime refused an operation insomnia-pod needs/);
  assert.match(out, /--allow-sys/);
  assert.doesNotMatch(out, /requires Nix/);
});
