#!/usr/bin/env bash
# Analytical energy (issue 15; docs/energy_power.md), from the engines' cycle-exact shell models
# with every DRAM byte their DMAs move, priced with configs/energy/horowitz_45nm.yaml:
#  1. the Eyeriss dataflow comparison: AlexNet CONV1-5 on 12x14 int16 arrays, row stationary
#     against weight and output stationary, pJ per MAC by level;
#  2. Stripes and Pragmatic against their bit-parallel baseline (AlexNet's conv layers);
#  3. EIE's nine benchmark layers next to the paper's 9.157 mW per PE (on chip, kernel).
#   scripts/bench_energy.sh BUILD_DIR
set -euo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
BS="$BUILD/tools/bench_shell"

div() { awk "BEGIN { print $1 / $2 }"; }

# "<name> <pJ/MAC> <dram> <buffer> <array> <rf> <mac>" from a bench_shell energy line.
energy_row() {
  sed -n 's/^energy.*, \([0-9.]*\) pJ\/MAC, .* by level: dram \([0-9.]*\) buffer \([0-9.]*\) array \([0-9.]*\) rf \([0-9.]*\) mac \([0-9.]*\)$/\1 \2 \3 \4 \5 \6/p'
}

echo "1. AlexNet CONV1-5, one image, 12x14 PEs, int16, latency 100, 8 bytes/cycle; pJ per MAC (45 nm):"
printf "   %-22s %8s %8s %8s %8s %8s %8s %10s\n" dataflow total dram buffer array rf mac "vs RS"
rs_total=""
for c in rs ws os; do
  row=$("$BS" "configs/systolic_${c}_12x14_int16.yaml" workloads/alexnet_conv.csv --latency 100 --bytes-per-cycle 8 |
    energy_row)
  read -r total dram buffer array rf mac <<<"$row"
  [ -n "$rs_total" ] || rs_total=$total
  printf "   %-22s %8s %8s %8s %8s %8s %8s %9.2fx\n" "systolic_${c}_12x14" "$total" "$dram" "$buffer" "$array" \
    "$rf" "$mac" "$(div "$total" "$rs_total")"
done
echo "   (Eyeriss, ISCA 2016: row stationary 1.4-2.5x more energy-efficient than the other dataflows at"
echo "   equal PE count and storage; here the storage differs, see docs/energy_power.md)"

echo "2. Bit-serial engines, AlexNet conv layers as im2col GEMMs, activations from the precision profile"
echo "   (latency 100, 16 bytes/cycle); energy relative to the bit-parallel baseline:"
base=""
for c in parallel_1x4 stripes_16x4 pragmatic_16x4 pragmatic_wsync_16x4; do
  row=$("$BS" "configs/bitserial_${c}_l16.yaml" workloads/alexnet_conv.csv | energy_row)
  read -r total dram buffer array rf mac <<<"$row"
  [ -n "$base" ] || base=$total
  printf "   %-22s %8s pJ/MAC (dram %s, on chip %.2f)  %.2fx the baseline's energy\n" "$c" "$total" "$dram" \
    "$(awk "BEGIN { print $total - $dram }")" "$(div "$total" "$base")"
done

echo "3. EIE's benchmark layers on configs/eie_64pe.yaml (kernel, one vector, on chip only):"
"$BUILD/tools/dnngen" bench configs/eie_64pe.yaml --network workloads/eie_layers.csv | sed -n '/^Energy per layer/,$p'
