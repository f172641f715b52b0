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

echo "== area of one SIP (Yosys 0.23), 16 lanes, 16-bit weights and activations, 32-bit acc"
# Generic cells always; Nangate45 um^2 too when a Liberty file is at hand ($DNNGEN_NANGATE45,
# or the team's reference copy in ../shared/pdk).
SRC="$ROOT/rtl/common/dnn_pkg.sv $ROOT/rtl/common/dnn_adder_tree.sv $ROOT/rtl/bitserial/dnn_bitserial_sip.sv"
LIB=${DNNGEN_NANGATE45:-}
if [[ -z $LIB && -f "$ROOT/../shared/pdk/nangate45_typ.lib.gz" ]]; then
  LIB=$WORK/nangate45.lib
  gunzip -c "$ROOT/../shared/pdk/nangate45_typ.lib.gz" >"$LIB"
fi
AREAS=()
for mode in 0 1 2; do
  front="read_verilog -sv -DSYNTHESIS $SRC; chparam -set Mode $mode -set Lanes 16 -set WBits 16 -set InBits 16 -set AccBits 32 -set Signed 0 dnn_bitserial_sip; synth -top dnn_bitserial_sip"
  yosys -q -p "$front; tee -o $WORK/stat$mode.txt stat" >/dev/null
  cells=$(awk '/Number of cells:/ {n=$4} END {print n}' "$WORK/stat$mode.txt")
  um2=0
  if [[ -n $LIB ]]; then
    yosys -q -p "$front; dfflibmap -liberty $LIB; abc -liberty $LIB; opt_clean; tee -o $WORK/lib$mode.txt stat -liberty $LIB" >/dev/null 2>&1
    um2=$(awk '/Chip area for/ {a=$NF} END {print a}' "$WORK/lib$mode.txt")
  fi
  AREAS+=("$cells" "$um2")
done
/usr/bin/python3 - "${AREAS[@]}" <<'PY'
import sys
v = sys.argv[1:]
(sc, su), (gc, gu), (pc, pu) = [(int(v[i]), float(v[i + 1])) for i in (0, 2, 4)]
lib = su > 0
# A SIP does its 16 lanes' MACs every p cycles (Stripes), every max-popcount cycles
# (Pragmatic), every cycle (bit-parallel).
rows = [("Stripes SIP, p=16", sc, su, 1.0), ("Stripes SIP, p=8", sc, su, 2.0),
        ("Pragmatic SIP (2 oneffsets)", gc, gu, 8.0), ("bit-parallel IP (16 mults)", pc, pu, 16.0)]
head = f"{'unit':<28} {'cells':>8} {'MACs/cycle':>11} {'per kcell':>10}"
print(head + (f" {'Nangate45 um^2':>15} {'MACs/cycle/mm^2':>16}" if lib else ""))
for name, cells, um2, macs in rows:
    line = f"{name:<28} {cells:>8} {macs:>11.2f} {1000 * macs / cells:>10.3f}"
    print(line + (f" {um2:>15.0f} {1e6 * macs / um2:>16.0f}" if lib else ""))
print(f"bit-parallel / Stripes: {pc / sc:.1f}x the cells" + (f", {pu / su:.1f}x the um^2" if lib else "") +
      f"; so Stripes has more MACs per area below p = {pc / sc:.1f} bits (cells)" +
      (f", {pu / su:.1f} bits (um^2)" if lib else ""))
print(f"Pragmatic / Stripes: {gc / sc:.1f}x the cells" + (f", {gu / su:.1f}x the um^2" if lib else ""))
PY
