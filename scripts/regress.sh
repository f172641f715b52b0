#!/usr/bin/env bash
# make regress: the long co-simulation sweep (not part of make test). Every preset
# with several seeds and many random jobs, with and without backpressure, and real
# ResNet-50 / AlexNet / GPT-2 layers, and the shell testbenches at 20 seeds. Set
# DNNGEN_REGRESS_SEEDS / _COUNT / _SHELL_SEEDS to widen it.
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
# The shell testbenches (testbench/shell: every engine behind its AXI shell, and the shell's
# blocks) at more seeds than make test's one: each suite of each configuration with
# DNNGEN_SEED set. Their ctest setup tests build them; the virtual-platform benches run one
# fixed program and are left to make test.
SHELL_SEEDS=${DNNGEN_REGRESS_SHELL_SEEDS:-"$(seq -s ' ' 1 20)"}
if ! ctest --test-dir "$BUILD" -R '^build_shell_.*_tb$' -j2 >/dev/null; then
  echo "FAILED: building the shell testbenches (ctest --test-dir $BUILD -R build_shell_)"
  failed=$((failed + 1))
fi
for exe in "$BUILD"/testbench/shell/tb/*/*_tests; do
  [[ $exe == */shell_vp_*/* ]] && continue
  for seed in $SHELL_SEEDS; do
    if ! DNNGEN_SEED=$seed "$exe" >"$BUILD/regress-shell.log" 2>&1; then
      echo "FAILED: DNNGEN_SEED=$seed $exe (log: $BUILD/regress-shell.log)"
      failed=$((failed + 1))
      cp "$BUILD/regress-shell.log" "$BUILD/regress-shell-$(basename "$(dirname "$exe")")-$seed.log"
    fi
  done
done
echo "regress: $failed failing run(s)"
[ "$failed" -eq 0 ]
