#!/usr/bin/env bash
# Browser tests: builds the site, starts `bilheteria-local serve` on a free port with a fresh
# database and queue (and a 1-minute hold so expiry can be seen), seeds it, and runs the
# playwright-core tests in Debian's chromium (installed from apt when missing).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
: "${MONGODB_URI:?source local/services.sh first}"

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
npm --prefix site ci --no-audit --no-fund --loglevel=error
npm --prefix site run build --silent
# BILHETERIA_LOCAL_BIN: a prebuilt runner (a copy, so a build elsewhere cannot swap it mid-run).
bin="${BILHETERIA_LOCAL_BIN:-./target/debug/bilheteria-local}"
if [ -z "${BILHETERIA_LOCAL_BIN:-}" ]; then cargo build -p bilheteria-local --quiet; fi

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
name="e2e_$(date +%s)_$$"
export MONGODB_DATABASE="$name" ORDERS_QUEUE="$name.orders" PORT="$port" SITE_DIR=site/dist
export JWT_SECRET="e2e-secret-e2e-secret-e2e-secret-0123456789"
export EMAIL_LINK_SECRET="yycpbAwGblq53FwEUTfZq9n5utKAH9fWdQbLexPYN5TiDtRM"
export QUEUE_TOKEN_KEY="e2e-queue-token-key-e2e-queue-token-key-0123"
export PUBLIC_SITE_URL="http://127.0.0.1:$port"
export BILHETERIA_ADMIN_EMAIL="admin@e2e.local" BILHETERIA_ADMIN_PASSWORD="Admin-E2E-Strong-Pass-2026!"
export HOLD_MINUTES=1 MAINTENANCE_EVERY_SECONDS=2 RUST_LOG=warn
# The pages are checked right after each action; the instance's one-second copy of the
# availability (AVAILABILITY_CACHE_MS, 1000 by default) has its own tests (crowd_reads.rs).
export AVAILABILITY_CACHE_MS=0
# The API-made test buyers sign up from addresses of their own (site/tests/e2e/helpers.mjs):
# the per-address sign-up limit stays real for the browser's own requests.
export CLIENT_ADDRESS_HEADER=x-e2e-client-address
"$bin" seed >/dev/null
"$bin" serve >"/tmp/$name.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  sleep 0.2
done

E2E_BASE_URL="http://127.0.0.1:$port" E2E_ADMIN_EMAIL="$BILHETERIA_ADMIN_EMAIL" \
  E2E_ADMIN_PASSWORD="$BILHETERIA_ADMIN_PASSWORD" E2E_HOLD_SECONDS_EXPIRY=1 \
  bash -c 'cd site && if [ -n "${E2E_ONLY:-}" ]; then
    # E2E_ONLY: some test files (paths under site/), for working on one page.
    # shellcheck disable=SC2086
    node --test --test-concurrency=1 --test-timeout=300000 $E2E_ONLY
  else npm run test:e2e; fi' 
