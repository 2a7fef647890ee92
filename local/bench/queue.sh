#!/usr/bin/env bash
# The waiting-room benchmark behind docs/benchmarks.md ("The waiting room"): 100,000
# simulated buyers join an on-sale over 60 s, poll the status through simulated CloudFront
# edges and buy when admitted (bilheteria-queue-bench); writes docs/bench/queue.jsonl,
# queue.txt, the per-second timeline and the chart. Extra arguments go to the bench.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=local/services.sh
source local/services.sh
export RUST_LOG="${RUST_LOG:-warn}"
out="${BENCH_OUT:-docs/bench}"
mkdir -p "$out"
rm -f "$out/queue.jsonl"
cargo build --release --quiet -p bilheteria-local --bin bilheteria-queue-bench
./target/release/bilheteria-queue-bench --json-out "$out/queue.jsonl" --timeline-out "$out/queue-timeline.csv" "$@" \
  | tee "$out/queue.txt"

venv="${BILHETERIA_CACHE:-$HOME/.cache/bilheteria}/venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import matplotlib' 2>/dev/null || "$venv/bin/pip" install --quiet matplotlib
"$venv/bin/python" local/bench/plot_queue.py "$out/queue.jsonl" "$out/queue-timeline.csv" "$out/queue.png"
