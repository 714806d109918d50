#!/usr/bin/env bash
# CI check for insomnia-pod profiles: fails (exit 1) unless every profile evaluates and validates.
#
#   1. every profile file in PROFILE_DIR (default: the profiles/ folder next to this script),
#      evaluated by path with `insomnia-pod --profile path:FILE --dry-run --json` (writes nothing);
#      a file other profiles there import (`./common.nix`) that makes no profile itself (no
#      mkProfile or extend) is a shared fragment and is skipped;
#   2. every registered profile — builtin, user, and the project's .insomnia/manifest.toml as seen
#      from the current directory — with `insomnia-pod profiles check --all --json --trust` (the
#      job checks its own checkout, so the project is trusted for that run).
#
# Usage: examples/ci-check-profiles.sh [PROFILE_DIR]      (run it from the repository root)
# Environment:
#   INSOMNIA_POD          the executable to run (default: insomnia-pod on PATH; e.g. ./dist/insomnia-pod)
#   CHECK_SECRETS=1       also fail when a secret reference does not resolve (--check-secrets)
#   INSOMNIA_EVAL_TIMEOUT limit per Nix evaluation (default 30s)
# Needs Nix for .nix profiles. Uses jq when installed, else a sed fallback, to read the JSON.
set -uo pipefail

pod=${INSOMNIA_POD:-insomnia-pod}
dir=${1:-"$(dirname "$0")/profiles"}

# Isolated data (Pod store, secrets) so the check never reads or writes a developer's Pods.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export INSOMNIA_DATA_DIR="$work/data"

# json_get KEY: the first string or number value of "KEY" in the JSON document on stdin.
json_get() {
  if command -v jq >/dev/null 2>&1; then
    jq -r --arg k "$1" 'first(.. | objects | select(has($k)) | .[$k]) // empty'
  else
    sed -n -E -e "s/^ *\"$1\": \"(.*)\",?$/\1/p" -e "s/^ *\"$1\": ([0-9]+),?$/\1/p" | head -n 1
  fi
}

status=0
checked=0

echo "== profile files in $dir"
shopt -s nullglob
for file in "$dir"/*.nix "$dir"/*/profile.nix; do
  # A fragment other profiles import (`import ./common.nix`) that makes no profile itself (no
  # mkProfile or extend) is shared settings, not a profile of its own.
  base=$(basename "$file")
  if ! grep -q -E 'mkProfile|extend' "$file" &&
    grep -l -F -e "./$base" "$dir"/*.nix 2>/dev/null | grep -v -x -F -e "$file" | grep -q .; then
    printf 'skip  %s  (a fragment imported by other profiles)\n' "$file"
    continue
  fi
  checked=$((checked + 1))
  if out=$("$pod" --profile "path:$file" --dry-run --json 2>"$work/stderr"); then
    printf 'ok    %s  (Pod name %s)\n' "$file" "$(json_get name <<<"$out")"
  else
    code=$(json_get code <<<"$out")
    message=$(json_get message <<<"$out")
    printf 'FAIL  %s\n      error[%s]: %s\n' "$file" "${code:-?}" "${message:-$(cat "$work/stderr")}"
    status=1
  fi
done
[ "$checked" -gt 0 ] || echo "(no .nix files)"

echo "== registered profiles (profiles check --all)"
# A CI job checks the checkout it runs in: its project's profiles are trusted for this run
# (--trust), which is what the flag is for (a throw-away machine).
flags=(profiles check --all --json --trust)
[ "${CHECK_SECRETS:-}" = 1 ] && flags+=(--check-secrets)
if ! out=$("$pod" "${flags[@]}" 2>"$work/stderr"); then
  status=1
fi
if [ -z "$out" ]; then
  echo "FAIL  insomnia-pod ${flags[*]} printed nothing: $(cat "$work/stderr")"
  status=1
elif command -v jq >/dev/null 2>&1; then
  jq -r '.results[]? | if .ok then "ok    \(.selector)" else "FAIL  \(.selector)\n      error[\(.error.code)]: \(.error.message)" end' <<<"$out"
  jq -r 'if .error then "FAIL  error[\(.error.code)]: \(.error.message)" else "\(.passed) ok, \(.failed) failed" end' <<<"$out"
else
  passed=$(json_get passed <<<"$out")
  failed=$(json_get failed <<<"$out")
  if [ -n "$passed" ]; then
    echo "$passed ok, $failed failed"
  else
    echo "FAIL  error[$(json_get code <<<"$out")]: $(json_get message <<<"$out")"
  fi
fi

if [ "$status" -eq 0 ]; then echo "all profiles ok"; else echo "some profiles failed"; fi
exit "$status"
