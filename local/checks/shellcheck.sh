#!/usr/bin/env bash
# Runs shellcheck on every *.sh in the repository: tracked files plus untracked files git does
# not ignore, excluding node_modules. Sourced files are followed (-x), so the MongoCluster
# helpers are checked in context. Installs shellcheck with apt when it is missing.
# Prints PASS/FAIL shellcheck as the last line; the exit code matches.
set -euo pipefail

name="shellcheck"
fail() { echo "$name: $*" >&2; echo "FAIL $name"; exit 1; }

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || { echo "FAIL $name"; exit 1; }

if ! command -v shellcheck >/dev/null; then
  command -v apt-get >/dev/null || fail "shellcheck is missing and apt-get is not available"
  [[ $EUID -eq 0 ]] || fail "shellcheck is missing; install it (apt-get install shellcheck) or run as root"
  echo "$name: installing shellcheck with apt" >&2
  { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >&2 \
    || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >&2; }; } \
    || fail "could not install shellcheck"
fi

files=()
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  while IFS= read -r -d '' file; do
    [[ -f "$file" ]] && files+=("$file")
  done < <(git ls-files -z --cached --others --exclude-standard -- '*.sh' ':!:**/node_modules/**' | sort -zu)
else
  while IFS= read -r -d '' file; do
    files+=("$file")
  done < <(find . -name node_modules -prune -o -name target -prune -o -name '*.sh' -type f -print0 | sort -z)
fi

echo "$name: $(shellcheck --version | sed -n 's/^version: //p'), ${#files[@]} script(s)"
if [[ ${#files[@]} -eq 0 ]]; then
  echo "$name: no shell scripts found"
  echo "PASS $name"
  exit 0
fi
printf '  %s\n' "${files[@]}"
if shellcheck -x "${files[@]}"; then
  echo "PASS $name"
else
  fail "findings above"
fi
