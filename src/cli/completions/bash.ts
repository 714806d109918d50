/**
 * The bash completion script (bash 3.2 or later, with or without the bash-completion package).
 * @module
 */
import type { CompletionCommand } from "./model.ts";
import { argCases, DYNAMIC_SED, header, optionCases, sq } from "./script_text.ts";

/** The bash script (bash 3.2 or later; works with or without the bash-completion package). */
export function bashScript(model: CompletionCommand[]): string {
  const subs = model.filter((c) => c.subcommands.length > 0).map((c) =>
    `    ${sq(c.path)}) printf '%s\\n' ${sq(c.subcommands.map((s) => s.name).join(" "))} ;;`
  );
  const opts = model.map((c) =>
    `    ${sq(c.path)}) printf '%s\\n' ${sq(c.options.flatMap((o) => o.flags).join(" "))} ;;`
  );
  const optKinds = optionCases(model).map(([pat, kind]) => `    ${pat}) echo ${sq(kind)} ;;`);
  const argKinds = argCases(model).map(([pat, kind]) => `    ${pat}) echo ${sq(kind)} ;;`);
  return header("bash", [
    "insomnia-pod completions bash > ~/.local/share/bash-completion/completions/insomnia-pod",
    "or add to ~/.bashrc:  source <(insomnia-pod completions bash)",
  ]) + `
# Subcommands of a command path.
_insomnia_pod_subcommands() {
  case $1 in
${subs.join("\n")}
  esac
}

# Options of a command path.
_insomnia_pod_options() {
  case $1 in
${opts.join("\n")}
  esac
}

# What the value of option $2 of command path $1 completes to (nothing: it takes no value).
_insomnia_pod_option_kind() {
  case "$1|$2" in
${optKinds.join("\n")}
  esac
}

# What positional argument number $2 (from 0) of command path $1 completes to.
_insomnia_pod_arg_kind() {
  case "$1|$2" in
${argKinds.join("\n")}
  esac
}

# Names known to the CLI right now, one per line: $1 is the executable, $2 the kind.
_insomnia_pod_names() {
  local q
  case $2 in
    profile)
      echo default
      "$1" ${DYNAMIC_SED.profile} |
        while IFS= read -r q; do printf '%s\\n%s\\n' "$q" "\${q#*:}"; done ;;
    pod) "$1" ${DYNAMIC_SED.pod} ;;
    secret) "$1" ${DYNAMIC_SED.secret} ;;
  esac
}

_insomnia_pod_candidates() { # $1 executable, $2 kind, $3 typed value
  local bin=$1 kind=$2 value=$3
  case $kind in
    words:*) compgen -W "\${kind#words:}" -- "$value" ;;
    choice:*) compgen -W "\${kind#choice:}" -- "$value" ;;
    file) compgen -f -- "$value" ;;
    dir) compgen -d -- "$value" ;;
    profile)
      case $value in
        path:*) compgen -f -- "\${value#path:}" | while IFS= read -r f; do echo "path:$f"; done ;;
        */* | .* | '~'*) compgen -f -- "$value" ;;
        *) compgen -W "$(_insomnia_pod_names "$bin" profile | sort -u)" -- "$value" ;;
      esac ;;
    pod | secret) compgen -W "$(_insomnia_pod_names "$bin" "$kind")" -- "$value" ;;
  esac
}

_insomnia_pod() {
  local line=\${COMP_LINE:0:COMP_POINT} cmdpath="" expect="" nargs=0 i w
  local -a words
  read -ra words <<<"$line"
  case $line in *[[:space:]] | "") words+=("") ;; esac
  local n=\${#words[@]}
  local bin=\${words[0]} cur=\${words[n - 1]}
  [[ $bin == "~/"* ]] && bin=$HOME/\${bin#"~/"}
  for ((i = 1; i < n - 1; i++)); do
    w=\${words[i]}
    if [[ -n $expect ]]; then expect=""; continue; fi
    case $w in
      --*=*) ;;
      -*) [[ -n $(_insomnia_pod_option_kind "$cmdpath" "$w") ]] && expect=1 ;;
      *)
        if ((nargs == 0)) && [[ " $(_insomnia_pod_subcommands "$cmdpath") " == *" $w "* ]]; then
          cmdpath=\${cmdpath:+$cmdpath }$w
        else
          nargs=$((nargs + 1))
        fi ;;
    esac
  done
  local prefix="" value=$cur kind=""
  if [[ -n $expect ]]; then
    kind=$(_insomnia_pod_option_kind "$cmdpath" "\${words[n - 2]}")
  elif [[ $cur == --*=* ]]; then
    prefix=\${cur%%=*}= value=\${cur#*=}
    kind=$(_insomnia_pod_option_kind "$cmdpath" "\${cur%%=*}")
  elif [[ $cur == -* ]]; then
    kind="words:$(_insomnia_pod_options "$cmdpath")"
  else
    local subs
    subs=$(_insomnia_pod_subcommands "$cmdpath")
    if [[ -n $subs ]] && ((nargs == 0)); then
      kind="words:$subs"
    else
      kind=$(_insomnia_pod_arg_kind "$cmdpath" "$nargs")
    fi
  fi
  case $kind:$value in
    file:* | dir:* | profile:path:* | profile:*/* | profile:.* | profile:'~'*)
      compopt -o filenames 2>/dev/null ;;
  esac
  # bash splits words at ':' and '=' (COMP_WORDBREAKS): reply relative to what it sees as the word.
  local lead="" ch c
  for ((i = \${#cur}; i > 0; i--)); do
    ch=\${cur:i-1:1}
    if [[ ($ch == ":" || $ch == "=") && $COMP_WORDBREAKS == *"$ch"* ]]; then lead=\${cur:0:i}; break; fi
  done
  COMPREPLY=()
  while IFS= read -r c; do
    [[ -n $c ]] || continue
    c=$prefix$c
    [[ $c == "$lead"* ]] && COMPREPLY+=("\${c#"$lead"}")
  done < <(_insomnia_pod_candidates "$bin" "$kind" "$value")
}

complete -F _insomnia_pod insomnia-pod
`;
}
