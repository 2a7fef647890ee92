# shellcheck shell=bash
# Shared helpers for the MongoCluster scripts: settings, mongosh with TLS and credentials,
# bounded waits. Sourced, never run.

MONGO_CLUSTER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Scratch space for generated mongosh scripts, removed when the calling script exits.
MONGO_TMP_DIR="$(mktemp -d)"
trap 'rm -rf "$MONGO_TMP_DIR"' EXIT

log() { printf '%s [%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${SCRIPT_NAME:-mongocluster}" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Loads cluster.env: $MONGO_CLUSTER_ENV, else /etc/mongodb/cluster.env, else ./cluster.env.
load_cluster_env() {
  local candidate
  for candidate in "${MONGO_CLUSTER_ENV:-}" /etc/mongodb/cluster.env "$MONGO_CLUSTER_DIR/cluster.env"; do
    if [[ -n "$candidate" && -r "$candidate" ]]; then
      # A settings file (cluster.env.sample documents it); required variables are checked below.
      # shellcheck source=/dev/null
      source "$candidate"
      CLUSTER_ENV_FILE="$candidate"
      break
    fi
  done
  [[ -n "${CLUSTER_ENV_FILE:-}" ]] || die "no cluster.env found (set MONGO_CLUSTER_ENV, or copy cluster.env.sample to /etc/mongodb/cluster.env)"
  local required=(CONFIG_RS CONFIG_HOSTS SHARD1_RS SHARD1_HOSTS SHARD2_RS SHARD2_HOSTS MONGOS_HOSTS
    CONFIGSVR_PORT SHARD_PORT MONGOS_PORT MONGO_TLS_CA_FILE MONGO_TLS_CERT_KEY_FILE MONGO_KEYFILE
    MONGO_ADMIN_USER MONGO_ADMIN_PASSWORD_FILE MONGO_DATA_ROOT MONGO_LOG_ROOT)
  local var
  for var in "${required[@]}"; do
    [[ -n "${!var:-}" ]] || die "$var is not set in $CLUSTER_ENV_FILE"
  done
  MONGO_TLS_CLIENT_CERT_KEY_FILE="${MONGO_TLS_CLIENT_CERT_KEY_FILE:-}"
  MONGO_APP_USER="${MONGO_APP_USER:-bilheteria}"
  MONGO_APP_PASSWORD_FILE="${MONGO_APP_PASSWORD_FILE:-}"
  MONGO_DATABASE="${MONGO_DATABASE:-bilheteria}"
  WAIT_ATTEMPTS="${WAIT_ATTEMPTS:-90}"
  WAIT_INTERVAL="${WAIT_INTERVAL:-2}"
}

# Reads a secret from a file (first line, trailing newline stripped).
read_secret_file() {
  local file="$1" value
  [[ -r "$file" ]] || die "cannot read secret file $file"
  IFS= read -r value <"$file" || [[ -n "$value" ]] || die "secret file $file is empty"
  [[ -n "$value" ]] || die "secret file $file is empty"
  printf '%s' "$value"
}

# "h1 h2 h3" + port -> "h1:port,h2:port,h3:port"
host_list() {
  local port="$1" out="" host
  shift
  for host in "$@"; do
    out="${out:+$out,}$host:$port"
  done
  printf '%s' "$out"
}

# Exports the cluster admin's credentials to this script's children (mongosh reads them from
# process.env), so the password never appears on a command line.
load_admin_credentials() {
  MONGO_ADMIN_PASSWORD="$(read_secret_file "$MONGO_ADMIN_PASSWORD_FILE")"
  export MONGO_ADMIN_USER MONGO_ADMIN_PASSWORD
}

# Runs mongosh against host:port over TLS with a script file and prints its stdout.
mongo_run() {
  local target="$1" script="$2"
  local args=(--quiet --norc --tls --tlsCAFile "$MONGO_TLS_CA_FILE")
  if [[ -n "$MONGO_TLS_CLIENT_CERT_KEY_FILE" ]]; then
    args+=(--tlsCertificateKeyFile "$MONGO_TLS_CLIENT_CERT_KEY_FILE")
  fi
  mongosh "${args[@]}" "mongodb://$target/admin?directConnection=true&serverSelectionTimeoutMS=3000" --file "$script"
}

# JavaScript prelude for every mongosh script: authenticate as the cluster admin when that user
# exists; otherwise stay unauthenticated (localhost exception, first run only). Sets `authed`.
js_auth_prelude() {
  cat <<'JS'
const adminDb = db.getSiblingDB("admin");
let authed = false;
if (process.env.MONGO_ADMIN_PASSWORD) {
  try {
    adminDb.auth(process.env.MONGO_ADMIN_USER, process.env.MONGO_ADMIN_PASSWORD);
    authed = true;
  } catch (e) {
    // AuthenticationFailed before the first user exists: the localhost exception applies.
    if (e.code !== 18) { throw e; }
  }
}
JS
}

# Polls `hello` on host:port until it answers, at most WAIT_ATTEMPTS times (no auth needed).
wait_for_hello() {
  local target="$1" attempt script="$MONGO_TMP_DIR/hello.js"
  printf 'const h = db.adminCommand({hello: 1}); print(h.ok === 1 ? "up" : "down");\n' >"$script"
  for ((attempt = 1; attempt <= WAIT_ATTEMPTS; attempt++)); do
    if [[ "$(mongo_run "$target" "$script" 2>/dev/null || true)" == "up" ]]; then
      log "$target answers"
      return 0
    fi
    log "waiting for $target ($attempt/$WAIT_ATTEMPTS)"
    sleep "$WAIT_INTERVAL"
  done
  die "$target did not answer after $WAIT_ATTEMPTS attempts"
}

# Polls host:port until its replica set has a writable primary (any member reports one).
wait_for_primary() {
  local target="$1" attempt script="$MONGO_TMP_DIR/primary.js"
  printf 'const h = db.adminCommand({hello: 1}); print(h.primary ? "primary:" + h.primary : "none");\n' >"$script"
  for ((attempt = 1; attempt <= WAIT_ATTEMPTS; attempt++)); do
    local answer
    answer="$(mongo_run "$target" "$script" 2>/dev/null || true)"
    if [[ "$answer" == primary:* ]]; then
      log "replica set of $target has ${answer}"
      return 0
    fi
    log "waiting for a primary via $target ($attempt/$WAIT_ATTEMPTS)"
    sleep "$WAIT_INTERVAL"
  done
  die "no primary seen via $target after $WAIT_ATTEMPTS attempts"
}

# Creates (idempotently) a replica set whose members are "$@" (host names) on port $2, from the
# member this script runs on, then the cluster admin user (localhost exception, first run only).
#   init_replica_set NAME PORT ROLE(configsvr|shardsvr) HOST...
init_replica_set() {
  local rs_name="$1" port="$2" role="$3"
  shift 3
  local hosts=("$@") host
  [[ ${#hosts[@]} -eq 3 ]] || die "replica set $rs_name needs exactly 3 members, got ${#hosts[@]}"
  command -v mongosh >/dev/null || die "mongosh not found (run install-mongodb.sh first)"

  # This script must run on the first member: the localhost exception only works there.
  wait_for_hello "localhost:$port"
  for host in "${hosts[@]}"; do
    wait_for_hello "$host:$port"
  done

  local members="" i=0
  for host in "${hosts[@]}"; do
    members="${members:+$members,}{_id: $i, host: \"$host:$port\"}"
    i=$((i + 1))
  done

  load_admin_credentials
  local script="$MONGO_TMP_DIR/init-$rs_name.js"
  {
    js_auth_prelude
    cat <<JS
const wanted = {_id: "$rs_name", configsvr: $([[ "$role" == configsvr ]] && echo true || echo false), members: [$members]};
const attempts = ${WAIT_ATTEMPTS}, intervalMs = ${WAIT_INTERVAL} * 1000;
let status = null;
try {
  status = rs.status();
} catch (e) {
  if (e.codeName !== "NotYetInitialized") { throw e; }
}
if (status === null) {
  print("initiating replica set $rs_name");
  rs.initiate(wanted);
} else {
  print("replica set " + status.set + " already initiated; members: " +
        status.members.map(m => m.name + "=" + m.stateStr).join(", "));
  if (status.set !== "$rs_name") { throw new Error("this node belongs to " + status.set + ", not $rs_name"); }
}
// Wait (bounded) until this member is primary or sees one.
let hello = null;
for (let n = 0; n < attempts; n++) {
  hello = db.adminCommand({hello: 1});
  if (hello.primary) { break; }
  sleep(intervalMs);
}
if (!hello.primary) { throw new Error("no primary after " + attempts + " polls"); }
print("primary: " + hello.primary);
if (!authed) {
  if (!hello.isWritablePrimary) {
    throw new Error("the admin user is created on the primary; run this script on " + hello.primary);
  }
  adminDb.createUser({user: process.env.MONGO_ADMIN_USER, pwd: process.env.MONGO_ADMIN_PASSWORD,
                      roles: [{role: "root", db: "admin"}]});
  adminDb.auth(process.env.MONGO_ADMIN_USER, process.env.MONGO_ADMIN_PASSWORD);
  print("created admin user " + process.env.MONGO_ADMIN_USER);
} else {
  print("admin user exists");
}
// Reconcile: add configured members missing from the config (e.g. a replaced node).
if (hello.isWritablePrimary) {
  const present = rs.conf().members.map(m => m.host);
  for (const m of wanted.members) {
    if (!present.includes(m.host)) {
      print("adding missing member " + m.host);
      rs.add({host: m.host});
    }
  }
}
print("ok");
JS
  } >"$script"
  mongo_run "localhost:$port" "$script" || die "initialising replica set $rs_name failed"
  wait_for_primary "localhost:$port"
}
