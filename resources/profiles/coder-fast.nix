# Builtin profile `coder-fast`: quick edits and small tasks. GPT-5 Codex with low reasoning
# effort and a 128k budget keeps turns short.
let
  insomnia = import <insomnia> { };
in
with insomnia;
mkProfile {
  name = "coder-fast";
  description = "Fast coding Pod: GPT-5 Codex (Codex sign-in) with low reasoning and a 128k budget, asks before shell commands.";
  manifest = mkManifest {
    use = [
      models.gpt5Codex
      reasoning.low
      scopes.workspaceWrite
      context.medium
      compaction.balanced
      retention.standard
      autonomy.autonomous
      tools.standard
      web.fetchOnly
    ];
  };
}
