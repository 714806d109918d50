/**
 * `completions bash|zsh|fish`: prints a shell completion script. The commands, flags and argument
 * kinds are read from the commander program itself ({@link completionModel}), so the scripts can
 * never drift from the CLI. Profile, Pod and secret names are discovered when the user presses Tab:
 * the script runs `insomnia-pod profiles list --json` (`pods list --json`, `secrets list --json`)
 * with the same executable the user is completing.
 * @module
 */
import type { Argument, Command, Option } from "commander";
import { InsomniaError } from "../../errors.ts";
import { VERSION } from "../../version.ts";
import { buildProgram } from "../program.ts";
import type { CliContext, CommandOutput } from "../context.ts";

/** Shells a script can be generated for. */
export const SHELLS = ["bash", "zsh", "fish"] as const;
/** One of {@link SHELLS}. */
export type Shell = typeof SHELLS[number];

/**
 * What a value (of an option or a positional argument) completes to: nothing in particular
 * (`any`), files, directories, names discovered at completion time, or a fixed list.
 */
export type ValueKind =
  | { kind: "any" | "file" | "dir" | "profile" | "pod" | "secret" }
  | { kind: "choice"; choices: string[] };

/** An option of one command. */
export interface CompletionOption {
  /** `-s`, `--store`, … (short first). */
  flags: string[];
  description: string;
  /** Undefined when the option takes no value. */
  value?: ValueKind;
}

/** A positional argument of one command. */
export interface CompletionArgument {
  name: string;
  variadic: boolean;
  value: ValueKind;
}

/** One command of the program, addressed by its path (`""` for the root, `profiles show`, …). */
export interface CompletionCommand {
  path: string;
  subcommands: Array<{ name: string; description: string }>;
  options: CompletionOption[];
  args: CompletionArgument[];
}

/** Positional arguments whose values are names recorded elsewhere, by `<path>|<argument>`. */
const DYNAMIC_ARGUMENTS: Record<string, ValueKind> = {
  "pods show|name": { kind: "pod" },
  "pods rm|name": { kind: "pod" },
  "pods export|name": { kind: "pod" },
  "secrets rm|id": { kind: "secret" },
};

function optionValue(option: Option): ValueKind | undefined {
  if (!option.required && !option.optional) return undefined;
  if (option.argChoices) return { kind: "choice", choices: [...option.argChoices] };
  if (option.long === "--pod") return { kind: "pod" };
  const placeholder = /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1] ?? "";
  if (/^selectors?/.test(placeholder)) return { kind: "profile" };
  if (placeholder === "file") return { kind: "file" };
  if (placeholder === "dir") return { kind: "dir" };
  return { kind: "any" };
}

function argumentValue(path: string, arg: Argument): ValueKind {
  if (arg.argChoices) return { kind: "choice", choices: [...arg.argChoices] };
  const dynamic = DYNAMIC_ARGUMENTS[`${path}|${arg.name()}`];
  if (dynamic) return dynamic;
  if (/^selectors?$/.test(arg.name())) return { kind: "profile" };
  return { kind: "any" };
}

/** Every command of `program` (depth first, root first) with its subcommands, options and arguments. */
export function completionModel(program: Command): CompletionCommand[] {
  const out: CompletionCommand[] = [];
  const walk = (cmd: Command, path: string) => {
    const help = cmd.createHelp();
    out.push({
      path,
      subcommands: help.visibleCommands(cmd).map((c) => ({
        name: c.name(),
        description: c.description(),
      })),
      options: help.visibleOptions(cmd).map((o) => ({
        flags: [o.short, o.long].filter((f): f is string => f !== undefined),
        description: o.description,
        value: optionValue(o),
      })),
      args: cmd.registeredArguments.map((a) => ({
        name: a.name(),
        variadic: a.variadic,
        value: argumentValue(path, a),
      })),
    });
    for (const sub of cmd.commands) walk(sub, path ? `${path} ${sub.name()}` : sub.name());
  };
  walk(program, "");
  return out;
}

/** The model of the real insomnia-pod program. */
export function insomniaCompletionModel(): CompletionCommand[] {
  return completionModel(buildProgram(() => Promise.resolve()));
}

/** `kind` or `choice:a b c`, the form the generated scripts switch on. */
function kindWord(value: ValueKind): string {
  return value.kind === "choice" ? `choice:${value.choices.join(" ")}` : value.kind;
}

/** Single-quoted for POSIX shells (bash, zsh). */
function sq(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Single-quoted for fish. */
function fq(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Index cases shared by bash and zsh: `"<path>|<index>"` patterns with the value kind. */
function argCases(model: CompletionCommand[]): Array<[string, string]> {
  const cases: Array<[string, string]> = [];
  for (const cmd of model) {
    cmd.args.forEach((arg, i) => {
      cases.push([`${sq(`${cmd.path}|${i}`)}`, kindWord(arg.value)]);
      if (arg.variadic) cases.push([`${sq(`${cmd.path}|`)}*`, kindWord(arg.value)]);
    });
  }
  return cases;
}

function optionCases(model: CompletionCommand[]): Array<[string, string]> {
  const cases: Array<[string, string]> = [];
  for (const cmd of model) {
    for (const opt of cmd.options) {
      if (!opt.value) continue;
      cases.push([opt.flags.map((f) => sq(`${cmd.path}|${f}`)).join("|"), kindWord(opt.value)]);
    }
  }
  return cases;
}

/**
 * The CLI call (after the executable) and the `sed` that lists one name per line, per dynamic
 * kind. They read the pretty-printed `--json` output (`JSON.stringify(…, null, 2)`) line by line;
 * Pod names sit at six spaces of indentation, so nested `name` keys of broken records are skipped.
 */
const DYNAMIC_SED = {
  profile:
    `profiles list --json 2>/dev/null | sed -n 's/^ *"qualified": "\\([^"\\\\]*\\)".*/\\1/p'`,
  pod: `pods list --json 2>/dev/null | sed -n 's/^      "name": "\\([^"\\\\]*\\)".*/\\1/p'`,
  secret: `secrets list --json 2>/dev/null | sed -n 's/^ *"id": "\\([^"\\\\]*\\)".*/\\1/p'`,
};

function header(shell: Shell, install: string[]): string {
  return [
    `# ${shell} completion for insomnia-pod ${VERSION}.`,
    `# Generated by \`insomnia-pod completions ${shell}\` from the CLI definition; regenerate it after`,
    "# upgrading. Profile, Pod and secret names are discovered when Tab is pressed.",
    "# Install:",
    ...install.map((line) => `#   ${line}`),
    "",
  ].join("\n");
}

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

/** The fish script (fish 3 or later). */
export function fishScript(model: CompletionCommand[]): string {
  const subs = model.filter((c) => c.subcommands.length > 0).map((c) =>
    `        case ${fq(c.path)}\n            printf '%s\\n' ${
      c.subcommands.map((s) => fq(s.name)).join(" ")
    }`
  );
  const valued = model.flatMap((c) =>
    c.options.filter((o) => o.value).flatMap((o) => o.flags.map((f) => fq(`${c.path}|${f}`)))
  );
  const lines: string[] = [];
  const c = "complete -c insomnia-pod";
  for (const cmd of model) {
    const at = fq(cmd.path);
    for (const sub of cmd.subcommands) {
      lines.push(
        `${c} -f -n "__insomnia_pod_at ${at} 0" -a ${fq(sub.name)} -d ${
          fq(oneLine(sub.description))
        }`,
      );
    }
    for (const opt of cmd.options) {
      const flags = opt.flags.map((f) =>
        f.startsWith("--") ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`
      )
        .join(" ");
      lines.push(
        `${c} -n "__insomnia_pod_at ${at}" ${flags}${fishValue(opt.value)} -d ${
          fq(oneLine(opt.description))
        }`,
      );
    }
    cmd.args.forEach((arg, i) => {
      const index = arg.variadic ? `${i}+` : `${i}`;
      lines.push(`${c} -n "__insomnia_pod_at ${at} ${index}"${fishValue(arg.value, true)}`);
    });
  }
  return header("fish", [
    "insomnia-pod completions fish > ~/.config/fish/completions/insomnia-pod.fish",
  ]) + `
function __insomnia_pod_subcommands --argument-names cmdpath
    switch $cmdpath
${subs.join("\n")}
    end
end

function __insomnia_pod_takes_value --argument-names key
    contains -- $key ${valued.join(" ")}
end

# Prints "<number of positional arguments>:<command path>" for the command line before the cursor.
function __insomnia_pod_state
    set -l cmdpath ''
    set -l nargs 0
    set -l expect 0
    set -l tokens (commandline -opc)
    set -e tokens[1]
    for w in $tokens
        if test $expect = 1
            set expect 0
            continue
        end
        switch $w
            case '--*=*'
            case '-*'
                __insomnia_pod_takes_value "$cmdpath|$w"; and set expect 1
            case '*'
                if test $nargs = 0; and contains -- $w (__insomnia_pod_subcommands $cmdpath)
                    set cmdpath (string trim -- "$cmdpath $w")
                else
                    set nargs (math $nargs + 1)
                end
        end
    end
    echo "$nargs:$cmdpath"
end

# True when the command path is $1 and (if given) the argument index is $2 ("N+": N or more).
function __insomnia_pod_at --argument-names cmdpath index
    set -l state (string split -m 1 : -- (__insomnia_pod_state))
    test "$state[2]" = "$cmdpath"; or return 1
    test -z "$index"; and return 0
    if string match -q -- '*+' $index
        test $state[1] -ge (string trim -c + -- $index)
    else
        test $state[1] = $index
    end
end

function __insomnia_pod_names --argument-names kind
    set -l tokens (commandline -opc)
    set -l bin (string replace -r -- '^~/' "$HOME/" $tokens[1])
    command -q -- $bin; or return
    switch $kind
        case profile
            set -l value (string replace -r -- '^-[^=]*=' '' (commandline -ct))
            if string match -qr -- '^path:' $value
                __fish_complete_path (string replace -r -- '^path:' '' $value) |
                    string replace -r -- '^' 'path:'
                return
            else if string match -qr -- '^[.~]|/' $value
                __fish_complete_path $value
                return
            end
            echo default
            for q in ($bin ${DYNAMIC_SED.profile})
                echo $q
                string replace -r '^[^:]*:' '' -- $q
            end
        case pod
            $bin ${DYNAMIC_SED.pod}
        case secret
            $bin ${DYNAMIC_SED.secret}
    end
end

# Files only where a value may be a path (-F below).
${c} -f
${lines.join("\n")}
`;
}

function fishValue(value: ValueKind | undefined, positional = false): string {
  if (!value) return "";
  const r = positional ? "" : " -r";
  switch (value.kind) {
    case "choice":
      return `${positional ? " -f" : " -x"} -a ${fq(value.choices.join(" "))}`;
    case "file":
      return `${r} -F`;
    case "dir":
      return `${positional ? " -f" : " -x"} -a '(__fish_complete_directories)'`;
    case "profile":
      return `${positional ? " -f" : " -x"} -a '(__insomnia_pod_names profile)'`;
    case "pod":
    case "secret":
      return `${positional ? " -f" : " -x"} -a '(__insomnia_pod_names ${value.kind})'`;
    default:
      return positional ? " -f" : " -x";
  }
}

/** The completion script for `shell`. */
export function completionScript(shell: Shell, model = insomniaCompletionModel()): string {
  switch (shell) {
    case "bash":
      return bashScript(model);
    case "zsh":
      return zshScript(model);
    case "fish":
      return fishScript(model);
  }
}

/** `completions <shell>` handler. */
// deno-lint-ignore require-await
export async function completions(
  _opts: Record<string, unknown>,
  args: string[],
  _ctx: CliContext,
): Promise<CommandOutput> {
  const shell = args[0];
  if (!(SHELLS as readonly string[]).includes(shell)) {
    throw new InsomniaError(
      "usage",
      `completions: unknown shell ${JSON.stringify(shell)}; choose bash, zsh or fish.`,
    );
  }
  const script = completionScript(shell as Shell);
  return { json: { shell, script }, human: script };
}
