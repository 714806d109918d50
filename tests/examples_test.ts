/**
 * Every example profile in examples/profiles/ evaluates and validates (real nix), so the examples
 * the docs point to never rot.
 */
import assert from "node:assert/strict";
import { cpSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { resolveProfile } from "../src/mod.ts";
import {
  denoDir,
  podCommand,
  REPO_ROOT,
  type Sandbox,
  withSandbox,
  writeFile,
} from "./helpers/cli.ts";

const dir = join(REPO_ROOT, "examples", "profiles");
const roles = readdirSync(dir).filter((f) => f.endsWith(".nix") && f !== "common.nix").sort();

Deno.test("the example team has its roles", () => {
  assert.deepEqual(roles, ["coder-cheap.nix", "coder.nix", "researcher.nix", "reviewer.nix"]);
});

for (const file of roles) {
  Deno.test(`example ${file} resolves to a valid manifest bound to the workspace`, async () => {
    const { manifest, provenance } = await resolveProfile(`path:${join(dir, file)}`, {
      workspace: "/srv/team-project",
      env: { ...Deno.env.toObject(), HOME: "/nonexistent" },
    });
    assert.equal(manifest.pod.name, file.replace(/\.nix$/, ""));
    assert.ok(provenance.metadata?.description);
    assert.equal(manifest.session.record_event_trace, true, "common.nix applies");
    assert.ok(manifest.scope.allow.every((r) => r.target === "/srv/team-project"));
  });
}

/** An executable that runs this insomnia-pod (source or binary), for scripts that take one. */
function podExecutable(sb: Sandbox): string {
  const path = join(sb.root, "bin", "insomnia-pod");
  writeFile(path, `#!/bin/sh\nexec ${podCommand().map((a) => `'${a}'`).join(" ")} "$@"\n`);
  Deno.chmodSync(path, 0o755);
  return path;
}

Deno.test("examples/ci-check-profiles.sh passes on its own folder and fails on a broken profile", async () => {
  await withSandbox(async (sb) => {
    const script = join(REPO_ROOT, "examples", "ci-check-profiles.sh");
    const run = (dir?: string) =>
      new Deno.Command("bash", {
        args: [script, ...(dir ? [dir] : [])],
        cwd: sb.workspace,
        env: {
          ...sb.env,
          PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
          INSOMNIA_POD: podExecutable(sb),
          DENO_DIR: denoDir(),
        },
        stdout: "piped",
        stderr: "piped",
      }).output();
    const own = await run();
    const out = new TextDecoder().decode(own.stdout);
    assert.equal(own.code, 0, out + new TextDecoder().decode(own.stderr));
    assert.match(out, /skip +\S*common\.nix +\(a fragment/);
    for (const role of roles) assert.match(out, new RegExp(`ok +\\S*${role}`));
    assert.match(out, /all profiles ok/);

    const broken = join(sb.root, "team");
    cpSync(dir, broken, { recursive: true });
    writeFile(join(broken, "reviewer.nix"), `throw "broken on purpose"`);
    const bad = await run(broken);
    const badOut = new TextDecoder().decode(bad.stdout);
    assert.equal(bad.code, 1, badOut);
    assert.match(badOut, /FAIL +\S*reviewer\.nix\n +error\[nix_eval_failed\]/);
    assert.match(badOut, /some profiles failed/);
  });
});
