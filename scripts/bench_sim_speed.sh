#!/usr/bin/env bash
# make bench, step 9: RTL simulation speed through the systolic shell at the 16x16 WS preset
# (ResNet-50 res4a_branch2a through AXI, the layer `make demo` runs: five runs), and the
# speed of that preset's PE array alone in a bare harness with every PE busy (three runs):
# the bound the shell cannot beat. Wall-clock figures on a shared machine vary by 20 % or
# more from run to run; the best of the runs is the one to compare.
#   scripts/bench_sim_speed.sh [BUILD]
set -euo pipefail
BUILD=${1:-build}
CONFIG=configs/systolic_ws_16x16_int8.yaml
params=$("$BUILD/tools/bench_shell" "$CONFIG" --rtl-params)

shell_rtl=()
while read -r f; do
  [[ -z $f || $f == \#* || $f == *_pkg.sv ]] || shell_rtl+=("rtl/$f")
done < rtl/filelists/shell_systolic.f
tb="$PWD/$BUILD/shell-demo"  # the demo's testbench: built once for both
# shellcheck disable=SC2086  # the -G parameters are separate words
testbench/shell/build_tb.sh "$PWD/$BUILD/tools/dnngen" "$PWD/$BUILD/model/libdnngen_model.a" "$PWD" "$tb" \
  dnn_shell_systolic testbench/shell/test_shell_systolic.cpp "${shell_rtl[@]}" $params > /dev/null
speeds=()
for _ in 1 2 3 4 5; do
  line=$("$tb/dnn_shell_systolic_tests" --gtest_filter='*RealResNet50Layer' | grep '^res4a')
  speeds+=("$(sed -E 's/.*simulation ([0-9.]+) M cycles\/s.*/\1/' <<<"$line")")
done
echo "  through the shell (res4a_branch2a, 111,005 cycles, every counter checked against the model):"
echo "    ${speeds[*]} M cycles/s; best $(printf '%s\n' "${speeds[@]}" | sort -n | tail -1)"

# The PE array alone, at the preset's geometry and numerics.
array_params=()
for p in $params; do
  case $p in -GNumRows=* | -GNumCols=* | -GInBits=* | -GWBits=* | -GAccBits=* | -GSigned=*) array_params+=("$p") ;; esac
done
out="$PWD/$BUILD/array-speed"
mkdir -p "$out"
verilator --cc --exe --build -j 2 -O3 --top-module dnn_systolic_ws_array --Mdir "$out/obj" -o "$out/array_speed" \
  -Wall -CFLAGS "-std=c++17 -O2" -MAKEFLAGS "OPT_FAST=-O3" "${array_params[@]}" \
  "$PWD"/rtl/systolic/dnn_systolic_{mul,ws_pe,ws_array}.sv \
  "$PWD/testbench/systolic/array_speed_main.cpp" > "$out/build.log" 2>&1 || { tail -20 "$out/build.log"; exit 1; }
echo "  the 16x16 PE array alone, every PE busy every cycle (the shell's upper bound):"
for _ in 1 2 3; do echo "    $("$out/array_speed")"; done
