/**
 * Builtin defaults of the runtime contract (anchor-facts §2). Applied when a partial manifest is
 * resolved; a value given in any layer always wins.
 * @module
 */

/** Worker defaults. */
export const WORKER_DEFAULTS = {
  instruction: "$insomnia/default",
  language: "match the user's language unless they explicitly request another language",
  tool_output_max_bytes: 65_536,
  file_upload_max_bytes: 262_144,
} as const;

/** Compaction defaults, used when the `[compaction]` section is present. */
export const COMPACTION_DEFAULTS = {
  prune_protected_tokens: 8000,
  prune_min_savings: 4096,
  retained_tokens: 8000,
  overview_target_tokens: 8000,
  overview_warning_tokens: 16000,
  overview_deadline_tokens: 40000,
  worker_context_max_tokens: 50000,
  finish_warning_remaining_tokens: 8000,
  final_reserve_tokens: 4000,
  worker_max_turns: 20,
  summary_target_tokens: 2000,
  summary_max_tokens: 4000,
  auto_read_budget_tokens: 8000,
  result_context_max_tokens: 60000,
} as const;

/** Fallback context window when neither the manifest nor the catalogs give one. */
export const DEFAULT_CONTEXT_WINDOW = 200_000;

/** Default base URL of each provider scheme. */
export const SCHEME_BASE_URLS = {
  anthropic: "https://api.anthropic.com",
  openai_chat: "https://api.openai.com",
  openai_responses: "https://api.openai.com/v1",
  gemini: "https://generativelanguage.googleapis.com",
} as const;

/** Base URL used with `codex_oauth` auth when neither manifest nor catalog sets one. */
export const CODEX_OAUTH_BASE_URL = "https://chatgpt.com/backend-api/codex";
