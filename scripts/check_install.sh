#!/usr/bin/env bash
# Runs each command of README.md's Install section on a fresh clone of HEAD, with a scratch HOME,
# and checks the installed `insomnia-pod` answers --version and resolves builtin:default.
# Prints one `PASS|FAIL|SKIP install: …` line per command and ends with `N passed, N failed`.
# A `deno compile` that cannot download Deno's runtime (no network) is a SKIP with the reason.
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$repo" "$work/clone" || { echo "FAIL install: git clone"; echo "0 passed, 1 failed"; exit 1; }
mapfile -t commands < <(awk '/^## Install/{on=1} on&&/^```sh/{f=1;next} f&&/^```/{exit} f&&NF{print}' "$repo/README.md")
[ ${#commands[@]} -gt 0 ] || { echo "FAIL install: no commands in README's Install section"; echo "0 passed, 1 failed"; exit 1; }
passed=0 failed=0
for cmd in "${commands[@]}"; do
  home="$work/home-$passed-$failed" && mkdir -p "$home"
  rm -rf "$work/clone/dist"
  out=$(cd "$work/clone" && HOME="$home" bash -c "$cmd" 2>&1); rc=$?
  if [ $rc -ne 0 ]; then
    if [[ "$cmd" == *"deno task compile"* ]] && grep -qiE "dl\.deno\.land|dns error|error sending request|failed to lookup" <<<"$out"; then
      echo "SKIP install: $cmd — deno compile needs Deno's runtime (denort) from dl.deno.land, which this machine cannot reach: $(grep -m1 -iE 'dl\.deno\.land|dns error|error sending request|failed to lookup' <<<"$out" | sed 's/^ *//')"
      continue
    fi
    echo "FAIL install: $cmd (exit $rc)"; tail -n 15 <<<"$out"; failed=$((failed + 1)); continue
  fi
  bin="$home/.deno/bin/insomnia-pod"; [ -x "$bin" ] || bin="$home/.local/bin/insomnia-pod"
  mkdir -p "$home/ws"
  version=$(cd "$home/ws" && HOME="$home" "$bin" --version 2>&1)
  dry=$(cd "$home/ws" && HOME="$home" "$bin" --profile builtin:default --dry-run --json 2>&1)
  if [ "$version" = "$(cd "$repo" && sed -nE 's/^export const VERSION = "([^"]+)".*/\1/p' src/version.ts)" ] && grep -q '"action": "dry_run"' <<<"$dry"; then
    echo "PASS install: $cmd"; passed=$((passed + 1))
  else
    echo "FAIL install: $cmd — the installed insomnia-pod did not answer (version: $version)"; tail -n 5 <<<"$dry"; failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
