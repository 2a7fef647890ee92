#!/usr/bin/env bash
# The real Lambda binaries under cargo-lambda, offline:
#   1. `cargo lambda build --release --arm64 -p orders` (what SAM's rust-cargolambda build runs;
#      Zig from the PyPI `ziglang` package links for aarch64). It needs the Rust target
#      aarch64-unknown-linux-gnu: when it is missing and `rustup target add` cannot fetch it
#      (offline), or the cross build fails, the check builds natively instead and SAYS SO.
#   2. `cargo lambda watch` (the Lambda runtime API emulator) on a free port, with a database
#      and queue of its own, serving every HTTP function at its production paths
#      ([workspace.metadata.lambda.watch.router] in the root Cargo.toml). Through it: an admin
#      (made with `bilheteria-local create-admin`) logs in via the `auth` function, creates an
#      event via `admin-events`, a buyer registers and logs in, then
#      `cargo lambda invoke orders --data-file <fixtures/apigw-v2/reserve-order.json, filled in>`
#      must answer a 201 reservation, and curl must reach `orders` both at
#      /lambda-url/orders/api/v1/orders and at the router path /api/v1/orders/{id}; the `gate`
#      function must publish the run's ticket signing key at /api/v1/gate/keys.
#   3. Stops the watcher.
# cargo-lambda comes from PyPI into the cached venv ${BILHETERIA_CACHE:-$HOME/.cache/bilheteria}/venv.
# Needs MongoDB and RabbitMQ running (MONGODB_URI / AMQP_URL, local defaults otherwise).
# The run's database (cl_<random>) is left behind; its name is printed.
# Prints PASS/FAIL cargo-lambda as the last line; the exit code matches.
set -uo pipefail

name="cargo-lambda"
fail() { echo "$name: $*" >&2; echo "FAIL $name"; exit 1; }
note() { echo "$name: $*"; }

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || { echo "FAIL $name"; exit 1; }
root="$(pwd)"

cache="${BILHETERIA_CACHE:-$HOME/.cache/bilheteria}"
venv="$cache/venv"
py="$venv/bin/python"

command -v cargo >/dev/null || fail "cargo is required"
command -v curl >/dev/null || fail "curl is required"
if [[ ! -x "$venv/bin/cargo-lambda" ]] || ! "$py" -c 'import ziglang' 2>/dev/null; then
  command -v python3 >/dev/null || fail "python3 is required"
  mkdir -p "$cache" || fail "cannot create $cache"
  if [[ ! -x "$py" ]]; then
    python3 -m venv "$venv" >&2 || fail "python3 -m venv failed (on Debian: apt-get install python3-venv)"
  fi
  note "installing cargo-lambda (and ziglang) from PyPI into $venv"
  "$py" -m pip install --quiet --disable-pip-version-check 'cargo-lambda>=1.8,<2' ziglang >&2 \
    || fail "could not install cargo-lambda from PyPI"
fi
# `cargo lambda` finds cargo-lambda, and cargo-lambda finds Zig, on PATH.
export PATH="$venv/bin:$PATH"
note "$(cargo lambda --version 2>/dev/null || cargo-lambda --version 2>/dev/null || echo 'cargo-lambda (version unknown)')"

# ── 1. build ────────────────────────────────────────────────────────────────────────────
arm_target="aarch64-unknown-linux-gnu"
build_mode=""
have_arm_target() { rustup target list --installed 2>/dev/null | grep -qx "$arm_target"; }
if command -v rustup >/dev/null; then
  if ! have_arm_target; then
    note "the Rust target $arm_target is not installed; trying rustup target add (needs the network)"
    timeout 180 rustup target add "$arm_target" >&2 || true
  fi
  if have_arm_target; then
    note "cargo lambda build --release --arm64 -p orders"
    if cargo lambda build --release --arm64 -p orders >&2; then
      build_mode="arm64"
    else
      note "WARNING: the arm64 cross build failed (above); falling back to a native build"
    fi
  else
    note "WARNING: $arm_target cannot be installed (offline?); NOT cross-compiling for arm64 —" \
      "falling back to a native build. Production (Architectures: [arm64]) is not covered by this run."
  fi
else
  note "WARNING: no rustup, so no $arm_target target; falling back to a native build"
fi
if [[ -z "$build_mode" ]]; then
  note "cargo lambda build --release -p orders (native $(uname -m))"
  cargo lambda build --release -p orders >&2 || fail "cargo lambda build --release -p orders failed"
  build_mode="native $(uname -m)"
fi
bootstrap="$root/target/lambda/orders/bootstrap"
[[ -x "$bootstrap" ]] || fail "$bootstrap was not produced"
note "built $bootstrap ($build_mode): $(file -b "$bootstrap" 2>/dev/null | cut -d, -f1-2)"

# ── 2. watch + invoke ───────────────────────────────────────────────────────────────────
grep -qxE '/?target/?' .gitignore || fail "target/ must be in .gitignore, or cargo lambda watch rebuilds forever"
cargo build --quiet -p bilheteria-local >&2 || fail "cargo build -p bilheteria-local failed"
local_bin="$root/target/debug/bilheteria-local"

free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
port="$(free_port)"
run_id="cl_$("$py" -c 'import secrets; print(secrets.token_hex(6))')"
export MONGODB_URI="${MONGODB_URI:-mongodb://127.0.0.1:27017/?directConnection=true}"
export AMQP_URL="${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/%2f}"
export MONGODB_DATABASE="$run_id"
export ORDERS_QUEUE="$run_id.orders"
JWT_SECRET="$("$py" -c 'import secrets; print(secrets.token_hex(32))')"
export JWT_SECRET
EMAIL_LINK_SECRET="$("$py" -c 'import secrets; print(secrets.token_hex(32))')"
export EMAIL_LINK_SECRET
# The waiting room's token key (docs/waiting-room.md): orders checks admission tokens with it.
QUEUE_TOKEN_KEY="$("$py" -c 'import secrets; print(secrets.token_hex(32))')"
export QUEUE_TOKEN_KEY
# The ticket signing key, <kid>:<base64url of a 32-byte Ed25519 seed> (docs/gate.md).
TICKET_SIGNING_KEY="cl1:$("$py" -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("="))')"
export TICKET_SIGNING_KEY
base="http://127.0.0.1:$port"

work="$(mktemp -d)"
watch_pid=""
stop_watch() {
  if [[ -n "$watch_pid" ]] && kill -0 "$watch_pid" 2>/dev/null; then
    # The watcher was started in a session of its own: end it and the functions it spawned.
    kill -TERM -- "-$watch_pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$watch_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$watch_pid" 2>/dev/null
    wait "$watch_pid" 2>/dev/null
  fi
  watch_pid=""
}
cleanup() { stop_watch; rm -rf "$work"; }
trap cleanup EXIT

admin_email="admin-$run_id@example.com"
admin_password="Admin-$run_id-Vitrola"
"$local_bin" create-admin --email "$admin_email" --password "$admin_password" >&2 \
  || fail "bilheteria-local create-admin failed (is MongoDB up at $MONGODB_URI?)"

note "cargo lambda watch on $base (database $MONGODB_DATABASE, left behind; queue $ORDERS_QUEUE)"
# --ignore-changes: other engineers edit this tree while the check runs; a rebuild mid-run
# would only make it slower. The variables reach the functions through --env-var.
setsid cargo lambda watch --ignore-changes -A 127.0.0.1 -P "$port" \
  --env-var "MONGODB_URI=$MONGODB_URI" --env-var "MONGODB_DATABASE=$MONGODB_DATABASE" \
  --env-var "AMQP_URL=$AMQP_URL" --env-var "ORDERS_QUEUE=$ORDERS_QUEUE" \
  --env-var "JWT_SECRET=$JWT_SECRET" --env-var "EMAIL_LINK_SECRET=$EMAIL_LINK_SECRET" --env-var "RUST_LOG=warn" \
  --env-var "TICKET_SIGNING_KEY=$TICKET_SIGNING_KEY" --env-var "QUEUE_TOKEN_KEY=$QUEUE_TOKEN_KEY" \
  --env-var "PAYMENT_PROVIDER=test" \
  >"$work/watch.log" 2>&1 &
watch_pid=$!
for _ in $(seq 1 300); do
  # Any HTTP answer means the emulator listens (the function itself compiles on first use).
  code="$(curl -s -o /dev/null -w '%{http_code}' "$base/" 2>/dev/null)"
  [[ "$code" != 000 ]] && break
  kill -0 "$watch_pid" 2>/dev/null || { cat "$work/watch.log" >&2; fail "cargo lambda watch exited"; }
  sleep 0.2
done
[[ "$code" != 000 ]] || { tail -30 "$work/watch.log" >&2; fail "cargo lambda watch did not listen on $base"; }

jget() { "$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }
call() { # METHOD URL TOKEN BODY OUT -> prints the status. The first call of a function
  # compiles it, hence the long timeout.
  local auth=()
  [[ -n "$3" ]] && auth=(-H "Authorization: Bearer $3")
  curl -sS -m 600 -o "$5" -w '%{http_code}' -X "$1" "$2" "${auth[@]}" -H 'content-type: application/json' \
    ${4:+--data "$4"}
}
expect() { # WANT GOT WHAT OUT
  [[ "$2" == "$1" ]] || { echo "--- watch log:" >&2; tail -40 "$work/watch.log" >&2; fail "$3: HTTP $2, wanted $1: $(head -c 600 "$4")"; }
  note "$3: HTTP $2"
}

got="$(call POST "$base/api/v1/auth/login" "" "{\"email\":\"$admin_email\",\"password\":\"$admin_password\"}" "$work/admin.json")"
expect 200 "$got" "auth (router POST /api/v1/auth/login, admin)" "$work/admin.json"
admin_token="$(jget "$work/admin.json" 'd["access_token"]')"

starts_at="$("$py" -c 'import datetime; print((datetime.datetime.now(datetime.timezone.utc)+datetime.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"))')"
event='{"name":"Cargo Lambda Night","venue":"Local Arena","starts_at":"'"$starts_at"'","sectors":[{"name":"Pista","price_cents":10000,"capacity":50}]}'
got="$(call POST "$base/api/v1/admin/events" "$admin_token" "$event" "$work/event.json")"
expect 201 "$got" "admin-events (router POST /api/v1/admin/events)" "$work/event.json"
event_id="$(jget "$work/event.json" 'd["id"]')"

buyer_email="buyer-$run_id@example.com"
buyer_password="Buyer-$run_id-Girassol"
got="$(call POST "$base/api/v1/auth/register" "" "{\"name\":\"Buyer\",\"email\":\"$buyer_email\",\"password\":\"$buyer_password\",\"cpf\":\"529.982.247-25\"}" "$work/reg.json")"
expect 201 "$got" "auth (router POST /api/v1/auth/register)" "$work/reg.json"
got="$(call POST "$base/api/v1/auth/login" "" "{\"email\":\"$buyer_email\",\"password\":\"$buyer_password\"}" "$work/buyer.json")"
expect 200 "$got" "auth (router POST /api/v1/auth/login, buyer)" "$work/buyer.json"
buyer_token="$(jget "$work/buyer.json" 'd["access_token"]')"

# The shipped API Gateway v2 fixture, with the token and the event filled in.
sed -e "s/REPLACE_WITH_TOKEN/$buyer_token/" -e "s/REPLACE_WITH_EVENT_ID/$event_id/" \
  -e "s/fixture-reserve-0001/$run_id/" fixtures/apigw-v2/reserve-order.json >"$work/reserve.json"
note "cargo lambda invoke orders --data-file (fixtures/apigw-v2/reserve-order.json, filled in)"
cargo lambda invoke orders -A 127.0.0.1 -P "$port" --data-file "$work/reserve.json" --output-format json \
  >"$work/invoke.json" 2>"$work/invoke.err" || {
  cat "$work/invoke.err" >&2
  tail -40 "$work/watch.log" >&2
  fail "cargo lambda invoke orders failed"
}
status="$(jget "$work/invoke.json" 'd.get("statusCode")' 2>/dev/null)"
order_status="$(jget "$work/invoke.json" '__import__("json").loads(d["body"])["status"]' 2>/dev/null)"
[[ "$status" == 201 && "$order_status" == reserved ]] \
  || fail "invoke orders: wanted a 201 reservation, got: $(head -c 800 "$work/invoke.json")"
order_id="$(jget "$work/invoke.json" '__import__("json").loads(d["body"])["id"]')"
note "invoke orders: statusCode 201, order $order_id reserved"

got="$(call GET "$base/lambda-url/orders/api/v1/orders" "$buyer_token" "" "$work/list.json")"
expect 200 "$got" "orders (function URL GET /lambda-url/orders/api/v1/orders)" "$work/list.json"
[[ "$(jget "$work/list.json" 'len(d)')" == 1 ]] || fail "the buyer should have 1 order: $(head -c 600 "$work/list.json")"
got="$(call GET "$base/api/v1/orders/$order_id" "$buyer_token" "" "$work/order.json")"
expect 200 "$got" "orders (router GET /api/v1/orders/{id})" "$work/order.json"
got="$(call GET "$base/api/v1/events/$event_id" "" "" "$work/ev.json")"
expect 200 "$got" "events (router GET /api/v1/events/{id})" "$work/ev.json"
[[ "$(jget "$work/ev.json" 'd["sectors"][0]["available"]')" == 49 ]] || fail "the reservation did not take a seat"
got="$(call GET "$base/api/v1/admin/dashboard" "$admin_token" "" "$work/dash.json")"
expect 200 "$got" "dashboard (router GET /api/v1/admin/dashboard)" "$work/dash.json"
got="$(call GET "$base/api/v1/gate/keys" "" "" "$work/keys.json")"
expect 200 "$got" "gate (router GET /api/v1/gate/keys)" "$work/keys.json"
[[ "$(jget "$work/keys.json" '[k["kid"] for k in d["keys"] if k["signing"]]')" == "['cl1']" ]] \
  || fail "the gate should publish the signing key cl1: $(head -c 600 "$work/keys.json")"

# ── 3. stop ─────────────────────────────────────────────────────────────────────────────
stop_watch
note "watcher stopped; built $build_mode"
echo "PASS $name"
