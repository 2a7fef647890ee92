#!/usr/bin/env bash
# The Lambda-shaped benchmark behind docs/benchmarks.md ("Lambda's shapes") and
# docs/capacity.md: the real release binaries of `orders` and `processing` served by a Lambda
# Runtime API emulator, side by side with the local router, on the real server and broker;
# writes docs/bench/lambda.jsonl, the chart and the Markdown table. Extra arguments go to
# bilheteria-lambda-bench (e.g. --only reads --rounds 1).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=local/services.sh
source local/services.sh
export RUST_LOG="${RUST_LOG:-warn}"
out="${BENCH_OUT:-docs/bench}"
mkdir -p "$out"
rm -f "$out/lambda.jsonl"
cargo build --release --quiet -p orders -p processing
cargo build --release --quiet -p bilheteria-local --bin bilheteria-lambda-bench
# Payment-to-paid first at a pace this machine sustains beside everything else, then at the
# issue's 2,000/s (which it does not: docs/benchmarks.md says why).
./target/release/bilheteria-lambda-bench --offered 150,2000 --json-out "$out/lambda.jsonl" "$@" | tee "$out/lambda.txt"

venv="${BILHETERIA_CACHE:-$HOME/.cache/bilheteria}/venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import matplotlib' 2>/dev/null || "$venv/bin/pip" install --quiet matplotlib
"$venv/bin/python" local/bench/plot_lambda.py "$out/lambda.jsonl" "$out"
