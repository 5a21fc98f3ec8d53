#!/usr/bin/env python3
"""Compares criterion medians of two builds of the benchmarks: before/after.

    python3 benches/compare.py BEFORE_TARGET_DIR AFTER_TARGET_DIR [group-prefix]

Each TARGET_DIR is a cargo target directory whose `criterion/` holds a run
of the same benchmarks (for instance a worktree of the older commit built
with its own CARGO_TARGET_DIR). Prints one markdown row per benchmark found
in both: the two medians and after / before.
"""
import json
import pathlib
import sys


def medians(target):
    root = pathlib.Path(target) / "criterion"
    found = {}
    for estimates in root.glob("**/new/estimates.json"):
        bench = estimates.parent.parent.relative_to(root).as_posix()
        found[bench] = json.loads(estimates.read_text())["median"]["point_estimate"]
    return found


before, after = medians(sys.argv[1]), medians(sys.argv[2])
prefix = sys.argv[3] if len(sys.argv) > 3 else ""
print("| benchmark | before | after | after / before |")
print("|---|---|---|---|")
for bench in sorted(set(before) & set(after)):
    if bench.startswith(prefix):
        b, a = before[bench], after[bench]
        print(f"| {bench} | {b:.1f} ns | {a:.1f} ns | {a / b:.2f} |")
