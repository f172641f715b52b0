#!/usr/bin/env bash
# Synthesis results for the shipped presets, written to docs/sweep/ (report.md, the SVG
# plots, sweep.csv, sweep.json): every weight- and output-stationary systolic preset in
# configs/ at 4x4, 8x8 and 16x16 PEs (its
# other parameters unchanged), generic Yosys target, with the closed-form ResNet-50
# estimate for the performance-per-area plot.
#   scripts/results.sh [BUILD_DIR] [OUT_DIR]     (defaults: build, docs/sweep)
# Takes a few minutes on two cores; prints the wall time at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
OUT=${2:-docs/sweep}
DNNGEN="$BUILD/tools/dnngen"
[[ -x "$DNNGEN" ]] || { echo "results.sh: $DNNGEN not found; build first (make build)" >&2; exit 2; }

start=$(date +%s)
"$DNNGEN" sweep configs/systolic_os_*.yaml configs/systolic_ws_*.yaml \
  --set systolic.rows,systolic.cols=4,8,16 \
  --network workloads/resnet50.csv \
  --target generic \
  -o "$OUT"
echo "results.sh: $(( $(date +%s) - start )) s"
