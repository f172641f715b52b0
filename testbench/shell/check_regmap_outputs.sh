#!/usr/bin/env bash
# The generated views of the shell register map are usable as they come out of
# `dnngen regmap`: the SystemVerilog package passes verilator -Wall (through a probe
# module that reads one constant) and Yosys 0.23's reader, the C header compiles as
# C99 and C++ with every warning, and the Markdown table lists every register.
#
# docs/shell.md carries the same table between its regmap markers, and
# rtl/shell/dnn_shell_regs_pkg.sv the same package: both are checked against the generator.
#
#   testbench/shell/check_regmap_outputs.sh DNNGEN_BINARY SOURCE_DIR
set -euo pipefail
dnngen=$1
src=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/dnngen-regmap-XXXXXX")
trap 'rm -rf "$work"' EXIT

"$dnngen" regmap --sv >"$work/dnn_shell_regs_pkg.sv"
# rtl/ carries the package too, so every shell file lints on its own; it must be the
# generator's output for rtl/shell/regmap.yaml, byte for byte.
if ! cmp -s "$work/dnn_shell_regs_pkg.sv" "$src/rtl/shell/dnn_shell_regs_pkg.sv"; then
  diff "$src/rtl/shell/dnn_shell_regs_pkg.sv" "$work/dnn_shell_regs_pkg.sv" | head -20 || true
  echo "rtl/shell/dnn_shell_regs_pkg.sv is stale; regenerate it: dnngen regmap --sv > rtl/shell/dnn_shell_regs_pkg.sv" >&2
  exit 1
fi
cat >"$work/dnn_regmap_probe.sv" <<'SV'
module dnn_regmap_probe (
  output logic [31:0] id_o,
  output logic [11:0] op_offset_o
);
  assign id_o        = dnn_shell_regs_pkg::ShellId;
  assign op_offset_o = 12'(dnn_shell_regs_pkg::RegOp);
endmodule
SV
verilator --lint-only -Wall "$work/dnn_shell_regs_pkg.sv" "$work/dnn_regmap_probe.sv" --top-module dnn_regmap_probe
yosys -q -p "read_verilog -sv $work/dnn_shell_regs_pkg.sv $work/dnn_regmap_probe.sv; synth -top dnn_regmap_probe" \
  >"$work/yosys.log" 2>&1 || { cat "$work/yosys.log"; exit 1; }

"$dnngen" regmap --c-header >"$work/dnngen_regs.h"
printf '#include "dnngen_regs.h"\nunsigned op_offset(void) { return DNNGEN_OP_OFFSET; }\n' >"$work/probe.c"
cc -std=c99 -Wall -Wextra -Werror -pedantic -c "$work/probe.c" -o "$work/probe.o"
c++ -std=c++17 -Wall -Wextra -Werror -x c++ -c "$work/probe.c" -o "$work/probe_cpp.o"

"$dnngen" regmap --markdown >"$work/regmap.md"
grep -q '^| 0x100 | OP | rw |' "$work/regmap.md"
grep -q '^| 0x040 | CYCLES_TOTAL_LO | ro |' "$work/regmap.md"
# Bad usage: exit 2 with one message, nothing on standard output.
for bad in "extra" "--sv --c-header"; do
  set +e
  # shellcheck disable=SC2086
  "$dnngen" regmap $bad >"$work/bad.out" 2>"$work/bad.err"
  rc=$?
  set -e
  if [[ $rc -ne 2 || -s "$work/bad.out" ]] || ! grep -q '^error: ' "$work/bad.err"; then
    echo "dnngen regmap $bad: expected exit 2 with one error line, got $rc" >&2
    exit 1
  fi
done

sed -n '/^<!-- regmap:begin/,/^<!-- regmap:end/p' "$src/docs/shell.md" | sed '1d;$d' >"$work/doc_table.md"
if ! cmp -s "$work/regmap.md" "$work/doc_table.md"; then
  diff "$work/doc_table.md" "$work/regmap.md" | head -20 || true
  echo "docs/shell.md: the register map table is stale; replace it with the output of 'dnngen regmap'" >&2
  exit 1
fi
echo "regmap outputs: SystemVerilog package, C header, Markdown table and docs/shell.md ok"
