# Builtin profile `orchestrator`: plans, splits work and delegates it to sub-Pods, then
# reviews the results. It holds write scope so it can delegate it, but asks before editing
# files or running shell commands itself. Long-horizon settings: the largest budget gpt-5.5
# supports, gentle compaction, extended retention and an event trace.
let
  insomnia = import <insomnia> { };
in
with insomnia;
mkProfile {
  name = "orchestrator";
  description = "Orchestrator Pod: GPT-5.5 (Codex sign-in), plans and delegates to sub-Pods, asks before editing files or running shell itself.";
  manifest = mkManifest {
    use = [
      models.gpt55
      reasoning.high
      scopes.workspaceWrite
      context.xlarge
      compaction.gentle
      retention.extended
      autonomy.guarded
      tools.full
      web.full
      session.trace
    ];
  };
}
