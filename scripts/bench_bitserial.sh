#!/usr/bin/env bash
# Bit-serial engine benchmark (docs/bitserial.md):
#   1. speedup table of Stripes and Pragmatic over the bit-parallel baseline of equal
#      peak throughput on AlexNet's and VGG-16's layers (dnngen bench, per-layer
#      precision profiles in workloads/bitserial_<network>.csv), conv-only totals too;
#      Pragmatic with two-stage shifting (PRA-2b, configs/bitserial_pragmatic_2stage_16x4_l16)
#      beside the single-stage one;
#      and VGG-16's fully connected layers (M = 1) with and without `cascade`
#      (configs/bitserial_{stripes,pragmatic}_cascade_16x4_l16);
#   2. Yosys generic area (cells) of one serial inner-product unit (SIP) per mode (and
#      Pragmatic's two-stage SIP) and of its bit-parallel equivalent, and throughput per area.
# Usage: scripts/bench_bitserial.sh [BUILD_DIR]   (default build; needs dnngen built)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$ROOT/build}
DNNGEN=$BUILD/tools/dnngen
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dnngen-bsbench-XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "== speedup over the bit-parallel baseline (equal peak throughput)"
for net in alexnet_conv vgg16; do
  for mode in stripes pragmatic pragmatic_2stage pragmatic_wsync pragmatic_2stage_wsync stripes_cascade pragmatic_cascade; do
    "$DNNGEN" bench "$ROOT/configs/bitserial_${mode}_16x4_l16.yaml" --network "$ROOT/workloads/$net.csv" \
      --json "$WORK/$net-$mode.json" >"$WORK/$net-$mode.txt"
  done
  cat "$WORK/$net-stripes.txt"
  /usr/bin/python3 - "$WORK/$net" <<'PY'
import json, sys
def conv(variant):
    return [l for l in json.load(open(f"{sys.argv[1]}-{variant}.json"))["layers"] if l["profiled"]]
def total(variant, key="pragmatic_cycles"):
    return sum(l[key] for l in conv(variant))
p, s, g = (total("stripes", k) for k in ("parallel_cycles", "stripes_cycles", "pragmatic_cycles"))
print(f"profiled (conv) layers: Stripes {p/s:.2f}x, Pragmatic {p/g:.2f}x over bit-parallel; Pragmatic {s/g:.2f}x over Stripes")
for variant, label in (("pragmatic_2stage", "two-stage (2-bit first stage)"),
                       ("pragmatic_wsync", "per-window synchronisation"),
                       ("pragmatic_2stage_wsync", "two-stage and per-window synchronisation")):
    v = total(variant)
    print(f"  Pragmatic {label}: {p/v:.2f}x over bit-parallel, {s/v:.2f}x over Stripes, {g/v:.3f}x single-stage tile-synchronised")
fc = [l for l in json.load(open(f"{sys.argv[1]}-stripes_cascade.json"))["layers"] if l["M"] == 1]
if fc:  # fully connected layers of one input: one window each, or spread over the windows
    plain = {l["name"]: l for l in json.load(open(f"{sys.argv[1]}-stripes.json"))["layers"]}
    prag = {l["name"]: l for l in json.load(open(f"{sys.argv[1]}-pragmatic_cascade.json"))["layers"]}
    every = lambda v, k: sum(l[k] for l in json.load(open(f"{sys.argv[1]}-{v}.json"))["layers"])
    for l in fc:
        n = l["name"]
        print(f"  {n} (M = 1, compute only): Stripes {l['parallel_cycles']/plain[n]['stripes_cycles']:.2f}x over bit-parallel on one window, "
              f"{l['parallel_cycles']/l['stripes_cycles']:.2f}x with cascade; Pragmatic (per-window sync) with cascade "
              f"{l['parallel_cycles']/prag[n]['pragmatic_cycles']:.2f}x")
    par = every("stripes", "parallel_cycles")
    print(f"  whole network (compute only): Stripes {par/every('stripes', 'stripes_cycles'):.2f}x -> {par/every('stripes_cascade', 'stripes_cycles'):.2f}x with cascade, "
          f"Pragmatic (per-window sync) {par/every('pragmatic_wsync', 'pragmatic_cycles'):.2f}x -> {par/every('pragmatic_cascade', 'pragmatic_cycles'):.2f}x")
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
# Modes 0 (Stripes), 1 (Pragmatic), 2 (bit-parallel), and Pragmatic with two-stage shifting.
for variant in 0 1 2 1-2stage; do
  mode=${variant%%-*}
  stage=0
  [[ $variant == *2stage ]] && stage=1
  front="read_verilog -sv -DSYNTHESIS $SRC; chparam -set Mode $mode -set TwoStage $stage -set FirstStageBits 2 -set Lanes 16 -set WBits 16 -set InBits 16 -set AccBits 32 -set Signed 0 dnn_bitserial_sip; synth -top dnn_bitserial_sip"
  yosys -q -p "$front; tee -o $WORK/stat$variant.txt stat" >/dev/null
  cells=$(awk '/Number of cells:/ {n=$4} END {print n}' "$WORK/stat$variant.txt")
  um2=0
  if [[ -n $LIB ]]; then
    yosys -q -p "$front; dfflibmap -liberty $LIB; abc -liberty $LIB; opt_clean; tee -o $WORK/lib$variant.txt stat -liberty $LIB" >/dev/null 2>&1
    um2=$(awk '/Chip area for/ {a=$NF} END {print a}' "$WORK/lib$variant.txt")
  fi
  AREAS+=("$cells" "$um2")
done
/usr/bin/python3 - "${AREAS[@]}" <<'PY'
import sys
v = sys.argv[1:]
(sc, su), (gc, gu), (pc, pu), (tc, tu) = [(int(v[i]), float(v[i + 1])) for i in (0, 2, 4, 6)]
lib = su > 0
# A SIP does its 16 lanes' MACs every p cycles (Stripes), every max-popcount cycles
# (Pragmatic), every cycle (bit-parallel).
rows = [("Stripes SIP, p=16", sc, su, 1.0), ("Stripes SIP, p=8", sc, su, 2.0),
        ("Pragmatic SIP (2 oneffsets)", gc, gu, 8.0), ("Pragmatic 2-stage SIP (2 ofs)", tc, tu, 8.0),
        ("bit-parallel IP (16 mults)", pc, pu, 16.0)]
head = f"{'unit':<28} {'cells':>8} {'MACs/cycle':>11} {'per kcell':>10}"
print(head + (f" {'Nangate45 um^2':>15} {'MACs/cycle/mm^2':>16}" if lib else ""))
for name, cells, um2, macs in rows:
    line = f"{name:<28} {cells:>8} {macs:>11.2f} {1000 * macs / cells:>10.3f}"
    print(line + (f" {um2:>15.0f} {1e6 * macs / um2:>16.0f}" if lib else ""))
print(f"bit-parallel / Stripes: {pc / sc:.1f}x the cells" + (f", {pu / su:.1f}x the um^2" if lib else "") +
      f"; so Stripes has more MACs per area below p = {pc / sc:.1f} bits (cells)" +
      (f", {pu / su:.1f} bits (um^2)" if lib else ""))
print(f"Pragmatic / Stripes: {gc / sc:.1f}x the cells" + (f", {gu / su:.1f}x the um^2" if lib else ""))
print(f"Pragmatic two-stage / single-stage SIP: {tc / gc:.2f}x the cells" + (f", {tu / gu:.2f}x the um^2" if lib else ""))
PY

echo "== per-window synchronisation: the weight registers it adds (Yosys 0.23, a 2 x 1 Pragmatic tile, 16 lanes, 16-bit)"
TILE_SRC="$ROOT/rtl/common/dnn_pkg.sv $ROOT/rtl/common/dnn_adder_tree.sv $ROOT/rtl/bitserial/dnn_bitserial_sip.sv"
TILE_SRC+=" $ROOT/rtl/bitserial/dnn_bitserial_act_row.sv $ROOT/rtl/bitserial/dnn_bitserial_tile.sv"
for sync in 0 1; do
  yosys -q -p "read_verilog -sv -DSYNTHESIS $TILE_SRC; chparam -set Mode 1 -set RowSync $sync -set Lanes 16 -set TileRows 2 -set TileCols 1 -set WBits 16 -set InBits 16 -set AccBits 32 -set Signed 0 dnn_bitserial_tile; synth -top dnn_bitserial_tile; tee -o $WORK/tile$sync.txt stat" >/dev/null 2>&1
done
/usr/bin/python3 - "$WORK/tile0.txt" "$WORK/tile1.txt" <<'PY'
import re, sys
def cells(path):
    return int(re.findall(r"Number of cells:\s+(\d+)", open(path).read())[-1])
t, w = cells(sys.argv[1]), cells(sys.argv[2])
print(f"2 x 1 tile: {t} cells tile-synchronised, {w} window-synchronised: +{w - t} cells, {(w - t) / 2:.0f} per SIP "
      f"(a {16 * 16}-bit weight register and its hold multiplexer per SIP)")
PY
