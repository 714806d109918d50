// deno-lint-ignore-file no-explicit-any -- store fixtures are edited as untyped JSON
/**
 * End-to-end corpus of bad inputs: selectors, registry files, artifacts, flag combinations, Pod
 * names and store files, each run through the real CLI in its own sandbox. Every row asserts the
 * error code, the exit status (2 for usage, 1 otherwise), one JSON error object on stdout with
 * `--json` (and `error[<code>]:` on stderr without it, for the rows marked `both`), no stack
 * trace, and that the sandbox's data, config, cache, HOME and workspace are byte-for-byte unchanged.
 *
 * Rows run concurrently in small batches; fixtures live in tests/fixtures/bad/.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ErrorCode } from "../../src/errors.ts";
import { canonicalSha256 } from "../../src/store/canonical.ts";
import { FIXTURES, makeSandbox, runCli, type Sandbox, treeSnapshot } from "../helpers/cli.ts";

const BAD = join(FIXTURES, "bad");

/** Content of a setup file: text, raw bytes, or a file under tests/fixtures/bad/. */
type Content = string | Uint8Array | { fixture: string };

interface Row {
  name: string;
  /** Files to write before the run, by path relative to the sandbox root. */
  setup?: Record<string, Content>;
  /** Arguments; `{root}` and `{ws}` are replaced by the sandbox root and workspace. */
  argv: string[];
  code: ErrorCode;
  /** Default: 2 for `usage`, else 1. */
  exit?: number;
  /** Extra environment; `{root}` is replaced as in argv. */
  env?: Record<string, string>;
  /** Also run without `--json` and check the human form. */
  both?: boolean;
  /** Put `--json` first instead of last (when the last argument takes a value). */
  jsonFirst?: boolean;
}

const fixture = (path: string): Content => ({ fixture: path });
const USER = "config/manifest.toml";
const PROJECT = "workspace/.insomnia/manifest.toml";

// ---- store fixtures -------------------------------------------------------------------------

const RESOLVED_MANIFEST = {
  pod: { name: "victim" },
  model: {
    scheme: "anthropic",
    base_url: "https://api.anthropic.com",
    model_id: "claude-sonnet-4-20250514",
    auth: { kind: "secret_ref", ref: "llm.anthropic.default" },
    capability: {
      tool_calling: "parallel",
      structured_output: "json_schema",
      prompt_caching: { kind: "auto" },
    },
    context_window: 200000,
  },
  worker: {
    instruction: "$insomnia/default",
    language: "English",
    stop_sequences: [],
    tool_output: { default_max_bytes: 65536, per_tool: {} },
    file_upload: { max_bytes: 262144 },
  },
  scope: { allow: [{ target: "/tmp", permission: "write", recursive: true }], deny: [] },
  session: { record_event_trace: false },
  web: { enabled: false, allow_private_addresses: false },
  skills: { directories: [] },
};

function podRecord(
  name: string,
  edit: (r: Record<string, any>) => void = () => {},
): string {
  const manifest = structuredClone(RESOLVED_MANIFEST) as Record<string, unknown>;
  (manifest.pod as { name: string }).name = name;
  const record: Record<string, any> = {
    format: "insomnia.pod.v1",
    pod: {
      name,
      id: "11111111-1111-4111-8111-111111111111",
      session_id: "22222222-2222-4222-8222-222222222222",
      created_at: "2026-11-01T00:00:00.000Z",
      updated_at: "2026-11-01T00:00:00.000Z",
    },
    profile: null,
    fingerprint: null,
    snapshot: { sha256: canonicalSha256(manifest), manifest },
    history_count: 0,
  };
  edit(record);
  return JSON.stringify(record, null, 2) + "\n";
}

const STORE_JSON = JSON.stringify({ format: "insomnia.store.v1" }) + "\n";
const POD = (name: string) => `data/sessions/pods/${name}/pod.json`;
const storeWith = (files: Record<string, Content>): Record<string, Content> => ({
  "data/sessions/store.json": STORE_JSON,
  "data/sessions/sessions/.keep": "",
  ...files,
});
/** A record whose manifest fails validation although its hash matches. */
const invalidSnapshot = podRecord("victim", (r) => {
  r.snapshot.manifest.scope.allow = [];
  r.snapshot.sha256 = canonicalSha256(r.snapshot.manifest);
});

// ---- the corpus -----------------------------------------------------------------------------

const SELECTOR_ROWS: Row[] = [
  { name: "empty selector", argv: ["--profile", ""], code: "selector_invalid", both: true },
  { name: "whitespace selector", argv: ["--profile", "   "], code: "selector_invalid" },
  { name: "path: with nothing after it", argv: ["--profile", "path:"], code: "selector_invalid" },
  { name: "flake: without #", argv: ["--profile", "flake:github:o/r"], code: "selector_invalid" },
  {
    name: "flake: with an empty ref",
    argv: ["--profile", "flake:#coder"],
    code: "selector_invalid",
  },
  {
    name: "flake: with an invalid name",
    argv: ["--profile", "flake:.#bad name"],
    code: "selector_invalid",
  },
  { name: "user: with no name", argv: ["--profile", "user:"], code: "selector_invalid" },
  {
    name: "unknown prefix (did-you-mean)",
    argv: ["--profile", "projct:coder"],
    code: "selector_invalid",
    both: true,
  },
  { name: "qualified hidden name", argv: ["--profile", "user:.hidden"], code: "selector_invalid" },
  { name: "windows drive path", argv: ["--profile", "C:\\x"], code: "selector_invalid" },
  { name: "name with a space", argv: ["--profile", "my coder"], code: "selector_invalid" },
  {
    name: "name of 200 characters",
    argv: ["--profile", "x".repeat(200)],
    code: "selector_invalid",
  },
  {
    name: "control character in a name",
    argv: ["--profile", "co\u0007der"],
    code: "selector_invalid",
  },
  { name: "unknown name", argv: ["--profile", "nosuch"], code: "profile_not_found", both: true },
  { name: "unknown builtin", argv: ["--profile", "builtin:nosuch"], code: "profile_not_found" },
  {
    name: "user: name without a user registry",
    argv: ["--profile", "user:coder"],
    code: "profile_not_found",
  },
  { name: "missing .nix file", argv: ["--profile", "./missing.nix"], code: "profile_not_found" },
  {
    name: "directory without profile.nix",
    setup: { "workspace/prof/README": "not a profile" },
    argv: ["--profile", "path:prof"],
    code: "profile_not_found",
  },
  {
    name: "ambiguous name (user and project; the builtin is shadowed)",
    setup: {
      [USER]: fixture("registry/shadow-builtin.toml"),
      "config/coder.nix": "{ }",
      [PROJECT]: fixture("registry/shadow-builtin.toml"),
      "workspace/.insomnia/coder.nix": "{ }",
    },
    argv: ["--profile", "coder"],
    code: "profile_ambiguous",
    both: true,
  },
];

const REGISTRY_ROWS: Row[] = [
  {
    name: "user manifest TOML syntax error",
    setup: { [USER]: fixture("registry/syntax-error.toml") },
    argv: ["profiles", "list"],
    code: "registry_invalid",
    both: true,
  },
  {
    name: "unknown key in [profiles]",
    setup: { [USER]: fixture("registry/unknown-key.toml") },
    argv: ["profiles", "list"],
    code: "registry_invalid",
  },
  {
    name: "entry table without path",
    setup: { [USER]: fixture("registry/entry-no-path.toml") },
    argv: ["--profile", "user:coder"],
    code: "registry_invalid",
  },
  {
    name: "entry with an empty path",
    setup: { [USER]: fixture("registry/entry-empty-path.toml") },
    argv: ["profiles", "list"],
    code: "registry_invalid",
  },
  {
    name: "entry path is a number",
    setup: { [USER]: fixture("registry/entry-path-number.toml") },
    argv: ["profiles", "list"],
    code: "registry_invalid",
  },
  {
    name: "entry with a misspelt key",
    setup: { [USER]: fixture("registry/entry-unknown-key.toml") },
    argv: ["profiles", "list"],
    code: "registry_invalid",
  },
  {
    name: "invalid entry name",
    setup: { [USER]: fixture("registry/bad-entry-name.toml") },
    argv: ["profiles", "list"],
    code: "registry_invalid",
  },
  {
    name: "alias cycle",
    setup: { [USER]: fixture("registry/alias-cycle.toml") },
    argv: ["--profile", "user:a"],
    code: "registry_invalid",
    both: true,
  },
  {
    name: "alias to a missing target",
    setup: { [USER]: fixture("registry/alias-missing-target.toml") },
    argv: ["--profile", "work"],
    code: "registry_invalid",
  },
  {
    name: "name is both a profile and an alias",
    setup: { [USER]: fixture("registry/profile-and-alias.toml") },
    argv: ["profiles", "list"],
    code: "registry_invalid",
  },
  {
    name: "default names an unknown profile",
    setup: { [USER]: fixture("registry/default-unknown.toml") },
    argv: ["--profile", "default"],
    code: "registry_invalid",
  },
  {
    name: "default with an unknown source",
    setup: { [USER]: fixture("registry/default-bad-ref.toml") },
    argv: ["--dry-run"],
    code: "registry_invalid",
  },
  {
    name: "alias with an unknown source",
    setup: { [USER]: fixture("registry/alias-bad-source.toml") },
    argv: ["profiles", "list"],
    code: "registry_invalid",
  },
  {
    name: "[profiles] is not a table",
    setup: { [USER]: fixture("registry/profiles-not-table.toml") },
    argv: ["profiles", "list"],
    code: "registry_invalid",
  },
  {
    name: "both spellings [profiles.entries] and [profiles.profile]",
    setup: { [USER]: fixture("registry/entries-spelling.toml") },
    argv: ["profiles", "list"],
    code: "registry_invalid",
  },
  {
    name: "user manifest is not UTF-8",
    setup: { [USER]: new Uint8Array([0x5b, 0x70, 0x72, 0xff, 0xfe, 0x5d, 0x0a]) },
    argv: ["profiles", "list"],
    code: "registry_invalid",
  },
  {
    name: "broken project manifest",
    setup: { [PROJECT]: fixture("registry/unknown-key.toml") },
    argv: ["profiles", "list"],
    code: "registry_invalid",
  },
  {
    name: "explicit INSOMNIA_USER_MANIFEST that does not exist",
    env: { INSOMNIA_USER_MANIFEST: "{root}/nope/manifest.toml" },
    argv: ["profiles", "list"],
    code: "registry_invalid",
  },
];

const artifact = (file: string, code: ErrorCode, name?: string, both = false): Row => ({
  name: name ?? `artifact ${file}`,
  setup: { [`workspace/${file}`]: fixture(`artifacts/${file}`) },
  argv: ["--profile", `path:${file}`, "--dry-run"],
  code,
  both,
});

const ARTIFACT_ROWS: Row[] = [
  {
    // Inline: an invalid .json file in the tree would break `deno fmt --check`.
    name: "artifact is truncated JSON",
    setup: { "workspace/not-json.json": '{ "profile": { "format": "insomnia.nix-profile.v1" },\n' },
    argv: ["--profile", "path:not-json.json", "--dry-run"],
    code: "artifact_invalid",
    both: true,
  },
  artifact("list.json", "artifact_invalid", "artifact is a list"),
  artifact("string.json", "artifact_invalid", "artifact is a string"),
  artifact("null.json", "artifact_invalid", "artifact is null"),
  artifact("format-v2.json", "artifact_format_unsupported", "newer artifact format", true),
  artifact("no-format.json", "artifact_format_unsupported", "envelope without format"),
  artifact("format-number.json", "artifact_format_unsupported", "format is a number"),
  artifact("both-bodies.json", "artifact_invalid", "both manifest and config"),
  artifact("unknown-top-key.json", "artifact_invalid", "unknown envelope key"),
  artifact("unknown-meta-key.json", "artifact_invalid", "unknown profile.* key"),
  artifact("profile-not-object.json", "artifact_invalid", "profile is a string"),
  artifact("no-body.json", "artifact_invalid", "envelope without a body"),
  artifact("name-not-string.json", "artifact_invalid", "profile.name is a number"),
  artifact("unknown-field.json", "manifest_invalid", "unknown manifest field", true),
  artifact("wrong-type.json", "manifest_invalid", "scope.allow is a string"),
  artifact("no-model.json", "manifest_invalid", "no model section"),
  artifact("no-scope.json", "manifest_invalid", "no scope rules"),
  artifact("removed-key.json", "manifest_invalid", "removed key pod.pwd"),
  artifact("alias-and-canonical.json", "manifest_invalid", "compaction alias and canonical key"),
  artifact("plaintext-key.json", "secret_plaintext", "API key in a string field", true),
  artifact("literal-auth.json", "secret_plaintext", "API key as model.auth"),
  // What the runtime would ignore or refuse (issue 13): never written.
  {
    name: "a rule naming a tool the runtime does not have (old snake_case name)",
    setup: {
      "workspace/tool.json":
        '{"profile":{"format":"insomnia.nix-profile.v1","name":"c"},"manifest":{"model":{"ref":"anthropic/claude-sonnet-4-6"},"scope":{"allow":[{"target":{"kind":"workspace_path","path":"."},"permission":"write"}]},"permissions":{"default_action":"allow","rule":[{"tool":"write_file","action":"deny"}]}}}',
    },
    argv: ["--profile", "path:tool.json"],
    code: "manifest_invalid",
    both: true,
  },
  {
    name: "a prompt reference the runtime cannot parse",
    setup: {
      "workspace/prompt.json":
        '{"profile":{"format":"insomnia.nix-profile.v1","name":"c"},"manifest":{"model":{"ref":"anthropic/claude-sonnet-4-6"},"scope":{"allow":[{"target":{"kind":"workspace_path","path":"."},"permission":"write"}]},"worker":{"instruction":"$bogus/nothing"}}}',
    },
    argv: ["--profile", "path:prompt.json"],
    code: "manifest_invalid",
  },
  {
    name: "a web search key in the manifest (the runtime reads only api_key_env)",
    setup: {
      "workspace/search.json":
        '{"profile":{"format":"insomnia.nix-profile.v1","name":"c"},"manifest":{"model":{"ref":"anthropic/claude-sonnet-4-6"},"scope":{"allow":[{"target":{"kind":"workspace_path","path":"."},"permission":"write"}]},"web":{"enabled":true,"search":{"enabled":true,"api_key":{"kind":"secret_ref","ref":"web.brave.default"}}}}}',
    },
    argv: ["--profile", "path:search.json"],
    code: "manifest_invalid",
  },
  {
    name: "a launch workspace outside the granted scope",
    setup: {
      "workspace/elsewhere.json":
        '{"profile":{"format":"insomnia.nix-profile.v1","name":"c"},"manifest":{"model":{"ref":"anthropic/claude-sonnet-4-6"},"scope":{"allow":[{"target":"/nonexistent-elsewhere","permission":"read"}]}}}',
    },
    argv: ["--profile", "path:elsewhere.json"],
    code: "scope_violation",
    both: true,
  },
  {
    name: "a TOML rule naming an unknown tool",
    setup: {
      "workspace/m.toml":
        '[pod]\nname = "t"\n[model]\nref = "anthropic/claude-sonnet-4-6"\n[[scope.allow]]\ntarget = { kind = "workspace_path", path = "." }\npermission = "read"\n[permissions]\ndefault_action = "allow"\n[[permissions.rule]]\ntool = "write_file"\naction = "deny"\n',
    },
    argv: ["--manifest", "m.toml"],
    code: "manifest_invalid",
  },
  artifact("bad-permission.json", "manifest_invalid", "permission is not read/write"),
  artifact("bad-secret-ref.json", "secret_ref_invalid", "secret id with .."),
  artifact("unknown-model-ref.json", "manifest_invalid", "model ref not in the catalog"),
  artifact("empty-object.json", "manifest_invalid", "empty object"),
  artifact("max-turns-zero.json", "manifest_invalid", "worker.max_turns = 0"),
  artifact("huge-number.json", "manifest_invalid", "worker.max_tokens out of range"),
  {
    name: "TOML manifest with a syntax error",
    argv: ["--manifest", join(FIXTURES, "manifests", "broken_syntax.toml"), "--dry-run"],
    code: "manifest_parse",
    both: true,
  },
  {
    name: "TOML manifest breaking several rules",
    argv: ["--manifest", join(FIXTURES, "manifests", "invalid_fields.toml"), "--dry-run"],
    code: "manifest_invalid",
  },
  {
    name: "Nix syntax error",
    setup: { "workspace/p.nix": fixture("nix/syntax-error.nix") },
    argv: ["--profile", "path:p.nix", "--dry-run"],
    code: "nix_eval_failed",
  },
  {
    name: "Nix throw",
    setup: { "workspace/p.nix": fixture("nix/throws.nix") },
    argv: ["--profile", "path:p.nix", "--dry-run"],
    code: "nix_eval_failed",
  },
  {
    name: "Nix profile that is a function",
    setup: { "workspace/p.nix": fixture("nix/function.nix") },
    argv: ["--profile", "path:p.nix", "--dry-run"],
    code: "nix_eval_failed",
  },
  {
    name: "Nix profile without nix on PATH",
    setup: { "workspace/p.nix": "{ }\n", "empty-bin/.keep": "" },
    env: { PATH: "{root}/empty-bin" },
    argv: ["--profile", "path:p.nix", "--dry-run"],
    code: "nix_unavailable",
    both: true,
  },
  {
    name: "INSOMNIA_NIX_BIN that does not exist",
    setup: { "workspace/p.nix": "{ }\n" },
    env: { INSOMNIA_NIX_BIN: "/nonexistent/nix" },
    argv: ["--profile", "path:p.nix", "--dry-run"],
    code: "nix_unavailable",
  },
];

const FLAG_ROWS: Row[] = [
  {
    name: "--profile with --manifest",
    argv: ["--profile", "coder", "--manifest", "m.toml"],
    code: "usage",
    both: true,
  },
  { name: "--profile with --pod", argv: ["--profile", "coder", "--pod", "a"], code: "usage" },
  { name: "--pod with --session", argv: ["--pod", "a", "--session", "b"], code: "usage" },
  { name: "--profile-pod-name alone", argv: ["--profile-pod-name", "n"], code: "usage" },
  { name: "--require-pod-state alone", argv: ["--require-pod-state"], code: "usage" },
  { name: "--reload-profile alone", argv: ["--reload-profile"], code: "usage" },
  { name: "--yes alone", argv: ["--yes"], code: "usage" },
  {
    name: "--reload-profile with --manifest",
    argv: ["--pod", "a", "--reload-profile", "--manifest", "m.toml"],
    code: "usage",
  },
  { name: "--session with --overlay", argv: ["--session", "s", "--overlay", "x=1"], code: "usage" },
  {
    name: "--manifest with --manifest-cascade",
    argv: ["--manifest", "m.toml", "--manifest-cascade"],
    code: "usage",
  },
  { name: "unknown option", argv: ["--frobnicate"], code: "usage", both: true },
  { name: "misspelt command", argv: ["profils", "list"], code: "usage", both: true },
  { name: "unparsable --eval-timeout", argv: ["--eval-timeout", "soon"], code: "usage" },
  { name: "negative --eval-timeout", argv: ["--eval-timeout", "-1s"], code: "usage" },
  {
    name: "invalid --eval-timeout on a resume (no evaluation follows)",
    argv: ["--pod", "victim", "--eval-timeout", "bogus"],
    code: "usage",
  },
  {
    name: "invalid --eval-timeout with --manifest",
    argv: ["--manifest", "nope.toml", "--eval-timeout", "0"],
    code: "usage",
  },
  {
    name: "unparsable INSOMNIA_EVAL_TIMEOUT",
    env: { INSOMNIA_EVAL_TIMEOUT: "forever" },
    argv: ["--profile", "builtin:default", "--dry-run"],
    code: "usage",
  },
  { name: "profiles show without a selector", argv: ["profiles", "show"], code: "usage" },
  { name: "pods rm without a name", argv: ["pods", "rm"], code: "usage" },
  { name: "completions for an unknown shell", argv: ["completions", "tcsh"], code: "usage" },
  { name: "excess argument", argv: ["profiles", "list", "extra"], code: "usage" },
  {
    name: "profiles init --source global",
    argv: ["profiles", "init", "x", "--source", "global"],
    code: "usage",
  },
  { name: "--profile without a value", argv: ["--profile"], code: "usage", jsonFirst: true },
  {
    name: "profiles init with an invalid name",
    argv: ["profiles", "init", "bad/name"],
    code: "usage",
  },
  {
    name: "profiles init --from a flake",
    argv: ["profiles", "init", "x", "--from", "flake:.#coder"],
    code: "usage",
  },
];

const NAME_ROWS: Row[] = [
  {
    name: "pod name with a space",
    argv: ["--pod", "bad name"],
    code: "pod_name_invalid",
    both: true,
  },
  { name: "pod name with ..", argv: ["--pod", "../x"], code: "pod_name_invalid" },
  { name: "empty pod name", argv: ["--pod", ""], code: "pod_name_invalid" },
  { name: "hidden pod name", argv: ["--pod", ".hidden"], code: "pod_name_invalid" },
  {
    name: "pod name of 300 characters",
    argv: ["--pod", "p".repeat(300)],
    code: "pod_name_invalid",
  },
  {
    name: "--profile-pod-name with a slash",
    argv: ["--profile", "builtin:default", "--profile-pod-name", "a/b", "--dry-run"],
    code: "pod_name_invalid",
  },
  { name: "pods show with a bad name", argv: ["pods", "show", "x y"], code: "pod_name_invalid" },
  {
    name: "pods rm escaping the store",
    argv: ["pods", "rm", "../../etc"],
    code: "pod_name_invalid",
  },
  {
    name: "--require-pod-state for a missing Pod",
    argv: ["--pod", "nosuch", "--require-pod-state"],
    code: "pod_not_found",
    both: true,
  },
  { name: "pods show of a missing Pod", argv: ["pods", "show", "nosuch"], code: "pod_not_found" },
  { name: "pods rm of a missing Pod", argv: ["pods", "rm", "nosuch"], code: "pod_not_found" },
  { name: "unknown session id", argv: ["--session", "nosuch"], code: "pod_not_found" },
];

const STORE_ROWS: Row[] = [
  {
    name: "pod.json is not JSON",
    setup: storeWith({ [POD("victim")]: "{ this is not json" }),
    argv: ["--pod", "victim"],
    code: "snapshot_invalid",
    both: true,
  },
  {
    name: "pod.json is truncated",
    setup: storeWith({ [POD("victim")]: podRecord("victim").slice(0, 200) }),
    argv: ["--pod", "victim"],
    code: "snapshot_invalid",
  },
  {
    name: "pod.json with a hash mismatch",
    setup: storeWith({
      [POD("victim")]: podRecord("victim", (r) => (r.snapshot.manifest.pod.name = "edited")),
    }),
    argv: ["--pod", "victim"],
    code: "snapshot_invalid",
  },
  {
    name: "pod.json of a newer format",
    setup: storeWith({
      [POD("victim")]: podRecord("victim", (r) => (r.format = "insomnia.pod.v2")),
    }),
    argv: ["--pod", "victim"],
    code: "snapshot_invalid",
  },
  {
    name: "pod.json stored under another name",
    setup: storeWith({ [POD("victim")]: podRecord("other") }),
    argv: ["--pod", "victim"],
    code: "snapshot_invalid",
  },
  {
    name: "Pod directory without pod.json",
    setup: storeWith({ "data/sessions/pods/victim/history/.keep": "" }),
    argv: ["--pod", "victim"],
    code: "snapshot_invalid",
  },
  {
    name: "snapshot that no longer validates",
    setup: storeWith({ [POD("victim")]: invalidSnapshot }),
    argv: ["--pod", "victim", "--dry-run"],
    code: "snapshot_invalid",
  },
  {
    name: "pods show of a corrupt record",
    setup: storeWith({ [POD("victim")]: "[]" }),
    argv: ["pods", "show", "victim"],
    code: "snapshot_invalid",
  },
  {
    name: "store.json of another tool",
    setup: { "data/sessions/store.json": '{ "format": "other.store.v9" }\n' },
    argv: ["--pod", "victim"],
    code: "store_io",
    both: true,
  },
  {
    name: "store.json is not JSON",
    setup: { "data/sessions/store.json": "garbage" },
    argv: ["pods", "list"],
    code: "store_io",
  },
  {
    name: "store.json blocks a dry run",
    setup: { "data/sessions/store.json": "[1]" },
    argv: ["--profile", "builtin:default", "--dry-run"],
    code: "store_io",
  },
];

// ---- harness --------------------------------------------------------------------------------

function fill(text: string, sb: Sandbox): string {
  return text.replaceAll("{root}", sb.root).replaceAll("{ws}", sb.workspace);
}

function writeSetup(sb: Sandbox, setup: Record<string, Content>): void {
  for (const [rel, content] of Object.entries(setup)) {
    const path = join(sb.root, rel);
    mkdirSync(dirname(path), { recursive: true });
    if (typeof content === "string" || content instanceof Uint8Array) writeFileSync(path, content);
    else writeFileSync(path, readFileSync(join(BAD, content.fixture)));
  }
}

/**
 * The single binary's unpacked Nix library (`<cache>/resources-<version>-<hash>/`) is the program's
 * own files, the same bytes on every run, unpacked when an evaluation first needs them — also by a
 * run whose evaluation then fails. It is no state of the user's, so it is left out.
 */
function withoutLibraryCopy(tree: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(tree).filter(([path]) => !/\/resources-[^/]+\//.test(path)),
  );
}

/** Everything a run could write: the store and data dir, config, cache, HOME and workspace. */
function snapshotOf(sb: Sandbox) {
  return {
    data: treeSnapshot(sb.data),
    config: treeSnapshot(sb.config),
    cache: withoutLibraryCopy(treeSnapshot(sb.env.INSOMNIA_CACHE_DIR)),
    home: treeSnapshot(sb.home),
    workspace: treeSnapshot(sb.workspace),
  };
}

/** Runs one row (both forms when asked); returns the problems found, empty when it passed. */
async function check(row: Row): Promise<string[]> {
  const sb = makeSandbox("insomnia-bad-");
  const problems: string[] = [];
  try {
    if (row.setup) writeSetup(sb, row.setup);
    // Rows that plant a record test the store's own checks: their snapshots are broken on purpose.
    sb.checkSnapshots = !Object.keys(row.setup ?? {}).some((path) => path.includes("/pods/"));
    const before = snapshotOf(sb);
    const argv = row.argv.map((a) => fill(a, sb));
    const env = { ...sb.env };
    for (const [k, v] of Object.entries(row.env ?? {})) env[k] = fill(v, sb);
    const exit = row.exit ?? (row.code === "usage" ? 2 : 1);
    const forms = row.both ? [true, false] : [true];
    for (const json of forms) {
      const form = json ? "--json" : "human";
      const args = !json ? argv : row.jsonFirst ? ["--json", ...argv] : [...argv, "--json"];
      const result = await runCli(args, {
        cwd: sb.workspace,
        env,
        timeoutMs: 30_000,
      });
      const where = `[${form}] exit ${result.code}\nstdout: ${result.stdout.slice(0, 600)}\n` +
        `stderr: ${result.stderr.slice(0, 600)}`;
      if (result.code !== exit) problems.push(`expected exit ${exit}; ${where}`);
      if (
        /^\s+at \S/m.test(result.stderr + result.stdout) || /Stack backtrace/.test(result.stderr)
      ) {
        problems.push(`stack trace in the output; ${where}`);
      }
      if (json) {
        let body: unknown;
        try {
          body = JSON.parse(result.stdout);
        } catch {
          problems.push(`stdout is not one JSON document; ${where}`);
          continue;
        }
        const error = (body as { error?: { code?: unknown; message?: unknown } })?.error;
        if (
          body === null || typeof body !== "object" || Array.isArray(body) ||
          Object.keys(body).join() !== "error"
        ) problems.push(`stdout is not a JSON error object; ${where}`);
        if (error?.code !== row.code) problems.push(`expected code ${row.code}; ${where}`);
        if (typeof error?.message !== "string" || error.message === "") {
          problems.push(`the error has no message; ${where}`);
        }
      } else {
        if (!new RegExp(`^error\\[${row.code}\\]: \\S`, "m").test(result.stderr)) {
          problems.push(`stderr has no "error[${row.code}]:" line; ${where}`);
        }
        if (result.stdout.trim() !== "") problems.push(`stdout is not empty; ${where}`);
      }
      const after = snapshotOf(sb);
      try {
        assert.deepEqual(after, before);
      } catch {
        problems.push(
          `[${form}] a directory changed (data, config, cache, home or workspace): ${
            JSON.stringify(changedPaths(before, after))
          }`,
        );
      }
    }
  } finally {
    sb.cleanup();
  }
  return problems;
}

function changedPaths(before: Record<string, Record<string, string>>, after: typeof before) {
  const flat = (tree: typeof before) => Object.assign({}, ...Object.values(tree));
  const [b, a] = [flat(before), flat(after)];
  return [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => b[k] !== a[k]);
}

const BATCH = 4;

async function runRows(rows: Row[]): Promise<void> {
  const failures: string[] = [];
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    const results = await Promise.all(batch.map(check));
    results.forEach((problems, k) => {
      if (problems.length) failures.push(`✗ ${batch[k].name}:\n  ${problems.join("\n  ")}`);
    });
  }
  assert.equal(failures.length, 0, `\n${failures.join("\n\n")}`);
}

// Every subcommand that can fail, so the "nothing written" check covers the whole CLI.
const SUBCOMMAND_ROWS: Row[] = [
  {
    name: "secrets rm of an unknown id",
    argv: ["secrets", "rm", "a.b"],
    code: "secret_unresolved",
  },
  { name: "secrets set with a bad id", argv: ["secrets", "set", "Bad/Id"], code: "usage" },
  {
    name: "pods export of a missing Pod",
    argv: ["pods", "export", "nosuch", "-o", "{ws}/x.json"],
    code: "pod_not_found",
  },
  {
    name: "profiles show of a missing user profile",
    argv: ["profiles", "show", "user:nosuch"],
    code: "profile_not_found",
  },
  { name: "schema with an unknown flag", argv: ["schema", "--bogus"], code: "usage" },
  { name: "doctor with an unknown flag", argv: ["doctor", "--bogus"], code: "usage" },
  { name: "new without a terminal", argv: ["new"], code: "usage" },
  {
    name: "secrets list with an unknown flag",
    argv: ["secrets", "list", "--bogus"],
    code: "usage",
  },
  { name: "completions without a shell", argv: ["completions"], code: "usage" },
  {
    name: "pods list of a store that is a file",
    setup: { "workspace/store-file": "x" },
    argv: ["pods", "list", "--store", "{ws}/store-file"],
    code: "store_io",
  },
];

const ALL = [
  ...SELECTOR_ROWS,
  ...REGISTRY_ROWS,
  ...ARTIFACT_ROWS,
  ...FLAG_ROWS,
  ...NAME_ROWS,
  ...STORE_ROWS,
  ...SUBCOMMAND_ROWS,
];

Deno.test("the bad-input corpus has at least 60 distinct rows, both forms for a subset", () => {
  assert.ok(ALL.length >= 60, `${ALL.length} rows`);
  assert.equal(new Set(ALL.map((r) => r.name)).size, ALL.length, "row names are unique");
  assert.ok(ALL.filter((r) => r.both).length >= 10);
});

Deno.test("bad selectors", () => runRows(SELECTOR_ROWS));
Deno.test("bad registry files", () => runRows(REGISTRY_ROWS));
Deno.test("bad artifacts and manifests", () => runRows(ARTIFACT_ROWS));
Deno.test("bad flag combinations", () => runRows(FLAG_ROWS));
Deno.test("bad Pod names and missing Pods", () => runRows(NAME_ROWS));
Deno.test("bad store files", () => runRows(STORE_ROWS));
Deno.test("failing subcommands", () => runRows(SUBCOMMAND_ROWS));
