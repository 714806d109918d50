# Coder: edits the launch workspace; shell commands need approval.
let
  insomnia = import <insomnia> { };
  common = import ./common.nix;
in
with insomnia;
mkProfile {
  name = "coder";
  description = "Team coder: Claude Sonnet, writes the workspace, asks before shell commands";
  manifest = mkManifest {
    use = [ common models.claudeSonnet reasoning.medium scopes.workspaceWrite context.large autonomy.autonomous tools.standard web.fetchOnly ];
  };
}
