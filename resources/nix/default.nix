# `import <insomnia> { }` (with `-I insomnia=<resources>/nix`) loads this file.
import ./profile-lib.nix
