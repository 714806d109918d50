/**
 * What the agent runtime does with a manifest beyond its schema (resources/contract/, the original
 * runtime HareK02/yoi at d77a86d5): the tools it registers, the capability a scheme defaults to,
 * the prompt references it accepts, the scope check it runs at start, and what it does with `ask`.
 * Resolution uses these so that every manifest written loads there and means what it says.
 * @module
 */
import { closest, distance } from "npm:fastest-levenshtein@1.0.16";
import { InsomniaError } from "../errors.ts";
import type { ResolvedModel } from "./schema.ts";

/**
 * The tools the runtime registers (`ToolMeta::new(...)` in crates/tools and crates/pod); permission
 * rules match them case-insensitively, and a rule naming another tool never matches anything.
 */
const RUNTIME_TOOLS = [
  "Bash",
  "Read",
  "Write",
  "Edit",
  "Glob",
  "Grep",
  "WebFetch",
  "WebSearch",
  "MemoryRead",
  "MemoryWrite",
  "MemoryEdit",
  "MemoryDelete",
  "MemoryQuery",
  "TaskCreate",
  "TaskGet",
  "TaskList",
  "TaskUpdate",
  "SpawnPod",
  "StopPod",
  "SendToPod",
  "ReadPodOutput",
  "InspectPod",
  "ListPods",
  "ListVisiblePods",
  "AttachOrRestorePod",
  "KnowledgeQuery",
] as const;

/** Names earlier versions of the presets used, and the runtime tool each meant. */
const LEGACY_TOOL_NAMES: Record<string, string> = {
  read_file: "Read",
  list_dir: "Glob",
  write_file: "Write",
  edit_file: "Edit",
  web_fetch: "WebFetch",
  web_search: "WebSearch",
  spawn_pod: "SpawnPod",
};

/** The runtime's spelling of `tool` (matched case-insensitively), or undefined when unknown. */
export function runtimeTool(tool: string): string | undefined {
  const lower = tool.toLowerCase();
  return RUNTIME_TOOLS.find((t) => t.toLowerCase() === lower);
}

/** Why `tool` names no runtime tool, with the nearest one; undefined when it names one. */
export function unknownToolProblem(tool: string): string | undefined {
  if (runtimeTool(tool)) return undefined;
  const legacy = LEGACY_TOOL_NAMES[tool.toLowerCase()];
  const near = legacy ?? closest(tool, [...RUNTIME_TOOLS]);
  const hint = legacy || distance(tool.toLowerCase(), near.toLowerCase()) <= 3
    ? ` (did you mean \`${near}\`?)`
    : "";
  return `unknown tool \`${tool}\`${hint}: the runtime's tools are ${
    RUNTIME_TOOLS.join(", ")
  }, and a rule naming another tool never matches anything`;
}

/** Capability fields the runtime requires once `model.capability` is given. */
type Capability = Record<string, unknown>;

/**
 * The runtime's default capability of each scheme (crates/llm-worker/src/llm_client/scheme/\*\/
 * capability.rs): what a model gets when its manifest names no capability.
 */
const SCHEME_CAPABILITIES = {
  anthropic: defaults(false),
  openai_chat: defaults(false),
  openai_responses: defaults(false),
  gemini: defaults(true),
} as const;

function defaults(vision: boolean) {
  return {
    tool_calling: "parallel",
    structured_output: "json_schema",
    vision,
    prompt_caching: { kind: "auto" },
  } as const;
}

/**
 * A capability the runtime accepts: the given fields over the scheme's defaults, so the three the
 * runtime requires (`tool_calling`, `structured_output`, `prompt_caching`) are always present.
 */
export function completeCapability(
  scheme: keyof typeof SCHEME_CAPABILITIES,
  given: Capability | undefined,
): ResolvedModel["capability"] {
  return { ...SCHEME_CAPABILITIES[scheme], ...given } as ResolvedModel["capability"];
}

/**
 * Why `instruction` is not a prompt reference the runtime accepts (crates/pod/src/prompt/loader.rs
 * `parse_ref`): `$insomnia/…`, `$user/…` or `$workspace/…`, a non-empty path, no `.`/`..` segment.
 */
export function instructionRefProblem(instruction: string): string | undefined {
  const trimmed = instruction.trim();
  const match = /^\$(insomnia|user|workspace)\/(.*)$/s.exec(trimmed);
  if (!match) {
    return `\`${instruction}\` is not a prompt reference: use \`$insomnia/<name>\`, ` +
      "`$user/<path>` or `$workspace/<path>` (the runtime refuses anything else)";
  }
  const segments = match[2].split("/").map((s) => s.trim()).filter((s) => s !== "");
  if (segments.length === 0) return `\`${instruction}\` names no prompt after \`$${match[1]}/\``;
  if (segments.some((s) => s === "." || s === "..")) {
    return `\`${instruction}\` may not contain \`.\` or \`..\` path segments`;
  }
  return undefined;
}

interface ScopeRule {
  target: string;
  permission: "read" | "write";
  recursive: boolean;
}

function ruleMatches(rule: ScopeRule, path: string): boolean {
  const target = rule.target.replace(/\/+$/, "") || "/";
  if (path === target) return true;
  const inside = target === "/" || path.startsWith(`${target}/`);
  if (rule.recursive) return inside;
  return inside && !path.slice(target.length + 1).includes("/");
}

/**
 * Whether the runtime lets a Pod start in `dir` (crates/manifest/src/scope.rs `is_readable`): some
 * allow rule covers it and no deny rule takes reading away.
 */
function scopeAllowsStartIn(
  scope: { allow: ScopeRule[]; deny: ScopeRule[] },
  dir: string,
): boolean {
  const path = dir.replace(/\/+$/, "") || "/";
  if (!scope.allow.some((rule) => ruleMatches(rule, path))) return false;
  return !scope.deny.some((rule) => rule.permission === "read" && ruleMatches(rule, path));
}

/**
 * Throws `scope_violation` when the runtime would refuse to start this Pod in `dir`
 * (`PwdOutsideScope`): nothing is written by the caller.
 */
export function assertStartsIn(
  manifest: { pod: { name: string }; scope: { allow: ScopeRule[]; deny: ScopeRule[] } },
  dir: string,
): void {
  if (scopeAllowsStartIn(manifest.scope, dir)) return;
  const granted = manifest.scope.allow.map((r) => `${r.permission} ${r.target}`).join(", ");
  throw new InsomniaError(
    "scope_violation",
    `Pod ${manifest.pod.name} would start in ${dir}, which its scope does not cover (granted: ` +
      `${granted}); the runtime refuses to start a Pod outside its scope. Run from a directory ` +
      "inside the scope, pass --workspace DIR for one, or grant the workspace in the profile " +
      '(`workspace "."` targets follow --workspace); nothing was written.',
    { workspace: dir, scope: manifest.scope.allow.map((r) => r.target) },
  );
}

/**
 * The one-line warning for a manifest whose permissions use `ask`: the runtime has no approval
 * protocol and denies every `ask` (crates/pod/src/permission.rs). Undefined when nothing asks.
 */
export function askWarning(
  manifest: {
    permissions?: { default_action: string; rule: Array<{ tool: string; action: string }> };
  },
): string | undefined {
  const permissions = manifest.permissions;
  if (!permissions) return undefined;
  const asking = permissions.rule.filter((r) => r.action === "ask").map((r) => r.tool);
  if (permissions.default_action !== "ask" && asking.length === 0) return undefined;
  const what = permissions.default_action === "ask"
    ? "every tool without an allow rule"
    : `${[...new Set(asking)].join(", ")}`;
  return `permissions use \`ask\` (${what}), but the runtime has no approval prompt and denies ` +
    "every `ask` call; use allow or deny to say what you mean";
}
