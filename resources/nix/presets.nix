# Semantic presets of the Insomnia profile library. Every preset is a manifest fragment
# usable in `mkManifest { use = [ ... ]; }`; the numbers here are the documented ones
# (docs/profile-lib.md, tests/fixtures/profiles/presets.json) — change all three together.
{
  secrets,
  workspace,
  catalog,
  overrideMerge,
}:
let
  inherit (builtins)
    attrNames
    concatStringsSep
    elem
    isAttrs
    isInt
    isString
    mapAttrs
    match
    typeOf
    ;

  # A preset that is also a function: `web.search` is a fragment, `web.search { ... }` too.
  callable = f: (f { }) // { __functor = _: f; };

  # ---- context budgets ------------------------------------------------------------------
  # Per-mille ratios of the budget B (integer arithmetic, so each value is floor(B * r / 1000)).
  # They reproduce the original builtin default (threshold 200000, request 240000, worker
  # 100000, overview deadline 40000, result context 60000) over gpt-5.5's 272000-token window.
  ratios = {
    threshold = 735;
    request_threshold = 882;
    worker_context_max_tokens = 368;
    overview_target_tokens = 29;
    overview_warning_tokens = 59;
    overview_deadline_tokens = 147;
    result_context_max_tokens = 220;
  };
  budgets = {
    small = 64000;
    medium = 128000;
    large = 200000;
    xlarge = 272000;
    xxlarge = 400000;
  };
  forWindow =
    b:
    if !(isInt b) || b <= 0 then
      throw "insomnia: context.forWindow: the budget must be a positive integer number of tokens, got ${
        if isInt b then toString b else typeOf b
      }"
    else
      { compaction = mapAttrs (_: r: b * r / 1000) ratios; };
  effectiveWindow =
    ref:
    let
      row =
        catalog.models.${ref}
          or (throw "insomnia: context.forModel: `${ref}` is not in the builtin model catalog (${concatStringsSep ", " (attrNames catalog.models)}); use context.forWindow <tokens>");
      max = row.max_context_window or row.context_window;
    in
    if max < row.context_window then max else row.context_window;
  forModel = ref: forWindow (effectiveWindow ref);
  contextPresets = mapAttrs (_: forWindow) budgets;

  # ---- compaction behaviour -------------------------------------------------------------
  # `balanced` is the runtime's own default for every field it sets.
  compactionPresets = {
    gentle.compaction = {
      prune_protected_tokens = 16000;
      prune_min_savings = 8192;
      summary_target_tokens = 3000;
      summary_max_tokens = 6000;
      worker_max_turns = 30;
    };
    balanced.compaction = {
      prune_protected_tokens = 8000;
      prune_min_savings = 4096;
      summary_target_tokens = 2000;
      summary_max_tokens = 4000;
      worker_max_turns = 20;
    };
    aggressive.compaction = {
      prune_protected_tokens = 4000;
      prune_min_savings = 2048;
      summary_target_tokens = 1200;
      summary_max_tokens = 2400;
      worker_max_turns = 12;
    };
    # Keeps the section (so tool-output pruning stays on) but removes both thresholds, so
    # the conversation is never summarised. Put it after the context preset.
    pruneOnly.compaction = {
      threshold = null;
      request_threshold = null;
    };
    # Removes the whole section: no pruning, no compaction. Put it last in `use`.
    off.compaction = null;
  };

  # ---- retention ------------------------------------------------------------------------
  # What survives a compaction verbatim and what is kept in long-term memory. Every level
  # declares a `memory` section, which turns the memory tools on (see `memory.off`). All
  # levels name the same fields (null = unset), so a later level replaces an earlier one
  # completely, e.g. in a variant built with `extend`.
  retentionPresets = {
    minimal = {
      compaction = {
        retained_tokens = 4000;
        auto_read_budget_tokens = 4000;
      };
      memory = {
        query_result_limit = 10;
        query_excerpt_lines = 2;
        extract_threshold = null;
        extract_worker_max_turns = null;
        consolidation_threshold_files = null;
        consolidation_threshold_bytes = null;
      };
    };
    standard = {
      compaction = {
        retained_tokens = 8000;
        auto_read_budget_tokens = 8000;
      };
      memory = {
        query_result_limit = 20;
        query_excerpt_lines = 3;
        extract_threshold = 50000;
        extract_worker_max_turns = null;
        consolidation_threshold_files = 5;
        consolidation_threshold_bytes = 50000;
      };
    };
    extended = {
      compaction = {
        retained_tokens = 16000;
        auto_read_budget_tokens = 16000;
      };
      memory = {
        query_result_limit = 40;
        query_excerpt_lines = 5;
        extract_threshold = 25000;
        extract_worker_max_turns = 12;
        consolidation_threshold_files = 10;
        consolidation_threshold_bytes = 100000;
      };
    };
  };

  # ---- tools and permissions ------------------------------------------------------------
  # The runtime's tool names (matched case-insensitively there; a rule naming any other tool never
  # matches, so `insomnia-pod` refuses it). Full list: docs/profile-lib.md.
  toolNames = {
    read = [
      "Read"
      "Glob"
      "Grep"
    ];
    write = [
      "Write"
      "Edit"
    ];
    shell = [ "Bash" ];
    web = [
      "WebFetch"
      "WebSearch"
    ];
    delegate = [ "SpawnPod" ];
  };
  rulesFor =
    action: tools:
    if !(elem action [
      "allow"
      "ask"
      "deny"
    ]) then
      throw "insomnia: permission action must be \"allow\", \"ask\" or \"deny\", got `${toString action}`"
    else
      map (tool: { inherit tool action; }) (if isString tools then [ tools ] else tools);
  permissions = {
    allow = tools: { permissions.rule = rulesFor "allow" tools; };
    ask = tools: { permissions.rule = rulesFor "ask" tools; };
    deny = tools: { permissions.rule = rulesFor "deny" tools; };
  };

  autonomyPresets = {
    # Asks before everything except reading files.
    supervised.permissions = {
      default_action = "ask";
      rule = rulesFor "allow" toolNames.read;
    };
    # Runs freely but asks before writing files or running shell commands.
    guarded.permissions = {
      default_action = "allow";
      rule = rulesFor "ask" (toolNames.write ++ toolNames.shell);
    };
    # Never asks.
    autonomous.permissions.default_action = "allow";
  };

  toolPresets = {
    # No file mutation and no shell at all.
    readOnly.permissions.rule = rulesFor "deny" (toolNames.write ++ toolNames.shell);
    # Every tool, but shell commands need approval.
    standard.permissions.rule = rulesFor "ask" toolNames.shell;
    # No restriction beyond the autonomy preset.
    full = { };
  };

  # ---- web ------------------------------------------------------------------------------
  # The runtime reads the search key from an environment variable it is given the NAME of
  # (web.search.api_key_env); a key in the manifest would be dropped, so there is no apiKey.
  searchSection =
    args:
    if args ? apiKey then
      throw "insomnia: web.search/web.full: the runtime reads the search key only from an environment variable; use apiKeyEnv = \"BRAVE_SEARCH_API_KEY\" (the default) instead of apiKey"
    else
      {
        enabled = true;
        provider = "brave";
        api_key_env = args.apiKeyEnv or "BRAVE_SEARCH_API_KEY";
      };
  webPresets = {
    off.web.enabled = false;
    fetchOnly.web = {
      enabled = true;
      search.enabled = false;
      fetch.enabled = true;
    };
    search = callable (args: {
      web = {
        enabled = true;
        search = searchSection args;
        fetch.enabled = false;
      };
    });
    full = callable (args: {
      web = {
        enabled = true;
        search = searchSection args;
        fetch.enabled = true;
      };
    });
  };

  # ---- reasoning ------------------------------------------------------------------------
  reasoningPresets = {
    minimal.worker.reasoning = "minimal";
    low.worker.reasoning = "low";
    medium.worker.reasoning = "medium";
    high.worker.reasoning = "high";
    xhigh.worker.reasoning = "xhigh";
    dynamic.worker.reasoning = -1;
  };
  budget =
    n:
    if !(isInt n) || n < -1 then
      throw "insomnia: reasoning.budget: expected a token count (or -1 for dynamic)"
    else
      { worker.reasoning = n; };

  # ---- models ---------------------------------------------------------------------------
  splitRef =
    ref:
    let
      m = if isString ref then match "([^/]+)/(.+)" ref else null;
    in
    if m == null then
      throw "insomnia: invalid model ref `${toString ref}`: must be `<provider>/<model_id>`"
    else
      {
        provider = builtins.head m;
        model = builtins.elemAt m 1;
      };
  byRef =
    ref:
    let
      provider = (splitRef ref).provider;
      p =
        catalog.providers.${provider}
          or (throw "insomnia: models.byRef: unknown provider `${provider}` (known: ${concatStringsSep ", " (attrNames catalog.providers)}); write `model = { ref = ...; auth = ...; }` yourself");
    in
    {
      model = {
        inherit ref;
        inherit (p) auth;
      };
    };
  withAuth =
    fragment: auth:
    let
      a = if isString auth then secrets.ref auth else auth;
    in
    if !(isAttrs fragment && fragment ? model) then
      throw "insomnia: models.withAuth: the first argument must be a model preset such as models.claudeSonnet"
    else if !(isAttrs a && a ? kind) then
      throw "insomnia: models.withAuth: the auth must be a secret id string or an auth value such as auth.none"
    else
      overrideMerge fragment { model.auth = a; };
  modelPresets = mapAttrs (_: byRef) {
    claudeSonnet = "anthropic/claude-sonnet-4-6";
    claudeSonnet45 = "anthropic/claude-sonnet-4-5";
    claudeOpus = "anthropic/claude-opus-4-1";
    gpt55 = "codex-oauth/gpt-5.5";
    gpt5 = "codex-oauth/gpt-5";
    gpt5Codex = "codex-oauth/gpt-5-codex";
    openrouterSonnet = "openrouter/anthropic/claude-sonnet-4";
    openrouterGpt5 = "openrouter/openai/gpt-5";
    ollamaQwen = "ollama-local/qwen2.5-coder";
    ollamaLlama = "ollama-local/llama3.1";
  };

  # ---- scope, session, memory -----------------------------------------------------------
  scopeRule =
    what: target: permission:
    if
      !(elem permission [
        "read"
        "write"
      ])
    then
      throw "insomnia: scopes.${what}: permission must be \"read\" or \"write\", got `${toString permission}`"
    else
      { scope.${what} = [ { inherit target permission; } ]; };
  scopePresets = {
    workspaceWrite = scopeRule "allow" (workspace ".") "write";
    workspaceRead = scopeRule "allow" (workspace ".") "read";
  };
  sessionPresets.trace.session.record_event_trace = true;
  memoryPresets.off.memory = null;
in
{
  # Every preset, by family (functions such as context.forWindow are not listed).
  presets = {
    context = contextPresets;
    compaction = compactionPresets;
    retention = retentionPresets;
    autonomy = autonomyPresets;
    tools = toolPresets;
    web = webPresets;
    reasoning = reasoningPresets;
    models = modelPresets;
    scopes = scopePresets;
    session = sessionPresets;
    memory = memoryPresets;
  };

  context = contextPresets // {
    inherit
      forWindow
      forModel
      ratios
      budgets
      effectiveWindow
      ;
  };
  compaction = compactionPresets;
  retention = retentionPresets;
  autonomy = autonomyPresets;
  tools = toolPresets;
  web = webPresets;
  reasoning = reasoningPresets // {
    inherit budget;
  };
  models = modelPresets // {
    inherit byRef withAuth;
  };
  scopes = scopePresets // {
    allow = scopeRule "allow";
    deny = scopeRule "deny";
  };
  session = sessionPresets;
  memory = memoryPresets;
  inherit toolNames permissions;
}
