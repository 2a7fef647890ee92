#!/usr/bin/env bash
# Initiates one shard's replica set (3 members) and creates a shard-local admin user (same
# credentials as the cluster admin) for maintenance done directly on the shard: backups,
# step-downs, resyncs. Run on the FIRST host of that shard after install-mongodb.sh on all
# three. Idempotent.
#
#   ./shard-init.sh shard1|shard2
set -euo pipefail

SCRIPT_NAME="shard-init"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

load_cluster_env
case "${1:-}" in
  shard1) rs_name="$SHARD1_RS"; read -ra hosts <<<"$SHARD1_HOSTS" ;;
  shard2) rs_name="$SHARD2_RS"; read -ra hosts <<<"$SHARD2_HOSTS" ;;
  *) die "usage: $0 shard1|shard2" ;;
esac
SCRIPT_NAME="shard-init:$1"
init_replica_set "$rs_name" "$SHARD_PORT" shardsvr "${hosts[@]}"
log "shard replica set $rs_name ready (add it to the cluster with mongos-init.sh)"
