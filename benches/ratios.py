#!/usr/bin/env python3
"""Prints criterion's medians as a markdown table with overhead ratios.

Run after `cargo bench -p opguard-benches`:  python3 benches/ratios.py [group-prefix]
Overhead is a variant's median minus the group's `plain` median; each ratio
divides opguard's overhead by another variant's.
"""
import json
import pathlib
import sys

root = pathlib.Path(__file__).resolve().parent.parent / "target" / "criterion"
prefix = sys.argv[1] if len(sys.argv) > 1 else ""
for group in sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith(prefix) and p.name != "report"):
    medians = {}
    for bench in sorted(group.iterdir()):
        estimates = bench / "new" / "estimates.json"
        if estimates.exists():
            medians[bench.name] = json.loads(estimates.read_text())["median"]["point_estimate"]
    if "opguard" not in medians:
        continue
    if "plain" not in medians:
        print(f"\n{group.name}\n")
        print("| variant | median | opguard's median / this median |")
        print("|---|---|---|")
        for name, median in medians.items():
            ratio = f"{medians['opguard'] / median:.2f}" if name != "opguard" else ""
            print(f"| {name} | {median:.1f} ns | {ratio} |")
        continue
    plain = medians["plain"]
    ours = medians["opguard"] - plain
    print(f"\n{group.name}\n")
    print("| variant | median | overhead over plain | opguard's overhead / this overhead |")
    print("|---|---|---|---|")
    for name, median in medians.items():
        overhead = median - plain
        ratio = f"{ours / overhead:.2f}" if name not in ("plain", "opguard") and overhead > 0 else ""
        print(f"| {name} | {median:.1f} ns | {overhead:.1f} ns | {ratio} |")
