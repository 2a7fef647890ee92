"""Turns the benchmark's results.jsonl into a chart (PNG) and a Markdown table."""
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

results_path, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
raw = [json.loads(line) for line in results_path.read_text().splitlines() if line.strip()]

# One row per configuration: the run with the median throughput among its repetitions.
groups = {}
for r in raw:
    key = (r["buckets"], r["quantity"], r["capacity"], r.get("consumer", True), r.get("offered_per_second"))
    groups.setdefault(key, []).append(r)
rows = []
for key, runs in groups.items():
    runs.sort(key=lambda r: r["per_second"])
    median = dict(runs[len(runs) // 2])
    median["runs"] = len(runs)
    median["oversold"] = any(r["oversold"] for r in runs)
    median["errors"] = sum(r["errors"] for r in runs)
    median["p99_each"] = " / ".join(f"{r['p99_ms']:.0f}" for r in runs)
    rows.append(median)
rows.sort(
    key=lambda r: (
        r.get("offered_per_second") is not None,
        r["capacity"] < 1_000_000,
        r.get("consumer", True),
        r["quantity"],
        r["buckets"],
    )
)


def offered(r):
    rate = r.get("offered_per_second")
    return "closed loop" if rate is None else f"{rate:,.0f}/s"


def combined(r):
    share = r.get("combined_share")
    return "—" if share is None else f"{100 * share:.0f}%"



table = [
    "| offered load | buckets | tickets/order | capacity | consumer on the same cores | runs | reservations/s (median) | p50 ms | p99 ms | p99 ms of each run | retries/reservation | combined takes | 201 / 409 / errors | oversold (any run) |",
    "|---|---:|---:|---:|---|---:|---:|---:|---:|---|---:|---:|---|---|",
]
for r in rows:
    table.append(
        f"| {offered(r)} | {r['buckets']} | {r['quantity']} | {r['capacity']:,} | {'yes' if r.get('consumer', True) else 'no'} | {r['runs']} | {r['per_second']:.0f} | {r['p50_ms']:.1f} | "
        f"{r['p99_ms']:.1f} | {r['p99_each']} | {r['retries_per_reservation']:.3f} | {combined(r)} | {r['created']} / {r['conflicts']} / {r['errors']} | "
        f"{'YES' if r['oversold'] else 'no'} |"
    )
(out_dir / "table.md").write_text("\n".join(table) + "\n")

hot = [
    r
    for r in rows
    if r["capacity"] >= 1_000_000 and not r.get("consumer", True) and r.get("offered_per_second") is None
]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
for quantity, color in ((1, "#4f46e5"), (4, "#f59e0b")):
    series = sorted((r for r in hot if r["quantity"] == quantity), key=lambda r: r["buckets"])
    xs = [str(r["buckets"]) for r in series]
    ax1.plot(xs, [r["per_second"] for r in series], marker="o", color=color, label=f"{quantity} ticket(s)/order")
    ax2.plot(xs, [r["p99_ms"] for r in series], marker="o", color=color, label=f"p99, {quantity}/order")
    ax2.plot(xs, [r["p50_ms"] for r in series], marker="x", linestyle="--", color=color, label=f"p50, {quantity}/order")
ax1.set_title("Reservations per second (64 buyers)")
ax1.set_xlabel("inventory buckets per sector")
ax1.set_ylim(bottom=0)
ax1.legend()
ax2.set_title("Latency (ms)")
ax2.set_xlabel("inventory buckets per sector")
ax2.set_ylim(bottom=0)
ax2.legend(fontsize=8)
fig.suptitle("Bilheteria reservation path — local router, real MongoDB-compatible server and RabbitMQ, 2 cores")
fig.tight_layout()
fig.savefig(out_dir / "reservations.png", dpi=110)
print((out_dir / "table.md").read_text())
