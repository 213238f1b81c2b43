#!/usr/bin/env python3
"""Compares two Google Benchmark JSON outputs (--benchmark_out=FILE --benchmark_out_format=json).

For every benchmark in both files it prints the throughput (bytes/s, else items/s) or, when
neither is reported, the real time, the ratio new/old, and flags changes beyond the threshold.
Always exits 0: figures from a noisy machine inform, they do not gate.

    bench/compare.py old.json new.json [--threshold 10]
"""

import argparse
import json
import sys

TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def load(path):
    """name -> (metric, value), averaging repeated runs of the same name."""
    with open(path, encoding="utf-8") as f:
        runs = json.load(f).get("benchmarks", [])
    sums = {}
    for run in runs:
        if run.get("error_occurred"):
            continue
        if "bytes_per_second" in run:
            metric, value = "bytes/s", run["bytes_per_second"]
        elif "items_per_second" in run:
            metric, value = "items/s", run["items_per_second"]
        else:
            metric = "real time"
            value = run["real_time"] * TO_NS.get(run.get("time_unit", "ns"), 1.0)
        total, count, _ = sums.get(run["name"], (0.0, 0, metric))
        sums[run["name"]] = (total + value, count + 1, metric)
    return {name: (metric, total / count) for name, (total, count, metric) in sums.items()}


def human(metric, value):
    if metric == "real time":
        for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
            if value >= scale:
                return f"{value / scale:.3g} {unit}"
        return f"{value:.3g} ns"
    for prefix, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= scale:
            return f"{value / scale:.3g} {prefix}{metric}"
    return f"{value:.3g} {metric}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", help="baseline JSON output")
    parser.add_argument("new", help="JSON output to compare with the baseline")
    parser.add_argument("--threshold", type=float, default=10.0,
                        help="flag changes beyond this many percent (default 10)")
    args = parser.parse_args()

    old, new = load(args.old), load(args.new)
    rows = []
    for name in list(old) + [n for n in new if n not in old]:
        if name not in old or name not in new:
            rows.append((name, human(*old[name]) if name in old else "-",
                         human(*new[name]) if name in new else "-", "", "only in one run"))
            continue
        (metric, before), (new_metric, after) = old[name], new[name]
        if metric != new_metric or before <= 0 or after <= 0:
            rows.append((name, human(metric, before), human(new_metric, after), "",
                         "not comparable"))
            continue
        ratio = after / before
        # Throughput: higher is better; time: lower is better.
        better = ratio > 1 if metric != "real time" else ratio < 1
        flag = ""
        if abs(ratio - 1) * 100 > args.threshold:
            flag = "FASTER" if better else "SLOWER"
        rows.append((name, human(metric, before), human(metric, after), f"{ratio:.2f}", flag))

    header = ("benchmark", "old", "new", "new/old", "")
    widths = [max(len(row[i]) for row in rows + [header]) for i in range(len(header))]
    for row in [header] + rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    flagged = sum(1 for row in rows if row[4] in ("FASTER", "SLOWER"))
    print(f"\n{flagged} of {len(rows)} benchmarks changed by more than {args.threshold:g} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
