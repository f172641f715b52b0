#!/usr/bin/env bash
# Gate-level power against the analytical energy, one job per engine (issue 15;
# docs/energy_power.md): each job co-simulated with an FST (`dnngen cosim --fst`), then
# `dnngen power` (Yosys asic flow, OpenSTA report_power with the measured activity) with
# the job's inputs, which prints the same job's analytical energy beside it. Nangate45 when
# ../shared holds it, else the default OSU 0.18 um library (whose figures are not 45 nm).
#   scripts/bench_power.sh BUILD_DIR
set -euo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
D="$BUILD/tools/dnngen"
OUT=out/bench/power
mkdir -p "$OUT"
LIB=()
if [ -f ../shared/pdk/nangate45_typ.lib.gz ]; then
  gunzip -c ../shared/pdk/nangate45_typ.lib.gz > "$OUT/nangate45_typ.lib"
  LIB=(--liberty "$OUT/nangate45_typ.lib")
  echo "   Liberty: Nangate45 typical (1.1 V), 200 MHz"
else
  echo "   Liberty: the default OSU 0.18 um (../shared/pdk/nangate45_typ.lib.gz not found), 200 MHz"
fi
/usr/bin/python3 - "$OUT" <<'PY'
import sys, numpy as np
out, rng = sys.argv[1], np.random.default_rng(15)
np.save(f"{out}/ws_a.npy", rng.integers(-128, 128, (32, 64), dtype=np.int8))
np.save(f"{out}/ws_b.npy", rng.integers(-128, 128, (64, 32), dtype=np.int8))
np.save(f"{out}/rs_x.npy", rng.integers(-128, 128, (4, 16, 16), dtype=np.int8))
np.save(f"{out}/rs_w.npy", rng.integers(-128, 128, (8, 4, 3, 3), dtype=np.int8))
# Post-ReLU-like activations of 8 significant bits for the bit-serial engine.
np.save(f"{out}/bs_a.npy", rng.integers(0, 256, (16, 64), dtype=np.int16))
np.save(f"{out}/bs_b.npy", rng.integers(-32768, 32768, (64, 16), dtype=np.int16))
w = rng.standard_normal((64, 128)).astype(np.float32)
np.save(f"{out}/eie_w.npy", w)
x = rng.integers(-2000, 2000, 128, dtype=np.int16)
x[rng.random(128) < 0.6] = 0
np.save(f"{out}/eie_x.npy", x)
PY
"$D" compress configs/eie_4pe.yaml --in weights="$OUT/eie_w.npy" --param density=0.1 \
  --out codebook="$OUT/eie_cb.npy" --out w_idx="$OUT/eie_idx.npy" > /dev/null

# name config --in... [--op/--param...]
run() {
  local name=$1 cfg=$2
  shift 2
  echo "== $name ($cfg)"
  "$D" cosim "$cfg" "$@" --fst "$OUT/$name.fst" | tail -1
  "$D" power "$cfg" --fst "$OUT/$name.fst" "${LIB[@]}" --clock-mhz 200 "$@" --json "$OUT/$name.json" |
    grep -E "^  (job|total|PE array)|^analytical|activity:"
}
run ws configs/systolic_ws_4x4_int8.yaml --in A="$OUT/ws_a.npy" --in B="$OUT/ws_b.npy"
run rs configs/systolic_rs_4x4_int8.yaml --op conv2d --in ifmap="$OUT/rs_x.npy" --in weights="$OUT/rs_w.npy" \
  --param stride=1 --param pad=1
run stripes configs/bitserial_stripes_4x4_l16.yaml --in A="$OUT/bs_a.npy" --in B="$OUT/bs_b.npy" --param precision=8
run eie configs/eie_4pe.yaml --op spmv --in codebook="$OUT/eie_cb.npy" --in w_idx="$OUT/eie_idx.npy" \
  --in x="$OUT/eie_x.npy"
