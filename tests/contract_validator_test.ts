/**
 * The runtime's contract compiled ahead of time (src/generated/contract_validator.ts) is current,
 * agrees with Ajv interpreting the strict contract (tests/helpers/contract.ts), and is what a read
 * of the store checks; the read path (resume, pods list/show) loads no schema library.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CONTRACT_PATH, renderContractValidator } from "../scripts/gen_contract_validator.ts";
import { runtimeContractProblem } from "../src/manifest/contract_check.ts";
import { resolveProfile } from "../src/mod.ts";
import { contractProblems } from "./helpers/contract.ts";
import { REPO_ROOT } from "./helpers/cli.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

Deno.test("src/generated/contract_validator.ts is what scripts/gen_contract_validator.ts writes", () => {
  const contract = readFileSync(join(REPO_ROOT, CONTRACT_PATH), "utf8");
  const fresh = renderContractValidator(contract);
  const file = readFileSync(join(REPO_ROOT, "src", "generated", "contract_validator.ts"), "utf8");
  assert.ok(fresh === file, "stale: run `deno task gen`");
});

const BUILTINS = ["default", "coder", "coder-cheap", "coder-fast", "reviewer", "researcher"];

async function builtin(name: string): Promise<Json> {
  const { manifest } = await resolveProfile(`builtin:${name}`, {
    workspace: "/srv/project",
    env: { HOME: "/nonexistent", PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
  });
  return structuredClone(manifest);
}

/** Edits a resolved manifest in ways the runtime refuses or would silently drop. */
const MUTATIONS: Array<[string, (m: Json) => void, RegExp]> = [
  ["an unknown key at depth", (m) => (m.worker.tool_ouput = "full"), /^worker\.tool_ouput: /],
  ["an unknown top-level key", (m) => (m.extra = true), /^extra: a field the runtime/],
  ["a missing required field", (m) => delete m.pod.name, /^pod\.name: missing required field/],
  ["a wrong type", (m) => (m.worker.max_turns = "many"), /^worker\.max_turns: /],
  ["a wrong enum value", (m) => (m.scope.allow[0].permission = "rwx"), /^scope\.allow\[0\]/],
  ["a negative integer", (m) => (m.worker.max_turns = -1), /^worker\.max_turns: /],
];

Deno.test("the compiled contract accepts every builtin profile's manifest, as Ajv does", async () => {
  for (const name of BUILTINS) {
    const manifest = await builtin(name);
    assert.deepEqual(contractProblems(manifest), [], `ajv: builtin:${name}`);
    assert.equal(runtimeContractProblem(manifest), undefined, `compiled: builtin:${name}`);
  }
});

Deno.test("the compiled contract refuses what Ajv refuses, naming the field", async () => {
  const base = await builtin("coder");
  for (const [what, edit, field] of MUTATIONS) {
    const manifest = structuredClone(base);
    edit(manifest);
    assert.notDeepEqual(contractProblems(manifest), [], `ajv accepts ${what}`);
    const problem = runtimeContractProblem(manifest);
    assert.ok(problem !== undefined, `compiled accepts ${what}`);
    assert.match(problem, field, what);
  }
});

/** The static (not `import type`, not dynamic) import closure of `entry`. */
function staticClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    if (!file.endsWith(".ts")) return;
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+"([^"]+)";/gms)) {
      const spec = m[1];
      visit(spec.startsWith(".") ? join(file, "..", spec) : spec);
    }
  };
  visit(entry);
  return seen;
}

Deno.test("resume and pods list/show check snapshots without loading a schema library", () => {
  const src = join(REPO_ROOT, "src");
  for (const entry of ["cli/commands/launch.ts", "cli/commands/pods.ts", "app/resume.ts"]) {
    const closure = [...staticClosure(join(src, entry))];
    const heavy = closure.filter((f) =>
      f.startsWith("npm:zod") || f.endsWith("manifest/validate.ts")
    );
    assert.deepEqual(heavy, [], `${entry} loads ${heavy.join(", ")}`);
    assert.ok(
      closure.some((f) => f.endsWith("manifest/contract_check.ts")),
      `${entry} reads snapshots through the contract check`,
    );
  }
});
