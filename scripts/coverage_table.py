#!/usr/bin/python3
"""Per-module RTL coverage from Verilator coverage files (make coverage).

Reads Verilator's coverage data (the merged file of `verilator_coverage --write`), and prints
a Markdown table: for every RTL module, line coverage (statements and branches,
Verilator's v_line and v_branch points) and toggle coverage (v_toggle: every bit of every
signal seen rising and falling). A point counts as covered when any instance of the module
covered it, so a module instantiated many times (PEs) is judged by its union.

Usage: coverage_table.py MERGED.dat [--min-line PERCENT]
Exit 1 when a module's line coverage is below --min-line (default 0: report only).
"""
import argparse
import collections
import re
import sys

# A data line: C '<key\x02value\x01key\x02value...>' count
LINE = re.compile(r"^C '(.*)' (\d+)$")


def points(path):
    with open(path, encoding="latin-1") as f:
        for line in f:
            m = LINE.match(line.rstrip("\n"))
            if not m:
                continue
            fields = dict(kv.split("\x02", 1) for kv in m.group(1).split("\x01") if "\x02" in kv)
            yield fields, int(m.group(2))


def table(path):
    # (kind, module) -> {point key: covered}
    seen = collections.defaultdict(dict)
    for fields, count in points(path):
        page = fields.get("page", "")
        if "/" not in page:
            continue
        kind, module = page.split("/", 1)
        module = module.split("__", 1)[0]  # one row per module, whatever its parameters
        key = (fields.get("f", ""), fields.get("l", ""), fields.get("n", ""), fields.get("o", ""))
        seen[(kind, module)][key] = seen[(kind, module)].get(key, False) or count > 0
    modules = sorted({module for _, module in seen})
    rows = []
    for module in modules:
        line = {**seen.get(("v_line", module), {}), **seen.get(("v_branch", module), {})}
        toggle = seen.get(("v_toggle", module), {})
        rows.append((module, sum(line.values()), len(line), sum(toggle.values()), len(toggle)))
    return rows


def percent(hit, total):
    return 100.0 * hit / total if total else 100.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("merged")
    ap.add_argument("--min-line", type=float, default=0.0)
    args = ap.parse_args()
    rows = table(args.merged)
    if not rows:
        print(f"coverage_table: no coverage points in {args.merged}", file=sys.stderr)
        return 1
    print("| module | line + branch | | toggle | |")
    print("|---|---:|---:|---:|---:|")
    low = []
    th = tt = lh = lt = 0
    for module, line_hit, line_total, toggle_hit, toggle_total in rows:
        print(f"| {module} | {line_hit} / {line_total} | {percent(line_hit, line_total):.1f} % "
              f"| {toggle_hit} / {toggle_total} | {percent(toggle_hit, toggle_total):.1f} % |")
        lh, lt, th, tt = lh + line_hit, lt + line_total, th + toggle_hit, tt + toggle_total
        if percent(line_hit, line_total) < args.min_line:
            low.append(module)
    print(f"| **all** | {lh} / {lt} | {percent(lh, lt):.1f} % | {th} / {tt} | {percent(th, tt):.1f} % |")
    if low:
        print(f"coverage_table: line coverage below {args.min_line} % in {', '.join(low)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
