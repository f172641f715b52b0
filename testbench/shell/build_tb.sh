#!/usr/bin/env bash
# Builds a shell block's Verilator testbench: generates dnn_shell_regs_pkg with
# `dnngen regmap --sv` (it has no copy in the tree: rtl/shell/regmap.yaml is the source),
# then verilates TOP with the GoogleTest file TEST against the model library. Arguments
# -GName=V set TOP's parameters and reach the test as the macro TB_Name=V.
#
#   build_tb.sh DNNGEN MODEL_LIB SOURCE_DIR OUT_DIR TOP TEST RTL_FILE|-GName=V ...
set -euo pipefail
dnngen=$1 model_lib=$2 src=$3 out=$4 top=$5 test=$6
shift 6
mkdir -p "$out"
"$dnngen" regmap --sv >"$out/dnn_shell_regs_pkg.sv.tmp"
mv "$out/dnn_shell_regs_pkg.sv.tmp" "$out/dnn_shell_regs_pkg.sv"
rtl=()
params=()
defines=""
for f in "$@"; do
  if [[ $f == -G* ]]; then
    params+=("$f")
    defines+=" -DTB_${f#-G}"
  else
    rtl+=("$src/$f")
  fi
done
build() {
  verilator --cc --exe --build -j 2 --top-module "$top" --Mdir "$out/obj_$top" -o "$out/${top}_tests" \
    -O3 --assert --x-assign unique --x-initial unique -Wall \
    -CFLAGS "-std=c++17 -O2 -I$src/model/include -I$src/testbench/common$defines" "${params[@]}" \
    -LDFLAGS "$model_lib -lgtest -lgtest_main -lpthread -lyaml-cpp -lfmt" \
    -MAKEFLAGS "OPT_FAST=-O2 OPT_GLOBAL=-O2" \
    "$out/dnn_shell_regs_pkg.sv" "$src/rtl/common/dnn_pkg.sv" "${rtl[@]}" "$src/$test" >"$out/build_$top.log" 2>&1
}
# An incremental build can trip over a header that moved (make's dependency files still
# name it): then build once more from scratch.
build || { rm -rf "${out:?}/obj_$top"; build; } || { tail -40 "$out/build_$top.log"; exit 1; }
echo "built $out/${top}_tests"
