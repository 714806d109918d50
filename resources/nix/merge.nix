# Data helpers for the Insomnia profile library: deep merges, output cleaning and
# permission-rule ordering. Plain builtins only (no nixpkgs).
#
# Vocabulary used below:
#   tagged value  an attribute set with a `kind` attribute (auth refs, secret refs,
#                 workspace paths, prompt-caching settings). Tagged values are atomic:
#                 a merge replaces them whole and never mixes fields of two variants.
#   functor       an attribute set with `__functor` (a callable preset such as
#                 `web.search`). Merges and cleaning drop the `__functor` attribute.
let
  inherit (builtins)
    attrNames
    concatStringsSep
    elem
    elemAt
    filter
    foldl'
    genList
    isAttrs
    isFunction
    isList
    isPath
    isString
    length
    mapAttrs
    removeAttrs
    replaceStrings
    stringLength
    substring
    ;

  isTagged = v: isAttrs v && v ? kind;
  isMergeable = v: isAttrs v && !(isTagged v);
  stripFunctor = v: if isAttrs v && v ? __functor then removeAttrs v [ "__functor" ] else v;

  # Deep merge of `a` and `b` where `b` is the upper layer. Attribute sets (other than
  # tagged values) merge recursively; two lists are combined with `onLists`; anything
  # else (scalars, tagged values, null, type mismatches) takes `b`.
  deepMerge =
    onLists: a: b:
    let
      a' = stripFunctor a;
      b' = stripFunctor b;
    in
    if isMergeable a' && isMergeable b' then
      a' // mapAttrs (k: bv: if a' ? ${k} then deepMerge onLists a'.${k} bv else bv) b'
    else if isList a' && isList b' then
      onLists a' b'
    else
      b';

  # Appends `b` to `a`, leaving out elements of `b` that are already equal to one present.
  appendUnique = a: b: foldl' (acc: x: if elem x acc then acc else acc ++ [ x ]) a b;

  # Preset merge (`use = [ ... ]`, `merge`): later wins on scalars, lists concatenate.
  presetMerge = deepMerge appendUnique;

  # Override merge (raw fields over presets, `override`): later wins, lists replace.
  overrideMerge = deepMerge (_: b: b);

  showPath =
    path:
    if path == [ ] then
      "<top level>"
    else
      builtins.replaceStrings [ ".[" ] [ "[" ] (concatStringsSep "." path);

  # Walks a value: path literals become absolute path strings (`toString`, no store copy),
  # `__functor` attributes are dropped, functions are reported with their location, and
  # (when `dropNulls`) attributes whose value is null are removed.
  walk =
    dropNulls: where: path: v:
    if isPath v then
      toString v
    else if isFunction v then
      throw "insomnia: ${where}: `${showPath path}` is a function, not data; did you forget to call it (e.g. `context.forWindow 100000`, `scopes.allow ./docs \"read\"`)?"
    else if isAttrs v then
      let
        v' = stripFunctor v;
        nulls = if dropNulls then filter (n: v'.${n} == null) (attrNames v') else [ ];
      in
      mapAttrs (n: x: walk dropNulls where (path ++ [ n ]) x) (removeAttrs v' nulls)
    else if isList v then
      genList (i: walk dropNulls where (path ++ [ "[${toString i}]" ]) (elemAt v i)) (length v)
    else
      v;

  # Converts every Nix path literal anywhere in `v` to its absolute path string.
  normalizePaths = walk false "normalizePaths" [ ];

  # `normalizePaths` plus: null attributes removed, functors stripped.
  clean = where: walk true where [ ];

  lower = replaceStrings upperCase lowerCase;
  upperCase = stringToCharacters "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  lowerCase = stringToCharacters "abcdefghijklmnopqrstuvwxyz";
  stringToCharacters = s: genList (i: substring i 1 s) (stringLength s);

  # Orders permission rules contributed by presets so that combining presets is
  # order-independent: rules with a `pattern` first (in their order), then tool-wide
  # rules (no pattern) by strictness: deny, ask, allow, anything else. A tool-wide rule
  # for a tool that an earlier tool-wide rule already covers can never match (the runtime
  # takes the first match, tool names compared case-insensitively) and is left out.
  orderRules =
    rules:
    let
      hasPattern = r: isAttrs r && (r.pattern or null) != null;
      patterned = filter hasPattern rules;
      toolWide = filter (r: !(hasPattern r)) rules;
      withAction = a: filter (r: (r.action or null) == a) toolWide;
      other = filter (r: !(elem (r.action or null) [ "deny" "ask" "allow" ])) toolWide;
      toolKey = r: if isAttrs r && isString (r.tool or null) then lower r.tool else null;
      firstPerTool =
        foldl'
          (
            acc: r:
            let
              k = toolKey r;
            in
            if k != null && elem k acc.seen then
              acc
            else
              {
                seen = acc.seen ++ [ k ];
                out = acc.out ++ [ r ];
              }
          )
          {
            seen = [ ];
            out = [ ];
          };
    in
    patterned
    ++ (firstPerTool (withAction "deny" ++ withAction "ask" ++ withAction "allow" ++ other)).out;

  orderPermissionRules =
    m:
    if isAttrs m && isAttrs (m.permissions or null) && isList (m.permissions.rule or null) then
      m // { permissions = m.permissions // { rule = orderRules m.permissions.rule; }; }
    else
      m;
in
{
  inherit
    isTagged
    stripFunctor
    deepMerge
    presetMerge
    overrideMerge
    normalizePaths
    clean
    orderRules
    orderPermissionRules
    ;
}
