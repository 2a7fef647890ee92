#!/usr/bin/env bash
# Lints template.yaml (AWS SAM) offline, in two passes:
#   1. cfn-lint on template.yaml (SAM resources checked against SAM's schemas, Globals merged);
#   2. the real SAM transform (aws-sam-translator, what `sam build`/CloudFormation run) expands
#      it to plain CloudFormation (local/checks/sam_translate.py), and cfn-lint checks that too,
#      so generated roles, permissions, stages and event-source mappings are linted as well.
# Both tools come from PyPI into the cached venv ${BILHETERIA_CACHE:-$HOME/.cache/bilheteria}/venv
# the first time. A rule may be ignored only in .cfnlintrc, with the reason written next to it.
# Prints PASS/FAIL cfn-lint as the last line; the exit code matches.
set -euo pipefail

name="cfn-lint"
fail() { echo "$name: $*" >&2; echo "FAIL $name"; exit 1; }

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || { echo "FAIL $name"; exit 1; }

template="template.yaml"
[[ -f "$template" ]] || fail "$template not found in $(pwd)"

cache="${BILHETERIA_CACHE:-$HOME/.cache/bilheteria}"
venv="$cache/venv"
py="$venv/bin/python"
cfnlint="$venv/bin/cfn-lint"

if [[ ! -x "$cfnlint" ]] || ! "$py" -c 'import samtranslator' 2>/dev/null; then
  command -v python3 >/dev/null || fail "python3 is required"
  mkdir -p "$cache" || fail "cannot create $cache"
  if [[ ! -x "$py" ]]; then
    python3 -m venv "$venv" >&2 || fail "python3 -m venv failed (on Debian: apt-get install python3-venv)"
  fi
  echo "$name: installing cfn-lint and aws-sam-translator into $venv" >&2
  "$py" -m pip install --quiet --disable-pip-version-check \
    'cfn-lint>=1.20,<2' 'aws-sam-translator>=1.90,<2' >&2 \
    || fail "could not install cfn-lint / aws-sam-translator from PyPI"
fi

expanded="$(mktemp --suffix=.json)"
trap 'rm -f "$expanded"' EXIT

echo "$name: $("$cfnlint" --version), pass 1: $template"
"$cfnlint" -- "$template" || fail "$template has findings (above)"

echo "$name: pass 2: SAM transform of $template"
"$py" local/checks/sam_translate.py "$template" "$expanded" || fail "the SAM transform rejected $template"
"$cfnlint" -- "$expanded" || fail "the transformed template has findings (above)"

echo "$name: no errors or warnings in either pass"
echo "PASS $name"
