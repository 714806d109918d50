/**
 * End-to-end canary suite ("Secrets stay references"): every command, on success and failure
 * paths, with `--json` and human output, runs in a sandbox seeded with canary secrets — in the
 * environment (`INSOMNIA_SECRET_*`), in the file store, in registry descriptions, in Nix `throw`
 * messages, at every credential position and in ordinary fields. After every run the canaries must
 * be absent from stdout and stderr; at the end of every test no file (or file name) under the
 * sandbox — data dir, Pod store, config, TMPDIR (Nix trace files), cache, workspace — may contain
 * one, except the fixtures the test wrote itself and `<data>/secrets/store.json`, which may hold
 * them only obfuscated.
 *
 * Canaries are generated at runtime (tests/fixtures/canary/canary.ts); failure messages mask them.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { stringify as toToml } from "smol-toml";
import {
  type CliResult,
  makeSandbox,
  parseJson,
  runCli,
  type Sandbox,
  treeSnapshot,
  withSandbox,
  writeFile,
} from "../helpers/cli.ts";
import {
  allCanaries,
  assertNoCanary,
  assertTreeClean,
  canariesIn,
  type Canary,
  makeCanaries,
  manifestWithRefs,
  mask,
  toNix,
} from "../fixtures/canary/canary.ts";
import { detectSecretKinds } from "../../src/secrets/patterns.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const C = makeCanaries();
const ALL = allCanaries(C);
const KNOWN = ALL.filter((c) => c.kind !== null);

/** A sandbox whose every CLI run is checked for canaries; `finish()` walks the whole tree. */
class Scene {
  readonly sb: Sandbox;
  readonly fixtures = new Set<string>();
  readonly env: Record<string, string>;
  readonly storeFile: string;

  constructor(env: Record<string, string> = {}) {
    this.sb = makeSandbox("insomnia-canary-");
    this.env = { ...this.sb.env, ...env };
    this.storeFile = join(this.sb.data, "secrets", "store.json");
  }

  /** Writes a fixture (relative paths are under the sandbox root); it may hold canaries. */
  write(path: string, content: string): string {
    const file = path.startsWith("/") ? path : join(this.sb.root, path);
    writeFile(file, content);
    this.fixtures.add(file);
    return file;
  }

  /** Runs the CLI (with `-s <store>` where it applies) and asserts no canary reached stdout or stderr. */
  async run(
    args: string[],
    opts: { stdin?: string; env?: Record<string, string>; cwd?: string } = {},
  ): Promise<CliResult> {
    // -s only where the command takes a store
    const store = ["profiles", "secrets", "completions", "schema"].includes(args[0])
      ? []
      : ["-s", this.sb.store];
    const result = await runCli([...args, ...store], {
      cwd: opts.cwd ?? this.sb.workspace,
      env: { ...this.env, ...(opts.env ?? {}) },
      stdin: opts.stdin,
    });
    const label = `\`insomnia-pod ${mask(args.join(" "), ALL)}\``;
    assertNoCanary(result.stdout, ALL, `stdout of ${label}`);
    assertNoCanary(result.stderr, ALL, `stderr of ${label}`);
    assert.doesNotMatch(result.stderr, /^\s+at .*:\d+:\d+\)?$/m, `${label}: no stack trace`);
    return result;
  }

  /** Runs with `--json`, expects exit `code`, returns the parsed document. */
  async json(
    args: string[],
    code = 0,
    opts: { stdin?: string; env?: Record<string, string>; cwd?: string } = {},
  ): Promise<Json> {
    const result = await this.run([...args, "--json"], opts);
    assert.equal(result.code, code, this.explain(args, result));
    return parseJson(result);
  }

  /** Runs without `--json`, expects exit `code`, returns the result. */
  async human(
    args: string[],
    code = 0,
    opts: { stdin?: string; env?: Record<string, string>; cwd?: string } = {},
  ): Promise<CliResult> {
    const result = await this.run(args, opts);
    assert.equal(result.code, code, this.explain(args, result));
    return result;
  }

  /** Expects failure `code` with `--json` and without; the data dir must stay untouched. */
  async fail(
    args: string[],
    code: string,
    opts: { env?: Record<string, string>; stdin?: string } = {},
  ): Promise<Json> {
    const before = treeSnapshot(this.sb.data);
    const exit = code === "usage" ? 2 : 1;
    const [body, human] = await Promise.all([
      this.json(args, exit, opts),
      this.human(args, exit, opts),
    ]);
    assert.equal(body.error?.code, code, mask(JSON.stringify(body), ALL));
    assert.ok(
      human.stderr.startsWith(`error[${code}]: `),
      `human error line for ${code}: ${mask(human.stderr, ALL)}`,
    );
    assert.deepEqual(treeSnapshot(this.sb.data), before, "a failed run must write nothing");
    return body.error;
  }

  explain(args: string[], result: CliResult): string {
    return mask(
      `insomnia-pod ${
        args.join(" ")
      } → exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`,
      ALL,
    );
  }

  /** Asserts no canary in any file or file name under the sandbox root (see the module doc). */
  finish(): string[] {
    return assertTreeClean(this.sb.root, ALL, {
      fixtures: this.fixtures,
      storeFile: this.storeFile,
    });
  }
}

async function scene(
  env: Record<string, string>,
  fn: (s: Scene) => Promise<void>,
): Promise<void> {
  const s = new Scene(env);
  try {
    await fn(s);
    s.finish();
  } finally {
    s.sb.cleanup();
  }
}

const REFS = {
  model: "llm.anthropic.default",
  compaction: "llm.openai.compaction",
  extract: "llm.gemini.extract",
  consolidation: "llm.anthropic.consolidate",
  web: "web.brave.default",
};

const ref = (id: string) => ({ kind: "secret_ref", ref: id });

/** A Nix profile through the library, with a reference at every credential position. */
function profileNix(name: string, extra = ""): string {
  return `let insomnia = import <insomnia> { }; in
insomnia.mkProfile {
  name = "${name}";
  description = "canary suite profile ${name}";
  manifest = insomnia.mkManifest {
    model = { scheme = "anthropic"; model_id = "claude-sonnet-4-6"; auth = insomnia.secrets.ref "${REFS.model}"; };
    scope.allow = [ { target = insomnia.workspace "."; permission = "write"; } ];
    compaction.model = { scheme = "openai_chat"; model_id = "small"; auth = insomnia.auth.secret "${REFS.compaction}"; };
    memory.extract_model = { scheme = "gemini"; model_id = "flash"; auth = insomnia.secrets.ref "${REFS.extract}"; };
    memory.consolidation_model = { scheme = "anthropic"; model_id = "haiku"; auth = insomnia.secrets.ref "${REFS.consolidation}"; };
    ${extra}
  };
}
`;
}

/** A profile whose evaluation fails with `throw` carrying `secret` (after tracing it too). */
function throwingNix(name: string, secret: string): string {
  const traced = toNix("tracing " + secret);
  const thrown = toNix("cannot use token " + secret + " here");
  return `let insomnia = import <insomnia> { }; in
insomnia.mkProfile {
  name = "${name}";
  manifest = {
    model = { ref = "anthropic/claude-sonnet-4-6"; auth = insomnia.secrets.ref "${REFS.model}"; };
    scope.allow = [ { target = insomnia.workspace "."; permission = "write"; } ];
    worker.language = builtins.trace ${traced} (throw ${thrown});
  };
}
`;
}

function assertAllRefs(manifest: Json, where: string): void {
  assert.deepEqual(
    [
      manifest.model.auth,
      manifest.compaction.model.auth,
      manifest.memory.extract_model.auth,
      manifest.memory.consolidation_model.auth,
    ],
    // (REFS.web has no place in a manifest: the runtime reads the search key from api_key_env.)
    [REFS.model, REFS.compaction, REFS.extract, REFS.consolidation].map(ref),
    `${where}: every credential position keeps its reference unchanged`,
  );
}

Deno.test("the canaries have the formats they claim", () => {
  for (const c of ALL) {
    const kinds = detectSecretKinds(c.value);
    if (c.kind === null) assert.deepEqual(kinds, [], `${c.name} must not be a known format`);
    else assert.ok(kinds.includes(c.kind), `${c.name} must be detected as ${c.kind}`);
  }
  assert.deepEqual(canariesIn(mask(ALL.map((c) => c.value).join("\n"), ALL), ALL), []);
});

Deno.test("every command, success paths: canaries in env, store and registry never leak", async () => {
  const env = {
    [`INSOMNIA_SECRET_LLM_ANTHROPIC_DEFAULT`]: C.anthropic.value,
    [`INSOMNIA_SECRET_WEB_BRAVE_DEFAULT`]: C.unknownEnv.value,
  };
  await scene(env, async (s) => {
    // secrets set: the value comes from stdin only, JSON and human output.
    const stored = await s.json(["secrets", "set", REFS.compaction], 0, { stdin: C.openai.value });
    assert.deepEqual(stored, {
      format: "insomnia.cli.v1",
      secret: { id: REFS.compaction, stored: true, backend: "file" },
    });
    await s.human(["secrets", "set", REFS.extract], 0, { stdin: C.unknown.value + "\n" });
    await s.json(["secrets", "set", REFS.consolidation], 0, { stdin: C.pem.value + "\n" });
    await s.human(["secrets", "set", "ci.aws.key"], 0, { stdin: C.aws.value });
    // env takes precedence: the note names the variable, never a value
    const shadow = await s.human(["secrets", "set", REFS.web], 0, { stdin: C.github.value });
    assert.match(shadow.stderr, /INSOMNIA_SECRET_WEB_BRAVE_DEFAULT is set/);
    const [listed, listedHuman] = await Promise.all([
      s.json(["secrets", "list"]),
      s.human(["secrets", "list"]),
    ]);
    assert.deepEqual(
      listed.secrets.map((e: Json) => e.id),
      ["ci.aws.key", REFS.consolidation, REFS.extract, REFS.compaction, REFS.web],
    );
    assert.ok(!listedHuman.stdout.includes(REFS.model), "env-only secrets are not listed");

    // Profiles and a registry whose descriptions carry canaries.
    const work = s.write("profiles/work.nix", profileNix("work"));
    const review = s.write("profiles/review.nix", profileNix("review"));
    s.write(
      join(s.sb.config, "manifest.toml"),
      `[profiles]
default = "work"

[profiles.profile]
work = { path = ${JSON.stringify(work)}, description = ${
        JSON.stringify("Work, token " + C.github.value)
      } }
review = { path = ${JSON.stringify(review)}, description = ${JSON.stringify(C.pem.value)} }
`,
    );

    // profiles list / show / check
    const [plist, plistHuman] = await Promise.all([
      s.json(["profiles", "list"]),
      s.human(["profiles", "list"]),
    ]);
    const workEntry = plist.profiles.find((p: Json) => p.qualified === "user:work");
    assert.match(workEntry.description, /\[redacted/, "the description is listed, redacted");
    assert.match(plistHuman.stdout, /user:work/);
    const [shown] = await Promise.all([
      s.json(["profiles", "show", "work"]),
      s.human(["profiles", "show", "work"]),
      s.human(["profiles", "show", "review", "--manifest"]),
    ]);
    assertAllRefs(shown.manifest, "profiles show");
    const [checked, checkedStrict] = await Promise.all([
      s.json(["profiles", "check", "--all"]),
      s.json(["profiles", "check", "--all", "--check-secrets"]),
      s.human(["profiles", "check", "--all", "--check-secrets"]),
    ]);
    const userWork = checked.results.find((r: Json) => r.selector === "user:work");
    assert.ok(userWork.ok && userWork.secrets.every((x: Json) => x.resolved), "all resolve");
    assert.equal(checkedStrict.failed, 0);

    // create: dry run (JSON and human), then for real from a registry name and from a path
    const [dry] = await Promise.all([
      s.json(["--profile", "work", "--dry-run", "--check-secrets"]),
      s.human(["--profile", "work", "--dry-run", "--check-secrets"]),
    ]);
    assert.equal(dry.action, "dry_run");
    assertAllRefs(dry.manifest, "--dry-run");
    const created = await s.json(["--profile", "work", "--check-secrets"]);
    assert.equal(created.action, "created");
    assertAllRefs(created.manifest, "created");
    const pod = JSON.parse(readFileSync(join(created.pod.dir, "pod.json"), "utf8"));
    assertAllRefs(pod.snapshot.manifest, "pod.json snapshot");
    const createdHuman = await s.human(["--profile", `path:${work}`, "--check-secrets"]);
    assert.match(createdHuman.stdout, /created Pod work-2/);
    assert.match(createdHuman.stdout, /secret_ref llm\.anthropic\.default/);

    // create from a .json artifact and from a TOML manifest
    const art = s.write(
      "art/art.json",
      JSON.stringify({
        profile: { format: "insomnia.nix-profile.v1", name: "art" },
        manifest: manifestWithRefs("art", REFS),
      }),
    );
    await s.human(["--profile", `path:${art}`, "--dry-run", "--check-secrets"]);
    const fromArt = await s.json(["--profile", `path:${art}`, "--check-secrets"]);
    assertAllRefs(fromArt.manifest, "from a .json artifact");
    const toml = s.write("toml/pod.toml", toToml(manifestWithRefs("toml", REFS)));
    await s.human(["--manifest", toml, "--dry-run", "--check-secrets"]);
    const fromToml = await s.json(["--manifest", toml, "--check-secrets"]);
    assertAllRefs(fromToml.manifest, "from TOML");

    // resume by name and by session (JSON and human)
    const [resumed] = await Promise.all([
      s.json(["--pod", "work"]),
      s.human(["--pod", "work-2"]),
    ]);
    assert.equal(resumed.action, "resumed");
    assertAllRefs(resumed.manifest, "resumed");
    const [bySession] = await Promise.all([
      s.json(["--session", created.pod.session_id]),
      s.human(["--session", fromArt.pod.session_id]),
    ]);
    assertAllRefs(bySession.manifest, "resumed by session");

    // explicit re-resolve: without --yes (JSON and human), then with --yes
    s.write(work, profileNix("work", `worker.reasoning = "high";`));
    const [notApplied] = await Promise.all([
      s.json(["--pod", "work", "--reload-profile"]),
      s.human(["--pod", "work", "--reload-profile"]),
    ]);
    assert.equal(notApplied.applied, false);
    assert.ok(notApplied.changes.length > 0);
    const applied = await s.json(["--pod", "work", "--reload-profile", "--yes"]);
    assert.equal(applied.applied, true);
    assertAllRefs(applied.manifest, "after --reload-profile --yes");
    await s.human(["--pod", "work-2", "--reload-profile", "--yes"]);

    // pods list / show / export / rm
    const [pods] = await Promise.all([
      s.json(["pods", "list"]),
      s.human(["pods", "list"]),
      s.human(["pods", "show", "work"]),
    ]);
    assert.equal(pods.pods.length, 4);
    const podShow = await s.json(["pods", "show", "work"]);
    assert.equal(podShow.history.length, 1);
    assertAllRefs(podShow.manifest, "pods show");
    const [exported] = await Promise.all([
      s.json(["pods", "export", "work"]),
      s.human(["pods", "export", "work-2"]),
    ]);
    assertAllRefs(exported.manifest, "pods export");
    Deno.mkdirSync(join(s.sb.root, "export"), { recursive: true });
    const exportFile = join(s.sb.root, "export", "work.json");
    await s.json(["pods", "export", "work", "-o", exportFile]);
    const reimported = await s.json(["--profile", `path:${exportFile}`, "--check-secrets"]);
    assertAllRefs(reimported.manifest, "re-created from an exported artifact");
    await s.json(["pods", "rm", "art"]);
    await s.human(["pods", "rm", "toml"]);

    // schema, doctor, completions, new without a terminal
    await Promise.all([
      s.human(["schema"]),
      s.json(["schema", "--resolved"]),
      s.human(["completions", "bash"]),
    ]);
    const [doctor, doctorHuman] = await Promise.all([
      s.run(["doctor", "--json"]),
      s.run(["doctor"]),
    ]);
    assert.ok([0, 1].includes(doctor.code) && [0, 1].includes(doctorHuman.code));
    const report = parseJson(doctor) as Json;
    assert.ok(report.checks.find((c: Json) => c.name === "default-profile")?.ok, "default ok");
    const newJson = await s.json(["new"], 2);
    assert.equal(newJson.error.code, "usage");
    await s.human(["new", "--profile", "work"], 2);

    // profiles init (from the registry profile, and from the template)
    // The project profile imports a user profile outside the project: that read needs the
    // sandbox's opt-in (src/nix/sandbox.ts).
    const init = await s.json(["profiles", "init", "mine", "--from", "work"], 0, {
      env: { INSOMNIA_IMPURE_EVAL: "1" },
    });
    assert.equal(init.profile.validated, true);
    await s.human(["profiles", "init", "other"]);

    // secrets rm, then list again
    await s.json(["secrets", "rm", "ci.aws.key"]);
    await s.human(["secrets", "rm", REFS.extract]);
    const after = await s.json(["secrets", "list"]);
    assert.deepEqual(
      after.secrets.map((e: Json) => e.id),
      [REFS.consolidation, REFS.compaction, REFS.web],
    );
    const storeText = readFileSync(s.storeFile, "utf8");
    assert.ok(!storeText.includes(C.aws.value) && !storeText.includes(C.unknown.value));
  });
});

Deno.test("failure paths: unresolved references, Nix throws, broken inputs, bad names", async () => {
  const env = { INSOMNIA_SECRET_UNRELATED_THING: C.openai.value };
  await scene(env, async (s) => {
    await s.human(["secrets", "set", "unrelated.stored"], 0, { stdin: C.unknown.value });
    const good = s.write("profiles/good.nix", profileNix("good"));

    // --check-secrets with nothing provided: secret_unresolved naming the reference
    const unresolved = await s.fail(
      ["--profile", `path:${good}`, "--check-secrets"],
      "secret_unresolved",
    );
    assert.equal(unresolved.ref, REFS.model);
    assert.deepEqual(
      unresolved.unresolved.map((u: Json) => u.ref),
      [REFS.model, REFS.compaction, REFS.extract, REFS.consolidation],
    );
    assert.match(unresolved.message, /INSOMNIA_SECRET_LLM_ANTHROPIC_DEFAULT/);
    const strictCheck = await s.json(["profiles", "check", `path:${good}`, "--check-secrets"], 1);
    assert.equal(strictCheck.results[0].error.code, "secret_unresolved");
    await s.human(["profiles", "check", `path:${good}`, "--check-secrets"], 1);

    // Nix throw carrying each known canary: the message and the trace file are redacted
    const throwers: Array<[string, Canary]> = KNOWN.map((c) => [`throw-${c.name}`, c]);
    const registry = ["[profiles]", 'default = "throw-anthropic"', "", "[profiles.profile]"];
    for (const [name, c] of throwers) {
      const file = s.write(`throwers/${name}.nix`, throwingNix(name, c.value));
      registry.push(`${JSON.stringify(name)} = ${JSON.stringify(file)}`);
      const error = await s.fail(["--profile", `path:${file}`], "nix_eval_failed");
      assert.match(error.message, new RegExp(`\\[redacted(:${c.kind})?\\]`), `${c.name} redacted`);
      assert.ok(error.trace?.startsWith(join(s.env.TMPDIR, "insomnia-pod-traces")), error.trace);
      const trace = readFileSync(error.trace, "utf8");
      assert.match(trace, new RegExp(`\\[redacted(:${c.kind})?\\]`), "the trace keeps the context");
      assertNoCanary(trace, ALL, `trace file for ${name}`);
    }
    s.write(join(s.sb.config, "manifest.toml"), registry.join("\n") + "\n");
    // the lib's own throw on an invalid id repeats it: a PEM pasted into secrets.ref
    const pemRef = s.write(
      "throwers/pem-ref.nix",
      profileNix("pemref").replace(`"${REFS.model}"`, toNix(C.pem.value)),
    );
    await s.fail(["--profile", `path:${pemRef}`, "--dry-run"], "nix_eval_failed");
    await s.fail(["profiles", "show", "throw-github"], "nix_eval_failed");
    await s.fail(["--profile", "default", "--dry-run", "--check-secrets"], "nix_eval_failed");
    const all = await s.json(["profiles", "check", "--all"], 1);
    assert.equal(all.failed, throwers.length);
    await s.human(["profiles", "check", "--all", "--check-secrets"], 1);
    const [doctor] = await Promise.all([s.run(["doctor", "--json"]), s.run(["doctor"])]);
    assert.equal(doctor.code, 1);
    const report = parseJson(doctor) as Json;
    const defaultCheck = report.checks.find((c: Json) => c.name === "default-profile");
    assert.equal(defaultCheck.ok, false);
    assert.match(defaultCheck.detail + (defaultCheck.hint ?? ""), /redacted/);
    await s.fail(["new"], "usage");

    // a Pod, then its profile starts throwing / holding a canary: reload fails, nothing written
    const pod = await s.json(["--profile", `path:${good}`]);
    s.write(good, throwingNix("good", C.aws.value));
    await s.fail(["--pod", "good", "--reload-profile", "--yes"], "nix_eval_failed");
    s.write(good, profileNix("good", `worker.language = ${toNix(C.anthropic.value)};`));
    const reload = await s.fail(["--pod", "good", "--reload-profile", "--yes"], "secret_plaintext");
    assert.equal(reload.field, "worker.language");
    await s.fail(["--pod", "good", "--reload-profile"], "secret_plaintext");
    const resumed = await s.json(["--pod", "good"]);
    assertAllRefs(resumed.manifest, "the snapshot survives a failed reload");
    assert.equal(resumed.pod.id, pod.pod.id);

    // broken inputs that parsers quote back: invalid JSON artifact, invalid TOML
    const badJson = s.write(
      "broken/bad.json",
      `{"manifest": {"worker": {"language": ${JSON.stringify(C.anthropic.value)} oops }}}`,
    );
    await s.fail(["--profile", `path:${badJson}`], "artifact_invalid");
    const badToml = s.write(
      "broken/bad.toml",
      `[worker]\nlanguage = ${JSON.stringify(C.github.value)} trailing garbage\n`,
    );
    await s.fail(["--manifest", badToml, "--dry-run"], "manifest_parse");
    const overlay = await s.fail(
      ["--manifest-cascade", "--overlay", `worker.language = ${JSON.stringify(C.openai.value)}`],
      "secret_plaintext",
    );
    assert.equal(overlay.field, "worker.language");

    // canaries typed where names and ids go
    await s.fail(["--session", C.anthropic.value], "pod_not_found");
    // a credential-shaped Pod or profile name is refused as such, never echoed
    await s.fail(["pods", "show", C.aws.value], "secret_plaintext");
    await s.fail(["pods", "rm", C.github.value], "secret_plaintext");
    await s.fail(["pods", "export", C.openai.value], "secret_plaintext");
    await s.fail(["--pod", C.pem.value, "--require-pod-state"], "secret_plaintext");
    await s.fail(["profiles", "show", C.openai.value], "selector_invalid");
    await s.fail(["--profile", C.github.value, "--dry-run"], "selector_invalid");
    const setId = await s.fail(["secrets", "set", C.github.value], "secret_plaintext", {
      stdin: "x-value",
    });
    assert.equal(setId.kind, "github_token");
    await s.fail(["secrets", "rm", C.anthropic.value], "secret_plaintext");
    await s.fail(["secrets", "rm", "not.stored"], "secret_unresolved");
    await s.fail(["secrets", "set", "empty.value"], "usage", { stdin: "" });
    await s.fail(["completions", C.aws.value], "usage");
    await s.fail(["schema", "--token=" + C.openai.value], "usage");
  });
});

// ---------------------------------------------------------------------------------------------
// One test per rejected plaintext case: code, field path, and the value absent from the message,
// through a TOML manifest (JSON and human output), a .json artifact and a Nix profile.

interface PlaintextCase {
  name: string;
  canary: Canary;
  /** Mutates a valid manifest (with references at every credential position). */
  apply: (m: Json) => void;
  field: string;
  code?: string;
}

const auth = (kind: string | undefined, fields: Record<string, unknown>) =>
  kind === undefined ? fields : { kind, ...fields };

const PLAINTEXT_CASES: PlaintextCase[] = [
  {
    name: "model.auth holds a literal key",
    canary: C.anthropic,
    apply: (m) => (m.model.auth = C.anthropic.value),
    field: "model.auth",
  },
  {
    name: "compaction.model.auth holds a literal key",
    canary: C.openai,
    apply: (m) => (m.compaction.model.auth = C.openai.value),
    field: "compaction.model.auth",
  },
  {
    name: "memory.extract_model.auth holds a literal token",
    canary: C.github,
    apply: (m) => (m.memory.extract_model.auth = C.github.value),
    field: "memory.extract_model.auth",
  },
  {
    name: "memory.consolidation_model.auth holds a PEM block",
    canary: C.pem,
    apply: (m) => (m.memory.consolidation_model.auth = C.pem.value),
    field: "memory.consolidation_model.auth",
  },
  {
    name: "web.search.api_key holds a literal key id",
    canary: C.aws,
    apply: (m) => (m.web.search.api_key = C.aws.value),
    field: "web.search.api_key",
  },
  {
    name: "model.auth is an api_key with a value field",
    canary: C.anthropic,
    apply: (m) => (m.model.auth = auth("api_key", { value: C.anthropic.value })),
    field: "model.auth.value",
  },
  {
    name: "compaction.model.auth.env holds an AWS key id (a valid variable name)",
    canary: C.aws,
    apply: (m) => (m.compaction.model.auth = auth("api_key", { env: C.aws.value })),
    field: "compaction.model.auth.env",
  },
  {
    name: "memory.extract_model.auth.env holds a GitHub token (a valid variable name)",
    canary: C.github,
    apply: (m) => (m.memory.extract_model.auth = auth("api_key", { env: C.github.value })),
    field: "memory.extract_model.auth.env",
  },
  {
    name: "model.auth.file holds a key",
    canary: C.openai,
    apply: (m) => (m.model.auth = auth("api_key", { file: C.openai.value })),
    field: "model.auth.file",
  },
  {
    name: "memory.consolidation_model.auth.file is a workspace_path holding a token",
    canary: C.github,
    apply: (m) => (m.memory.consolidation_model.auth = auth("api_key", {
      file: { kind: "workspace_path", path: C.github.value },
    })),
    field: "memory.consolidation_model.auth.file.path",
  },
  {
    name: "model.auth is a secret_ref whose ref is the key itself",
    canary: C.anthropic,
    apply: (m) => (m.model.auth = ref(C.anthropic.value)),
    field: "model.auth.ref",
  },
  {
    name: "web.search.api_key is a secret_ref whose ref is a token",
    canary: C.github,
    apply: (m) => (m.web.search.api_key = ref(C.github.value)),
    field: "web.search.api_key.ref",
  },
  {
    name: "model.auth is a secret_ref whose ref is a PEM block (malformed id)",
    canary: C.pem,
    apply: (m) => (m.model.auth = ref(C.pem.value)),
    field: "model.auth.ref",
    code: "secret_ref_invalid",
  },
  {
    name: "web.search.api_key_env holds an AWS key id",
    canary: C.aws,
    apply: (m) => {
      delete m.web.search.api_key;
      m.web.search.api_key_env = C.aws.value;
    },
    field: "web.search.api_key_env",
  },
  {
    name: "model.auth of an unknown kind carries a token",
    canary: C.openai,
    apply: (m) => (m.model.auth = auth("bearer", { token: C.openai.value })),
    field: "model.auth.token",
  },
  {
    name: "compaction.model.auth without a kind carries a token",
    canary: C.anthropic,
    apply: (m) => (m.compaction.model.auth = auth(undefined, { token: C.anthropic.value })),
    field: "compaction.model.auth.token",
  },
  {
    name: "model.auth is a list holding a key",
    canary: C.anthropic,
    apply: (m) => (m.model.auth = [C.anthropic.value]),
    field: "model.auth[0]",
  },
  {
    name: "worker.language (an ordinary field) holds a key",
    canary: C.anthropic,
    apply: (m) => (m.worker = { language: C.anthropic.value }),
    field: "worker.language",
  },
  {
    name: "worker.instruction holds a PEM block",
    canary: C.pem,
    apply: (m) => (m.worker = { instruction: C.pem.value }),
    field: "worker.instruction",
  },
  {
    name: "skills.directories holds a token",
    canary: C.github,
    apply: (m) => (m.skills = { directories: ["skills", C.github.value] }),
    field: "skills.directories[1]",
  },
  {
    name: "a permission rule pattern embeds a key",
    canary: C.openai,
    apply: (m) => (m.permissions = {
      default_action: "ask",
      rule: [{
        tool: "bash",
        pattern: `curl -H 'x-api-key: ${C.openai.value}' *`,
        action: "allow",
      }],
    }),
    field: "permissions.rule[0].pattern",
  },
  {
    name: "model.base_url embeds a password",
    canary: C.urlPassword,
    apply: (m) => (m.model.base_url = C.urlPassword.value),
    field: "model.base_url",
  },
  {
    name: "pod.name is a key id",
    canary: C.aws,
    apply: (m) => (m.pod.name = C.aws.value),
    field: "pod.name",
  },
  {
    name: "a scope.deny target embeds a key",
    canary: C.anthropic,
    apply: (m) => (m.scope.deny = [{ target: `/srv/${C.anthropic.value}`, permission: "read" }]),
    field: "scope.deny[0].target",
  },
  {
    name: "worker.stop_sequences holds a token",
    canary: C.github,
    apply: (m) => (m.worker = { stop_sequences: [C.github.value] }),
    field: "worker.stop_sequences[0]",
  },
  {
    name: "an object key is a key (worker.tool_output.per_tool)",
    canary: C.openai,
    apply: (m) => (m.worker = { tool_output: { per_tool: { [C.openai.value]: 5 } } }),
    field: 'worker.tool_output.per_tool["[redacted]"]',
  },
];

for (const c of PLAINTEXT_CASES) {
  const code = c.code ?? "secret_plaintext";
  Deno.test(`rejected plaintext (${code}): ${c.name}`, async () => {
    await scene({}, async (s) => {
      const manifest = manifestWithRefs("plain", REFS);
      c.apply(manifest);
      const toml = s.write("case/pod.toml", toToml(manifest));
      const artifact = s.write(
        "case/artifact.json",
        JSON.stringify({ profile: { format: "insomnia.nix-profile.v1", name: "plain" }, manifest }),
      );
      const nix = s.write(
        "case/profile.nix",
        `let insomnia = import <insomnia> { }; in\ninsomnia.mkProfile { name = "plain"; manifest = ${
          toNix(manifest)
        }; }\n`,
      );
      const runs: Array<[string, string[]]> = [
        ["TOML", ["--manifest", toml, "--dry-run"]],
        [".json artifact", ["--profile", `path:${artifact}`]],
        ["Nix profile", ["--profile", `path:${nix}`]],
      ];
      const errors = await Promise.all(runs.map(([, args]) => s.fail(args, code)));
      errors.forEach((error, i) => {
        const where = `${runs[i][0]}: ${mask(error.message, ALL)}`;
        assert.equal(error.field, c.field, where);
        assert.ok(error.message.includes(c.field), `the message names ${c.field} (${where})`);
        assert.ok(!canariesIn(JSON.stringify(error), ALL).length, `value absent (${where})`);
        if (c.canary.kind && code === "secret_plaintext" && error.kind !== "literal") {
          assert.equal(error.kind, c.canary.kind, where);
        }
      });
      assert.ok(!existsSync(s.sb.store), "nothing was stored");
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Leaks found by this suite in src/ (kept failing until fixed; see each test's comment).

/**
 * Runs `args` with `--json` (the scene then checks outputs and, at the end, every file); a refusal
 * must be one of `codes`. Returns the parsed document.
 */
async function refusedOrClean(
  s: Scene,
  args: string[],
  codes = ["secret_plaintext"],
): Promise<Json> {
  const result = await s.run([...args, "--json"]);
  const body = parseJson(result) as Json;
  if (result.code !== 0) assert.ok(codes.includes(body.error?.code), s.explain(args, result));
  return body;
}

// src/profile/artifact.ts extractArtifact / src/profile/resolve.ts resolveArtifact: only the
// manifest body passes the plaintext gate (loadLayer → guardPlaintext); the envelope's `profile`
// table (description, name, exported_from) does not, and it is stored verbatim as provenance in
// pod.json. Fix: in resolveArtifact, call assertNoPlaintextSecrets(raw, origin) on the whole
// artifact (or on `metadata` in extractArtifact) before anything is stored.
Deno.test("a profile description holding a key is refused, never stored in pod.json", async () => {
  await scene({}, async (s) => {
    const nix = s.write(
      "p/described.nix",
      profileNix("described").replace(
        'description = "canary suite profile described";',
        `description = ${toNix("Team profile; token " + C.anthropic.value)};`,
      ),
    );
    const body = await refusedOrClean(s, ["--profile", `path:${nix}`]);
    if (body.error) assert.equal(body.error.field, "profile.description");
  });
});

Deno.test("a .json artifact's profile metadata holding keys is refused, never stored", async () => {
  await scene({}, async (s) => {
    const art = s.write(
      "p/meta.json",
      JSON.stringify({
        profile: {
          format: "insomnia.nix-profile.v1",
          name: "meta",
          description: C.github.value,
          exported_from: { pod: "meta", note: C.aws.value },
        },
        manifest: manifestWithRefs("meta", REFS),
      }),
    );
    await refusedOrClean(s, ["--profile", `path:${art}`]);
  });
});

// src/manifest/pod_name.ts validatePodName accepts any [A-Za-z0-9._-] name, so a pasted key given as
// a Pod name becomes a directory name, pod.json's `name` and the session index's `pod` (output is
// redacted, the disk is not). The plaintext gate only sees manifest layers, not --pod or
// --profile-pod-name. Fix: in validatePodName, reject a name for which detectSecretKinds(name) is
// non-empty with `secret_plaintext` (and do not echo it: the pod_name_invalid message quotes it).
Deno.test("a key given as --profile-pod-name is refused, never written to the store", async () => {
  await scene({}, async (s) => {
    const nix = s.write("p/named.nix", profileNix("named"));
    await refusedOrClean(
      s,
      ["--profile", `path:${nix}`, "--profile-pod-name", C.anthropic.value],
      ["secret_plaintext", "pod_name_invalid"],
    );
  });
});

Deno.test("a key given as --pod on the TOML path is refused, never written to the store", async () => {
  await scene({}, async (s) => {
    const toml = s.write("p/pod.toml", toToml(manifestWithRefs("toml", REFS)));
    await refusedOrClean(
      s,
      ["--pod", C.openai.value, "--manifest", toml],
      ["secret_plaintext", "pod_name_invalid"],
    );
  });
});

// src/cli/commands/profiles_init.ts initProfile checks only profileNameProblem(name), so a pasted
// key becomes `.insomnia/profiles/<key>.nix`, the `name = "<key>"` inside it and a registry line.
// Fix: refuse a name for which detectSecretKinds(name) is non-empty (secret_plaintext, no echo),
// ideally in profileNameProblem (src/profile/selector.ts) so registry names are covered too.
Deno.test("profiles init with a key as the name is refused, never written", async () => {
  await scene({}, async (s) => {
    await refusedOrClean(s, ["profiles", "init", C.github.value], ["secret_plaintext", "usage"]);
  });
});

// The Nix child inherits the whole environment, INSOMNIA_SECRET_* included (src/nix/evaluate.ts
// runNix passes `req.env ?? processEnv()`; resolve.ts passes ctx.env), so a profile can read a
// secret with builtins.getEnv into an ordinary field. A value in an unknown format is not
// detected, and --check-secrets (checkSecretRefs) only checks that a reference resolves — it never
// reads or registers the value — so the value is printed and stored in pod.json. Fix: drop every
// INSOMNIA_SECRET_* variable from the environment given to nix (evaluate.ts, both nix runs), and
// register the values of all INSOMNIA_SECRET_* variables (and of references checked with
// --check-secrets) for redaction, with findPlaintextSecrets also flagging registered values.
Deno.test("a secret read by Nix from INSOMNIA_SECRET_* never appears (unknown format)", async () => {
  const env = { INSOMNIA_SECRET_WEB_BRAVE_DEFAULT: C.unknownEnv.value };
  await scene(env, async (s) => {
    await s.human(["secrets", "set", REFS.extract], 0, { stdin: C.unknown.value });
    const nix = s.write(
      "p/getenv.nix",
      profileNix(
        "getenv",
        `worker.language = builtins.getEnv "INSOMNIA_SECRET_WEB_BRAVE_DEFAULT";`,
      ),
    );
    await s.run(["--profile", `path:${nix}`, "--check-secrets", "--json"], {
      env: {
        INSOMNIA_SECRET_LLM_ANTHROPIC_DEFAULT: "x".repeat(8),
        INSOMNIA_SECRET_LLM_OPENAI_COMPACTION: "y".repeat(8),
        INSOMNIA_SECRET_LLM_ANTHROPIC_CONSOLIDATE: "z".repeat(8),
      },
    });
  });
});

// src/secrets/patterns.ts line 23: the boundary `(?<![A-Za-z0-9_-])` also refuses a key right
// after "-", so `--sk-proj-…` (a key pasted as a flag) is not redacted and commander's "unknown
// option '--sk-proj-…'" reaches stderr verbatim. Fix: refuse only a start inside a token, e.g.
// `(?<![A-Za-z0-9_])(?<![A-Za-z0-9_]-)`, so "--sk-…" and " -sk-…" are detected, "task-ant-…" not.
Deno.test("a key pasted as an unknown flag is not echoed", async () => {
  await scene({}, async (s) => {
    await s.fail(["schema", "--" + C.openai.value], "usage");
    await s.fail(["--" + C.anthropic.value], "usage");
  });
});

Deno.test("a value kept only in the file store is redacted wherever it shows up", async () => {
  await withSandbox(async (sb) => {
    // not in any known key format: only the store knows it is a secret
    const value = "BSAq7Zt9" + "xWm2Lk4Pv8Rn3Yc6Hd1Fg5Js";
    const set = await runCli(["secrets", "set", "web.brave.default"], {
      cwd: sb.workspace,
      env: sb.env,
      stdin: value,
    });
    assert.equal(set.code, 0, set.stderr);
    const thrower = writeFile(
      join(sb.workspace, "leak.nix"),
      `{ a = throw "bad key ${value} here"; }`,
    );
    const failed = await runCli(["--profile", thrower, "--json", "-s", sb.store], {
      cwd: sb.workspace,
      env: sb.env,
    });
    assert.equal(failed.code, 1);
    assert.ok(!failed.stdout.includes(value) && !failed.stderr.includes(value), "value printed");
    const art = writeFile(
      join(sb.workspace, "lk.json"),
      JSON.stringify({
        profile: { format: "insomnia.nix-profile.v1", name: "lk" },
        manifest: {
          model: {
            ref: "anthropic/claude-sonnet-4-6",
            auth: { kind: "secret_ref", ref: "llm.anthropic.default" },
          },
          worker: { language: value },
          scope: { allow: [{ target: { kind: "workspace_path", path: "." }, permission: "read" }] },
        },
      }),
    );
    const rejected = await runCli(["--profile", `path:${art}`, "--json", "-s", sb.store], {
      cwd: sb.workspace,
      env: sb.env,
    });
    assert.equal(JSON.parse(rejected.stdout).error.code, "secret_plaintext");
    assert.ok(!rejected.stdout.includes(value));
    const walk = (dir: string): string[] =>
      [...Deno.readDirSync(dir)].flatMap((e) =>
        e.isDirectory ? walk(join(dir, e.name)) : e.isFile ? [join(dir, e.name)] : []
      );
    for (const path of walk(sb.root)) {
      if (path.includes("/secrets/") || path === thrower || path === art) continue;
      assert.ok(!readFileSync(path, "utf8").includes(value), `${path} holds the value`);
    }
  });
});
