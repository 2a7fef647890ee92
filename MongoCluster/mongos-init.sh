#!/usr/bin/env bash
# Registers the shards with the cluster through a mongos router. Run on a mongos host after
# configsvr-init.sh, both shard-init.sh runs, and install-mongodb.sh --role mongos. Waits
# (bounded) for the router, the config servers' primary and each shard's primary, then adds
# every configured shard that listShards does not show yet. Idempotent.
set -euo pipefail

SCRIPT_NAME="mongos-init"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

load_cluster_env
load_admin_credentials
command -v mongosh >/dev/null || die "mongosh not found (run install-mongodb.sh --role mongos first)"

read -ra cfg_members <<<"$CONFIG_HOSTS"
read -ra s1_members <<<"$SHARD1_HOSTS"
read -ra s2_members <<<"$SHARD2_HOSTS"

# Dependencies: a config primary, each shard's primary, then the local router.
wait_for_primary "${cfg_members[0]}:$CONFIGSVR_PORT"
wait_for_primary "${s1_members[0]}:$SHARD_PORT"
wait_for_primary "${s2_members[0]}:$SHARD_PORT"
wait_for_hello "localhost:$MONGOS_PORT"

shard1="$SHARD1_RS/$(host_list "$SHARD_PORT" "${s1_members[@]}")"
shard2="$SHARD2_RS/$(host_list "$SHARD_PORT" "${s2_members[@]}")"

script="$MONGO_TMP_DIR/add-shards.js"
{
  js_auth_prelude
  cat <<JS
if (!authed) { throw new Error("cannot authenticate as " + process.env.MONGO_ADMIN_USER + ": run configsvr-init.sh first"); }
const hello = db.adminCommand({hello: 1});
if (hello.msg !== "isdbgrid") { throw new Error("localhost:${MONGOS_PORT} is not a mongos"); }
const wanted = [
  {name: "${SHARD1_RS}", conn: "${shard1}"},
  {name: "${SHARD2_RS}", conn: "${shard2}"},
];
const existing = db.adminCommand({listShards: 1}).shards.map(s => s._id);
for (const shard of wanted) {
  if (existing.includes(shard.name)) {
    print("shard " + shard.name + " already in the cluster");
    continue;
  }
  print("adding shard " + shard.conn);
  const res = db.adminCommand({addShard: shard.conn, name: shard.name});
  if (res.ok !== 1) { throw new Error("addShard " + shard.name + ": " + tojson(res)); }
}
const shards = db.adminCommand({listShards: 1}).shards;
print("shards: " + shards.map(s => s._id + " (" + s.host + ")").join(", "));
if (shards.length < wanted.length) { throw new Error("expected " + wanted.length + " shards"); }
print("ok");
JS
} >"$script"
mongo_run "localhost:$MONGOS_PORT" "$script" || die "adding the shards failed"
log "cluster has its shards; next: setup-sharding.sh"
