"""Draws bilheteria-queue-bench's per-second timeline: people in the queue, the serving
counter against the rate the admin set, and the stock on sale, with the opening and the
moment the stock ran out."""
import csv
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

summary_path, timeline_path, png_path = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
summary = [json.loads(line) for line in summary_path.read_text().splitlines() if line.strip()][-1]
rows = list(csv.DictReader(timeline_path.open()))
t = [float(r["t_s"]) for r in rows]
length = [int(r["length"]) for r in rows]
serving = [int(r["serving"]) for r in rows]
available = [int(r["available"]) for r in rows]

opens = summary["opens_after"]
rate = summary["set_per_second"]
sold_out = summary["sold_out_at_s"]

fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
top.plot(t, length, label="places given (queue length)")
top.set_ylabel("buyers")
top.axvline(opens, color="grey", linestyle="--", label="opening (the draw)")
if sold_out > 0:
    top.axvline(sold_out, color="red", linestyle=":", label="stock ran out")
top.legend(loc="upper left")
top.set_title(
    f"{summary['buyers']:,} buyers over {summary['join_seconds']} s; join p99 {summary['join_p99_ms']:.0f} ms, "
    f"status p99 {summary['status_p99_ms']:.0f} ms"
)

bottom.plot(t, serving, label="admitted (serving counter)")
ideal = [max(0.0, (x - opens) * rate) for x in t]
bottom.plot(t, ideal, color="grey", linestyle="--", label=f"set rate ({rate:.0f}/s)")
bottom.set_ylabel("buyers admitted")
stock_axis = bottom.twinx()
stock_axis.plot(t, available, color="green", alpha=0.6, label="tickets on sale")
stock_axis.set_ylabel("tickets on sale")
if sold_out > 0:
    bottom.axvline(sold_out, color="red", linestyle=":")
bottom.set_xlabel("seconds since the bench started")
lines = bottom.get_legend_handles_labels()
stock_lines = stock_axis.get_legend_handles_labels()
bottom.legend(lines[0] + stock_lines[0], lines[1] + stock_lines[1], loc="upper left")
bottom.set_title(
    f"admitted {summary['admitted_per_second']:.0f}/s against {rate:.0f}/s set; "
    f"{summary['share_found'] * 100:.0f}% of admitted found stock; all waiting told "
    f"{summary['told_all_s']:.1f} s after it ran out"
)
fig.tight_layout()
fig.savefig(png_path, dpi=110)
