# Cost variant of coder.nix: the same role on a local model with a smaller context budget.
let
  insomnia = import <insomnia> { };
in
with insomnia;
extend (import ./coder.nix) {
  name = "coder-cheap";
  description = "Team coder on a local Ollama model with a 64k budget";
  manifest.use = [ models.ollamaQwen context.small compaction.aggressive retention.minimal ];
}
