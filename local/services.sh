#!/usr/bin/env bash
# Brings up what Bilheteria needs when it is not given, and exports where it is:
#   MongoDB-compatible server: $MONGODB_URI if set; else a local `mongod` (one-node replica
#     set); else Docker `mongo:7` (one-node replica set); else SecantusDB's `secantusd-rs`
#     (installed once with cargo and cached in ~/.cargo/bin).
#   RabbitMQ: $AMQP_URL if set; else the local broker on 5672 (started if installed but
#     stopped, installed from Debian's packages if missing and we are root).
# Use: `source local/services.sh` (exports MONGODB_URI and AMQP_URL), or run it to just start them.
set -euo pipefail

BILHETERIA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA_DIR="${BILHETERIA_DATA_DIR:-$BILHETERIA_ROOT/.local-data}"
MONGO_PORT="${BILHETERIA_MONGO_PORT:-27017}"
SECANTUS_VERSION="0.5.3-beta.196"
mkdir -p "$DATA_DIR"

log() { printf '[services] %s\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() {
  local port="$1" what="$2" tries="${3:-120}"
  for ((i = 0; i < tries; i++)); do
    if port_open "$port"; then return 0; fi
    sleep 0.5
  done
  log "$what did not open port $port"
  return 1
}

ensure_secantus_installed() {
  if command -v secantusd-rs >/dev/null 2>&1; then return 0; fi
  if [ -x "$HOME/.cargo/bin/secantusd-rs" ]; then export PATH="$HOME/.cargo/bin:$PATH"; return 0; fi
  if ! command -v cmake >/dev/null 2>&1; then
    log "installing cmake (needed to build secantusd-rs)"
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq cmake >/dev/null; else sudo apt-get install -y cmake; fi
  fi
  log "installing secantusd-rs $SECANTUS_VERSION once (about 5 minutes; cached in ~/.cargo/bin)"
  cargo install secantus-mdb --version "$SECANTUS_VERSION" --ignore-rust-version --quiet
  export PATH="$HOME/.cargo/bin:$PATH"
}

start_mongo() {
  if [ -n "${MONGODB_URI:-}" ]; then log "using MONGODB_URI as given"; return 0; fi
  export MONGODB_URI="mongodb://127.0.0.1:$MONGO_PORT/?directConnection=true"
  if port_open "$MONGO_PORT"; then log "a MongoDB-compatible server already listens on $MONGO_PORT"; return 0; fi
  if command -v mongod >/dev/null 2>&1; then
    log "starting mongod as a one-node replica set"
    mkdir -p "$DATA_DIR/mongod"
    mongod --replSet rs0 --bind_ip 127.0.0.1 --port "$MONGO_PORT" --dbpath "$DATA_DIR/mongod" \
      --fork --logpath "$DATA_DIR/mongod.log" >/dev/null
    wait_for_port "$MONGO_PORT" mongod
    mongosh --quiet --port "$MONGO_PORT" --eval \
      'try { rs.status() } catch (e) { rs.initiate({_id: "rs0", members: [{_id: 0, host: "127.0.0.1:'"$MONGO_PORT"'"}]}) }' >/dev/null
    return 0
  fi
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    log "starting Docker mongo:7 as a one-node replica set"
    docker run -d --rm --name bilheteria-mongo -p "127.0.0.1:$MONGO_PORT:27017" mongo:7 --replSet rs0 --bind_ip_all >/dev/null
    wait_for_port "$MONGO_PORT" "docker mongo"
    for ((i = 0; i < 60; i++)); do
      docker exec bilheteria-mongo mongosh --quiet --eval \
        'try { rs.status().ok } catch (e) { rs.initiate({_id: "rs0", members: [{_id: 0, host: "127.0.0.1:27017"}]}).ok }' >/dev/null 2>&1 && break
      sleep 1
    done
    return 0
  fi
  ensure_secantus_installed
  log "starting secantusd-rs on $MONGO_PORT (data in $DATA_DIR/secantus)"
  # (Not --write-tickets: it trims the p99 under a reservation peak, but with multi-document
  # transactions it deadlocks — writers spinning on a conflict hold the tickets the
  # transaction needs to commit. Seen here; the suite hung.)
  nohup secantusd-rs --port "$MONGO_PORT" --storage-path "$DATA_DIR/secantus" >"$DATA_DIR/secantus.log" 2>&1 &
  wait_for_port "$MONGO_PORT" secantusd-rs
}

start_rabbit() {
  if [ -n "${AMQP_URL:-}" ]; then log "using AMQP_URL as given"; return 0; fi
  export AMQP_URL="amqp://guest:guest@127.0.0.1:5672/%2f"
  if port_open 5672; then log "RabbitMQ already listens on 5672"; return 0; fi
  if ! command -v rabbitmq-server >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
      log "installing rabbitmq-server from Debian's packages"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
    else
      log "RabbitMQ is not installed: install rabbitmq-server or set AMQP_URL"; return 1
    fi
  fi
  log "starting RabbitMQ"
  rabbitmq-server -detached >/dev/null 2>&1 || true
  wait_for_port 5672 RabbitMQ 240
}

start_mongo
start_rabbit
log "MONGODB_URI=$MONGODB_URI"
log "AMQP_URL=${AMQP_URL%%@*}@…"
