#!/usr/bin/env bash
# EIE benchmark: the reference layers (workloads/eie_layers.csv) on the 64-PE EIE with
# the cycle model, for activation FIFO depths 1, 2, 4, 8, 16; prints one table per
# depth and a summary of the mean load-balance efficiency per depth, over useful MACs and
# over all entries processed (padding counted as work) (docs/eie.md).
#   scripts/bench_eie.sh [BUILD_DIR]        (default build)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$ROOT/build}
DNNGEN=$BUILD/tools/dnngen
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dnngen-eie-bench-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
summary=""
for depth in 1 2 4 8 16; do
  sed "s/fifo_depth: .*/fifo_depth: $depth/; s/^name: .*/name: eie_64pe_fifo$depth/" \
    "$ROOT/configs/eie_64pe.yaml" >"$WORK/fifo$depth.yaml"
  "$DNNGEN" bench "$WORK/fifo$depth.yaml" --network "$ROOT/workloads/eie_layers.csv" --json "$WORK/$depth.json"
  echo
  summary+=$(/usr/bin/python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(f\"fifo {sys.argv[2]:>2}: mean efficiency {100*r['mean_efficiency']:.1f} % (over entries {100*r['mean_entry_efficiency']:.1f} %), min {100*min(l['efficiency'] for l in r['layers']):.1f} %, max {100*max(l['efficiency'] for l in r['layers']):.1f} %, total cycles {r['cycles']}\")" "$WORK/$depth.json" "$depth")$'\n'
done
printf '%s' "$summary"
