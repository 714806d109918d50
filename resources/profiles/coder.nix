# Builtin profile `coder`: day-to-day coding in the launch workspace. File edits run freely
# (the scope confines them to the workspace); shell commands need approval.
let
  insomnia = import <insomnia> { };
in
with insomnia;
mkProfile {
  name = "coder";
  description = "Coding Pod: Claude Sonnet 4.6, edits the launch workspace freely, asks before shell commands.";
  manifest = mkManifest {
    use = [
      models.claudeSonnet
      reasoning.medium
      scopes.workspaceWrite
      context.large
      compaction.balanced
      retention.standard
      autonomy.autonomous
      tools.standard
      web.fetchOnly
    ];
  };
}
