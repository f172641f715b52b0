#!/usr/bin/env bash
# Row-stationary benchmark: AlexNet conv layers (the Eyeriss set) and ResNet-50 on the
# Eyeriss-sized 12 x 14 array, with the WS array of the same size and SCALE-Sim v2's
# WS/OS formulas beside each layer; then the Eyeriss comparison line.
#
# Usage: scripts/bench_rs.sh [BUILD_DIR]     (default: build)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$ROOT/build}
DNNGEN=$BUILD/tools/dnngen
CFG=$ROOT/configs/systolic_rs_12x14_int16.yaml
OUT=$(mktemp -d "${TMPDIR:-/tmp}/dnngen-bench-rs-XXXXXX")
trap 'rm -rf "$OUT"' EXIT

echo "== AlexNet conv layers, $(basename "$CFG")"
"$DNNGEN" bench "$CFG" --network "$ROOT/workloads/alexnet_conv.csv" --json "$OUT/alexnet.json"
/usr/bin/python3 - "$OUT/alexnet.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
eyeriss = 200e6 / 34.7  # Eyeriss chip: 34.7 fps at 200 MHz (batch 4) = 5.76 M cycles / image
print(f"cycles per image {r['cycles']:,} vs Eyeriss {eyeriss:,.0f}: {eyeriss / r['cycles']:.2f}x fewer; "
      f"vs SCALE-Sim WS {r['scalesim_ws_cycles']:,} ({r['scalesim_ws_cycles'] / r['cycles']:.2f}x), "
      f"OS {r['scalesim_os_cycles']:,} ({r['scalesim_os_cycles'] / r['cycles']:.2f}x); "
      f"utilization {100 * r['utilization']:.1f} %")
PY
echo
echo "== ResNet-50 (totals)"
start=$EPOCHREALTIME
"$DNNGEN" bench "$CFG" --network "$ROOT/workloads/resnet50.csv" | tail -1
awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "bench of ResNet-50: %.3f s\n", b - a }'
