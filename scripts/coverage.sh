#!/usr/bin/env bash
# make coverage: Verilator line, branch and toggle coverage of the RTL over a co-simulation
# regression of every engine (random jobs with resets, refused jobs, input gaps and a
# stalling consumer) and of the shell (GEMM and conv2d layers through AXI), then a
# per-module table (scripts/coverage_table.py) in BUILD/coverage/coverage.md.
#
#   scripts/coverage.sh [BUILD] [--quick]     (--quick: one small preset, few jobs, no
#                                               shell: the ctest that keeps this working)
#
# Coverage simulators are separate builds (DNNGEN_COVERAGE set: tools/sim_builder.cpp adds
# --coverage-line --coverage-toggle); each writes its counts into BUILD/coverage/data.
set -euo pipefail
BUILD=$(realpath -m "${1:-build}")
QUICK=${2:-}
DNNGEN=${DNNGEN:-$BUILD/tools/dnngen}
OUT="$BUILD/coverage"
cd "$(dirname "$0")/.."
rm -rf "$OUT"
mkdir -p "$OUT/data" "$OUT/tensors"
export DNNGEN_COVERAGE="$OUT/data"
export DNNGEN_CACHE=${DNNGEN_CACHE:-$BUILD/sim-cache}
COUNT=24
MIN_LINE=0
PRESETS="systolic_ws_4x4_int8 systolic_os_4x4_uint8 systolic_ws_4x4_int8_sat systolic_rs_4x4_int8 eie_4pe
         bitserial_stripes_3x2_l5_int8s bitserial_pragmatic_3x2_l5_int8s bitserial_parallel_3x2_l5_int8s
         bitserial_stripes_cascade_3x2_l5_int8s bitserial_pragmatic_cascade_3x2_l5_int8s"
if [[ $QUICK == --quick ]]; then
  COUNT=3
  MIN_LINE=80  # the small run still reaches most lines: a lower figure means lost counts
  PRESETS="bitserial_stripes_cascade_3x2_l5_int8s"  # its M > 1 jobs run as without cascade
fi

failed=0
run() {
  if ! "$DNNGEN" "$@" --quiet > "$OUT/last.log" 2>&1; then
    cat "$OUT/last.log"
    echo "FAILED: dnngen $*"
    failed=$((failed + 1))
  fi
}
for preset in $PRESETS; do
  cfg=configs/$preset.yaml
  run cosim "$cfg" --random --seed 1 --count "$COUNT" --resets --bad-jobs 8 --gaps 0.2 --x-seed 1
  grep -q '^engine: eie' "$cfg" || run cosim "$cfg" --random --seed 2 --count "$((COUNT / 3 + 1))" --ready 0.5
done

# The shell: a GEMM with K split and a padded, strided conv2d, through AXI on both ops.
[[ $QUICK == --quick ]] || /usr/bin/python3 - "$OUT/tensors" <<'PY'
import sys
import numpy as np
d = sys.argv[1]
r = np.random.default_rng(7)
np.save(f"{d}/a.npy", r.integers(-128, 128, (37, 100)).astype(np.int8))
np.save(f"{d}/b.npy", r.integers(-128, 128, (100, 21)).astype(np.int8))
np.save(f"{d}/x.npy", r.integers(-128, 128, (5, 9, 11)).astype(np.int8))
np.save(f"{d}/w.npy", r.integers(-128, 128, (7, 5, 3, 3)).astype(np.int8))
PY
T="$OUT/tensors"
if [[ $QUICK != --quick ]]; then
  run run configs/systolic_ws_4x4_int8.yaml --shell --backend rtl --in "A=$T/a.npy" --in "B=$T/b.npy" \
    --out "C=$T/c.npy"
  run run configs/systolic_ws_4x4_int8.yaml --shell --backend rtl --op conv2d --in "ifmap=$T/x.npy" \
    --in "weights=$T/w.npy" --param stride=2 --param pad=1 --out "ofmap=$T/y.npy"
fi

files=("$OUT"/data/*.dat)
verilator_coverage --write "$OUT/merged.dat" "${files[@]}" > /dev/null
{
  echo "Coverage of ${#files[@]} simulated designs ($(date -u +%Y-%m-%d)), Verilator line + branch and toggle:"
  echo
  /usr/bin/python3 scripts/coverage_table.py "$OUT/merged.dat" --min-line "$MIN_LINE" || failed=$((failed + 1))
} > "$OUT/coverage.md"
cat "$OUT/coverage.md"
echo "coverage: $OUT/coverage.md ($failed failing run(s))"
[ "$failed" -eq 0 ]
