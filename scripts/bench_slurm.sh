#!/usr/bin/env bash
# make bench: a 24-point generic-synthesis sweep on a private single-node Slurm cluster
# (testbench/slurm/slurm_cluster.py), with one worker (--max-parallel 1) and with two
# (--max-parallel 2), the same report from both; the target is <= 0.6 x the time of one.
# Usage: scripts/bench_slurm.sh BUILD_DIR
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$(cd "${1:-build}" && pwd)
DNNGEN="$BUILD/tools/dnngen"
CLUSTER="$ROOT/testbench/slurm/slurm_cluster.py"
if ! reason=$("$CLUSTER" available 2>&1); then
  echo "   skipped: no Slurm here ($reason)"
  exit 0
fi
WORK=$(mktemp -d /tmp/dnngen-bench-slurm-XXXXXX)
trap '"$CLUSTER" stop "$WORK/cluster" >/dev/null 2>&1 || true; [ -n "${DNNGEN_BENCH_KEEP:-}" ] || rm -rf "$WORK"' EXIT
eval "$("$CLUSTER" start "$WORK/cluster")"

# 24 points: 4 x 3 arrays of 4 to 48 PEs, both dataflows (about 2 to 10 s of Yosys each).
GRID=(--set systolic.rows=2,3,4,6 --set systolic.cols=2,4,8 --set systolic.dataflow=weight_stationary,output_stationary)
declare -A seconds
for workers in 1 2; do
  t0=$(date +%s.%N)
  "$DNNGEN" sweep "$ROOT/configs/systolic_ws_4x4_int8.yaml" "${GRID[@]}" -o "$WORK/sweep$workers" \
    --slurm --max-parallel "$workers" --quiet >/dev/null
  seconds[$workers]=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
  printf '   %d worker(s): %6.1f s for 24 points\n' "$workers" "${seconds[$workers]}"
done
# The reports agree except for their timing columns.
same=$(/usr/bin/python3 - "$WORK/sweep1/sweep.csv" "$WORK/sweep2/sweep.csv" <<'PY'
import csv, sys
def rows(path):
    with open(path) as f:
        return [{k: v for k, v in r.items() if k not in ("synth_seconds", "seconds")} for r in csv.DictReader(f)]
print("the same report" if rows(sys.argv[1]) == rows(sys.argv[2]) else "DIFFERENT reports")
PY
)
awk -v one="${seconds[1]}" -v two="${seconds[2]}" -v same="$same" 'BEGIN {
  r = two / one
  printf "   2 workers / 1 worker: %.2f (target <= 0.60: %s); %s\n", r, (r <= 0.6 ? "met" : "NOT met"), same
}'
