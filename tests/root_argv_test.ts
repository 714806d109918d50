/**
 * The plain root command line read without commander (src/cli/root_argv.ts) gives exactly the
 * options commander gives the root action, and every line it does not take for sure is left to
 * commander: checked on a corpus built from the flag table.
 */
import assert from "node:assert/strict";
import { launchFlags, longOf } from "../src/app/launch_flags.ts";
import { buildProgram } from "../src/cli/program.ts";
import { plainRootOptions } from "../src/cli/root_argv.ts";

/** What commander hands the root action for `argv`, or the error code it stops with. */
async function viaCommander(argv: string[]): Promise<Record<string, unknown> | string> {
  let seen: Record<string, unknown> | undefined;
  const program = buildProgram((command, opts) => {
    if (command === "") seen = { ...opts };
    return Promise.resolve();
  }, false);
  const quiet = (cmd: typeof program) => {
    cmd.configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} });
    cmd.commands.forEach(quiet);
  };
  quiet(program);
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
  return seen ?? "no root action";
}

/** Sample command lines: each flag alone, in pairs, in its `=` form, and some odd shapes. */
function corpus(): string[][] {
  const value = (flags: string) => flags.includes("<") ? ["v1"] : [];
  const lines: string[][] = [[]];
  const flags = launchFlags().map(([, spec]) => spec.flags);
  for (const f of flags) {
    const long = longOf(f);
    lines.push([long, ...value(f)]);
    if (f.includes("<")) lines.push([`${long}=v2`], [`${long}=`], [long, "-x"], [long]);
    const short = /^(-\w),/.exec(f)?.[1];
    if (short) lines.push([short, ...value(f)], [`${short}v3`]);
  }
  for (const a of flags) {
    for (const b of flags) {
      if (a !== b) lines.push([longOf(a), ...value(a), longOf(b), ...value(b)]);
    }
  }
  lines.push(
    ["--pod", "p", "--pod", "q"],
    ["--profile", "./x.nix", "--dry-run", "--json", "-q", "-s", "/tmp/s"],
    ["--no-cache", "--profile", "x"],
    ["--cache", "--profile", "x"],
    ["-qy"],
    ["--", "--pod", "p"],
    ["pods", "list"],
    ["help"],
    ["--help"],
    ["-V"],
    ["--version"],
    ["extra"],
    ["--pod", "p", "extra"],
    ["--bogus"],
    ["--dry-run=yes"],
  );
  return lines;
}

Deno.test("a plain root command line is read as commander reads it; anything else is left to commander", async () => {
  let taken = 0;
  for (const argv of corpus()) {
    const plain = plainRootOptions(argv);
    if (plain === undefined) continue;
    taken++;
    const commander = await viaCommander(argv);
    assert.deepEqual(plain, commander, `argv ${JSON.stringify(argv)}`);
  }
  assert.ok(taken > 200, `only ${taken} lines read without commander`);
});

Deno.test("lines commander must read: help, version, subcommands, --, combined flags, conflicts", () => {
  for (
    const argv of [
      ["--help"],
      ["-h"],
      ["-V"],
      ["pods", "list"],
      ["--", "--pod", "p"],
      ["-qy"],
      ["-sdir"],
      ["--profile", "-x"],
      ["--profile", "a", "--manifest", "b"],
      ["--pod", "p", "--session", "s"],
      ["--cache"],
      ["extra"],
    ]
  ) {
    assert.equal(plainRootOptions(argv), undefined, JSON.stringify(argv));
  }
  assert.deepEqual(plainRootOptions(["--no-cache", "--pod", "p", "-s", "/st"]), {
    cache: false,
    pod: "p",
    store: "/st",
  });
});
