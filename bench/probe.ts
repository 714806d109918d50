/**
 * In-process phase timings of the source under Deno, for the "Where time goes" section of
 * `deno task bench`: `deno run -A bench/probe.ts <profile.nix>` prints one JSON object of
 * phase → milliseconds. Each phase is timed in the order a CLI run meets it, so a phase's time
 * excludes what earlier phases already loaded.
 * @module
 */
import process from "node:process";

const t0 = performance.now(); // ≈ runtime start-up until the first line of user code
const file = Deno.args[0];
if (!file) {
  console.error("usage: deno run -A bench/probe.ts <profile.nix>");
  Deno.exit(2);
}
const out: Record<string, number> = {
  "runtime start-up until user code": t0,
};

async function phase<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  const start = performance.now();
  const value = await fn();
  out[name] = performance.now() - start;
  return value;
}

await phase("import commander + fastest-levenshtein", async () => {
  await import("commander");
  await import("fastest-levenshtein");
});
await phase("import src/cli/run.ts (CLI shell, redaction)", () => import("../src/cli/run.ts"));
await phase("import zod/mini", () => import("npm:zod@4.6.7/mini"));
await phase("import smol-toml", () => import("smol-toml"));
const launch = await phase(
  "import src/cli/commands/launch.ts (schemas, resolver, store)",
  () => import("../src/cli/commands/launch.ts"),
);
const resolve = await import("../src/profile/resolve_profile.ts");
const { builtinArtifact } = await import("../src/profile/builtin.ts");
const { loadCatalog } = await import("../src/manifest/catalog.ts");
const { parsePodManifest } = await import("../src/manifest/validate.ts");
const { evaluateNix, nixVersion } = await import("../src/nix/evaluate.ts");
const { runProcessGroup } = await import("../src/nix/process.ts");
const { redactJson } = await import("../src/secrets/redact.ts");
const env = { ...process.env, HOME: "/nonexistent", INSOMNIA_CONFIG_DIR: "/nonexistent" };

await phase("load catalogs (TOML parse + zod), first call", () => loadCatalog(env));
const artifact = builtinArtifact("default");
const first = await phase(
  "resolveArtifact builtin:default (validate, paths, defaults), 1st",
  () =>
    resolve.resolveArtifact(artifact, {
      origin: "builtin:default",
      base: "/tmp",
      workspace: "/tmp/ws",
      env,
    }),
);
await phase(
  "resolveArtifact builtin:default, 2nd (warm)",
  () =>
    resolve.resolveArtifact(builtinArtifact("default"), {
      origin: "builtin:default",
      base: "/tmp",
      workspace: "/tmp/ws",
      env,
    }),
);
await phase(
  "parsePodManifest again (warm: its first call is inside resolveArtifact)",
  () => parsePodManifest(first.manifest, "snapshot", "snapshot_invalid"),
);
await phase(
  "redactJson + JSON.stringify of the output",
  () => JSON.stringify(redactJson({ manifest: first.manifest }), null, 2),
);

const lib = new URL("../resources/nix", import.meta.url).pathname;
const nix = Deno.env.get("INSOMNIA_NIX_BIN") ?? "nix";
try {
  await phase("nix --version (own process)", () => nixVersion(nix, env));
  await phase("nix eval of the profile alone (runProcessGroup)", () =>
    runProcessGroup(nix, [
      "--extra-experimental-features",
      "nix-command",
      "eval",
      "--json",
      "--show-trace",
      "--store",
      "dummy://",
      "-I",
      `insomnia=${lib}`,
      "--file",
      file,
    ], { env, timeoutMs: 30_000, maxStdoutBytes: 1 << 24, maxStderrBytes: 1 << 20 }));
  // A fresh binary key defeats the version memo, as in a fresh CLI process.
  const result = await phase("evaluateNix (eval + nix --version in parallel)", () =>
    evaluateNix({
      target: { kind: "file", file },
      includePaths: { insomnia: lib },
      timeoutMs: 30_000,
      env: { ...env, PATH: `${Deno.env.get("PATH")}:/nonexistent-bench-path` },
    }));
  await phase(
    "resolveArtifact of the evaluated profile",
    () =>
      resolve.resolveArtifact(result.value, {
        origin: file,
        base: "/tmp",
        workspace: "/tmp/ws",
        env,
      }),
  );
} catch (error) {
  out["nix phases skipped"] = 0;
  console.error(`probe: nix phases skipped: ${error}`);
}
void launch;
out["total in process"] = performance.now();
console.log(JSON.stringify(out));
