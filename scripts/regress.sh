#!/usr/bin/env bash
# make regress: the long co-simulation regression (not part of make test), as one batch of
# shards run by `dnngen batch` (docs/slurm.md): every preset with several seeds and many
# random jobs, with and without backpressure; real ResNet-50 / AlexNet / GPT-2 layers; and
# the shell testbenches at 20 seeds. One shard per configuration (or testbench), so no two
# shards build the same simulator. Every shard runs all of its jobs and fails if any failed;
# a failed shard runs once more, then is reported with its log.
#
# Where it runs: DNNGEN_REGRESS_EXEC holds the batch's execution options, by default
# "--jobs 2" (this machine); e.g. "--slurm --partition batch --time 60" submits the shards
# as a Slurm job array (the build directory must be on a file system the nodes share).
# Run again after an interruption or a fix, it reruns only the shards that did not pass;
# DNNGEN_REGRESS_FRESH=1 starts afresh. Set DNNGEN_REGRESS_SEEDS / _COUNT / _SHELL_SEEDS to
# widen it, DNNGEN_REGRESS_ONLY to a regular expression to run only the shards whose ids
# match (e.g. '^cosim_systolic_|^shell_axi_dma').
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$(cd "${1:-build}" && pwd)
DNNGEN="$BUILD/tools/dnngen"
SEEDS=${DNNGEN_REGRESS_SEEDS:-"11 12 13 14 15"}
COUNT=${DNNGEN_REGRESS_COUNT:-200}
SHELL_SEEDS=${DNNGEN_REGRESS_SHELL_SEEDS:-"$(seq -s ' ' 1 20)"}
EXEC=${DNNGEN_REGRESS_EXEC:-"--jobs 2"}
export DNNGEN_CACHE=${DNNGEN_CACHE:-$BUILD/sim-cache}

BATCH="$BUILD/regress"
[ "${DNNGEN_REGRESS_FRESH:-0}" = 1 ] && rm -rf "$BATCH"
mkdir -p "$BATCH"
TASKS="$BATCH/tasks.txt"
: >"$TASKS"
# shard ID COMMAND...: one line of the task list; each command of a shard runs (`|| f=1`).
shard_cmds=""
add() { shard_cmds+="$(printf '%q ' "$@")|| f=1; "; }
ONLY=${DNNGEN_REGRESS_ONLY:-}
shard() {
  if [[ -z $ONLY || $1 =~ $ONLY ]]; then printf '%s f=0; %sexit $f\n' "$1" "$shard_cmds" >>"$TASKS"; fi
  shard_cmds=""
}

for cfg in "$ROOT"/configs/*.yaml; do
  for seed in $SEEDS; do
    add "$DNNGEN" cosim "$cfg" --random --seed "$seed" --count "$COUNT" --quiet
    # EIE results are read from its activation file: no output handshake to stall.
    grep -q '^engine: eie' "$cfg" || add "$DNNGEN" cosim "$cfg" --random --seed "$seed" --count 20 --ready 0.5 --quiet
  done
  shard "cosim_$(basename "$cfg" .yaml)"
done
for cfg in systolic_ws_16x16_int8 systolic_os_16x16_int8 systolic_ws_8x8_int16; do
  for layer in resnet50.csv:res2a_branch2a resnet50.csv:res4a_branch2b alexnet.csv:conv2 alexnet.csv:fc6 \
               transformer_gpt2.csv:h0.attn.qk; do
    add "$DNNGEN" cosim "$ROOT/configs/$cfg.yaml" --layer "$ROOT/workloads/$layer" --seed 1 --quiet
  done
  shard "layers_$cfg"
done

# The shell testbenches (testbench/shell: every engine behind its AXI shell, and the shell's
# blocks) at more seeds than make test's one: each suite with DNNGEN_SEED set. Their ctest
# setup tests build them here first; the virtual-platform benches run one fixed program and
# are left to make test.
if ! ctest --test-dir "$BUILD" -R '^build_shell_.*_tb$' -j2 >"$BATCH/build-shell.log" 2>&1; then
  echo "regress: building the shell testbenches failed (ctest --test-dir $BUILD -R build_shell_; $BATCH/build-shell.log)"
  exit 1
fi
for exe in "$BUILD"/testbench/shell/tb/*/*_tests; do
  [[ $exe == */shell_vp_*/* ]] && continue
  for seed in $SHELL_SEEDS; do add env "DNNGEN_SEED=$seed" "$exe"; done
  shard "$(basename "$(dirname "$exe")")"
done

# shellcheck disable=SC2086  # EXEC is a list of options
"$DNNGEN" batch "$TASKS" --dir "$BATCH" $EXEC
