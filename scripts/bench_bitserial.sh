#!/usr/bin/env bash
# Bit-serial engine benchmark (docs/bitserial.md):
#   1. speedup table of Stripes and Pragmatic over the bit-parallel baseline of equal
#      peak throughput on AlexNet's and VGG-16's layers (dnngen bench, per-layer
#      precision profiles in workloads/bitserial_<network>.csv), conv-only totals too;
#   2. Yosys generic area (cells) of one serial inner-product unit (SIP) per mode and
#      of its bit-parallel equivalent, and throughput per area.
# Usage: scripts/bench_bitserial.sh [BUILD_DIR]   (default build; needs dnngen built)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$ROOT/build}
DNNGEN=$BUILD/tools/dnngen
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dnngen-bsbench-XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "== speedup over the bit-parallel baseline (equal peak throughput)"
for net in alexnet_conv vgg16; do
  for mode in stripes pragmatic; do
    "$DNNGEN" bench "$ROOT/configs/bitserial_${mode}_16x4_l16.yaml" --network "$ROOT/workloads/$net.csv" \
      --json "$WORK/$net-$mode.json" >"$WORK/$net-$mode.txt"
  done
  cat "$WORK/$net-stripes.txt"
  /usr/bin/python3 - "$WORK/$net-stripes.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
conv = [l for l in r["layers"] if l["profiled"]]
p, s, g = (sum(l[k] for l in conv) for k in ("parallel_cycles", "stripes_cycles", "pragmatic_cycles"))
print(f"profiled (conv) layers: Stripes {p/s:.2f}x, Pragmatic {p/g:.2f}x over bit-parallel; Pragmatic {s/g:.2f}x over Stripes")
PY
  echo
done

echo "== area of one SIP (Yosys 0.23 generic synth, cells), 16 lanes, 16-bit weights and activations, 32-bit acc"
SRC="$ROOT/rtl/bitserial/dnn_bitserial_sip.sv"
declare -A CELLS
for mode in 0 1 2; do
  yosys -q -p "read_verilog -sv -DSYNTHESIS $SRC; chparam -set Mode $mode -set Lanes 16 -set WBits 16 -set InBits 16 -set AccBits 32 -set Signed 0 dnn_bitserial_sip; synth -top dnn_bitserial_sip; tee -o $WORK/stat$mode.txt stat" >/dev/null
  CELLS[$mode]=$(awk '/Number of cells:/ {n=$4} END {print n}' "$WORK/stat$mode.txt")
done
/usr/bin/python3 - "${CELLS[0]}" "${CELLS[1]}" "${CELLS[2]}" <<'PY'
import sys
s, g, p = (int(x) for x in sys.argv[1:4])
print(f"{'unit':<28} {'cells':>8} {'MACs/cycle (16-bit)':>20} {'MACs/cycle/kcell':>17}")
# A SIP does 16 lanes' MACs every p cycles; at full 16-bit precision, 1 MAC/cycle.
print(f"{'Stripes SIP':<28} {s:>8} {16/16:>20.2f} {1000*(16/16)/s:>17.3f}")
print(f"{'Stripes SIP, p=8':<28} {s:>8} {16/8:>20.2f} {1000*(16/8)/s:>17.3f}")
print(f"{'Pragmatic SIP (2 oneffsets)':<28} {g:>8} {16/2:>20.2f} {1000*(16/2)/g:>17.3f}")
print(f"{'bit-parallel IP (16 mults)':<28} {p:>8} {16:>20.2f} {1000*16/p:>17.3f}")
print(f"parallel / Stripes area: {p/s:.1f}x; Pragmatic / Stripes area: {g/s:.1f}x")
PY
