#!/usr/bin/env bash
# One command: the whole box office at http://localhost:${PORT:-8000} with demo data.
# Brings up MongoDB and RabbitMQ if needed, builds the site and the local runner, seeds the
# demo events, ensures an admin, and serves the API, the site and /docs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=local/services.sh
source local/services.sh

export MONGODB_DATABASE="${MONGODB_DATABASE:-bilheteria}"
# Secrets of this machine's own, made once and kept in .local-data (never the repository's).
secrets=.local-data/dev-secrets.env
if [ ! -f "$secrets" ]; then
  mkdir -p .local-data
  {
    echo "JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    echo "EMAIL_LINK_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    echo "QUEUE_TOKEN_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    echo "ADMIN_PASSWORD=Admin-$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  } >"$secrets"
  chmod 600 "$secrets"
fi
# The waiting room's token key came after the others: a file made before it gets one now.
if ! grep -q '^QUEUE_TOKEN_KEY=' "$secrets"; then
  echo "QUEUE_TOKEN_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" >>"$secrets"
fi
# shellcheck disable=SC1090
source "$secrets"
export JWT_SECRET="${JWT_SECRET}" EMAIL_LINK_SECRET="${EMAIL_LINK_SECRET}" QUEUE_TOKEN_KEY="${QUEUE_TOKEN_KEY}"
export BILHETERIA_ADMIN_EMAIL="${BILHETERIA_ADMIN_EMAIL:-admin@bilheteria.local}"
export BILHETERIA_ADMIN_PASSWORD="${BILHETERIA_ADMIN_PASSWORD:-$ADMIN_PASSWORD}"
export PORT="${PORT:-8000}"
export PUBLIC_SITE_URL="${PUBLIC_SITE_URL:-http://localhost:$PORT}"

if command -v npm >/dev/null 2>&1; then
  npm --prefix site ci --no-audit --no-fund --loglevel=error
  npm --prefix site run build --silent
fi
cargo build --release -p bilheteria-local
./target/release/bilheteria-local seed
echo "Bilheteria: http://localhost:$PORT  (admin: $BILHETERIA_ADMIN_EMAIL / $BILHETERIA_ADMIN_PASSWORD, API docs: /docs)"
exec ./target/release/bilheteria-local serve
