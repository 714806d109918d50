/**
 * The zsh completion script (a `#compdef` function; also works when sourced after `compinit`).
 * @module
 */
import type { CompletionCommand } from "./model.ts";
import { argCases, DYNAMIC_SED, header, oneLine, optionCases, sq } from "./script_text.ts";

/** The zsh script (a `#compdef` function; also works when sourced after `compinit`). */
export function zshScript(model: CompletionCommand[]): string {
  const described = (items: Array<{ name: string; description: string }>) =>
    items.map((i) => sq(`${i.name.replace(/:/g, "\\:")}:${oneLine(i.description)}`)).join(" ");
  const subs = model.filter((c) => c.subcommands.length > 0).map((c) =>
    `    (${sq(c.path)}) reply=(${described(c.subcommands)}) ;;`
  );
  const opts = model.map((c) =>
    `    (${sq(c.path)}) reply=(${
      described(c.options.flatMap((o) =>
        o.flags.map((f) => ({ name: f, description: o.description }))
      ))
    }) ;;`
  );
  const optKinds = optionCases(model).map(([pat, kind]) => `    (${pat}) REPLY=${sq(kind)} ;;`);
  const argKinds = argCases(model).map(([pat, kind]) => `    (${pat}) REPLY=${sq(kind)} ;;`);
  return `#compdef insomnia-pod
` + header("zsh", [
    'insomnia-pod completions zsh > "\${fpath[1]}/_insomnia-pod"   (then restart zsh)',
    "or add to ~/.zshrc after compinit:  source <(insomnia-pod completions zsh)",
  ]) + `
# Sets reply to "name:description" for the subcommands of command path $1.
_insomnia_pod_subcommands() {
  reply=()
  case $1 in
${subs.join("\n")}
  esac
}

# Sets reply to "flag:description" for the options of command path $1.
_insomnia_pod_options() {
  reply=()
  case $1 in
${opts.join("\n")}
  esac
}

# Sets REPLY to what the value of option $2 of command path $1 completes to (empty: no value).
_insomnia_pod_option_kind() {
  REPLY=
  case "$1|$2" in
${optKinds.join("\n")}
  esac
}

# Sets REPLY to what positional argument number $2 of command path $1 completes to.
_insomnia_pod_arg_kind() {
  REPLY=
  case "$1|$2" in
${argKinds.join("\n")}
  esac
}

# Names known to the CLI right now, one per line: $1 is the executable, $2 the kind.
_insomnia_pod_names() {
  local q
  case $2 in
    (profile)
      print -r -- default
      "$1" ${DYNAMIC_SED.profile} |
        while IFS= read -r q; do print -r -- "$q"; print -r -- "\${q#*:}"; done ;;
    (pod) "$1" ${DYNAMIC_SED.pod} ;;
    (secret) "$1" ${DYNAMIC_SED.secret} ;;
  esac
}

_insomnia_pod_values() { # $1 executable, $2 kind
  local -a names
  case $2 in
    (choice:*) names=(\${=2#choice:}); compadd -a names ;;
    (file) _files ;;
    (dir) _files -/ ;;
    (profile)
      if [[ $PREFIX == path:* ]]; then compset -P 'path:'; _files
      elif [[ $PREFIX == */* || $PREFIX == .* || $PREFIX == '~'* ]]; then _files
      else names=(\${(uf)"$(_insomnia_pod_names "$1" profile)"}); compadd -a names; fi ;;
    (pod|secret) names=(\${(f)"$(_insomnia_pod_names "$1" "$2")"}); compadd -a names ;;
  esac
}

_insomnia_pod() {
  local bin=\${words[1]} cur=\${words[CURRENT]} cmdpath="" expect="" nargs=0 i w REPLY
  [[ $bin == '~/'* ]] && bin=$HOME/\${bin#'~/'}
  local -a reply
  for (( i = 2; i < CURRENT; i++ )); do
    w=\${words[i]}
    if [[ -n $expect ]]; then expect=""; continue; fi
    case $w in
      (--*=*) ;;
      (-*) _insomnia_pod_option_kind "$cmdpath" "$w"; [[ -n $REPLY ]] && expect=$w ;;
      (*)
        _insomnia_pod_subcommands "$cmdpath"
        if (( nargs == 0 )) && [[ -n \${reply[(r)\${(b)w}:*]} ]]; then
          cmdpath=\${cmdpath:+$cmdpath }$w
        else
          nargs=$((nargs + 1))
        fi ;;
    esac
  done
  if [[ -n $expect ]]; then
    _insomnia_pod_option_kind "$cmdpath" "$expect"
  elif [[ $cur == --*=* ]]; then
    _insomnia_pod_option_kind "$cmdpath" "\${cur%%=*}"
    compset -P '*='
  elif [[ $cur == -* ]]; then
    _insomnia_pod_options "$cmdpath"
    _describe -t options option reply
    return
  else
    _insomnia_pod_subcommands "$cmdpath"
    if (( \${#reply} && nargs == 0 )); then
      _describe -t commands command reply
      return
    fi
    _insomnia_pod_arg_kind "$cmdpath" "$nargs"
  fi
  [[ -n $REPLY ]] && _insomnia_pod_values "$bin" "$REPLY"
}

if [[ $funcstack[1] == _insomnia-pod ]]; then
  _insomnia_pod "$@"
else
  compdef _insomnia_pod insomnia-pod
fi
`;
}
