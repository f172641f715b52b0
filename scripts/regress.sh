#!/usr/bin/env bash
# make regress: the long co-simulation sweep (not part of make test). Every preset
# with several seeds and many random jobs, with and without backpressure, and real
# ResNet-50 / AlexNet / GPT-2 layers. Set DNNGEN_REGRESS_SEEDS / _COUNT to widen it.
set -euo pipefail
BUILD=${1:-build}
DNNGEN="$BUILD/tools/dnngen"
SEEDS=${DNNGEN_REGRESS_SEEDS:-"11 12 13 14 15"}
COUNT=${DNNGEN_REGRESS_COUNT:-200}
export DNNGEN_CACHE=${DNNGEN_CACHE:-$PWD/$BUILD/sim-cache}
failed=0
run() {
  if ! "$DNNGEN" "$@" --quiet; then
    echo "FAILED: dnngen $*"
    failed=$((failed + 1))
  fi
}
for cfg in configs/*.yaml; do
  for seed in $SEEDS; do
    run cosim "$cfg" --random --seed "$seed" --count "$COUNT"
    # EIE results are read from its activation file: no output handshake to stall.
    grep -q '^engine: eie' "$cfg" || run cosim "$cfg" --random --seed "$seed" --count 20 --ready 0.5
  done
done
for layer in workloads/resnet50.csv:res2a_branch2a workloads/resnet50.csv:res4a_branch2b \
             workloads/alexnet.csv:conv2 workloads/alexnet.csv:fc6 workloads/transformer_gpt2.csv:h0.attn.qk; do
  for cfg in configs/systolic_ws_16x16_int8.yaml configs/systolic_os_16x16_int8.yaml configs/systolic_ws_8x8_int16.yaml; do
    run cosim "$cfg" --layer "$layer" --seed 1
  done
done
echo "regress: $failed failing run(s)"
[ "$failed" -eq 0 ]
