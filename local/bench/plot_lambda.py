"""Turns bilheteria-lambda-bench's lambda.jsonl into a chart (PNG) and a Markdown table."""
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

results_path, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
raw = [json.loads(line) for line in results_path.read_text().splitlines() if line.strip()]
shapes = [r["figures"] for r in raw if r["section"] == "reservations"]
reads = [r["figures"] for r in raw if r["section"] == "event_page"]
drain = [r for r in raw if r["section"] == "consumer_drain"]
paced = [r for r in raw if r["section"] == "payment_to_paid"]


def cmds(f):
    c = f.get("commands_per_request")
    return "n/a" if c is None else f"{c:.2f}"


lines = ["| shape | requests/s | p50 ms | p99 ms | 2xx / 304-409 / errors | DB commands per request |", "|---|---:|---:|---:|---|---:|"]
for f in shapes + reads:
    lines.append(
        f"| {f['shape']} | {f['per_second']:.0f} | {f['p50_ms']:.1f} | {f['p99_ms']:.1f} | "
        f"{f['ok']} / {f['refused']} / {f['errors']} | {cmds(f)} |"
    )
for d in drain:
    lines.append("")
    lines.append(
        f"Consumer drain: {d['orders']} paid reservations with {d['lanes']} lanes (batches of {d['batch_size']}, "
        f"{d['batch_window_ms']} ms window, {d['consumer_concurrency']} at once) in {d['seconds']:.2f} s = "
        f"**{d['orders_per_second']:.0f} orders/s** ({d['messages']} messages, {d['batches']} batches)."
    )
for p in paced:
    lines.append("")
    lines.append(
        f"Payment-to-paid at {p['offered_per_second']:.0f} reservations/s offered for {p['offered_seconds']:.1f} s: "
        f"{p['orders']} orders, {p['unpaid']} not paid, p50 {p['p50_ms']:.0f} ms, p90 {p['p90_ms']:.0f} ms, "
        f"**p99 {p['p99_ms']:.0f} ms**, max {p['max_ms']:.0f} ms."
    )
(out_dir / "lambda-table.md").write_text("\n".join(lines) + "\n")

fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
for ax, group, title in ((axes[0], shapes, "POST /orders (reservations)"), (axes[1], reads, "GET /events/{id}")):
    if not group:
        ax.set_visible(False)
        continue
    names = [f["shape"] for f in group]
    bars = ax.barh(names, [f["per_second"] for f in group], color="#3b82f6")
    for bar, f in zip(bars, group):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f"  {f['per_second']:.0f}/s, p99 {f['p99_ms']:.0f} ms", va="center", fontsize=8)
    ax.set_title(title)
    ax.set_xlabel("requests/s (median of rounds), 64 concurrent clients")
    ax.invert_yaxis()
    ax.set_xlim(0, max(f["per_second"] for f in group) * 1.6)
fig.tight_layout()
fig.savefig(out_dir / "lambda.png", dpi=110)
print((out_dir / "lambda-table.md").read_text())
