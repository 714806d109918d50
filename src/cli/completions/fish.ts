/**
 * The fish completion script (fish 3 or later).
 * @module
 */
import type { CompletionCommand, CompletionValue } from "./model.ts";
import { DYNAMIC_SED, header, oneLine } from "./script_text.ts";

/** Single-quoted for fish. */
function fq(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
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

function fishValue(value: CompletionValue | undefined, positional = false): string {
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
