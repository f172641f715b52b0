#!/usr/bin/env bash
# make bench: the performance figures the issues ask for, measured on this machine.
#   1. RTL simulation speed of the 16x16 int8 engines (Verilator, cycles per second)
#   2. simulator build time and Yosys synthesis time of the 16x16 int8 WS engine
#   3. cycles vs SCALE-Sim v2 (the same dataflow) on ResNet-50 and AlexNet (closed form)
#   4. speed of the closed-form estimate over whole networks
#   5-7. the other engines' benchmarks: row-stationary vs Eyeriss (scripts/bench_rs.sh),
#      EIE FIFO-depth sweep (scripts/bench_eie.sh), bit-serial speedups and SIP area
#      (scripts/bench_bitserial.sh) and on LeNet-5's real activations (scripts/bench_bitserial_lenet.py)
#   8. ResNet-50 through the systolic shell with its DMAs, EIE's layers through its shell,
#      AlexNet on the bit-serial engine in the systolic shell, and AlexNet on the row-stationary
#      shell next to the Eyeriss chip, with its buffers and with Eyeriss's buffer budget (tools/bench_shell.cpp)
#   9. RTL simulation speed through the shell, and its PE array's alone (scripts/bench_sim_speed.sh)
#  10. ONNX networks through `dnngen infer`: accuracy, cycles, RTL images/s (scripts/bench_infer.sh)
#  13. scale with the cycle models: EIE on 1-256 PEs, a 256x256 WS array on ResNet-50 and GPT-2
#      (scripts/bench_scale_models.sh)
#  14. scale through the RTL tools: 128x128 generic synthesis time and memory, 16x16 flat vs
#      hierarchical area, a 64x64 Verilator simulation, the 256x256 ResNet-50 estimate's wall time
#      (scripts/bench_scale.sh)
set -euo pipefail
BUILD=${1:-build}
DNNGEN="$BUILD/tools/dnngen"
OUT=out/bench
export DNNGEN_CACHE=${DNNGEN_CACHE:-$PWD/$BUILD/sim-cache}
mkdir -p "$OUT"

echo "== 1. RTL simulation speed: one 256 x 256 x 256 int8 GEMM per engine (3 runs each)"
/usr/bin/python3 - "$OUT" <<'PY'
import numpy as np, sys
rng = np.random.default_rng(1)
np.save(f"{sys.argv[1]}/A.npy", rng.integers(-128, 128, (256, 256), dtype=np.int8))
np.save(f"{sys.argv[1]}/B.npy", rng.integers(-128, 128, (256, 256), dtype=np.int8))
PY
for cfg in systolic_ws_16x16_int8 systolic_os_16x16_int8; do
  "$DNNGEN" simulator "configs/$cfg.yaml" > /dev/null
  for run in 1 2 3; do
    "$DNNGEN" cosim "configs/$cfg.yaml" --in A="$OUT/A.npy" --in B="$OUT/B.npy" --quiet \
      --json "$OUT/sim_$cfg.$run.json" > /dev/null
  done
  /usr/bin/python3 - "$OUT" "$cfg" <<'PY'
import json, sys
out, cfg = sys.argv[1:3]
runs = [json.load(open(f"{out}/sim_{cfg}.{i}.json")) for i in (1, 2, 3)]
best = max(r["sim_cycles_per_second"] for r in runs)
r = runs[0]
print(f"  {cfg:26s} {r['sim_cycles']:>8,} cycles simulated (job {r['cycles']:,}, loads the rest); "
      f"best {best/1e6:.2f} M cycles/s, model==RTL {'yes' if all(x['pass'] for x in runs) else 'NO'}")
PY
done

echo "== 2. build and synthesis times (16x16 int8 WS)"
t0=$(date +%s%N)
"$DNNGEN" simulator configs/systolic_ws_16x16_int8.yaml --rebuild > /dev/null
t1=$(date +%s%N)
echo "  Verilator simulator build (verilate + C++ -O2, -j2): $(( (t1 - t0) / 1000000 )) ms"
"$DNNGEN" synth configs/systolic_ws_16x16_int8.yaml --target generic --json "$OUT/synth.json" \
  --work-dir "$OUT/synth" > /dev/null
/usr/bin/python3 -c "import json; d=json.load(open('$OUT/synth.json')); print(f'  Yosys generic synthesis: {d[\"yosys_seconds\"]:.1f} s, {d[\"cells\"]:,} cells')"

echo "== 3. cycles against SCALE-Sim v2 of the same dataflow (WS ceil(K/R)*ceil(N/C)*(2R+C+M-2)-1, OS ceil(M/R)*ceil(N/C)*(K+R+C-2)-1), closed form, compute only"
for net in resnet50 alexnet; do
  for cfg in systolic_ws_16x16_int8 systolic_os_16x16_int8; do
    "$DNNGEN" bench "configs/$cfg.yaml" --network "workloads/$net.csv" --json "$OUT/$net.$cfg.json" > /dev/null
    /usr/bin/python3 -c "import json; d=json.load(open('$OUT/$net.$cfg.json')); print(f'  {\"$net\":9s} {\"$cfg\":24s} {d[\"cycles\"]:>12,} cycles  utilization {100*d[\"utilization\"]:5.1f} %  ratio to SCALE-Sim {d[\"scalesim_ratio\"]:.3f}')"
  done
done

echo "== 4. closed-form estimate speed"
"$BUILD/tools/bench_estimate" workloads

echo "== 5. row-stationary: AlexNet conv layers on the 12x14 array against Eyeriss"
scripts/bench_rs.sh "$BUILD"
echo "== 6. EIE: load-balance efficiency on the EIE layers, FIFO depths 1-16"
scripts/bench_eie.sh "$BUILD"
echo "   and on real pruned matrices (SqueezeNet Deep Compression with its codebooks, the MNIST MLP) beside"
echo "   synthetic ones of the same shape and non-zeros (needs ../shared/data):"
/usr/bin/python3 scripts/bench_eie_real.py --dnngen "$BUILD/tools/dnngen" --vectors 4
echo "== 7. bit-serial: Stripes and Pragmatic speedups, SIP area; on real activations (LeNet-5 on MNIST)"
scripts/bench_bitserial.sh "$BUILD"
/usr/bin/python3 scripts/bench_bitserial_lenet.py --dnngen "$BUILD/tools/dnngen"
echo "== 8. the shell: ResNet-50 through the WS and OS engines' AXI shell, every byte moved by its DMAs"
echo "   (the cycle-exact model of dnn_shell_systolic; co-simulation holds it to the RTL)"
echo "   conv layers by implicit im2col in the shell (conv2d descriptors), the preset's 32 reads in flight:"
"$BUILD/tools/bench_shell" configs/systolic_ws_16x16_int8.yaml workloads/resnet50.csv > "$OUT/shell_ws.txt"
grep -E "^(total|energy)" "$OUT/shell_ws.txt"
echo "   layers beyond 5 % of their roofline (none expected):"
awk 'NR > 2 && $9 > 1.05 { print "   " $0 }' "$OUT/shell_ws.txt"
echo "   at 8 bytes/cycle; with 8 reads in flight (conv1's 21-byte window rows are one burst each):"
"$BUILD/tools/bench_shell" configs/systolic_ws_16x16_int8.yaml workloads/resnet50.csv --bytes-per-cycle 8 | grep -E "^(total|energy)"
"$BUILD/tools/bench_shell" configs/systolic_ws_16x16_int8.yaml workloads/resnet50.csv --outstanding 8 | grep -E "^(total|energy)"
echo "   conv layers as im2col GEMMs lowered on the host (the im2col matrix read from memory):"
"$BUILD/tools/bench_shell" configs/systolic_ws_16x16_int8.yaml workloads/resnet50.csv --host-im2col | grep -E "^(total|energy)"
echo "   the output-stationary engine behind the same shell, 32 and 8 reads in flight:"
for n in 32 8; do
  "$BUILD/tools/bench_shell" configs/systolic_os_16x16_int8.yaml workloads/resnet50.csv --outstanding "$n" | grep -E "^(total|energy)"
done
echo "   EIE behind its shell (dnn_shell_eie; its cycle-exact model): one 512x512 layer, 10 % weights,"
echo "   35 % non-zero activations, batches of 1, 8 and 64 vectors (loading the image, and with it kept on"
echo "   chip: OP.KEEP_WEIGHTS), latency 100, at 16 and 2.4 bytes/cycle:"
for bpc in 16 2.4; do
  "$BUILD/tools/bench_shell" configs/eie_64pe.yaml --spmv 512x512 --latency 100 --bytes-per-cycle "$bpc" | tail -6
done
echo "   EIE's nine benchmark layers at their published sizes, each one spmv descriptor (data movement"
echo "   included; 'computing' is the core's job time, the kernel's compute-only figure):"
"$BUILD/tools/bench_shell" configs/eie_64pe.yaml --network workloads/eie_layers.csv --batch 64 | tail -10
echo "   the bit-serial engine behind the systolic shell: AlexNet's conv layers as im2col GEMMs (A in memory,"
echo "   16-bit), activations drawn from the precision profile as dnngen bench draws them; the kernel's"
echo "   compute-only cycles beside the shell's with every byte moved (latency 100, 16 bytes/cycle):"
for c in parallel_1x4 stripes_16x4 pragmatic_16x4 pragmatic_wsync_16x4; do
  "$BUILD/tools/bench_shell" "configs/bitserial_${c}_l16.yaml" workloads/alexnet_conv.csv | grep -E "^(total|energy)"
done
echo "   the row-stationary engine behind its shell (dnn_shell_rs): AlexNet's conv layers, one image a"
echo "   descriptor and a batch of 4 (the weights read once), every byte moved (ifmap, weights, tables,"
echo "   ofmap), at Eyeriss's 2.4 bytes/cycle and at 8 (latency 100), per image; Eyeriss (JSSC 2017"
echo "   Table V, batch 4): 5,765,000 cycles per image in total, 5,175,000 processing:"
for batch in 1 4; do
  for bpc in 2.4 8; do
    "$BUILD/tools/bench_shell" configs/systolic_rs_12x14_int16.yaml workloads/alexnet_conv.csv --latency 100 \
      --bytes-per-cycle "$bpc" --batch "$batch" | tail -9
  done
done
echo "   the same on Eyeriss's global-buffer budget and link width (configs/systolic_rs_12x14_int16_ring.yaml:"
echo "   ring buffers the shell's DMA fills in the core's read order, 106.8 KB of buffers, a 64-bit bus),"
echo "   one image a descriptor:"
for bpc in 2.4 8; do
  "$BUILD/tools/bench_shell" configs/systolic_rs_12x14_int16_ring.yaml workloads/alexnet_conv.csv --latency 100 \
    --bytes-per-cycle "$bpc" | tail -10
done
echo "== 9. RTL simulation speed through the shell (16x16 WS preset), and the PE array's alone"
scripts/bench_sim_speed.sh "$BUILD"
echo "== 10. ONNX networks, quantised, through the shells (dnngen infer)"
scripts/bench_infer.sh "$BUILD"
echo "== 11. Energy (analytical, 45 nm): the Eyeriss dataflow comparison, bit-serial, EIE"
scripts/bench_energy.sh "$BUILD"
echo "== 12. Gate-level power (dnngen power, OpenSTA) against the analytical energy, one job per engine"
scripts/bench_power.sh "$BUILD"
echo "== 13. Scale with the cycle models: EIE's speedup and load balance on 1 to 256 PEs, and a 256x256 int8 WS"
echo "   array on ResNet-50 and GPT-2, closed form and with data movement (scripts/bench_scale_models.sh)"
scripts/bench_scale_models.sh "$BUILD"
echo "== 14. Scale through the RTL tools: 128x128 synthesis (hierarchical), 16x16 flat vs hierarchical,"
echo "   a 64x64 Verilator simulation, the 256x256 ResNet-50 estimate (scripts/bench_scale.sh)"
scripts/bench_scale.sh "$BUILD"
echo "== 15. A 24-point generic-synthesis sweep on a private single-node Slurm cluster: 1 worker against 2"
scripts/bench_slurm.sh "$BUILD"
