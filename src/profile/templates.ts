/**
 * The Nix text `profiles init` writes: a fresh profile, one derived from a base it imports, or a
 * builtin's own source under a new name. Pure text; the command decides where it goes.
 * @module
 */
import { dirname, isAbsolute, relative } from "node:path";
import { nixString } from "../nix/args.ts";
import { readResource } from "../resources.ts";

/** The Nix text of a fresh profile. */
export function profileTemplate(name: string): string {
  return `# Profile "${name}", created by \`insomnia-pod profiles init\`.
# Reference: docs/profile-lib.md. Check it with: insomnia-pod profiles show ${name}
let
  insomnia = import <insomnia> { };
in
insomnia.mkProfile {
  name = "${name}";
  description = "${name} profile";
  manifest = insomnia.mkManifest {
    use = [
      insomnia.models.claudeSonnet
      insomnia.scopes.workspaceWrite
      insomnia.context.large
      insomnia.autonomy.guarded
    ];
    # Raw fields always win over the presets above, e.g.:
    # worker.reasoning = "high";
  };
}
`;
}

/**
 * How a new profile at `profileFile` imports its base `file`: a relative path literal when both
 * lie under `root` (the project or the config directory), so the tree can move or be checked out
 * elsewhere; otherwise the absolute path as a string.
 */
export function importExpression(file: string, profileFile: string, root: string): string {
  const fromRoot = relative(root, file);
  const inside = fromRoot !== "" && !fromRoot.startsWith("..") && !isAbsolute(fromRoot);
  const rel = relative(dirname(profileFile), file);
  // Nix path literals allow only these characters; anything else stays a quoted absolute path.
  if (inside && /^[A-Za-z0-9._+\-/]+$/.test(rel)) {
    return rel.startsWith("../") ? rel : `./${rel}`;
  }
  return nixString(file);
}

/** The Nix text of a profile `name` that imports its base (`baseImport`, a Nix expression) and
 * adds to it; `fromLabel` says in a comment where the base came from. */
export function derivedTemplate(name: string, baseImport: string, fromLabel: string): string {
  // The label comes from the command line: quoted in the comment, escaped in the Nix string.
  return `# Profile "${name}", based on ${
    JSON.stringify(fromLabel)
  }; created by \`insomnia-pod profiles init --from\`.
# Reference: docs/profile-lib.md. Check it with: insomnia-pod profiles show ${name}
let
  insomnia = import <insomnia> { };
  base = import ${baseImport};
in
insomnia.mkProfile {
  name = "${name}";
  description = ${nixString(`${name} (based on ${fromLabel})`)};
  manifest = insomnia.merge base.manifest {
    # Your additions: attributes here win over the base's, lists are appended to the base's
    # (insomnia.override would replace lists instead; docs/profile-lib.md#merge-rules), e.g.:
    # worker.reasoning = "low";
  };
}
`;
}

/**
 * The Nix source of builtin profile `builtin` renamed to `name`, or undefined when the builtin
 * ships none (a profile that is only an evaluated artifact).
 */
export function builtinTemplate(name: string, builtin: string): string | undefined {
  const source = readResource(`profiles/${builtin}.nix`) ??
    readResource(`profiles/${builtin}/profile.nix`);
  return source?.replace(/name = "[^"]*";/, `name = "${name}";`);
}
