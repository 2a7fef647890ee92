#!/usr/bin/env bash
# One command: the whole box office at http://localhost:${PORT:-8000} with demo data.
# Brings up MongoDB and RabbitMQ if needed, builds the site and the local runner, seeds the
# demo events, ensures an admin, and serves the API, the site and /docs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=local/services.sh
source local/services.sh

export MONGODB_DATABASE="${MONGODB_DATABASE:-bilheteria}"
export JWT_SECRET="${JWT_SECRET:-local-development-secret-change-me-0123456789}"
export BILHETERIA_ADMIN_EMAIL="${BILHETERIA_ADMIN_EMAIL:-admin@bilheteria.local}"
export BILHETERIA_ADMIN_PASSWORD="${BILHETERIA_ADMIN_PASSWORD:-admin12345}"
export PORT="${PORT:-8000}"

if command -v npm >/dev/null 2>&1; then
  npm --prefix site ci --no-audit --no-fund --loglevel=error
  npm --prefix site run build --silent
fi
cargo build --release -p bilheteria-local
./target/release/bilheteria-local seed
echo "Bilheteria: http://localhost:$PORT  (admin: $BILHETERIA_ADMIN_EMAIL / $BILHETERIA_ADMIN_PASSWORD, API docs: /docs)"
exec ./target/release/bilheteria-local serve
