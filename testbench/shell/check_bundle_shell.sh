#!/usr/bin/env bash
# `dnngen generate` puts the accelerator shell into the bundle of an engine that has one
# (systolic weight- and output-stationary, bit-serial and row-stationary with 8- or 16-bit
# operands, and EIE): shell/ holds its RTL with the generated register
# package, a wrapper binding the configuration's parameters, a filelist, a FuseSoC core,
# an SDC clock, the register map (Markdown) and the C header. Checks that the wrapper and
# its filelist pass verilator -Wall and Yosys's elaboration as they come out of the
# bundle, that the header compiles, that the manifest lists and hashes every file, and
# that a configuration without a shell (6-bit row-stationary operands) gets no shell/
# directory.
#
#   testbench/shell/check_bundle_shell.sh DNNGEN_BINARY SOURCE_DIR
set -euo pipefail
dnngen=$1
src=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/dnngen-bundle-shell-XXXXXX")
trap 'rm -rf "$work"' EXIT

for cfg in systolic_ws_4x4_int8 systolic_ws_8x8_int16 systolic_os_4x4_int8 eie_4pe bitserial_pragmatic_4x4_l16 \
  systolic_rs_4x4_int8; do
  out="$work/$cfg"
  "$dnngen" generate "$src/configs/$cfg.yaml" -o "$out" >/dev/null
  top="${cfg}_shell"
  for f in "$top.sv" "$top.f" "$top.core" "$top.sdc" regmap.md dnngen_regs.h rtl/shell/dnn_shell_regs_pkg.sv; do
    [[ -s "$out/shell/$f" ]] || { echo "$cfg: shell/$f missing from the bundle"; exit 1; }
  done
  (cd "$out/shell" && verilator --lint-only -Wall -f "$top.f" --top-module "$top")
  (cd "$out/shell" && yosys -q -p "read_verilog -sv $(tr '\n' ' ' <"$top.f"); hierarchy -check -top $top" \
    >"$work/yosys_$cfg.log" 2>&1) || { cat "$work/yosys_$cfg.log"; exit 1; }
  cc -std=c99 -Wall -Wextra -Werror -fsyntax-only -x c "$out/shell/dnngen_regs.h"
  # The manifest names the shell's top and hashes every file of the bundle.
  /usr/bin/python3 - "$out" "$top" <<'PY'
import hashlib, json, os, sys
out, top = sys.argv[1:3]
m = json.load(open(os.path.join(out, "manifest.json")))
assert m["shell"]["top_module"] == top, m.get("shell")
listed = {f["path"]: f["sha256"] for f in m["files"]}
for root, _, names in os.walk(os.path.join(out, "shell")):
    for n in names:
        rel = os.path.relpath(os.path.join(root, n), out)
        assert rel in listed, f"{rel} not in the manifest"
        assert hashlib.sha256(open(os.path.join(out, rel), "rb").read()).hexdigest() == listed[rel], rel
PY
done
grep -q 'NumRows      (8)' "$work/systolic_ws_8x8_int16/shell/systolic_ws_8x8_int16_shell.sv"
grep -q 'InBits       (16)' "$work/systolic_ws_8x8_int16/shell/systolic_ws_8x8_int16_shell.sv"

grep -q 'Dataflow     (1)' "$work/systolic_os_4x4_int8/shell/systolic_os_4x4_int8_shell.sv"
grep -q 'Engine       (4)' "$work/bitserial_pragmatic_4x4_l16/shell/bitserial_pragmatic_4x4_l16_shell.sv"
grep -q 'Mode         (1)' "$work/bitserial_pragmatic_4x4_l16/shell/bitserial_pragmatic_4x4_l16_shell.sv"
grep -q 'dnn_bitserial_core.sv' "$work/bitserial_pragmatic_4x4_l16/shell/bitserial_pragmatic_4x4_l16_shell.f"
grep -q 'dnn_shell_eie #' "$work/eie_4pe/shell/eie_4pe_shell.sv"
grep -q 'NumPes       (4)' "$work/eie_4pe/shell/eie_4pe_shell.sv"
if grep -q 'Relu' "$work/eie_4pe/shell/eie_4pe_shell.sv"; then
  echo "eie_4pe: the shell takes ReLU per layer (OUTPUT.RELU), not as a parameter"
  exit 1
fi

grep -q 'dnn_shell_rs #' "$work/systolic_rs_4x4_int8/shell/systolic_rs_4x4_int8_shell.sv"
grep -q 'IfmapSpad    (32)' "$work/systolic_rs_4x4_int8/shell/systolic_rs_4x4_int8_shell.sv"
grep -q 'dnn_rs_top.sv' "$work/systolic_rs_4x4_int8/shell/systolic_rs_4x4_int8_shell.f"

sed -e 's/^name: .*/name: rs_6bit/' -e 's/^  input_bits: .*/  input_bits: 6/' \
  "$src/configs/systolic_rs_4x4_int8.yaml" >"$work/rs_6bit.yaml"
"$dnngen" generate "$work/rs_6bit.yaml" -o "$work/rs" >/dev/null
[[ ! -e "$work/rs/shell" ]] || { echo "a 6-bit row-stationary bundle got a shell/ directory"; exit 1; }
echo "bundle shell: ok"
