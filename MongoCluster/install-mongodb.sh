#!/usr/bin/env bash
# Installs MongoDB 7.0 from MongoDB's apt repository on Debian/Ubuntu and sets this host up for
# one role of the sharded cluster: renders config/<role>.conf into /etc/mongodb, installs the
# systemd unit, checks the keyfile and TLS files, and starts the service. Idempotent.
#
#   sudo ./install-mongodb.sh --role configsvr|shard1|shard2|mongos [--no-start]
#
# Settings come from cluster.env (see cluster.env.sample). MONGODB_VERSION=7.0.x pins a patch
# release (default: the newest 7.0.x), which is then held against unattended upgrades.
set -euo pipefail

SCRIPT_NAME="install-mongodb"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() { sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }

role=""
start=true
while [[ $# -gt 0 ]]; do
  case "$1" in
    --role) role="${2:-}"; shift 2 ;;
    --no-start) start=false; shift ;;
    -h | --help) usage ;;
    *) die "unknown argument: $1" ;;
  esac
done
case "$role" in
  configsvr | shard1 | shard2 | mongos) ;;
  *) usage ;;
esac
[[ $EUID -eq 0 ]] || die "run as root (sudo)"

load_cluster_env

series="7.0"
keyring="/usr/share/keyrings/mongodb-server-${series}.gpg"
sources="/etc/apt/sources.list.d/mongodb-org-${series}.list"

# --- 1. apt repository --------------------------------------------------------------------
# shellcheck source=/dev/null
source /etc/os-release
case "${ID}:${VERSION_CODENAME:-}" in
  ubuntu:focal | ubuntu:jammy | ubuntu:noble)
    repo_line="deb [ arch=amd64,arm64 signed-by=${keyring} ] https://repo.mongodb.org/apt/ubuntu ${VERSION_CODENAME}/mongodb-org/${series} multiverse" ;;
  debian:bullseye | debian:bookworm)
    repo_line="deb [ signed-by=${keyring} ] https://repo.mongodb.org/apt/debian ${VERSION_CODENAME}/mongodb-org/${series} main" ;;
  *) die "unsupported distribution ${ID} ${VERSION_CODENAME:-?} (MongoDB ${series}: Ubuntu 20.04/22.04/24.04, Debian 11/12)" ;;
esac

export DEBIAN_FRONTEND=noninteractive
if [[ ! -s "$keyring" ]] || [[ "$(cat "$sources" 2>/dev/null || true)" != "$repo_line" ]]; then
  log "adding the MongoDB ${series} apt repository for ${ID} ${VERSION_CODENAME}"
  apt-get update -qq
  apt-get install -y -qq gnupg curl ca-certificates gettext-base
  curl -fsSL "https://www.mongodb.org/static/pgp/server-${series}.asc" | gpg --batch --yes --dearmor -o "$keyring"
  chmod 0644 "$keyring"
  printf '%s\n' "$repo_line" >"$sources"
fi

# --- 2. packages ----------------------------------------------------------------------------
packages=(mongodb-org mongodb-org-server mongodb-org-mongos mongodb-org-tools mongodb-mongosh)
if [[ -n "${MONGODB_VERSION:-}" ]]; then
  [[ "$MONGODB_VERSION" == "${series}".* ]] || die "MONGODB_VERSION must be ${series}.x, got $MONGODB_VERSION"
  packages=("mongodb-org=$MONGODB_VERSION" "mongodb-org-server=$MONGODB_VERSION"
    "mongodb-org-mongos=$MONGODB_VERSION" "mongodb-org-database=$MONGODB_VERSION"
    "mongodb-org-tools=$MONGODB_VERSION" mongodb-mongosh)
fi
if ! dpkg-query -W -f='${Status}' mongodb-org 2>/dev/null | grep -q "install ok installed" \
  || [[ -n "${MONGODB_VERSION:-}" && "$(dpkg-query -W -f='${Version}' mongodb-org-server 2>/dev/null || true)" != "$MONGODB_VERSION" ]]; then
  log "installing ${packages[*]}"
  apt-get update -qq
  apt-mark unhold mongodb-org mongodb-org-server mongodb-org-mongos mongodb-org-database >/dev/null 2>&1 || true
  apt-get install -y -qq --allow-downgrades "${packages[@]}" gettext-base
fi
apt-mark hold mongodb-org mongodb-org-server mongodb-org-mongos mongodb-org-database >/dev/null
log "installed: $(mongod --version | head -n 1)"

# The package's single-instance service would compete for the ports and data directory.
if systemctl list-unit-files mongod.service >/dev/null 2>&1; then
  systemctl disable --now mongod.service >/dev/null 2>&1 || true
fi

# --- 3. keyfile and TLS material --------------------------------------------------------------
for file in "$MONGO_KEYFILE" "$MONGO_TLS_CERT_KEY_FILE" "$MONGO_TLS_CA_FILE"; do
  [[ -s "$file" ]] || die "$file is missing: copy the cluster's keyfile, this host's certificate+key PEM and the CA first (README, 'Secrets and certificates')"
done
chown mongodb:mongodb "$MONGO_KEYFILE" "$MONGO_TLS_CERT_KEY_FILE"
chmod 0400 "$MONGO_KEYFILE" "$MONGO_TLS_CERT_KEY_FILE"
chmod 0444 "$MONGO_TLS_CA_FILE"
if command -v openssl >/dev/null; then
  openssl x509 -in "$MONGO_TLS_CERT_KEY_FILE" -noout -checkend 2592000 >/dev/null \
    || log "WARNING: $MONGO_TLS_CERT_KEY_FILE expires within 30 days (or is not a certificate)"
  openssl verify -CAfile "$MONGO_TLS_CA_FILE" "$MONGO_TLS_CERT_KEY_FILE" >/dev/null \
    || die "$MONGO_TLS_CERT_KEY_FILE is not signed by $MONGO_TLS_CA_FILE"
fi

# --- 4. configuration -----------------------------------------------------------------------
install -d -o mongodb -g mongodb -m 0750 "$MONGO_LOG_ROOT" /etc/mongodb
CONFIG_DB="${CONFIG_RS}/$(read -ra h <<<"$CONFIG_HOSTS"; host_list "$CONFIGSVR_PORT" "${h[@]}")"
export MONGO_DATA_ROOT MONGO_LOG_ROOT MONGO_TLS_CERT_KEY_FILE MONGO_TLS_CA_FILE MONGO_KEYFILE \
  CONFIGSVR_PORT SHARD_PORT MONGOS_PORT CONFIG_RS SHARD1_RS SHARD2_RS CONFIG_DB
# envsubst replaces only these (literal on purpose: anything else in the file stays as written).
# shellcheck disable=SC2016
variables='${MONGO_DATA_ROOT} ${MONGO_LOG_ROOT} ${MONGO_TLS_CERT_KEY_FILE} ${MONGO_TLS_CA_FILE} ${MONGO_KEYFILE} ${CONFIGSVR_PORT} ${SHARD_PORT} ${MONGOS_PORT} ${CONFIG_RS} ${SHARD1_RS} ${SHARD2_RS} ${CONFIG_DB}'
rendered="/etc/mongodb/${role}.conf"
envsubst "$variables" <"$MONGO_CLUSTER_DIR/config/${role}.conf" >"$rendered.new"
if grep -n '[$][{]' "$rendered.new"; then
  rm -f "$rendered.new"
  die "unrendered placeholders left in $rendered (above)"
fi
chown root:mongodb "$rendered.new"
chmod 0640 "$rendered.new"
mv "$rendered.new" "$rendered"
log "wrote $rendered"

if [[ "$role" != mongos ]]; then
  install -d -o mongodb -g mongodb -m 0750 "$MONGO_DATA_ROOT/$role"
fi

# Log rotation: mongod/mongos reopen their log on SIGUSR1 (systemLog.logRotate: reopen).
cat >/etc/logrotate.d/mongodb-cluster <<LOGROTATE
${MONGO_LOG_ROOT}/*.log {
    daily
    rotate 14
    compress
    delaycompress
    missingok
    notifempty
    sharedscripts
    postrotate
        /usr/bin/pkill -USR1 -x mongod || true
        /usr/bin/pkill -USR1 -x mongos || true
    endscript
}
LOGROTATE

# --- 5. systemd -----------------------------------------------------------------------------
case "$role" in
  configsvr) unit_file="mongod-configsvr.service"; unit="mongod-configsvr.service" ;;
  shard1 | shard2) unit_file="mongod-shard@.service"; unit="mongod-shard@${role}.service" ;;
  mongos) unit_file="mongos.service"; unit="mongos.service" ;;
esac
install -m 0644 "$MONGO_CLUSTER_DIR/systemd/$unit_file" "/etc/systemd/system/$unit_file"
if [[ "$role" != mongos ]]; then
  install -m 0644 "$MONGO_CLUSTER_DIR/systemd/disable-transparent-hugepages.service" \
    /etc/systemd/system/disable-transparent-hugepages.service
  systemctl daemon-reload
  systemctl enable --now disable-transparent-hugepages.service
else
  systemctl daemon-reload
fi
systemctl enable "$unit"

if [[ "$start" == true ]]; then
  systemctl restart "$unit"
  port="$MONGOS_PORT"
  [[ "$role" == configsvr ]] && port="$CONFIGSVR_PORT"
  [[ "$role" == shard1 || "$role" == shard2 ]] && port="$SHARD_PORT"
  wait_for_hello "localhost:$port"
  log "$unit is up on port $port"
else
  log "$unit enabled, not started (--no-start)"
fi
