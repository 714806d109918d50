# Insomnia Nix profile library (artifact format insomnia.nix-profile.v1).
#
#   let insomnia = import <insomnia> { }; in
#   insomnia.mkProfile {
#     name = "coder";
#     description = "Coding Pod";
#     manifest = insomnia.mkManifest {
#       use = [ insomnia.models.claudeSonnet insomnia.scopes.workspaceWrite insomnia.context.large ];
#       worker.max_turns = 200;   # raw fields always win over presets
#     };
#   }
#
# Evaluated by insomnia-pod with
#   nix eval --json --store dummy:// -I insomnia=<resources/nix> --file <profile>
# so the output must be plain data: no derivations, and no path literal may reach it (the
# library turns path literals into absolute path strings). Builtins only, no nixpkgs.
# Reference: docs/profile-lib.md.
{ }:
let
  inherit (builtins)
    attrNames
    concatStringsSep
    elemAt
    foldl'
    genList
    isAttrs
    isFunction
    isList
    isPath
    isString
    length
    match
    removeAttrs
    substring
    typeOf
    ;

  m = import ./merge.nix;
  catalog = import ./catalog.nix;

  version = "1.0.0";
  profileFormat = "insomnia.nix-profile.v1";

  # ---- typed values ---------------------------------------------------------------------
  # Secret ids: 1-128 bytes of [A-Za-z0-9._/-], no leading `/` or `~`, and no empty, `.` or
  # `..` path components.
  validSecretId =
    id:
    isString id
    && id != ""
    && builtins.stringLength id <= 128
    && match "[A-Za-z0-9._/-]+" id != null
    && !(builtins.any (c: c == "" || c == "." || c == "..") (builtins.filter isString (builtins.split "/" id)));
  secrets = {
    ref =
      id:
      if validSecretId id then
        {
          kind = "secret_ref";
          ref = id;
        }
      else
        throw "insomnia: secrets.ref: invalid secret id `${
          if isString id then id else typeOf id
        }` (1-128 characters of A-Z a-z 0-9 . _ / -, no leading `/`, no empty, `.` or `..` components)";
  };

  # A path relative to the launch workspace (`insomnia-pod --workspace DIR`, default cwd).
  workspace =
    p:
    if isPath p then
      throw "insomnia: workspace: expected a string relative to the launch workspace (e.g. workspace \"docs\"), got the path literal ${toString p}; a path literal already names a fixed place on disk, use it without `workspace`"
    else if !(isString p) || p == "" then
      throw "insomnia: workspace: expected a non-empty relative path string"
    else if substring 0 1 p == "/" then
      throw "insomnia: workspace: `${p}` is absolute; workspace paths are relative to the launch workspace (use a plain string for an absolute path)"
    else
      {
        kind = "workspace_path";
        path = p;
      };

  auth = {
    none = {
      kind = "none";
    };
    codexOAuth = {
      kind = "codex_oauth";
    };
    secret = secrets.ref;
    env = name: {
      kind = "api_key";
      env = name;
    };
    file = path: {
      kind = "api_key";
      file = path;
    };
  };

  # ---- merging --------------------------------------------------------------------------
  # Preset-merges a list of fragments (later wins on scalars, lists concatenate, exact
  # duplicate list elements dropped, permission rules ordered deny > ask > allow).
  mergeFragments =
    where: list:
    if !(isList list) then
      throw "insomnia: ${where}: `use` must be a list of presets, got ${typeOf list}"
    else
      let
        expand =
          i: f:
          if isFunction f then
            throw "insomnia: ${where}: element ${toString i} of `use` is a function; call it first (e.g. `context.forWindow 100000`, `scopes.allow ./docs \"read\"`, `reasoning.budget 8000`)"
          else if !(isAttrs f) then
            throw "insomnia: ${where}: element ${toString i} of `use` is a ${typeOf f}, expected a manifest fragment (attribute set)"
          else if f ? use then
            mkManifest f
          else
            m.stripFunctor f;
        fragments = genList (i: expand i (elemAt list i)) (length list);
      in
      m.orderPermissionRules (foldl' m.presetMerge { } fragments);

  merge = a: b: mergeFragments "merge" [ a b ];
  mergeAll = mergeFragments "mergeAll";
  override = a: b: m.clean "override" (m.overrideMerge a b);

  # ---- manifests and profiles -----------------------------------------------------------
  mkManifest =
    args:
    if !(isAttrs args) then
      throw "insomnia: mkManifest: expected an attribute set, got ${typeOf args}"
    else if args ? use then
      m.clean "mkManifest" (
        m.overrideMerge (mergeFragments "mkManifest" args.use) (removeAttrs args [ "use" ])
      )
    else
      m.clean "mkManifest" args;

  optionalString =
    what: v:
    if v == null || isString v then
      v
    else
      throw "insomnia: mkProfile: `${what}` must be a string, got ${typeOf v}";

  checkPermissions =
    manifest:
    if isAttrs (manifest.permissions or null) && !(manifest.permissions ? default_action) then
      throw "insomnia: mkProfile: the manifest has permission rules but no permissions.default_action; add an autonomy preset (autonomy.supervised, autonomy.guarded or autonomy.autonomous) or set permissions.default_action"
    else
      manifest;

  mkProfile =
    {
      name ? null,
      description ? null,
      manifest ? null,
      config ? null,
      ...
    }@args:
    let
      rest = removeAttrs args [
        "name"
        "description"
        "manifest"
        "config"
      ];
      body =
        if manifest != null && config != null then
          throw "insomnia: mkProfile: give either `manifest` or `config`, not both"
        else if (manifest != null || config != null) && rest != { } then
          throw "insomnia: mkProfile: unexpected attribute(s) ${
            concatStringsSep ", " (map (n: "`${n}`") (attrNames rest))
          } next to `${if manifest != null then "manifest" else "config"}` (manifest fields belong inside it)"
        else if manifest != null then
          manifest
        else if config != null then
          config
        else
          rest;
      profile = removeAttrs {
        format = profileFormat;
        name = optionalString "name" name;
        description = optionalString "description" description;
        library_version = version;
      } ((if name == null then [ "name" ] else [ ]) ++ (if description == null then [ "description" ] else [ ]));
    in
    {
      inherit profile;
      manifest = checkPermissions (mkManifest body);
    };

  isProfile =
    v: isAttrs v && isAttrs (v.profile or null) && (v.profile.format or null) == profileFormat;

  extendManifest =
    base: args:
    if !(isAttrs args) then
      throw "insomnia: extend: the overrides must be an attribute set, got ${typeOf args}"
    else
      mkManifest (args // { use = [ base ] ++ (args.use or [ ]); });

  # extend base overrides: `base` is a profile (mkProfile result) or a manifest fragment.
  extend =
    base: overrides:
    if isProfile base then
      let
        o = overrides;
        rest = removeAttrs o [
          "name"
          "description"
          "manifest"
          "config"
        ];
        body =
          if o ? manifest then
            o.manifest
          else if o ? config then
            o.config
          else
            rest;
      in
      mkProfile {
        name = o.name or (base.profile.name or null);
        description = o.description or (base.profile.description or null);
        manifest = extendManifest base.manifest body;
      }
    else
      extendManifest base overrides;

  # The original library's helper (yoi resources/nix/profile-lib.nix at d77a86d5), with the same
  # meaning, so profiles written for it evaluate here: an inline Anthropic model section.
  semanticPresets = {
    codingAssistant =
      {
        modelId ? "claude-sonnet-4-20250514",
        authRef ? null,
      }:
      {
        model = {
          scheme = "anthropic";
          model_id = modelId;
        }
        // (if authRef == null then { } else { auth = secrets.ref authRef; });
      };
  };

  families = import ./presets.nix {
    inherit secrets workspace catalog;
    inherit (m) overrideMerge;
  };
in
families
// {
  inherit
    version
    profileFormat
    mkProfile
    mkManifest
    secrets
    workspace
    auth
    merge
    mergeAll
    override
    extend
    catalog
    semanticPresets
    ;
  inherit (m) normalizePaths;
}
