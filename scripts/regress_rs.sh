#!/usr/bin/env bash
# Long row-stationary co-simulation sweep (for `make regress`): random conv2d shapes on
# both presets with several seeds, with and without consumer backpressure, and every
# AlexNet and ResNet-50 conv layer that fits, scaled, on the 12 x 14 array. Every job
# must match the golden model bit for bit and cycle for cycle (the simulator exits 1
# otherwise and prints the replay command).
#
# Usage: scripts/regress_rs.sh [BUILD_DIR] [SEEDS]     (defaults: build, 5)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$ROOT/build}
SEEDS=${2:-5}
DNNGEN=$BUILD/tools/dnngen
export DNNGEN_CACHE=${DNNGEN_CACHE:-$BUILD/sim-cache}
fail=0
run() { "$@" --quiet | tail -1 || fail=1; }
for cfg in systolic_rs_4x4_int8 systolic_rs_12x14_int16; do
  for seed in $(seq 1 "$SEEDS"); do
    run "$DNNGEN" cosim "$ROOT/configs/$cfg.yaml" --random --seed "$seed" --count 50
    run "$DNNGEN" cosim "$ROOT/configs/$cfg.yaml" --random --seed "$seed" --count 10 --ready 0.5
  done
done
for layer in conv1 conv2 conv3 conv4 conv5; do
  run "$DNNGEN" cosim "$ROOT/configs/systolic_rs_12x14_int16.yaml" --layer "$ROOT/workloads/alexnet_conv.csv:$layer"
done
for layer in conv1 res2a_branch2b res3a_branch2a res4a_branch1 res5c_branch2b; do
  run "$DNNGEN" cosim "$ROOT/configs/systolic_rs_12x14_int16.yaml" --layer "$ROOT/workloads/resnet50.csv:$layer"
done
exit $fail
