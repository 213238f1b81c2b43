#!/usr/bin/env python3
"""Prints the Markdown result matrix of docs/peers.md from `pop3-conform check --json` reports.

    ci/peer-matrix.py NAME=REPORT.json [NAME=REPORT.json ...]

One row per check that is not `pass` on every server, then the totals per server.
"""
import json
import sys


def main():
    if len(sys.argv) < 2 or any("=" not in arg for arg in sys.argv[1:]):
        sys.exit(__doc__)
    names, reports = [], []
    for arg in sys.argv[1:]:
        name, path = arg.split("=", 1)
        names.append(name)
        with open(path) as f:
            reports.append({c["id"]: c for c in json.load(f)["checks"]})
    ids = list(reports[0])
    print("| check | level | " + " | ".join(names) + " |")
    print("| --- | --- | " + " | ".join("---" for _ in names) + " |")
    for check_id in ids:
        verdicts = [r.get(check_id, {}).get("verdict", "—") for r in reports]
        if all(v == "pass" for v in verdicts):
            continue
        level = reports[0][check_id]["level"]
        print(f"| `{check_id}` | {level} | " + " | ".join(verdicts) + " |")
    print()
    print("| totals | " + " | ".join(names) + " |")
    print("| --- | " + " | ".join("---" for _ in names) + " |")
    for verdict in ("pass", "fail", "warn", "skip", "error"):
        counts = [sum(1 for c in r.values() if c["verdict"] == verdict) for r in reports]
        print(f"| {verdict} | " + " | ".join(str(n) for n in counts) + " |")


if __name__ == "__main__":
    main()
