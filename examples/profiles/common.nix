# Shared settings for this team of profiles: a manifest fragment (not a profile) that every role
# file puts first in its `use` list. Change a team-wide policy here, once.
let
  insomnia = import <insomnia> { };
in
with insomnia;
mkManifest {
  use = [
    compaction.balanced
    retention.standard
    session.trace
  ];
  worker.language = "English";
}
