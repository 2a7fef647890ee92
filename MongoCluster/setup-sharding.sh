#!/usr/bin/env bash
# Prepares the application database on the sharded cluster, through a mongos. Run once after
# mongos-init.sh (on a mongos host); idempotent, so also after every upgrade that adds indexes.
#
#   - sh.enableSharding(<MONGO_DATABASE>)
#   - shards orders by {user_id: "hashed"} and inventory by {_id: "hashed"} (a hot event's
#     buckets spread over the shards); a collection already sharded is left alone
#   - users stays UNSHARDED, on the database's primary shard: its unique indexes on email and cpf cannot
#     be enforced on a collection sharded by hashed _id (MongoDB enforces uniqueness across
#     shards only for indexes prefixed by the shard key, and never for a hashed key), and the
#     application relies on that index. README.md, "Why users is not sharded".
#   - creates the indexes the application relies on, with the names and options the
#     application itself uses at cold start (shared/src/adapters/mongo/indexes.rs), so both
#     sides agree and neither fails with IndexOptionsConflict
#   - creates (or updates the password and roles of) the application user: readWrite on the
#     database, password from MONGO_APP_PASSWORD_FILE
set -euo pipefail

SCRIPT_NAME="setup-sharding"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

load_cluster_env
load_admin_credentials
[[ -n "$MONGO_APP_PASSWORD_FILE" ]] || die "MONGO_APP_PASSWORD_FILE is not set in $CLUSTER_ENV_FILE"
MONGO_APP_PASSWORD="$(read_secret_file "$MONGO_APP_PASSWORD_FILE")"
export MONGO_APP_USER MONGO_APP_PASSWORD MONGO_DATABASE
command -v mongosh >/dev/null || die "mongosh not found (run install-mongodb.sh --role mongos first)"

target="${MONGOS_TARGET:-localhost:$MONGOS_PORT}"
wait_for_hello "$target"

script="$MONGO_TMP_DIR/setup-sharding.js"
{
  js_auth_prelude
  cat <<'JS'
if (!authed) { throw new Error("cannot authenticate as " + process.env.MONGO_ADMIN_USER); }
if (db.adminCommand({hello: 1}).msg !== "isdbgrid") { throw new Error("not connected to a mongos"); }
const shardCount = db.adminCommand({listShards: 1}).shards.length;
if (shardCount < 1) { throw new Error("the cluster has no shards: run mongos-init.sh first"); }

const dbName = process.env.MONGO_DATABASE;
const appDb = db.getSiblingDB(dbName);
const configDb = db.getSiblingDB("config");

const res = db.adminCommand({enableSharding: dbName});
if (res.ok !== 1) { throw new Error("enableSharding: " + tojson(res)); }
print("database " + dbName + ": sharding enabled (primary shard " +
      configDb.databases.findOne({_id: dbName}).primary + ")");

function shardCollection(name, key) {
  const ns = dbName + "." + name;
  const meta = configDb.collections.findOne({_id: ns});
  if (meta && !meta.dropped) {
    if (JSON.stringify(meta.key) !== JSON.stringify(key)) {
      print("WARNING: " + ns + " is sharded by " + tojson(meta.key) + ", not " + tojson(key) +
            " (use reshardCollection deliberately; nothing changed)");
    } else {
      print(ns + " already sharded by " + tojson(key));
    }
    return;
  }
  // A collection that already holds documents needs the shard key's index first.
  if (appDb.getCollection(name).estimatedDocumentCount() > 0) {
    appDb.getCollection(name).createIndex(key);
  }
  const out = db.adminCommand({shardCollection: ns, key: key});
  if (out.ok !== 1) { throw new Error("shardCollection " + ns + ": " + tojson(out)); }
  print(ns + " sharded by " + tojson(key));
}

shardCollection("orders", {user_id: "hashed"});
shardCollection("inventory", {_id: "hashed"});
print(dbName + ".users stays unsharded (unique email index; see README)");

// The application's indexes: same keys, same default names, same options as indexes.rs.
const plan = [
  ["users", {email: 1}, {unique: true}],
  ["users", {cpf: 1}, {unique: true, sparse: true}],
  ["refresh_tokens", {expires_at: 1}, {expireAfterSeconds: 0}],
  ["refresh_tokens", {family: 1}, {}],
  ["refresh_tokens", {user_id: 1}, {}],
  ["revocations", {keep_until: 1}, {expireAfterSeconds: 0}],
  ["revocations", {at: 1}, {}],
  ["attempts", {forget_at: 1}, {expireAfterSeconds: 0}],
  ["events", {status: 1, starts_at: 1}, {}],
  ["inventory", {event_id: 1, sector_id: 1, lot: 1}, {}],
  ["orders", {user_id: 1, created_at: -1}, {}],
  ["orders", {event_id: 1, status: 1}, {}],
  ["orders", {status: 1, expires_at: 1}, {}],
  ["orders", {paid_at: 1}, {sparse: true}],
  ["tickets", {order_id: 1}, {}],
  // The gate (docs/gate.md): a code is one ticket's; tickets stay unsharded so this unique
  // index needs no shard-key prefix (60,000 tickets an event are small next to the orders).
  ["tickets", {code: 1}, {unique: true}],
  ["tickets", {previous_codes: 1}, {}],
  ["tickets", {user_id: 1}, {}],
  ["tickets", {event_id: 1, changed_at: 1, _id: 1}, {}],
  ["gate_conflicts", {event_id: 1, "second.at": -1}, {}],
  ["audit_log", {at: -1}, {}],
  ["idempotency", {created_at: 1}, {expireAfterSeconds: 86400}],
];
for (const [coll, keys, options] of plan) {
  try {
    const name = appDb.getCollection(coll).createIndex(keys, options);
    print("index " + coll + "." + name + " " + tojson(keys) + " " + tojson(options));
  } catch (e) {
    if (e.codeName === "IndexOptionsConflict" || e.codeName === "IndexKeySpecsConflict") {
      throw new Error(coll + " has an index on " + tojson(keys) + " with other options; " +
                      "fix it by hand (collMod for a TTL, else drop and re-run): " + e.message);
    }
    throw e;
  }
}

// The application user: created once; later runs re-apply its password (rotation) and roles.
const appUser = process.env.MONGO_APP_USER;
const roles = [{role: "readWrite", db: dbName}];
const adminDb2 = db.getSiblingDB("admin");
if (adminDb2.getUser(appUser) === null) {
  adminDb2.createUser({user: appUser, pwd: process.env.MONGO_APP_PASSWORD, roles: roles});
  print("created application user " + appUser);
} else {
  adminDb2.updateUser(appUser, {pwd: process.env.MONGO_APP_PASSWORD, roles: roles});
  print("application user " + appUser + " exists; password and roles re-applied");
}

// Summary: where the data is.
for (const name of ["orders", "inventory"]) {
  const ns = dbName + "." + name;
  const dist = db.getSiblingDB("admin").aggregate([
    {$shardedDataDistribution: {}}, {$match: {ns: ns}}]).toArray();
  const shards = dist.length ? dist[0].shards.map(s => s.shardName + ": " + s.numOwnedDocuments + " docs").join(", ") : "no data yet";
  print(ns + " -> " + shards);
}
print("ok");
JS
} >"$script"
mongo_run "$target" "$script" || die "setting up the database failed"
log "database $MONGO_DATABASE ready; application URI: mongodb://$MONGO_APP_USER:<password>@$(read -ra m <<<"$MONGOS_HOSTS"; host_list "$MONGOS_PORT" "${m[@]}")/$MONGO_DATABASE?tls=true&authSource=admin"
