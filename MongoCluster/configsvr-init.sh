#!/usr/bin/env bash
# Initiates the config server replica set (3 members, configsvr: true) and creates the cluster
# admin user. Run on the FIRST config host (the localhost exception is needed on the first run)
# after install-mongodb.sh --role configsvr on all three. Idempotent: an initiated set is left
# as is (missing members are added), an existing admin user is reused.
#
# The admin user created here lives in the config servers' admin database, which is the one
# mongos authenticates against: it is the cluster's administrator.
set -euo pipefail

SCRIPT_NAME="configsvr-init"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

load_cluster_env
read -ra hosts <<<"$CONFIG_HOSTS"
init_replica_set "$CONFIG_RS" "$CONFIGSVR_PORT" configsvr "${hosts[@]}"
log "config server replica set $CONFIG_RS ready"
