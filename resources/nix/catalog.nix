# The builtin provider/model catalog as the Nix library sees it: enough to build model
# shortcuts and derive context budgets. The source of truth is resources/catalog/*.toml;
# tests/nix_library_test.ts checks that this table agrees with those files.
let
  secretRef = id: {
    kind = "secret_ref";
    ref = id;
  };
in
{
  # Provider id -> the auth a profile should use by default (api-key providers use a
  # secret reference named `llm.<provider>.default`; the TOML's `auth_hint` names an env var
  # instead, which profiles avoid so that no credential lookup depends on the environment).
  providers = {
    anthropic.auth = secretRef "llm.anthropic.default";
    ollama-local.auth = {
      kind = "none";
    };
    codex-oauth.auth = {
      kind = "codex_oauth";
    };
    openrouter.auth = secretRef "llm.openrouter.default";
  };

  # Model ref -> context window numbers (tokens), as in resources/catalog/models.toml.
  models = {
    "anthropic/claude-sonnet-4-6".context_window = 200000;
    "anthropic/claude-sonnet-4-5".context_window = 200000;
    "anthropic/claude-opus-4-1".context_window = 200000;
    "ollama-local/llama3.1".context_window = 128000;
    "ollama-local/qwen2.5-coder".context_window = 128000;
    "codex-oauth/gpt-5-codex".context_window = 400000;
    "codex-oauth/gpt-5".context_window = 400000;
    "codex-oauth/gpt-5.5" = {
      context_window = 1000000;
      max_context_window = 272000;
    };
    "openrouter/anthropic/claude-sonnet-4".context_window = 200000;
    "openrouter/openai/gpt-5".context_window = 400000;
  };
}
