#!/usr/bin/python3
"""Checks that the C++ tree keeps its layers: an area (a folder of model/src and
model/include/dnngen) may include only areas of a lower layer or its own. tools/ and
testbench/ sit on top and may include anything.

    scripts/check_layers.py [--src DIR] [--dot]

Exit 0 when every include goes downward, 1 with one line per upward or unknown edge.
--dot prints the area graph (Graphviz) instead; docs/architecture.md shows it.
The layer table below is the architecture: change it only with the picture in the docs.
"""
import argparse
import os
import re
import sys

# Lowest first. Areas on one line are peers and must not include each other.
LAYERS = [
    ["common"],             # strings, CSV, bit words, numerics, tensors, processes, errors
    ["io"],                 # .npy
    ["config"],             # YAML -> validated structs, YAML text edits
    ["eda", "rtl", "exec"],  # running Yosys/iverilog/sta, netlist JSON, top ports; RTL file lists;
                            # batches of independent runs on local workers or Slurm
    ["golden", "shell", "energy"],  # reference GEMM / conv2d; the shell register map and descriptor;
                            # energy tables priced over action counts
    ["workload"],           # network layer tables, lowering to GEMM
    ["cli"],                # job options, output writing, shared job checks
    ["synth", "generate"],  # synthesis flow and reports; the RTL bundle
    ["engine"],             # the Engine interface every engine implements
    ["bitserial"],          # the bit-serial engine (its core also runs in the systolic shell)
    ["systolic"],           # the WS/OS engine and the GEMM shell; its closed form is the baseline
    ["row_stationary", "eie"],  # the other engines
    ["sweep", "infer"],     # parameter grids over synthesis; ONNX networks quantised onto an engine
    ["tlm"],                # SystemC wrapper of an engine model
]
RANK = {area: i for i, layer in enumerate(LAYERS) for area in layer}
INCLUDE = re.compile(r'^\s*#\s*include\s+"dnngen/([a-z_0-9]+)/', re.M)


def edges(src):
    """(from_area, to_area, file) for every dnngen include below model/."""
    found = []
    for base in (os.path.join(src, "model", "src"), os.path.join(src, "model", "include", "dnngen")):
        for area in sorted(os.listdir(base)):
            folder = os.path.join(base, area)
            if not os.path.isdir(folder):
                continue
            for root, _, files in os.walk(folder):
                for name in files:
                    path = os.path.join(root, name)
                    with open(path, encoding="utf-8") as f:
                        for target in INCLUDE.findall(f.read()):
                            if target != area:
                                found.append((area, target, os.path.relpath(path, src)))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument("--dot", action="store_true")
    args = parser.parse_args()
    all_edges = edges(args.src)
    if args.dot:
        print("digraph layers {\n  rankdir=BT;")
        for a, b in sorted({(a, b) for a, b, _ in all_edges}):
            print(f"  {a} -> {b};")
        print("}")
        return 0
    problems = []
    for a, b, path in all_edges:
        if a not in RANK or b not in RANK:
            problems.append(f"{path}: area '{a if a not in RANK else b}' is not in the layer table")
        elif RANK[b] >= RANK[a]:
            kind = "a peer" if RANK[b] == RANK[a] else "a higher layer"
            problems.append(f"{path}: {a} includes {b}, {kind}")
    for line in sorted(set(problems)):
        print(line)
    areas = sorted({a for a, _, _ in all_edges} | {b for _, b, _ in all_edges})
    print(f"check_layers: {len(areas)} areas, {len({(a, b) for a, b, _ in all_edges})} edges, "
          f"{len(set(problems))} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
