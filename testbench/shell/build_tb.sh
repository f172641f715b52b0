#!/usr/bin/env bash
# Builds a shell block's Verilator testbench: generates dnn_shell_regs_pkg with
# `dnngen regmap --sv` (from rtl/shell/regmap.yaml, the source; rtl/shell/ holds the same
# file, checked by the ctest shell_regmap_outputs),
# and the C header dnngen_regs.h with `dnngen regmap --c-header` (both into OUT_DIR), then
# verilates TOP with the GoogleTest file TEST against the model library. Arguments
# -GName=V set TOP's parameters and reach the test as the macro TB_Name=V; a FILE.c is
# compiled as C99 (e.g. the virtual platform's driver) and linked into the testbench.
#
#   build_tb.sh DNNGEN MODEL_LIB SOURCE_DIR OUT_DIR TOP TEST RTL_FILE|-GName=V ...
set -euo pipefail
dnngen=$1 model_lib=$2 src=$3 out=$4 top=$5 test=$6
shift 6
mkdir -p "$out"
"$dnngen" regmap --sv >"$out/dnn_shell_regs_pkg.sv.tmp"
mv "$out/dnn_shell_regs_pkg.sv.tmp" "$out/dnn_shell_regs_pkg.sv"
"$dnngen" regmap --c-header >"$out/dnngen_regs.h.tmp"
mv "$out/dnngen_regs.h.tmp" "$out/dnngen_regs.h"
rtl=()
params=()
defines=""
c_objs=""
for f in "$@"; do
  if [[ $f == -G* ]]; then
    params+=("$f")
    defines+=" -DTB_${f#-G}"
  elif [[ $f == *.c ]]; then
    obj="$out/$(basename "${f%.c}").o"
    cc -std=c99 -O2 -Wall -Wextra -Werror -I"$out" -c "$src/$f" -o "$obj"
    c_objs+=" $obj"
  else
    rtl+=("$src/$f")
  fi
done
# DNNGEN_SIM_BUILD=quick (make test sets it) compiles the C++ at -O1: about half the build
# time; unset or `fast`, at -O3 for simulation speed (the demo and the benchmarks).
case ${DNNGEN_SIM_BUILD:-fast} in
  quick) cxx_opt=-O1 make_opt="OPT_FAST=-O1 OPT_GLOBAL=-O1" ;;
  fast) cxx_opt=-O2 make_opt="OPT_FAST=-O3 OPT_GLOBAL=-O2" ;;
  *) echo "build_tb.sh: DNNGEN_SIM_BUILD=$DNNGEN_SIM_BUILD: expected quick or fast" >&2; exit 2 ;;
esac
build() {
  verilator --cc --exe --build -j 2 --top-module "$top" --Mdir "$out/obj_$top" -o "$out/${top}_tests" \
    -O3 --assert --x-assign unique --x-initial unique -Wall \
    -CFLAGS "-std=c++17 $cxx_opt -I$src/model/include -I$src/testbench/common -I$src/testbench/tlm -I$out$defines" "${params[@]}" \
    -LDFLAGS "$model_lib$c_objs -lgtest -lgtest_main -lpthread -lyaml-cpp -lfmt" \
    -MAKEFLAGS "$make_opt" \
    "$out/dnn_shell_regs_pkg.sv" "$src/rtl/common/dnn_pkg.sv" "${rtl[@]}" "$src/$test" >"$out/build_$top.log" 2>&1
}
# The link does not see the C objects change: relink whenever there are some.
[[ -z $c_objs ]] || rm -f "$out/${top}_tests"
# An incremental build can trip over a header that moved (make's dependency files still
# name it): then build once more from scratch.
build || { rm -rf "${out:?}/obj_$top"; build; } || { tail -40 "$out/build_$top.log"; exit 1; }
echo "built $out/${top}_tests"
