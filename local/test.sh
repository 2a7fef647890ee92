#!/usr/bin/env bash
# The whole test suite, as CI runs it: brings up the services, runs every Rust test (unit,
# handler, integration, concurrency, fault), every check (OpenAPI, SAM template, shell
# scripts, compose file, cargo lambda, schemathesis), the browser tests and the site's unit tests, then prints one
# closing line "suite: N passed, M failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# A build on a full disk dies mid-way with "No space left on device"; say so up front. The
# whole suite from scratch needs about 6 GB (debug build and tests ~3 GB, the release
# cargo-lambda build ~1.5 GB, the database and caches the rest).
free_mb="$(df -Pm . | awk 'NR == 2 {print $4}')"
echo "[test] ${free_mb:-?} MB free on $(df -P . | awk 'NR == 2 {print $6}')"
if [ -n "$free_mb" ] && [ "$free_mb" -lt 6000 ]; then
  echo "[test] WARNING: under 6 GB free; the build may run out of disk (cargo clean in other checkouts frees space)"
fi
# shellcheck source=local/services.sh
source local/services.sh || { echo "suite: 0 passed, 1 failed"; exit 1; }
set +e
export TEST_MONGODB_URI="$MONGODB_URI" TEST_AMQP_URL="$AMQP_URL"
# The e-mail tests deliver over SMTP to a real server (aiosmtpd, from PyPI) they start on a
# free port: installed once into the suite's cached venv, which schemathesis shares.
venv="${BILHETERIA_CACHE:-$HOME/.cache/bilheteria}/venv"
if ! "$venv/bin/python" -c 'import aiosmtpd' 2>/dev/null; then
  echo "[test] installing aiosmtpd (the e-mail tests' SMTP server) into $venv"
  { [ -x "$venv/bin/python" ] || python3 -m venv "$venv"; } &&
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'aiosmtpd>=1.4,<2' ||
    echo "[test] WARNING: aiosmtpd could not be installed; the SMTP tests will fail and say so"
fi
export SMTP_TEST_PYTHON="$venv/bin/python"
export RUST_LOG="${RUST_LOG:-warn}"

passed=0
failed=0
failures=()
step() {
  local name="$1"
  shift
  printf '\n===== %s =====\n' "$name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$name")
  fi
}

step "cargo build (all targets)" cargo build --workspace --all-targets --quiet
step "cargo test" cargo test --workspace --no-fail-fast
for check in local/checks/*.sh; do
  step "$(basename "$check" .sh)" bash "$check"
done
step "browser tests" bash local/e2e.sh
# The site's own unit tests (no server): the gate's signed-ticket reader and offline decision,
# the cross-language vector fixtures/gate/ticket-vector.json (after the browser tests, whose
# build they also check: the vendored jsQR module).
step "site unit tests" bash -c 'cd site && { [ -d node_modules/@noble/ed25519 ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run --silent test:unit'

printf '\n'
for f in "${failures[@]}"; do printf 'FAILED: %s\n' "$f"; done
echo "suite: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
