# Builtin profile `researcher`: investigates with web search and fetch plus the workspace
# as reference material; it never modifies files. Extended retention keeps findings.
let
  insomnia = import <insomnia> { };
in
with insomnia;
mkProfile {
  name = "researcher";
  description = "Research Pod: GPT-5.5 (Codex sign-in), web search and fetch, reads the launch workspace, never modifies files.";
  manifest = mkManifest {
    use = [
      models.gpt55
      reasoning.high
      scopes.workspaceRead
      context.xlarge
      compaction.gentle
      retention.extended
      autonomy.autonomous
      tools.readOnly
      web.full
    ];
  };
}
