# Reviewer: reads the workspace, never writes; a stronger model, asked before anything unusual.
let
  insomnia = import <insomnia> { };
  common = import ./common.nix;
in
with insomnia;
mkProfile {
  name = "reviewer";
  description = "Team reviewer: Claude Opus, read-only workspace and tools";
  manifest = mkManifest {
    use = [ common models.claudeOpus reasoning.high scopes.workspaceRead context.large autonomy.supervised tools.readOnly ];
  };
}
