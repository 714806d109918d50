/**
 * End-to-end tests of `insomnia-pod new`: the real binary in a tmux pane (its own server socket
 * per test), driven with `send-keys` and checked with `capture-pane`.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readPod } from "../../src/store/pod_store.ts";
import {
  makeSandbox,
  podCommand,
  runCli,
  type Sandbox,
  treeSnapshot,
  writeFile,
} from "../helpers/cli.ts";
import { join } from "../helpers/path.ts";

const WAIT_MS = 15_000;
const HAVE_TMUX = (() => {
  try {
    return new Deno.Command("tmux", { args: ["-V"], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
})();

/** A test that needs tmux (ignored, visibly, when tmux is not installed). */
function tmuxTest(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, ignore: !HAVE_TMUX, fn });
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

function profileNix(name: string, slow = false): string {
  // The slow one does some pointless arithmetic so its evaluation takes a noticeable moment.
  const work = slow ? `builtins.foldl' (a: b: a + b) 0 (builtins.genList (x: x) 4000000)` : "0";
  return `let insomnia = import <insomnia> { }; work = ${work}; in
insomnia.mkProfile {
  name = "${name}";
  description = "Fixture ${name} \${toString (work * 0)}";
  manifest = {
    model = { ref = "anthropic/claude-sonnet-4-6"; auth = insomnia.secrets.ref "llm.anthropic.default"; };
    scope.allow = [ { target = insomnia.workspace "."; permission = "write"; } ];
  };
}
`;
}

/** A sandbox with user profiles alpha (the default), beta and broken, and a workspace `demo app`. */
function fixture(): Sandbox & { cwd: string } {
  const sb = makeSandbox("insomnia-tui-");
  writeFile(
    join(sb.config, "manifest.toml"),
    `[profiles]
default = "alpha"

[profiles.profile]
alpha = { path = "profiles/alpha.nix", description = "Fixture alpha" }
beta = { path = "profiles/beta.nix", description = "Fixture beta" }
broken = { path = "profiles/broken.nix", description = "Fixture broken" }
slow = { path = "profiles/slow.nix", description = "Fixture slow" }
`,
  );
  writeFile(join(sb.config, "profiles", "alpha.nix"), profileNix("alpha"));
  writeFile(join(sb.config, "profiles", "beta.nix"), profileNix("beta"));
  writeFile(join(sb.config, "profiles", "slow.nix"), profileNix("slow", true));
  writeFile(join(sb.config, "profiles", "broken.nix"), `throw "fixture is broken"\n`);
  const cwd = join(sb.workspace, "demo app");
  Deno.mkdirSync(cwd, { recursive: true });
  return { ...sb, cwd };
}

let newArgsCache: ((selector: string) => string[]) | undefined;
/** `new --profile SEL` when `new` has the flag, else the root flag before the subcommand. */
async function newWithProfile(selector: string): Promise<string[]> {
  if (!newArgsCache) {
    const help = await runCli(["new", "--help"]);
    const own = help.stdout.split("Global Options:")[0];
    newArgsCache = own.includes("--profile ")
      ? (s) => ["new", "--profile", s]
      : (s) => ["--profile", s, "new"];
  }
  return newArgsCache(selector);
}

class Pane {
  /** The server's own socket, inside the sandbox (removed with it). */
  readonly socket: string;
  #last = "";

  constructor(readonly sb: Sandbox & { cwd: string }) {
    this.socket = join(sb.root, `tmux-${crypto.randomUUID().slice(0, 8)}.sock`);
  }

  #tmux(...args: string[]): string {
    const out = new Deno.Command("tmux", { args: ["-S", this.socket, ...args], stderr: "piped" })
      .outputSync();
    if (!out.success) {
      throw new Error(`tmux ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
    }
    return new TextDecoder().decode(out.stdout);
  }

  /** Starts a plain bash in a 120x40 pane. */
  start(): void {
    const env = { ...this.sb.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1", PS1: "sh> " };
    const rc = [
      ...Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`),
      `cd ${shellQuote(this.sb.cwd)}`,
    ].join("\n");
    const rcFile = writeFile(join(this.sb.root, "bashrc"), rc + "\n");
    this.#tmux(
      "new-session",
      "-d",
      "-x",
      "120",
      "-y",
      "40",
      `bash --noprofile --rcfile ${shellQuote(rcFile)} -i`,
    );
  }

  /** Types a command line into the shell and runs it. */
  run(line: string): void {
    this.#tmux("send-keys", "-t", "0", "-l", "--", line);
    this.#tmux("send-keys", "-t", "0", "Enter");
  }

  /** Runs insomnia-pod with `args` (and the sandbox store), then prints `exit=<status>`. */
  pod(args: string[]): void {
    const cmd = [...podCommand(), ...args, "-s", this.sb.store].map(shellQuote).join(" ");
    this.run(`clear; ${cmd}; echo "exit=$?"`);
  }

  keys(...keys: string[]): void {
    this.#tmux("send-keys", "-t", "0", ...keys);
  }

  text(text: string): void {
    this.#tmux("send-keys", "-t", "0", "-l", "--", text);
  }

  capture(): string {
    this.#last = this.#tmux("capture-pane", "-p", "-t", "0");
    return this.#last;
  }

  /** Polls the pane until `want` appears (every one of them, for an array). */
  async waitFor(want: string | RegExp | Array<string | RegExp>, timeoutMs = WAIT_MS) {
    const all = Array.isArray(want) ? want : [want];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.capture();
      const ok = all.every((w) => typeof w === "string" ? screen.includes(w) : w.test(screen));
      if (ok) return screen;
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${all.map(String).join(", ")}; screen:\n${screen}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  kill(): void {
    try {
      this.#tmux("kill-server");
    } catch {
      // already gone
    }
  }
}

/** Runs `body` with a fresh fixture and pane; always kills the tmux server and the sandbox. */
async function withPane(body: (pane: Pane) => Promise<void>): Promise<void> {
  const sb = fixture();
  const pane = new Pane(sb);
  try {
    pane.start();
    await pane.waitFor("sh>");
    await body(pane);
  } finally {
    pane.kill();
    sb.cleanup();
  }
}

const FORM_HINT = "enter create · tab/↓ next profile";
const PREVIEW = "model:     anthropic/claude-sonnet-4-6";

tmuxTest(
  "new: default row, cycling, picker filtering, preview, Enter creates the Pod",
  async () => {
    await withPane(async (pane) => {
      pane.pod(["new"]);
      // The default row with its mark, the default name from the workspace folder, the preview.
      await pane.waitFor([
        "name: demo-app",
        "profile: user:alpha (default) — Fixture alpha",
        PREVIEW,
        "auth:      secret_ref llm.anthropic.default",
        "workspace:",
        "tools:",
        "context:",
        FORM_HINT,
      ]);
      // Tab/Down next, Shift-Tab/Up previous.
      pane.keys("Tab");
      await pane.waitFor(["profile: user:beta — Fixture beta", PREVIEW]);
      pane.keys("BTab");
      await pane.waitFor("profile: user:alpha (default)");
      pane.keys("Down");
      await pane.waitFor("profile: user:beta —");
      pane.keys("Up");
      await pane.waitFor("profile: user:alpha (default)");
      // The picker: `/` opens it, typing filters, Enter chooses.
      pane.keys("/");
      await pane.waitFor(["pick a profile", "user:alpha (default) — Fixture alpha", "user:beta"]);
      pane.text("bet");
      await pane.waitFor(["filter: bet", /\(1 of \d+\)/, "❯ user:beta — Fixture beta"]);
      pane.keys("Enter");
      await pane.waitFor(["profile: user:beta — Fixture beta", PREVIEW]);
      // Ctrl-P opens it too; Esc goes back to the form without changing the selection.
      pane.keys("C-p");
      await pane.waitFor("pick a profile");
      pane.keys("Escape");
      await pane.waitFor(["profile: user:beta —", FORM_HINT]);
      // Edit the name (characters outside the Pod name set are dropped) and create.
      pane.keys("C-u");
      await pane.waitFor(/name: *\n/);
      pane.text("tui pod!");
      await pane.waitFor("name: tuipod");
      pane.keys("Enter");
      const screen = await pane.waitFor(["created Pod tuipod from profile user:beta", "exit=0"]);
      const dir = join(pane.sb.store, "pods", "tuipod");
      assert.match(screen, /dir: +\S*tuipod/);
      const record = readPod({ root: pane.sb.store }, "tuipod");
      assert.equal(record.pod.name, "tuipod");
      assert.ok(existsSync(dir), `${dir} exists`);
      const profile = record.profile as { source: { kind: string; source: string; name: string } };
      assert.deepEqual(
        [profile.source.kind, profile.source.source, profile.source.name],
        ["registry", "user", "beta"],
      );
      // The terminal is usable afterwards.
      pane.run("echo sane-$((1+1))");
      await pane.waitFor("sane-2");
    });
  },
);

tmuxTest(
  "new: Esc and Ctrl-C cancel with 130, write nothing and restore the terminal",
  async () => {
    await withPane(async (pane) => {
      const snapshot = () => ({ ...treeSnapshot(pane.sb.data), ...treeSnapshot(pane.sb.config) });
      const before = snapshot();
      for (const key of ["Escape", "C-c"]) {
        pane.pod(["new"]);
        await pane.waitFor(["profile: user:alpha (default)", PREVIEW]);
        pane.keys("Tab");
        await pane.waitFor("profile: user:beta");
        pane.keys(key);
        await pane.waitFor(["cancelled; nothing was written.", "exit=130"]);
        pane.run("clear; stty -a | grep -o ' -\\?icanon' ; echo sane-$((1+1))");
        const screen = await pane.waitFor("sane-2");
        assert.match(screen, / icanon/, "the tty is back in canonical mode");
        assert.ok(!existsSync(join(pane.sb.store, "pods")), "no Pod written");
      }
      assert.deepEqual(snapshot(), before, "the store and the config are unchanged");
    });
  },
);

tmuxTest(
  "new: a broken profile shows its error in the dialog; Enter reports it inline",
  async () => {
    await withPane(async (pane) => {
      pane.pod(await newWithProfile("broken"));
      await pane.waitFor([
        "profile: user:broken — Fixture broken",
        "error[nix_eval_failed]",
        /fixture\s+is broken/,
        FORM_HINT,
      ]);
      pane.keys("Enter");
      // The dialog stays open with the error on its message line; nothing is written.
      await pane.waitFor(/enter create[^\n]*\n {2}cannot create the Pod: error\[nix_eval_failed\]/);
      assert.ok(!existsSync(join(pane.sb.store, "pods")));
      // Moving on to a healthy profile still works.
      pane.keys("Up");
      await pane.waitFor(["profile: user:beta", PREVIEW]);
      pane.keys("Escape");
      await pane.waitFor("exit=130");
    });
  },
);

tmuxTest("new: --profile with an unqualified name preselects its qualified entry", async () => {
  await withPane(async (pane) => {
    pane.pod(await newWithProfile("beta"));
    const screen = await pane.waitFor(["profile: user:beta — Fixture beta", PREVIEW]);
    assert.ok(!screen.includes("no such profile"));
    // No duplicate choice was appended: exactly one choice matches "beta".
    pane.keys("/");
    await pane.waitFor("pick a profile");
    pane.text("beta");
    await pane.waitFor(["filter: beta", /\(1 of \d+\)/]);
    pane.keys("Escape");
    await pane.waitFor(FORM_HINT);
    pane.keys("C-u");
    await pane.waitFor(/name: *\n/);
    pane.text("pre");
    await pane.waitFor("name: pre");
    pane.keys("Enter");
    await pane.waitFor(["created Pod pre from profile user:beta", "exit=0"]);
    assert.equal(readPod({ root: pane.sb.store }, "pre").pod.name, "pre");
  });
});

tmuxTest(
  "new: a spinner while evaluating; a free name is proposed, a taken one is reported inline",
  async () => {
    await withPane(async (pane) => {
      const made = await runCli([
        "--profile",
        "alpha",
        "--profile-pod-name",
        "demo-app",
        "-s",
        pane.sb.store,
      ], {
        cwd: pane.sb.cwd,
        env: pane.sb.env,
      });
      assert.equal(made.code, 0, made.stderr);
      pane.pod(await newWithProfile("user:slow"));
      await pane.waitFor([
        "profile: user:slow — Fixture slow",
        /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] evaluating user:slow…/,
      ]);
      await pane.waitFor(PREVIEW);
      // Moving on while nothing is pending; the picker brings alpha back.
      pane.keys("Tab");
      await pane.waitFor(["profile: manifest cascade"]);
      pane.keys("Tab");
      await pane.waitFor(["profile: builtin:", "model:"]);
      pane.keys("C-p");
      await pane.waitFor("pick a profile");
      pane.text("alpha");
      await pane.waitFor("❯ user:alpha");
      pane.keys("Enter");
      // The proposed name skips the one already taken…
      await pane.waitFor(["profile: user:alpha (default)", PREVIEW, "name: demo-app-2"]);
      // …and typing the taken name anyway is reported inline, editable.
      pane.keys("BSpace");
      pane.keys("BSpace");
      await pane.waitFor(/name: demo-app\s*$/m);
      pane.keys("Enter");
      await pane.waitFor([/error\[pod_exists\]/, /Edit the name and press\s+Enter again/]);
      pane.text("-2");
      await pane.waitFor("name: demo-app-2");
      pane.keys("Enter");
      await pane.waitFor(["created Pod demo-app-2 from profile user:alpha", "exit=0"]);
      assert.equal(readPod({ root: pane.sb.store }, "demo-app-2").pod.name, "demo-app-2");
    });
  },
);

Deno.test("new: stdin not a terminal is a usage error suggesting --profile", async () => {
  const sb = fixture();
  try {
    const result = await runCli(["new", "-s", sb.store], { cwd: sb.cwd, env: sb.env });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /error\[usage\]/);
    assert.match(result.stderr, /--profile SEL --profile-pod-name NAME/);
    assert.ok(!existsSync(join(sb.store, "pods")));
  } finally {
    sb.cleanup();
  }
});

tmuxTest(
  "new: an untrusted project profile is marked, Ctrl-T trusts the project, then it creates",
  async () => {
    await withPane(async (pane) => {
      writeFile(join(pane.sb.cwd, ".insomnia", "team.nix"), profileNix("team"));
      writeFile(
        join(pane.sb.cwd, ".insomnia", "manifest.toml"),
        '[profiles.profile]\nteam = { path = "team.nix", description = "Project team" }\n',
      );
      pane.pod(["new"]);
      await pane.waitFor(["profile: user:alpha (default)", PREVIEW]);
      pane.keys("/");
      pane.text("team");
      await pane.waitFor("❯ project:team [untrusted] — Project team");
      pane.keys("Enter");
      // Not evaluated: the preview says why, the hint says how.
      await pane.waitFor([
        "profile: project:team [untrusted] — Project team",
        "error[project_untrusted]",
        "ctrl-t trust this project",
      ]);
      pane.keys("C-t");
      await pane.waitFor([
        "profile: project:team — Project team",
        "trusted project",
        PREVIEW,
      ]);
      pane.keys("C-u");
      pane.text("teampod");
      await pane.waitFor("name: teampod");
      pane.keys("Enter");
      await pane.waitFor(["created Pod teampod from profile project:team", "exit=0"]);
      const trust = JSON.parse(Deno.readTextFileSync(join(pane.sb.data, "trust.json")));
      assert.ok(pane.sb.cwd in trust.projects, "the trust was recorded for the project root");
    });
  },
);

tmuxTest(
  "a bare insomnia-pod on a terminal with no default configured opens the dialog; with one it creates",
  async () => {
    await withPane(async (pane) => {
      const empty = join(pane.sb.root, "no-config");
      Deno.mkdirSync(empty);
      const bare = podCommand().map(shellQuote).join(" ");
      const before = treeSnapshot(pane.sb.data);
      pane.run(`clear; INSOMNIA_CONFIG_DIR=${shellQuote(empty)} ${bare}; echo "exit=$?"`);
      await pane.waitFor(["New Pod", "profile: builtin:default (default)", FORM_HINT]);
      pane.keys("Escape");
      await pane.waitFor("exit=130");
      assert.deepEqual(treeSnapshot(pane.sb.data), before, "nothing written");
      // A configured default (the fixture's user:alpha) is a deliberate choice: created at once.
      pane.run(`clear; ${bare}; echo "exit=$?"`);
      await pane.waitFor(["created Pod alpha from profile user:alpha", "exit=0"]);
    });
  },
);

tmuxTest(
  "tables are fitted to the terminal by display width; piped output keeps every character",
  async () => {
    await withPane(async (pane) => {
      const long = "日本語の説明 " + "とても長い説明文です。".repeat(12);
      writeFile(
        join(pane.sb.config, "manifest.toml"),
        `[profiles]\ndefault = "alpha"\n[profiles.profile]\nalpha = { path = "profiles/alpha.nix", description = "${long}" }\n`,
      );
      const cmd = podCommand().map(shellQuote).join(" ");
      pane.run(`clear; ${cmd} profiles list; echo "exit=$?"`);
      const screen = await pane.waitFor(["user:alpha", "exit=0"]);
      const row = screen.split("\n").find((l) => l.includes("user:alpha"))!;
      assert.match(row, /…\s*$/, row);
      assert.ok(!screen.includes(long), "cut on the terminal");
      // Through a pipe nothing is cut.
      const piped = await runCli(["profiles", "list"], { cwd: pane.sb.cwd, env: pane.sb.env });
      assert.ok(piped.stdout.includes(long));
    });
  },
);
