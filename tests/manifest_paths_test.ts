/**
 * Path resolution (src/manifest/paths.ts) and the per-layer bases of the TOML paths
 * (src/manifest/cascade.ts): user layer → its file's directory, project layer → the project root
 * (parent of `.insomnia/`), `--overlay` → the cwd, `--manifest` → the file's directory, workspace
 * paths → the launch workspace. Every path field is covered.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { InsomniaError } from "../src/errors.ts";
import { resolveCascade, resolveManifestFile } from "../src/manifest/cascade.ts";
import { findProjectManifest } from "../src/env.ts";
import { resolveConfigPaths, resolvePathValue } from "../src/manifest/paths.ts";
import type { ManifestConfig } from "../src/manifest/schema.ts";

const BASES = { base: "/layer/dir", workspace: "/work/space" };

Deno.test("paths: a relative string joins the base; a workspace path joins the workspace", () => {
  assert.equal(resolvePathValue("a/b", BASES), "/layer/dir/a/b");
  assert.equal(resolvePathValue(".", BASES), "/layer/dir");
  assert.equal(resolvePathValue("../up", BASES), "/layer/up");
  assert.equal(resolvePathValue("/abs/x", BASES), "/abs/x");
  assert.equal(resolvePathValue("/abs/./x/../y", BASES), "/abs/y");
  assert.equal(resolvePathValue({ kind: "workspace_path", path: "." }, BASES), "/work/space");
  assert.equal(resolvePathValue({ kind: "workspace_path", path: "src" }, BASES), "/work/space/src");
  assert.equal(resolvePathValue({ kind: "workspace_path", path: "" }, BASES), "/work/space");
  assert.equal(resolvePathValue({ kind: "workspace_path", path: "/etc" }, BASES), "/etc");
});

/** A layer with a relative string in every path field and a workspace path in some. */
function everyPathField(): ManifestConfig {
  return {
    pod: { name: "p", prompt_pack: "pack.toml" },
    model: { scheme: "anthropic", model_id: "m", auth: { kind: "api_key", file: "keys/main" } },
    scope: {
      allow: [
        { target: ".", permission: "read" },
        { target: { kind: "workspace_path", path: "." }, permission: "write" },
      ],
      deny: [{ target: { kind: "workspace_path", path: "secret" }, permission: "read" }],
    },
    compaction: {
      threshold: 1,
      model: { scheme: "gemini", model_id: "c", auth: { kind: "api_key", file: "keys/c" } },
    },
    memory: {
      workspace_root: { kind: "workspace_path", path: "mem" },
      extract_model: { scheme: "gemini", model_id: "e", auth: { kind: "api_key", file: "keys/e" } },
      consolidation_model: {
        scheme: "gemini",
        model_id: "k",
        auth: { kind: "api_key", file: { kind: "workspace_path", path: "k" } },
      },
    },
    skills: { directories: ["skills", { kind: "workspace_path", path: ".skills" }, "/abs/s"] },
  };
}

Deno.test("paths: resolveConfigPaths resolves every path field and nothing else", () => {
  const input = everyPathField();
  const before = structuredClone(input);
  const out = resolveConfigPaths(input, BASES);
  assert.deepEqual(input, before, "the input is not mutated");
  assert.deepEqual(out, {
    pod: { name: "p", prompt_pack: "/layer/dir/pack.toml" },
    model: {
      scheme: "anthropic",
      model_id: "m",
      auth: { kind: "api_key", file: "/layer/dir/keys/main" },
    },
    scope: {
      allow: [
        { target: "/layer/dir", permission: "read" },
        { target: "/work/space", permission: "write" },
      ],
      deny: [{ target: "/work/space/secret", permission: "read" }],
    },
    compaction: {
      threshold: 1,
      model: {
        scheme: "gemini",
        model_id: "c",
        auth: { kind: "api_key", file: "/layer/dir/keys/c" },
      },
    },
    memory: {
      workspace_root: "/work/space/mem",
      extract_model: {
        scheme: "gemini",
        model_id: "e",
        auth: { kind: "api_key", file: "/layer/dir/keys/e" },
      },
      consolidation_model: {
        scheme: "gemini",
        model_id: "k",
        auth: { kind: "api_key", file: "/work/space/k" },
      },
    },
    skills: { directories: ["/layer/dir/skills", "/work/space/.skills", "/abs/s"] },
  });
});

Deno.test("paths: non-file auth kinds, empty sections and missing fields are left alone", () => {
  const layer: ManifestConfig = {
    model: { ref: "anthropic/x", auth: { kind: "secret_ref", ref: "llm.x" } },
    compaction: { model: { ref: "a/b", auth: { kind: "api_key", env: "K" } } },
    memory: { language: "English" },
    scope: {},
    skills: {},
  };
  assert.deepEqual(resolveConfigPaths(layer, BASES), layer);
  assert.deepEqual(resolveConfigPaths({}, BASES), {});
});

// ---- per-layer bases through the real loaders --------------------------------------------------

interface Tree {
  root: string;
  config: string;
  project: string;
  cwd: string;
  workspace: string;
  env: Record<string, string>;
  cleanup(): void;
}

function tree(): Tree {
  // realpath: macOS-style /tmp symlinks must not make expected and actual paths differ
  const root = realpathSync(mkdtempSync(join(tmpdir(), "insomnia-paths-")));
  const t = {
    root,
    config: join(root, "config"),
    project: join(root, "proj"),
    cwd: join(root, "proj", "sub", "cwd"),
    workspace: join(root, "ws"),
  };
  for (const dir of [t.config, t.cwd, t.workspace]) mkdirSync(dir, { recursive: true });
  return {
    ...t,
    env: { INSOMNIA_CONFIG_DIR: t.config, HOME: join(root, "home") },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

function write(path: string, text: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** TOML for one layer with every path field relative; `tag` makes values distinguishable. */
function layerToml(tag: string, opts: { name?: boolean; model?: boolean } = {}): string {
  return [
    opts.name === false ? "" : `[pod]\nname = "${tag}"\nprompt_pack = "${tag}-pack.toml"`,
    opts.model === false
      ? ""
      : `[model]\nscheme = "anthropic"\nmodel_id = "${tag}"\nauth = { kind = "api_key", file = "${tag}-key" }`,
    `[[scope.allow]]\ntarget = "${tag}-allow"\npermission = "read"`,
    `[[scope.allow]]\ntarget = { kind = "workspace_path", path = "${tag}-ws" }\npermission = "write"`,
    `[[scope.deny]]\ntarget = "${tag}-deny"\npermission = "write"`,
    `[compaction.model]\nscheme = "gemini"\nmodel_id = "c"\nauth = { kind = "api_key", file = "${tag}-ckey" }`,
    `[memory]\nworkspace_root = "${tag}-mem"`,
    `[memory.extract_model]\nscheme = "gemini"\nmodel_id = "e"\nauth = { kind = "api_key", file = "${tag}-ekey" }`,
    `[skills]\ndirectories = ["${tag}-skills"]`,
  ].join("\n");
}

Deno.test("paths: --manifest resolves every path field against the file's directory", () => {
  const t = tree();
  try {
    const file = write(join(t.root, "elsewhere", "pod.toml"), layerToml("m"));
    const base = dirname(file);
    const { manifest, layers } = resolveManifestFile("../../../elsewhere/pod.toml", {
      env: t.env,
      cwd: t.cwd,
      workspace: t.workspace,
    });
    assert.deepEqual(layers, [{ kind: "file", path: file }]);
    assert.equal(manifest.pod.prompt_pack, join(base, "m-pack.toml"));
    assert.deepEqual(manifest.model.auth, { kind: "api_key", file: join(base, "m-key") });
    assert.deepEqual(manifest.scope.allow.map((r) => r.target), [
      join(base, "m-allow"),
      join(t.workspace, "m-ws"),
    ]);
    assert.deepEqual(manifest.scope.deny.map((r) => r.target), [join(base, "m-deny")]);
    assert.deepEqual(manifest.compaction?.model?.auth, {
      kind: "api_key",
      file: join(base, "m-ckey"),
    });
    assert.equal(manifest.memory?.workspace_root, join(base, "m-mem"));
    assert.deepEqual(manifest.memory?.extract_model?.auth, {
      kind: "api_key",
      file: join(base, "m-ekey"),
    });
    assert.deepEqual(manifest.skills.directories, [join(base, "m-skills")]);
  } finally {
    t.cleanup();
  }
});

Deno.test("paths: cascade bases — user file dir, project root, overlay cwd, workspace paths", () => {
  const t = tree();
  try {
    write(join(t.config, "manifest.toml"), layerToml("u"));
    write(join(t.project, ".insomnia", "manifest.toml"), layerToml("p"));
    const overlay = [
      `[pod]\nprompt_pack = "o-pack.toml"`,
      `[[scope.allow]]\ntarget = "o-allow"\npermission = "read"`,
      `[[scope.deny]]\ntarget = { kind = "workspace_path", path = "o-ws-deny" }\npermission = "read"`,
      `[skills]\ndirectories = ["o-skills"]`,
      `[memory]\nworkspace_root = "o-mem"`,
    ].join("\n");
    const { manifest, layers } = resolveCascade({
      env: t.env,
      cwd: t.cwd,
      workspace: t.workspace,
      overlay,
    });
    assert.deepEqual(layers, [
      { kind: "user", path: join(t.config, "manifest.toml") },
      { kind: "project", path: join(t.project, ".insomnia", "manifest.toml") },
      { kind: "overlay", path: null },
    ]);
    // replace: the project model (whole) wins over the user model, with the project base
    assert.equal(manifest.model.model_id, "p");
    assert.deepEqual(manifest.model.auth, { kind: "api_key", file: join(t.project, "p-key") });
    // replace: the overlay prompt pack (cwd base) wins
    assert.equal(manifest.pod.prompt_pack, join(t.cwd, "o-pack.toml"));
    assert.equal(manifest.pod.name, "p");
    // append: every layer's rules, each with its own base
    assert.deepEqual(manifest.scope.allow.map((r) => r.target), [
      join(t.config, "u-allow"),
      join(t.workspace, "u-ws"),
      join(t.project, "p-allow"),
      join(t.workspace, "p-ws"),
      join(t.cwd, "o-allow"),
    ]);
    assert.deepEqual(manifest.scope.deny.map((r) => r.target), [
      join(t.config, "u-deny"),
      join(t.project, "p-deny"),
      join(t.workspace, "o-ws-deny"),
    ]);
    assert.deepEqual(manifest.skills.directories, [
      join(t.config, "u-skills"),
      join(t.project, "p-skills"),
      join(t.cwd, "o-skills"),
    ]);
    assert.equal(manifest.memory?.workspace_root, join(t.cwd, "o-mem"));
    assert.deepEqual(manifest.compaction?.model?.auth, {
      kind: "api_key",
      file: join(t.project, "p-ckey"),
    });
    assert.deepEqual(manifest.memory?.extract_model?.auth, {
      kind: "api_key",
      file: join(t.project, "p-ekey"),
    });
  } finally {
    t.cleanup();
  }
});

Deno.test("paths: an explicit INSOMNIA_USER_MANIFEST resolves against its own directory", () => {
  const t = tree();
  try {
    const file = write(join(t.root, "custom", "user.toml"), layerToml("x"));
    const { manifest, layers } = resolveCascade({
      env: { ...t.env, INSOMNIA_USER_MANIFEST: file },
      cwd: t.workspace,
      workspace: t.workspace,
    });
    assert.deepEqual(layers, [{ kind: "user", path: file }]);
    assert.equal(manifest.scope.allow[0].target, join(t.root, "custom", "x-allow"));
  } finally {
    t.cleanup();
  }
});

Deno.test("paths: --project starts the walk; the base is the parent of .insomnia/, not .insomnia/", () => {
  const t = tree();
  try {
    const projectFile = write(join(t.project, ".insomnia", "manifest.toml"), layerToml("p"));
    const deep = join(t.project, "a", "b", "c");
    mkdirSync(deep, { recursive: true });
    assert.equal(findProjectManifest(deep), projectFile);
    assert.equal(findProjectManifest(t.project), projectFile);
    assert.equal(findProjectManifest(t.workspace), undefined);
    const { manifest, layers } = resolveCascade({
      env: t.env,
      cwd: t.workspace,
      workspace: t.workspace,
      projectStart: deep,
    });
    assert.deepEqual(layers, [{ kind: "project", path: projectFile }]);
    assert.equal(manifest.scope.allow[0].target, join(t.project, "p-allow"));
    // relative --project is taken against the cwd
    const relative = resolveCascade({
      env: t.env,
      cwd: t.project,
      workspace: t.workspace,
      projectStart: "a/b",
    });
    assert.deepEqual(relative.layers, [{ kind: "project", path: projectFile }]);
  } finally {
    t.cleanup();
  }
});

Deno.test("paths: the nearest project manifest wins; a directory in its place fails closed", () => {
  const t = tree();
  try {
    write(join(t.project, ".insomnia", "manifest.toml"), layerToml("outer"));
    const inner = join(t.project, "inner");
    const innerFile = write(join(inner, ".insomnia", "manifest.toml"), layerToml("inner"));
    assert.equal(findProjectManifest(join(inner, "deeper")), innerFile);
    // A directory named manifest.toml is not skipped in favour of an outer manifest (which would
    // silently change the runtime config): it is found, and reading it is a clear error.
    const broken = join(inner, "x", ".insomnia", "manifest.toml");
    mkdirSync(broken, { recursive: true });
    assert.equal(findProjectManifest(join(inner, "x")), broken);
    let error: unknown;
    try {
      resolveCascade({ env: t.env, cwd: join(inner, "x"), workspace: t.workspace });
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof InsomniaError);
    assert.equal(error.code, "manifest_parse");
    assert.match(error.message, new RegExp(broken.replace(/[.]/g, "\\.")));
  } finally {
    t.cleanup();
  }
});

Deno.test("paths: a missing --project directory is a usage error", () => {
  const t = tree();
  try {
    let error: unknown;
    try {
      resolveCascade({ env: t.env, cwd: t.cwd, workspace: t.workspace, projectStart: "nope" });
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof InsomniaError);
    assert.equal(error.code, "usage");
    assert.match(error.message, /--project nope: no such directory/);
  } finally {
    t.cleanup();
  }
});

Deno.test("paths: resolved manifests hold only absolute paths", () => {
  const t = tree();
  try {
    const file = write(join(t.root, "m.toml"), layerToml("m"));
    const { manifest } = resolveManifestFile(file, {
      env: t.env,
      cwd: t.cwd,
      workspace: t.workspace,
    });
    const paths = [
      manifest.pod.prompt_pack,
      manifest.model.auth.kind === "api_key" ? manifest.model.auth.file : undefined,
      ...manifest.scope.allow.map((r) => r.target),
      ...manifest.scope.deny.map((r) => r.target),
      manifest.memory?.workspace_root,
      ...manifest.skills.directories,
    ];
    for (const p of paths) assert.ok(typeof p === "string" && p.startsWith("/"), String(p));
  } finally {
    t.cleanup();
  }
});
