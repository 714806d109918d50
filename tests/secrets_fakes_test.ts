/**
 * Shared test data (no tests here): realistic fake credentials, one or more per detector kind,
 * built at runtime by concatenation so no source file holds a key-shaped literal; and ordinary
 * strings that must never be flagged. Imported by the other secrets_* tests.
 */

/** A fake credential; `secret` is the part that must never be echoed (default: the value). */
export interface Fake {
  kind: string;
  value: string;
  secret?: string;
}

const pem = (type: string) =>
  "-----BEGIN " + type + "PRIVATE KEY-----\nMIIE" + "q1W2e3R4".repeat(8) + "\n-----END " + type +
  "PRIVATE KEY-----\n";

/** One or more fakes per detector kind. */
export const FAKES: Fake[] = [
  { kind: "anthropic_api_key", value: "sk-ant-" + "api03-" + "A".repeat(40) },
  { kind: "anthropic_api_key", value: "sk-ant-" + "admin01-" + "Zx9_-".repeat(12) },
  { kind: "openai_api_key", value: "sk-" + "proj-" + "Ab1_".repeat(12) },
  { kind: "openai_api_key", value: "sk-" + "svcacct-" + "Qw3-".repeat(10) },
  { kind: "openai_api_key", value: "sk-" + "Ab12Cd34".repeat(6) },
  { kind: "openrouter_api_key", value: "sk-" + "or-v1-" + "0a1b2c3d".repeat(8) },
  { kind: "github_token", value: "gh" + "p_" + "Ab1".repeat(12) },
  { kind: "github_token", value: "gh" + "o_" + "Cd2".repeat(12) },
  { kind: "github_token", value: "gh" + "u_" + "Ef3".repeat(12) },
  { kind: "github_token", value: "gh" + "s_" + "Gh4".repeat(12) },
  { kind: "github_token", value: "gh" + "r_" + "Ij5".repeat(12) },
  { kind: "github_token", value: "github" + "_pat_" + "11ABCDEFG0" + "abc123XYZ_".repeat(7) },
  { kind: "aws_access_key_id", value: "AK" + "IA" + "IOSFODNN7EXAMPL1" },
  { kind: "aws_access_key_id", value: "AS" + "IA" + "Q3EXAMPLE4KEY5ID" },
  {
    kind: "slack_token",
    value: "xo" + "xb-" + "123456789012-" + "1234567890123-" + "AbCdEfGh".repeat(3),
  },
  { kind: "slack_token", value: "xo" + "xp-" + "2222222222-" + "3333333333-" + "x1Y2z3".repeat(4) },
  {
    kind: "slack_webhook",
    value: "https://hooks." + "slack.com/services/" + "T0000AAAA/B0000BBBB/" + "Xy7".repeat(8),
  },
  { kind: "google_api_key", value: "AI" + "za" + "Sy" + "A1b2C3d4E5".repeat(3) + "f6g" },
  { kind: "private_key", value: pem("") },
  { kind: "private_key", value: pem("RSA ") },
  { kind: "private_key", value: pem("EC ") },
  { kind: "private_key", value: pem("OPENSSH ") },
  { kind: "private_key", value: pem("DSA ") },
  { kind: "private_key", value: pem("ENCRYPTED ") },
  { kind: "stripe_key", value: "sk" + "_live_" + "4eC39HqLyjWDarjtT1zdp7dc" },
  { kind: "stripe_key", value: "rk" + "_live_" + "9fD27KpLmNqRsTuVwXyZ0123" },
  { kind: "gitlab_token", value: "gl" + "pat-" + "xY3_".repeat(5) },
  {
    kind: "jwt",
    value: "ey" + "JhbGciOiJIUzI1NiJ9" + ".ey" + "JzdWIiOiIxMjM0NTY3ODkwIn0" + "." +
      "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
  },
  {
    kind: "url_password",
    value: "https://bob:" + "hunter2" + "Correct7horse" + "@proxy.example.com/v1",
    secret: "hunter2" + "Correct7horse",
  },
];

/** Ordinary strings that must never be flagged. */
export const ORDINARY: string[] = [
  "claude-sonnet-4-6",
  "anthropic/claude-sonnet-4-6",
  "claude-opus-4-1",
  "gpt-5.5",
  "gpt-5-codex",
  "openrouter/openai/gpt-5",
  "codex-oauth/gpt-5.5",
  "qwen2.5-coder",
  "sk",
  "sk-",
  "sk-ant-",
  "sk-proj-",
  "sk-learn",
  "sk_live_",
  "skills",
  "task-ant-api03-" + "notakey",
  "secret_ref",
  "api_key",
  "codex_oauth",
  "llm.anthropic.default",
  "web/brave",
  "INSOMNIA_API_KEY_ANTHROPIC",
  "BRAVE_SEARCH_API_KEY",
  "INSOMNIA_SECRET_LLM_ANTHROPIC_DEFAULT",
  "$insomnia/default",
  "$workspace/prompts/review.md",
  "/home/user/.ssh/id_rsa",
  "/run/secrets/anthropic",
  "/nix/store/0c0w8x0l3n0q5vd2b4h1m6a9pz0r1n2k-hello-2.12",
  "~/.codex/auth.json",
  "https://api.anthropic.com",
  "https://api.openai.com/v1",
  "https://generativelanguage.googleapis.com",
  "https://chatgpt.com/backend-api/codex",
  "https://openrouter.ai/api/v1",
  "http://localhost:11434",
  "https://hooks.slack.com/services/",
  "https://user@example.com/path",
  "git@github.com:owner/repo.git",
  "ssh://git@github.com/owner/repo",
  "https://example.com:8443/a/b?c=d",
  "postgres://app:${DB_PASSWORD}@db:5432/app",
  "https://bob:[redacted:url_password]@proxy.example.com",
  "123e4567-e89b-12d3-a456-426614174000",
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
  "AKIA",
  "AKIAshort",
  "ghp_",
  "github_pat_",
  "xoxb-",
  "glpat-",
  "AIza",
  "eyJ",
  "eyJhbGciOiJIUzI1NiJ9",
  "-----BEGIN PUBLIC KEY-----",
  "-----BEGIN CERTIFICATE-----",
  "match the user's language unless they explicitly request another language",
  "minimal",
  "high",
  "gh_pages",
  "insomnia",
  "read",
  "write",
];
