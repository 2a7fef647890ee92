#!/usr/bin/env bash
# The benchmark matrix behind docs/benchmarks.md: the reservation path through the local
# router on the real server and broker, a hot sector in 1 bucket vs N buckets, at 64
# concurrent buyers; writes results.jsonl, the chart (PNG, by plot.py) and the Markdown table.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=local/services.sh
source local/services.sh
export RUST_LOG=warn
out="${BENCH_OUT:-docs/bench}"
mkdir -p "$out"
rm -f "$out/results.jsonl"
cargo build --release -p bilheteria-local --bin bilheteria-bench --quiet
requests="${BENCH_REQUESTS:-15000}"
# The consumer runs on other machines in production; here it would share the two cores, so the
# matrix runs without it, and one run shows the cost of having it on the same machine.
# Rounds are interleaved (1, 4, 16 buckets, then again) and the table takes the median, so a
# slow drift of the server (its oplog filling up) does not pass for an effect of the buckets.
for round in 1 2 3; do
  for quantity in 1 4; do
    for buckets in 1 4 16; do
      echo "round $round: $buckets bucket(s), $quantity ticket(s) per order" >&2
      ./target/release/bilheteria-bench --concurrency 64 --requests "$requests" --buckets "$buckets" \
        --quantity "$quantity" --no-consumer --json-out "$out/results.jsonl" >/dev/null
    done
  done
done
./target/release/bilheteria-bench --concurrency 64 --requests "$requests" --buckets 16 --json-out "$out/results.jsonl"
# Open loop: 2,000 reservations/s offered whatever the answers' pace (latency counted from when
# each was due), the issue's target load, on 1 and 16 buckets.
for buckets in 1 16; do
  ./target/release/bilheteria-bench --concurrency 64 --requests "$requests" --buckets "$buckets" --rate 2000 \
    --no-consumer --json-out "$out/results.jsonl"
done
# A sold-out run: more demand than stock, to show 409s stay cheap and nothing is oversold.
./target/release/bilheteria-bench --concurrency 64 --requests "$requests" --buckets 16 --capacity 5000 \
  --no-consumer --json-out "$out/results.jsonl"

venv="${BILHETERIA_CACHE:-$HOME/.cache/bilheteria}/venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import matplotlib' 2>/dev/null || "$venv/bin/pip" install --quiet matplotlib
"$venv/bin/python" local/bench/plot.py "$out/results.jsonl" "$out"
