/**
 * End-to-end: the CLI's plumbing around commands — a command group run without a subcommand, and
 * output to a reader that went away (`insomnia-pod schema | head -1`).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type CliResult,
  denoDir,
  launcherEnv,
  parseJson,
  podCommand,
  runCli,
  type Sandbox,
  treeSnapshot,
  withSandbox as withSandboxIn,
} from "../helpers/cli.ts";

function withSandbox(fn: (sb: Sandbox) => Promise<void>): Promise<void> {
  return withSandboxIn(fn, "insomnia-plumbing-");
}

function run(sb: Sandbox, args: string[]): Promise<CliResult> {
  return runCli(args, { cwd: sb.workspace, env: sb.env });
}

function assertNoStack(text: string): void {
  assert.doesNotMatch(text, /^\s{4}at /m, `stack trace:\n${text}`);
  assert.doesNotMatch(text, /Uncaught|EPIPE/, `crash report:\n${text}`);
}

const GROUPS: Record<string, string[]> = {
  profiles: ["list", "show", "check", "init", "default", "rm"],
  pods: ["list", "show", "rm", "export"],
  secrets: ["set", "list", "rm"],
};

// Regression (src/cli/run.ts): commander shows a group's help on stderr when no subcommand is
// given, but stderr output was swallowed and `commander.help` mapped to exit 0, so
// `insomnia-pod profiles` printed nothing and succeeded.
for (const [group, subs] of Object.entries(GROUPS)) {
  Deno.test(`plumbing: \`${group}\` without a subcommand is a usage error with its help`, async () => {
    await withSandbox(async (sb) => {
      const before = treeSnapshot(sb.root);
      const human = await run(sb, [group]);
      assert.equal(human.code, 2, human.stderr);
      assert.equal(human.stdout, "");
      assert.match(human.stderr, new RegExp(`^error\\[usage\\]: \`insomnia-pod ${group}\` needs`));
      assert.equal(human.stderr.split("\n").filter((l) => l.startsWith("error")).length, 1);
      assert.ok(human.stderr.includes(`Usage: insomnia-pod ${group} [options] [command]`));
      for (const sub of subs) assert.match(human.stderr, new RegExp(`^  ${sub} `, "m"), sub);
      assertNoStack(human.stderr);

      const json = await run(sb, ["--json", group]);
      assert.equal(json.code, 2);
      assert.equal(json.stderr, "");
      const body = parseJson(json) as {
        error: { code: string; message: string; command: string; subcommands: string[] };
      };
      assert.equal(body.error.code, "usage");
      assert.equal(body.error.command, group);
      assert.deepEqual(body.error.subcommands, subs);
      assert.ok(human.stderr.includes(body.error.message));
      assert.deepEqual(treeSnapshot(sb.root), before);
    });
  });
}

Deno.test("plumbing: `profiles --help` still prints the group's help on stdout, exit 0", async () => {
  await withSandbox(async (sb) => {
    for (const args of [["profiles", "--help"], ["profiles", "help"], ["profiles", "-h"]]) {
      const result = await run(sb, args);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, "");
      assert.match(result.stdout, /^Usage: insomnia-pod profiles /);
    }
  });
});

/** Runs the CLI with stdout and/or stderr closed by the reader before anything is written. */
async function runClosed(
  sb: Sandbox,
  args: string[],
  close: "stdout" | "stderr",
): Promise<{ code: number; other: string }> {
  const [cmd, ...prefix] = podCommand();
  const child = new Deno.Command(cmd, {
    args: [...prefix, ...args],
    cwd: sb.workspace,
    env: {
      ...sb.env,
      NO_COLOR: "1",
      DENO_DIR: denoDir(),
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // The child needs far longer to start than this takes: its first write meets a closed pipe.
  await child[close].cancel();
  const keep = close === "stdout" ? child.stderr : child.stdout;
  const [status, other] = await Promise.all([child.status, new Response(keep).text()]);
  return { code: status.code, other };
}

// Regression (src/cli/output.ts): a write to a closed pipe emitted an unhandled `error` event, so
// `insomnia-pod schema | head -1` ended with "Uncaught Error: write EPIPE" and a stack trace.
Deno.test("plumbing: a closed stdout ends quietly with the command's own status", async () => {
  await withSandbox(async (sb) => {
    const schema = await runClosed(sb, ["schema"], "stdout");
    assert.equal(schema.code, 0, schema.other);
    assert.equal(schema.other, "");
    const help = await runClosed(sb, ["--help"], "stdout");
    assert.equal(help.code, 0, help.other);
    assert.equal(help.other, "");
    const usage = await runClosed(sb, ["--json", "bogus"], "stdout");
    assert.equal(usage.code, 2, usage.other);
    assert.equal(usage.other, "");
  });
});

Deno.test("plumbing: a closed stderr ends quietly with the command's own status", async () => {
  await withSandbox(async (sb) => {
    const usage = await runClosed(sb, ["bogus"], "stderr");
    assert.equal(usage.code, 2);
    assert.equal(usage.other, "");
    const group = await runClosed(sb, ["pods"], "stderr");
    assert.equal(group.code, 2);
    const schema = await runClosed(sb, ["schema"], "stderr");
    assert.equal(schema.code, 0);
    assert.ok(JSON.parse(schema.other));
  });
});

Deno.test("plumbing: `schema | head -1` in a shell prints the first line and no crash", async () => {
  await withSandbox(async (sb) => {
    const cmd = [...podCommand(), "schema"].map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(" ");
    const out = await new Deno.Command("bash", {
      args: ["-c", `${cmd} 2>err.txt | head -c 1; echo " status=\${PIPESTATUS[0]}"`],
      cwd: sb.workspace,
      env: launcherEnv(sb.env),
      stdout: "piped",
    }).output();
    assert.equal(new TextDecoder().decode(out.stdout), "{ status=0\n");
    const err = Deno.readTextFileSync(join(sb.workspace, "err.txt"));
    assertNoStack(err);
    assert.equal(err, "");
  });
});

const hasPython = (() => {
  try {
    return new Deno.Command("python3", { args: ["-c", "0"] }).outputSync().success;
  } catch {
    return false;
  }
})();

// src/cli/output.ts writes with writeSync; a stdout someone made non-blocking (a parent sharing
// its pipe or terminal) fills up and fails with EAGAIN: every byte must still arrive, once, in
// order — on a pipe (which takes small writes whole or not at all) and on a terminal (which takes
// part of one).
for (const kind of ["pipe", "terminal"] as const) {
  Deno.test({
    name: `plumbing: a non-blocking ${kind} on stdout that fills up still receives every byte`,
    ignore: !hasPython, // python3 makes the descriptor (Deno cannot set O_NONBLOCK)
    fn: async () => {
      await withSandbox(async (sb) => {
        const whole = await runCli(["schema"], { cwd: sb.workspace, env: sb.env });
        assert.equal(whole.code, 0, whole.stderr);
        assert.ok(whole.stdout.length > 65536, "more than a pipe buffer");
        const script = [
          "import fcntl, json, os, pty, subprocess, sys, time, tty",
          "if sys.argv[2] == 'pipe':",
          "    r, w = os.pipe()",
          "else:",
          "    r, w = pty.openpty()",
          "    tty.setraw(w)  # no newline translation, no echo",
          "fcntl.fcntl(w, fcntl.F_SETFL, fcntl.fcntl(w, fcntl.F_GETFL) | os.O_NONBLOCK)",
          "p = subprocess.Popen(json.loads(sys.argv[1]), stdout=w, stderr=subprocess.PIPE,",
          "                     stdin=subprocess.DEVNULL)",
          "os.close(w)",
          "time.sleep(1)  # the child has filled the buffer by now",
          "chunks = []",
          "while True:",
          "    try:",
          "        b = os.read(r, 65536)",
          "    except OSError:  # a terminal whose other side closed",
          "        break",
          "    if not b: break",
          "    chunks.append(b)",
          "err = p.stderr.read()",
          "sys.stdout.buffer.write(b''.join(chunks))",
          "sys.stderr.buffer.write(err)",
          "sys.exit(p.wait())",
        ].join("\n");
        const out = await new Deno.Command("python3", {
          args: ["-c", script, JSON.stringify([...podCommand(), "schema"]), kind],
          cwd: sb.workspace,
          env: launcherEnv(sb.env),
          stdout: "piped",
          stderr: "piped",
        }).output();
        const stderr = new TextDecoder().decode(out.stderr);
        assert.equal(out.code, 0, stderr);
        assertNoStack(stderr);
        assert.equal(new TextDecoder().decode(out.stdout), whole.stdout);
      });
    },
  });
}
