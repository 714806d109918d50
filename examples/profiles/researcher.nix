# Researcher: reads the workspace and the web (Brave search key as a secret reference).
let
  insomnia = import <insomnia> { };
  common = import ./common.nix;
in
with insomnia;
mkProfile {
  name = "researcher";
  description = "Team researcher: GPT-5.5, read-only workspace, web search and fetch";
  manifest = mkManifest {
    use = [ common models.gpt55 reasoning.high scopes.workspaceRead context.xlarge retention.extended autonomy.guarded tools.readOnly web.full ];
  };
}
