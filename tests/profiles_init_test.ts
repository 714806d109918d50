/**
 * The Nix text `profiles init --from` writes: string literals that real Nix reads back unchanged
 * (no interpolation), and imports relative within the tree, absolute outside it.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fc from "npm:fast-check@4.10.2";
import { importExpression } from "../src/profile/templates.ts";
import { nixString } from "../src/nix/args.ts";

function nixEvalJson(expr: string): unknown {
  const run = spawnSync(
    "nix",
    [
      "--extra-experimental-features",
      "nix-command",
      "eval",
      "--json",
      "--store",
      "dummy://",
      "--expr",
      expr,
    ],
    { encoding: "utf8" },
  );
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

Deno.test("nixString: Nix reads every string back exactly, ${…} included", () => {
  const tricky = [
    "/a${toString 1}/o.nix",
    'q"uote',
    "back\\slash",
    "$${x}",
    "line\nbreak\ttab\rcr",
    "${",
    "$",
    "emoji 🧪 and ünïcode",
  ];
  const random = fc.sample(
    fc.string({ unit: fc.constantFrom("$", "{", "}", "\\", '"', "a", "\n", "'") }),
    200,
  );
  const all = [...tricky, ...random];
  assert.deepEqual(nixEvalJson(`[ ${all.map(nixString).join(" ")} ]`), all);
});

Deno.test("importExpression: a path literal inside the tree, a quoted absolute path outside", () => {
  const root = "/p";
  const profile = "/p/.insomnia/profiles/new.nix";
  assert.equal(importExpression("/p/team/base.nix", profile, root), "../../team/base.nix");
  assert.equal(importExpression("/p/.insomnia/profiles/b.nix", profile, root), "./b.nix");
  assert.equal(importExpression("/elsewhere/b.nix", profile, root), '"/elsewhere/b.nix"');
  assert.equal(importExpression("/p/my dir/b.nix", profile, root), '"/p/my dir/b.nix"');
  assert.equal(importExpression("/x/a${y}.nix", profile, root), '"/x/a\\${y}.nix"');
});
