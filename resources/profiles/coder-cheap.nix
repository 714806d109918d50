# Builtin profile `coder-cheap`: the coder policy on a local model, at no API cost. Needs
# Ollama serving qwen2.5-coder on localhost:11434. A 64k budget keeps local inference
# responsive; aggressive compaction and minimal retention fit that budget.
let
  insomnia = import <insomnia> { };
in
with insomnia;
mkProfile {
  name = "coder-cheap";
  description = "Low-cost coding Pod: local Ollama qwen2.5-coder (no API cost), 64k budget, asks before shell commands.";
  manifest = mkManifest {
    use = [
      models.ollamaQwen
      scopes.workspaceWrite
      context.small
      compaction.aggressive
      retention.minimal
      autonomy.autonomous
      tools.standard
      web.off
    ];
  };
}
