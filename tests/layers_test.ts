/**
 * The layer directions of docs/architecture.md, read from the imports of every file in src/: a
 * new import that crosses one fails here with the file and the import named.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { REPO_ROOT } from "./helpers/cli.ts";

const SRC = join(REPO_ROOT, "src");
const CORE = ["profile", "nix", "secrets", "manifest"];

/** Why `from` (a layer: a folder of src/, or a top-level file) may not import `to`, if it may not. */
function forbidden(from: string, to: string): string | undefined {
  if (from === to) return undefined;
  if (from === "tui" && to === "cli") return "the dialog uses app/, never the CLI";
  if (CORE.includes(from) && ["store", "cli", "tui", "app"].includes(to)) {
    return "the core does not depend on the store, the application or its clients";
  }
  if ((from === "store" && to === "secrets") || (from === "secrets" && to === "store")) {
    return "store/ and secrets/ are siblings; shared file helpers live in fs/";
  }
  if (to === "app" && !["cli", "tui", "mod.ts"].includes(from)) {
    return "only the clients (cli/, tui/) and the library entry use the application layer";
  }
  if (from === "fs" && !to.endsWith(".ts")) return "fs/ is the bottom layer";
  return undefined;
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []
  );
}

const layerOf = (file: string) => relative(SRC, file).split("/")[0];

Deno.test("imports follow the layer directions", () => {
  const crossings: string[] = [];
  for (const file of files(SRC)) {
    const text = readFileSync(file, "utf8");
    const specifiers = text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)["'](\.[^"']+)["']/g);
    for (const [, specifier] of specifiers) {
      const target = normalize(join(dirname(file), specifier));
      const why = forbidden(layerOf(file), layerOf(target));
      if (why) crossings.push(`${relative(SRC, file)} → ${relative(SRC, target)}: ${why}`);
    }
  }
  assert.deepEqual(crossings, []);
});

Deno.test("src/ names its packages fully, at the versions deno.json pins", () => {
  const pinned = new Set(
    Object.values(
      (JSON.parse(readFileSync(join(REPO_ROOT, "deno.json"), "utf8")) as {
        imports: Record<string, string>;
      }).imports,
    ),
  );
  const wrong: string[] = [];
  for (const file of files(SRC)) {
    const text = readFileSync(file, "utf8");
    for (
      const [, specifier] of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)["']([^"'.][^"']*)["']/g)
    ) {
      if (specifier.startsWith("node:")) continue;
      // A bare name resolves only through this repository's import map: a project importing the
      // library by path would not find it.
      if (!specifier.startsWith("npm:")) wrong.push(`${relative(SRC, file)}: bare "${specifier}"`);
      else if (!pinned.has(specifier.replace(/^(npm:(?:@[^/]+\/)?[^/@]+@[^/]+).*$/, "$1"))) {
        wrong.push(`${relative(SRC, file)}: "${specifier}" is not the version deno.json pins`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

Deno.test("the runtime lockfile holds only what src/ imports; test-only packages live in tests/deno.lock", () => {
  const used = new Set<string>();
  for (const file of files(SRC)) {
    for (const [, spec] of readFileSync(file, "utf8").matchAll(/["'](npm:[^"']+)["']/g)) {
      used.add(spec.replace(/^(npm:(?:@[^/]+\/)?[^/@]+@[^/]+).*$/, "$1"));
    }
  }
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, "deno.lock"), "utf8")) as {
    specifiers: Record<string, string>;
  };
  assert.deepEqual(Object.keys(lock.specifiers).sort(), [...used].sort());
});

Deno.test("no module of src/ loads a heavy built-in at start (each costs milliseconds in Bun)", () => {
  // node:crypto (src/sha256.ts), node:tty (src/cli/terminal.ts) and node:child_process
  // (src/nix/process.ts) are taken with process.getBuiltinModule where they are needed; node:util
  // and the stream modules are not needed at all. Type-only imports cost nothing.
  const heavy =
    /^import\s+(?!type\b)[^;]*?from\s+"(node:(?:crypto|tty|child_process|util|stream|readline|net)(?:\/[a-z]+)?)";/gms;
  const found: string[] = [];
  for (const file of files(SRC)) {
    for (const [, module] of readFileSync(file, "utf8").matchAll(heavy)) {
      found.push(`${relative(SRC, file)} imports ${module}`);
    }
  }
  assert.deepEqual(found, []);
});
