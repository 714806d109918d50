/**
 * Evaluates every builtin profile source (`resources/profiles/<name>.nix` or `<name>/profile.nix`) with Nix and
 * writes its artifact to `resources/profiles/evaluated/<name>.json`, so builtin profiles resolve on
 * machines without Nix. `tests/builtin_profiles_test.ts` proves the files equal a fresh evaluation.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { evaluateNix } from "../src/nix/evaluate.ts";

const root = join(fileURLToPath(new URL(".", import.meta.url)), "..");

/** Builtin profile sources under `dir`, by name. */
export function builtinSources(dir: string): Array<{ name: string; file: string }> {
  const out: Array<{ name: string; file: string }> = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(".nix")) {
      out.push({ name: entry.name.slice(0, -4), file: join(dir, entry.name) });
    } else if (entry.isDirectory() && existsSync(join(dir, entry.name, "profile.nix"))) {
      out.push({ name: entry.name, file: join(dir, entry.name, "profile.nix") });
    }
  }
  return out.sort((a, b) => a.name < b.name ? -1 : 1);
}

/** Evaluates one builtin source to the text written in `evaluated/<name>.json`. */
export async function evaluateBuiltin(
  file: string,
  resources = join(root, "resources"),
): Promise<string> {
  const { value } = await evaluateNix({
    target: { kind: "file", file },
    includePaths: { insomnia: join(resources, "nix") },
    timeoutMs: 60_000,
  });
  return JSON.stringify(value, null, 2) + "\n";
}

if (import.meta.main) {
  const dir = join(root, "resources", "profiles");
  const outDir = join(dir, "evaluated");
  mkdirSync(outDir, { recursive: true });
  for (const { name, file } of builtinSources(dir)) {
    writeFileSync(join(outDir, `${name}.json`), await evaluateBuiltin(file));
    console.log(`evaluated ${name}`);
  }
}
