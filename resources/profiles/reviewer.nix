# Builtin profile `reviewer`: reads and critiques; cannot change anything. The scope is
# read-only and the tool policy denies file writes and the shell.
let
  insomnia = import <insomnia> { };
in
with insomnia;
mkProfile {
  name = "reviewer";
  description = "Code review Pod: Claude Opus 4.1, high reasoning, read-only workspace, no file writes and no shell.";
  manifest = mkManifest {
    use = [
      models.claudeOpus
      reasoning.high
      scopes.workspaceRead
      context.large
      compaction.gentle
      retention.standard
      autonomy.autonomous
      tools.readOnly
      web.fetchOnly
    ];
  };
}
