/**
 * The doc-test runner: every command example in README.md, docs/ and examples/ runs against the
 * real CLI and prints what the document shows (tests/helpers/doc_examples.ts has the format).
 *
 * Each document gets its own world, copied from tests/fixtures/doc_world: HOME is `/home/me`
 * and the working directory `/home/me/project` (a project with `.insomnia/` profiles from the
 * example team in examples/profiles, and the repository's `examples/`), both under a temporary
 * root that is cut from the output, so paths read as the docs print them. Blocks of one document run in order and share that world.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { type DocBlock, docBlocks, outputMatches } from "./helpers/doc_examples.ts";
import { denoDir, FIXTURES, podCommand, realNix, REPO_ROOT, writeFile } from "./helpers/cli.ts";
import { dirname, join } from "./helpers/path.ts";

const DOCS = [
  "README.md",
  ...readdirSync(join(REPO_ROOT, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) =>
    `docs/${f}`
  ),
  "examples/README.md",
];

Deno.test("the doc-test parser reads sh blocks, transcripts and directives", () => {
  const doc = [
    "<!-- doctest: skip needs the network -->",
    "```sh",
    "curl https://example.org",
    "```",
    "<!-- doctest: setup insomnia-pod --profile ./coder.nix -q -->",
    "<!-- doctest: env KEY=canary -->",
    "```sh",
    "insomnia-pod --pod coder   # resume",
    "# a comment",
    "insomnia-pod --profile a \\",
    "  --dry-run",
    "```",
    "```text",
    "$ insomnia-pod --overlay '[worker]",
    "max_turns = 0' --dry-run",
    "error[manifest_invalid]: …",
    "$ insomnia-pod trust",
    "```",
    "```nix",
    "{ }",
    "```",
  ].join("\n");
  const blocks = docBlocks("x.md", doc);
  assert.deepEqual(blocks.map((b) => [b.skip, b.setup, b.env, b.steps.length]), [
    ["needs the network", [], {}, 1],
    [null, ["insomnia-pod --profile ./coder.nix -q"], { KEY: "canary" }, 2],
    [null, [], {}, 2],
  ]);
  assert.equal(blocks[1].steps[1].command, "insomnia-pod --profile a \\\n  --dry-run");
  assert.deepEqual(blocks[2].steps[0], {
    line: 14,
    command: "insomnia-pod --overlay '[worker]\nmax_turns = 0' --dry-run",
    expected: ["error[manifest_invalid]: …"],
  });
  assert.deepEqual(blocks[2].steps[1].expected, []);
  assert.throws(
    () => docBlocks("y.md", "```text\nerror[usage]: no\n```\n"),
    /output without the command/,
  );
});

Deno.test("the doc-test matcher: … stands for any text in a line, alone for any lines", () => {
  assert.ok(outputMatches(["a", "b"], ["a", "b  "]));
  assert.ok(!outputMatches(["a"], ["a", "b"]));
  assert.ok(outputMatches(["pod: …", "…", "end"], ["pod: coder", "x", "y", "end"]));
  assert.ok(outputMatches(["…"], []));
  assert.ok(!outputMatches(["pod: …x"], ["pod: coder"]));
});

for (const doc of DOCS) {
  const blocks = docBlocks(doc, readFileSync(join(REPO_ROOT, doc), "utf8"));
  if (blocks.length === 0) continue;
  Deno.test(`${doc}: every command example prints what the doc shows`, () => {
    const problems = runDocument(doc, blocks);
    assert.deepEqual(problems, [], problems.join("\n\n"));
  });
}

Deno.test("the doc-test runner covers the documents' examples", () => {
  const all = DOCS.flatMap((doc) => docBlocks(doc, readFileSync(join(REPO_ROOT, doc), "utf8")));
  const run = all.filter((b) => !b.skip).flatMap((b) => b.steps);
  assert.ok(run.length >= 60, `only ${run.length} commands run`);
  assert.ok(run.filter((s) => s.expected).length >= 25, "transcripts with output");
});

/** Runs a document's blocks in one fresh world; returns one message per mismatch. */
function runDocument(doc: string, blocks: DocBlock[]): string[] {
  const root = mkdtempSync(join(tmpdir(), "insomnia-doc-"));
  try {
    const world = makeWorld(root);
    const env: Record<string, string> = { ...world.env };
    const problems: string[] = [];
    for (const block of blocks) {
      Object.assign(env, block.env);
      if (block.skip) continue;
      for (const setup of block.setup) {
        const result = run(setup, world.cwd, env, root);
        if (result.code !== 0) {
          problems.push(
            `${doc}:${block.line}: setup \`${setup}\` exited ${result.code}:\n${result.output}`,
          );
        }
      }
      for (const step of block.steps) {
        const result = run(step.command, world.cwd, env, root);
        const where = `${doc}:${step.line}: \`${step.command}\``;
        if (step.expected === null) {
          if (result.code !== 0) problems.push(`${where} exited ${result.code}:\n${result.output}`);
          continue;
        }
        const wanted = expectedExit(step.expected);
        const lines = result.output === "" ? [] : result.output.replace(/\n$/, "").split("\n");
        if (result.code !== wanted || !outputMatches(step.expected, lines)) {
          problems.push(
            `${where} exited ${result.code} (doc implies ${wanted}); the doc shows:\n` +
              `${step.expected.join("\n")}\n-- it printed:\n${result.output}`,
          );
        }
      }
    }
    return problems;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The exit status a transcript implies: 2 for a usage error, 1 for another error, else 0. */
function expectedExit(expected: string[]): number {
  if (expected.some((l) => l.startsWith("error[usage]"))) return 2;
  return expected.some((l) => l.startsWith("error[")) ? 1 : 0;
}

interface World {
  cwd: string;
  env: Record<string, string>;
}

/** Copies the fixture world under `root`, with `insomnia-pod` on PATH and as `dist/insomnia-pod`. */
function makeWorld(root: string): World {
  cpSync(join(FIXTURES, "doc_world"), root, { recursive: true });
  const home = join(root, "home", "me");
  const cwd = join(home, "project");
  cpSync(join(REPO_ROOT, "examples"), join(cwd, "examples"), { recursive: true });
  // The sample project's profiles are the example team's (kept in one place, examples/profiles):
  // coder.nix and ci.nix in the project, coder and reviewer registered in its .insomnia/.
  const team = (file: string) =>
    readFileSync(join(REPO_ROOT, "examples", "profiles", file), "utf8");
  writeFile(join(cwd, "coder.nix"), team("coder.nix"));
  writeFile(join(cwd, "common.nix"), team("common.nix"));
  writeFile(join(cwd, "ci.nix"), team("reviewer.nix").replace('name = "reviewer"', 'name = "ci"'));
  for (const file of ["coder.nix", "common.nix", "reviewer.nix"]) {
    writeFile(join(cwd, ".insomnia", "profiles", file), team(file));
  }
  const shim = `#!/bin/sh\nexec ${podCommand().map((a) => `'${a}'`).join(" ")} "$@"\n`;
  for (const bin of [join(root, "bin", "insomnia-pod"), join(cwd, "dist", "insomnia-pod")]) {
    writeFile(bin, shim);
    chmodSync(bin, 0o755);
  }
  for (const dir of [root, join(root, "home"), home, cwd]) chmodSync(dir, 0o755);
  mkdirSync(join(root, "tmp"), { recursive: true });
  return {
    cwd,
    env: {
      PATH: [join(root, "bin"), dirname(realNix()), "/usr/local/bin", "/usr/bin", "/bin"].join(":"),
      HOME: home,
      TMPDIR: join(root, "tmp"),
      NO_COLOR: "1",
      LANG: "C.UTF-8",
      DENO_DIR: denoDir(),
      DENO_NO_UPDATE_CHECK: "1",
    },
  };
}

/** Runs one documented command with `sh` (stderr merged into stdout), paths shown as the doc's. */
function run(
  command: string,
  cwd: string,
  env: Record<string, string>,
  root: string,
): { code: number; output: string } {
  const script = command.replace(/\bdeno task pod\b/g, "insomnia-pod");
  const result = spawnSync("/bin/sh", ["-c", `{ ${script}\n} 2>&1`], {
    cwd,
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 90_000,
  });
  const output = (result.stdout ?? "").split(root).join("");
  return { code: result.status ?? 128, output };
}
