// deno-lint-ignore-file no-explicit-any -- these tests read the CLI JSON output untyped
/**
 * End-to-end: the evaluation sandbox (src/nix/sandbox.ts, issue 14 item 2). A profile reads only
 * its own directory and the bundled library: files elsewhere, the environment and the network are
 * refused, with a message that names what was refused and how to allow it — and never a byte of it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseJson, runCli, type Sandbox, withSandbox, writeFile } from "../helpers/cli.ts";

function profile(sb: Sandbox, name: string, description: string, extra = ""): string {
  return writeFile(
    join(sb.root, "profiles", `${name}.nix`),
    `let insomnia = import <insomnia> { }; ${extra} in
insomnia.mkProfile {
  name = "${name}";
  description = ${description};
  manifest = {
    model = { ref = "anthropic/claude-sonnet-4-6"; auth = insomnia.secrets.ref "llm.anthropic.default"; };
    scope.allow = [ { target = insomnia.workspace "."; permission = "read"; } ];
  };
}
`,
  );
}

const run = (sb: Sandbox, args: string[], env: Record<string, string> = {}) =>
  runCli([...args, "--dry-run", "--json"], { cwd: sb.workspace, env: { ...sb.env, ...env } });

Deno.test("sandbox: files outside the profile's directory are refused, naming the fix, never the content", async () => {
  await withSandbox(async (sb) => {
    const secret = writeFile(join(sb.home, ".ssh", "id_ed25519"), "CANARY-PRIVATE-KEY-0123456789");
    for (const target of ["/etc/hostname", secret]) {
      const file = profile(sb, "leak", `builtins.readFile ${target}`);
      const result = await run(sb, ["--profile", file]);
      assert.equal(result.code, 1, result.stdout);
      const error = parseJson(result).error as { code: string; message: string };
      assert.equal(error.code, "nix_eval_failed");
      assert.match(error.message, /The evaluation sandbox refused/);
      assert.ok(error.message.includes(target));
      assert.match(error.message, /--impure-eval/);
      assert.doesNotMatch(result.stdout + result.stderr, /CANARY-PRIVATE-KEY/);
    }
  });
});

Deno.test("sandbox: imports under the profile's directory work; getEnv is empty; no network", async () => {
  await withSandbox(async (sb) => {
    writeFile(join(sb.root, "profiles", "common.nix"), `{ text = "shared"; }`);
    const ok = await run(sb, [
      "--profile",
      profile(sb, "ok", `"\${(import ./common.nix).text} [\${builtins.getEnv "GITHUB_TOKEN"}]"`),
    ], { GITHUB_TOKEN: "ghp_CANARYCANARYCANARYCANARYCANARYCANARY" });
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.equal(
      (parseJson(ok).profile as { metadata: { description: string } }).metadata.description,
      "shared []",
    );
    const net = await run(sb, [
      "--profile",
      profile(sb, "net", `builtins.readFile (builtins.fetchurl "https://example.invalid/x")`),
    ]);
    assert.equal(net.code, 1);
    assert.match(
      (parseJson(net).error as { message: string }).message,
      /sandbox refused https:\/\/example\.invalid\/x/,
    );
  });
});

Deno.test("sandbox: --impure-eval lifts it for one run; the environment is still an allow-list", async () => {
  await withSandbox(async (sb) => {
    const file = profile(
      sb,
      "impure",
      `"host \${builtins.readFile /etc/hostname} [\${builtins.getEnv "GITHUB_TOKEN"}]"`,
    );
    const result = await run(sb, ["--profile", file, "--impure-eval"], {
      GITHUB_TOKEN: "ghp_CANARYCANARYCANARYCANARYCANARYCANARY",
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const description = (parseJson(result).profile as { metadata: { description: string } })
      .metadata.description;
    assert.match(description, /^host /);
    assert.ok(description.endsWith("[]"), "GITHUB_TOKEN never reaches nix");
    const viaEnv = await run(sb, ["--profile", file], { INSOMNIA_IMPURE_EVAL: "1" });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
  });
});

Deno.test("sandbox: a registry entry's allow = [...] opens more directories for that profile only", async () => {
  await withSandbox(async (sb) => {
    const shared = writeFile(join(sb.root, "shared", "prompt.md"), "shared prompt");
    const file = profile(sb, "wide", `builtins.readFile ${shared}`);
    writeFile(
      join(sb.config, "manifest.toml"),
      `[profiles.profile]\nwide = { path = "${file}", allow = ["${join(sb.root, "shared")}"] }\n` +
        `narrow = "${file}"\n`,
    );
    const wide = await runCli(["--profile", "wide", "-s", sb.store, "--json"], {
      cwd: sb.workspace,
      env: sb.env,
    });
    assert.equal(wide.code, 0, wide.stdout + wide.stderr);
    const body = parseJson(wide) as any;
    assert.equal(body.profile.metadata.description, "shared prompt");
    assert.ok(body.profile.fingerprint.roots.includes(join(sb.root, "shared")));
    assert.ok(body.profile.fingerprint.inputs.some((i: any) => i.path === shared));
    assert.equal(body.manifest.profile.source.allow, undefined, "the runtime's shape only");

    // The same file through an entry without allow (or by path) stays in its own directory.
    for (const selector of ["narrow", file]) {
      const refused = await run(sb, ["--profile", selector]);
      assert.equal(refused.code, 1);
      assert.match((parseJson(refused).error as any).message, /allow = \["\/dir"\]/);
    }
    // A reload evaluates with the entry's allow again.
    writeFile(shared, "shared prompt, edited");
    const reload = await runCli(["--pod", "wide", "--reload-profile", "--yes", "-s", sb.store], {
      cwd: sb.workspace,
      env: sb.env,
    });
    assert.equal(reload.code, 0, reload.stderr);

    writeFile(
      join(sb.config, "manifest.toml"),
      `[profiles.profile]\nbad = { path = "${file}", allow = "/x" }\n`,
    );
    const bad = await run(sb, ["--profile", "bad"]);
    assert.equal((parseJson(bad).error as any).code, "registry_invalid");
    assert.match((parseJson(bad).error as any).message, /allow` must be a list of directories/);
  });
});

Deno.test("sandbox: NIX_PATH and a nix.conf nix-path cannot add readable roots", async () => {
  await withSandbox(async (sb) => {
    writeFile(join(sb.root, "secret", "key"), "CANARY-NIX-PATH-0123456789");
    const file = profile(sb, "np", `builtins.readFile <secret/key>`);
    const envs: Record<string, string>[] = [
      { NIX_PATH: `secret=${join(sb.root, "secret")}` },
      { NIX_CONFIG: `extra-nix-path = secret=${join(sb.root, "secret")}` },
    ];
    for (const env of envs) {
      const result = await run(sb, ["--profile", file], env);
      assert.equal(result.code, 1, result.stdout);
      assert.equal((parseJson(result).error as any).code, "nix_eval_failed");
      assert.doesNotMatch(result.stdout + result.stderr, /CANARY-NIX-PATH/);
    }
  });
});
