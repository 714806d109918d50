/**
 * End-to-end: `insomnia-pod schema [--artifact|--manifest|--resolved]` prints JSON Schemas that
 * describe what the CLI really reads and writes.
 */
import assert from "node:assert/strict";
import {
  parseJson,
  podCommand,
  runCli,
  type Sandbox,
  withSandbox as withSandboxIn,
} from "../helpers/cli.ts";
import { PROFILE_FORMAT, VERSION } from "../../src/version.ts";

type Schema = {
  $schema?: string;
  $id?: string;
  title?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: unknown;
  const?: unknown;
  enum?: unknown[];
};

function withSandbox(fn: (sb: Sandbox) => Promise<void>): Promise<void> {
  return withSandboxIn(fn, "insomnia-schema-");
}

async function schemaOf(sb: Sandbox, ...flags: string[]): Promise<Schema> {
  const result = await runCli(["schema", ...flags], { cwd: sb.workspace, env: sb.env });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  return JSON.parse(result.stdout) as Schema;
}

Deno.test("schema: the artifact schema is the default and names the envelope format", async () => {
  await withSandbox(async (sb) => {
    const plain = await schemaOf(sb);
    assert.deepEqual(await schemaOf(sb, "--artifact"), plain);
    assert.match(plain.$schema ?? "", /json-schema\.org/);
    assert.equal(plain.$id, `https://insomnia-pod.invalid/schema/artifact-${VERSION}.json`);
    assert.equal(plain.type, "object");
    assert.deepEqual(plain.required, ["profile"]);
    assert.equal(plain.additionalProperties, false);
    assert.deepEqual(Object.keys(plain.properties ?? {}).sort(), ["config", "manifest", "profile"]);
    const format = plain.properties!.profile.properties!.format;
    assert.ok(
      format.const === PROFILE_FORMAT || (format.enum ?? []).includes(PROFILE_FORMAT),
      JSON.stringify(format),
    );
  });
});

Deno.test("schema: --json prints the same document", async () => {
  await withSandbox(async (sb) => {
    const human = await schemaOf(sb, "--resolved");
    const json = parseJson(
      await runCli(["schema", "--resolved", "--json"], { cwd: sb.workspace, env: sb.env }),
    );
    assert.deepEqual(json, human);
  });
});

Deno.test("schema: --manifest is partial, --resolved requires the runtime sections", async () => {
  await withSandbox(async (sb) => {
    const manifest = await schemaOf(sb, "--manifest");
    const resolved = await schemaOf(sb, "--resolved");
    assert.equal(manifest.required, undefined, "every section of a TOML layer is optional");
    assert.ok((resolved.required ?? []).includes("pod"));
    assert.ok((resolved.required ?? []).includes("model"));
    // The same sections, plus `profile`: the provenance resolution records (ProfileManifestSnapshot).
    assert.deepEqual(
      [...Object.keys(manifest.properties ?? {}), "profile"].sort(),
      Object.keys(resolved.properties ?? {}).sort(),
      "a layer and a resolved manifest have the same sections",
    );
    assert.notEqual(manifest.$id, resolved.$id);
  });
});

Deno.test("schema: every section of a real resolved manifest is described", async () => {
  await withSandbox(async (sb) => {
    const resolved = await schemaOf(sb, "--resolved");
    const run = await runCli(["--profile", "builtin:default", "--dry-run", "--json"], {
      cwd: sb.workspace,
      env: sb.env,
    });
    const manifest = (parseJson(run) as { manifest?: Record<string, unknown> }).manifest;
    assert.ok(manifest, run.stdout);
    for (const key of Object.keys(manifest)) {
      assert.ok(key in (resolved.properties ?? {}), `section ${key} is not in the schema`);
    }
    for (const key of resolved.required ?? []) {
      assert.ok(key in manifest, `required section ${key} missing from a resolved manifest`);
    }
  });
});

Deno.test("schema: a document over 64 KiB reaches a slow reader whole", async () => {
  // Regression: the Bun-compiled binary exited before a large piped write was flushed and cut
  // stdout off at 64 KiB (the pipe buffer) whenever the reader was slower than the writer.
  await withSandbox(async (sb) => {
    const full = await runCli(["schema", "--artifact"], { cwd: sb.workspace, env: sb.env });
    assert.equal(full.code, 0, full.stderr);
    const size = new TextEncoder().encode(full.stdout).length;
    assert.ok(size > 65536, `the resolved schema is large enough to test this (${size} bytes)`);
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const cmd = [...podCommand(), "schema", "--artifact"].map(quote).join(" ");
    const out = await new Deno.Command("sh", {
      args: ["-c", `${cmd} | (sleep 1; wc -c)`],
      cwd: sb.workspace,
      env: { ...sb.env, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(new TextDecoder().decode(out.stdout).trim(), String(size));
  });
});

Deno.test("schema: two document flags at once are a usage error (exit 2)", async () => {
  await withSandbox(async (sb) => {
    const result = await runCli(["schema", "--manifest", "--resolved"], {
      cwd: sb.workspace,
      env: sb.env,
    });
    assert.equal(result.code, 2);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /^error\[usage\]: schema: choose one of/);
    const json = parseJson(
      await runCli(["schema", "--artifact", "--manifest", "--json"], {
        cwd: sb.workspace,
        env: sb.env,
      }),
    ) as { error?: { code: string } };
    assert.equal(json.error?.code, "usage");
  });
});
