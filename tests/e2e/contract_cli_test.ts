/**
 * End-to-end: what the runtime does with `ask` is said wherever a Pod is created, resumed or shown
 * (the runtime denies every `ask`), once per command; a Pod without `ask` gets no such warning.
 */
import assert from "node:assert/strict";
import { parseJson, runCli, withSandbox } from "../helpers/cli.ts";

const ASK = /permissions use `ask` \(Bash\), but the runtime has no approval prompt/;

Deno.test("ask: creating, resuming and showing a Pod that uses ask each warn once", async () => {
  await withSandbox(async (sb) => {
    const run = (args: string[]) => runCli(args, { cwd: sb.workspace, env: sb.env });
    const created = await run(["--profile", "builtin:coder"]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stderr.split("\n").filter((l) => ASK.test(l)).length, 1, created.stderr);
    const json = await run(["--profile", "builtin:coder", "--profile-pod-name", "j", "--json"]);
    assert.ok((parseJson(json).warnings as string[]).some((w) => ASK.test(w)));
    for (const args of [["--pod", "coder"], ["pods", "show", "coder"]]) {
      const result = await run(args);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr.split("\n").filter((l) => ASK.test(l)).length, 1, args.join(" "));
    }
    // builtin:reviewer denies instead of asking: no warning
    const reviewer = await run(["--profile", "builtin:reviewer"]);
    assert.equal(reviewer.code, 0, reviewer.stderr);
    assert.doesNotMatch(reviewer.stderr, /`ask`/);
  });
});
