#!/usr/bin/env bash
# make bench, step 14: datacenter-size arrays through the RTL tools (issue 16).
#   1. generic synthesis of the 128 x 128 int8 WS preset (configs/large/), hierarchical (each
#      distinct module synthesized once, totals from instance counts): wall time and peak
#      memory of the whole `dnngen synth` (/usr/bin/time -v; targets < 10 min, < 8 GB);
#   2. the same flow at 16 x 16 against `dnngen synth --flat` (flattened before synthesis):
#      cells, flip-flops, logic and total NAND2-eq, difference in %;
#   3. a 64 x 64 int8 WS Verilator simulation: build time, then one GEMM through `dnngen
#      cosim` (model == RTL, values and cycles) and its simulated cycles per second;
#   4. the closed-form cycle estimate of ResNet-50 on the 256 x 256 preset (`dnngen bench`),
#      wall time of the whole process (target < 1 s), best of 5.
# The 16 x 16 and 64 x 64 configurations are the 128 x 128 preset with rows and cols changed.
# Takes about 20 minutes on two cores (the flat 16 x 16 run, 13 minutes, is most of it).
#   scripts/bench_scale.sh [BUILD_DIR]     (default build; writes out/bench/scale_rtl/)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-build}
[[ $BUILD = /* ]] || BUILD=$PWD/$BUILD
DNNGEN=$BUILD/tools/dnngen
OUT=$ROOT/out/bench/scale_rtl
export DNNGEN_CACHE=${DNNGEN_CACHE:-$BUILD/sim-cache}
[[ -x $DNNGEN ]] || { echo "bench_scale.sh: $DNNGEN not built (cmake --build $BUILD --target dnngen)" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "bench_scale.sh: /usr/bin/time not found (Debian package time)" >&2; exit 1; }
mkdir -p "$OUT"
PRESET=$ROOT/configs/large/systolic_ws_128x128_int8.yaml

# sized N: the 128 x 128 preset at N x N, named scale_ws_NxN_int8, in $OUT/scale_ws_NxN_int8.yaml.
sized() {
  sed -e "s/name: systolic_ws_128x128_int8/name: scale_ws_128x128_int8/" -e "s/128/$1/g" "$PRESET" \
    >"$OUT/scale_ws_$1x$1_int8.yaml"
  echo "$OUT/scale_ws_$1x$1_int8.yaml"
}
# timed NAME CMD...: runs CMD under /usr/bin/time -v (its output in $OUT/NAME.log), prints
# "wall W s, peak P MB".
timed() {
  local name=$1
  shift
  /usr/bin/time -v -o "$OUT/$name.time" "$@" >"$OUT/$name.log"
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i] }
              /Maximum resident set size/ { kb = $2 }
              END { printf "wall %.1f s, peak %.0f MB", s, kb / 1024 }' "$OUT/$name.time"
}

echo "-- 1. generic synthesis, 128 x 128 int8 WS (configs/large/systolic_ws_128x128_int8.yaml), hierarchical, $(nproc) jobs"
line=$(timed synth128 "$DNNGEN" synth "$PRESET" --work-dir "$OUT/synth128" --json "$OUT/synth128.json")
/usr/bin/python3 - "$OUT/synth128.json" "$line" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"   {sys.argv[2]} (Yosys {r['yosys_seconds']:.0f} s); {r['cells']:,} cells, {r['flip_flops']:,} flip-flops, "
      f"logic {r['area']['logic']:,.0f} NAND2-eq, total {r['area']['total']:,.0f} NAND2-eq, logic depth {r['logic_depth']}")
PY

echo "-- 2. 16 x 16 int8 WS: hierarchical against --flat (flattened before synthesis)"
cfg16=$(sized 16)
h=$(timed synth16 "$DNNGEN" synth "$cfg16" --work-dir "$OUT/synth16" --json "$OUT/synth16.json")
f=$(timed synth16_flat "$DNNGEN" synth "$cfg16" --flat --work-dir "$OUT/synth16_flat" --json "$OUT/synth16_flat.json")
echo "   hierarchical: $h; flat: $f"
/usr/bin/python3 - "$OUT/synth16.json" "$OUT/synth16_flat.json" <<'PY'
import json, sys
h, f = (json.load(open(p)) for p in sys.argv[1:3])
rows = [("cells", h["cells"], f["cells"]), ("flip-flops", h["flip_flops"], f["flip_flops"]),
        ("logic NAND2-eq", h["area"]["logic"], f["area"]["logic"]),
        ("total NAND2-eq", h["area"]["total"], f["area"]["total"])]
for name, a, b in rows:
    print(f"   {name:15s} hierarchical {a:>12,.0f}  flat {b:>12,.0f}  flat - hierarchical {100 * (b - a) / a:+.2f} %")
PY

echo "-- 3. Verilator simulation, 64 x 64 int8 WS: simulator build, then a 1024 x 512 x 512 GEMM"
cfg64=$(sized 64)
t0=$(date +%s%N)
"$DNNGEN" simulator "$cfg64" --rebuild >"$OUT/sim64_build.log"
t1=$(date +%s%N)
echo "   simulator build (verilate + C++ -O2, -j2): $(( (t1 - t0) / 1000000000 )) s"
/usr/bin/python3 - "$OUT" <<'PY'
import numpy as np, sys
rng = np.random.default_rng(1)
np.save(f"{sys.argv[1]}/A64.npy", rng.integers(-128, 128, (1024, 512), dtype=np.int8))
np.save(f"{sys.argv[1]}/B64.npy", rng.integers(-128, 128, (512, 512), dtype=np.int8))
PY
for run in 1 2 3; do
  "$DNNGEN" cosim "$cfg64" --in A="$OUT/A64.npy" --in B="$OUT/B64.npy" --quiet --json "$OUT/sim64.$run.json" >/dev/null
done
/usr/bin/python3 - "$OUT" <<'PY'
import json, sys
runs = [json.load(open(f"{sys.argv[1]}/sim64.{i}.json")) for i in (1, 2, 3)]
r = runs[0]
speeds = ", ".join(f"{x['sim_cycles_per_second'] / 1e3:.1f}" for x in runs)
print(f"   {r['sim_cycles']:,} cycles simulated (job {r['cycles']:,}, loading the rest): {speeds} k cycles/s; "
      f"model == RTL {'yes' if all(x['pass'] for x in runs) else 'NO'}")
PY

echo "-- 4. closed-form estimate of ResNet-50 on the 256 x 256 preset (dnngen bench), wall time"
best=""
for _ in 1 2 3 4 5; do
  t0=$(date +%s%N)
  "$DNNGEN" bench "$ROOT/configs/large/systolic_ws_256x256_int8.yaml" --network "$ROOT/workloads/resnet50.csv" \
    --json "$OUT/bench256.json" >/dev/null
  t1=$(date +%s%N)
  ms=$(( (t1 - t0) / 1000000 ))
  [[ -z $best || $ms -lt $best ]] && best=$ms
done
/usr/bin/python3 - "$OUT/bench256.json" "$best" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"   best of 5: {sys.argv[2]} ms (target < 1000 ms); {r['cycles']:,} compute cycles, "
      f"utilization {100 * r['utilization']:.1f} %")
PY
