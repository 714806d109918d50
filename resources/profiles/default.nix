# Builtin profile `default`: the general-purpose Pod used when no other default is configured.
# Modelled on the original product's builtin default: GPT-5.5 over Codex OAuth with high
# reasoning, an event trace, compaction sized for gpt-5.5's 272k effective window (the
# xlarge budget gives 199920 / 239904 / 100096), memory extraction and web search.
let
  insomnia = import <insomnia> { };
in
with insomnia;
mkProfile {
  name = "default";
  description = "General-purpose Pod: GPT-5.5 (Codex sign-in), high reasoning, edits the launch workspace, web search and fetch.";
  manifest = mkManifest {
    use = [
      models.gpt55
      reasoning.high
      scopes.workspaceWrite
      context.xlarge
      compaction.balanced
      retention.standard
      autonomy.autonomous
      tools.full
      web.full
      session.trace
    ];
  };
}
