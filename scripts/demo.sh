#!/usr/bin/env bash
# make demo: on the default configuration, generate the RTL, co-simulate a real
# ResNet-50 layer and random jobs against the golden model, synthesize, estimate the
# whole network, run whole layers through the AXI shell (and a full-size EIE layer, a
# bit-serial GEMM and a row-stationary convolution behind the same register map), and print
# a summary. Outputs land in
# out/demo/.
set -euo pipefail
BUILD=${1:-build}
DNNGEN="$BUILD/tools/dnngen"
CONFIG=${DNNGEN_DEMO_CONFIG:-configs/systolic_ws_16x16_int8.yaml}
LAYER=${DNNGEN_DEMO_LAYER:-workloads/resnet50.csv:res3a_branch2b}
OUT=out/demo
export DNNGEN_CACHE=${DNNGEN_CACHE:-$PWD/$BUILD/sim-cache}

step() { printf '\n== %s\n' "$*"; }
rm -rf "$OUT" && mkdir -p "$OUT"
start=$(date +%s)

step "validate $CONFIG"
"$DNNGEN" validate "$CONFIG"

step "generate the configured RTL bundle"
"$DNNGEN" generate "$CONFIG" -o "$OUT/rtl"
ls "$OUT/rtl"

step "co-simulate a real layer: $LAYER (im2col, split into jobs that fit the buffers)"
"$DNNGEN" cosim "$CONFIG" --layer "$LAYER" --seed 1 --quiet --json "$OUT/layer.json"

step "co-simulate random jobs (edge shapes, extreme values)"
"$DNNGEN" cosim "$CONFIG" --random --seed 1 --count 20 --quiet --json "$OUT/random.json"

step "co-simulate random jobs with a stalling consumer (backpressure)"
"$DNNGEN" cosim "$CONFIG" --random --seed 2 --count 5 --ready 0.5 --quiet --json "$OUT/stall.json"

step "synthesize (Yosys, generic cells)"
"$DNNGEN" synth "$CONFIG" --target generic --work-dir "$OUT/synth" --json "$OUT/synth.json" | head -12

step "estimate all of ResNet-50 with the closed-form cycle model"
"$DNNGEN" bench "$CONFIG" --network workloads/resnet50.csv --json "$OUT/resnet50.json" | tail -3

step "whole real layers through the AXI shell: ResNet-50 res4a_branch2a (1x1) and res2a_branch2b (3x3, implicit im2col), registers over AXI4-Lite, DMA over AXI4"
# The shell testbench at this configuration's parameters (bench_shell reads them from the
# YAML), against the golden model (bytes) and the cycle model (cycles).
SHELL_TB="$PWD/$BUILD/shell-demo"
shell_rtl=()
while read -r f; do
  [[ -z $f || $f == \#* || $f == *_pkg.sv ]] || shell_rtl+=("rtl/$f")
done < rtl/filelists/shell_systolic.f
# shellcheck disable=SC2046  # the -G parameters are separate words
testbench/shell/build_tb.sh "$PWD/$DNNGEN" "$PWD/$BUILD/model/libdnngen_model.a" "$PWD" "$SHELL_TB" dnn_shell_systolic \
  testbench/shell/test_shell_systolic.cpp "${shell_rtl[@]}" $("$BUILD/tools/bench_shell" "$CONFIG" --rtl-params) > /dev/null
"$SHELL_TB/dnn_shell_systolic_tests" --gtest_filter='*RealResNet50*' > "$OUT/shell.txt" || { cat "$OUT/shell.txt"; exit 1; }
grep '^res' "$OUT/shell.txt"
"$BUILD/tools/bench_shell" "$CONFIG" workloads/resnet50.csv > "$OUT/shell_resnet50.txt"
tail -1 "$OUT/shell_resnet50.txt"

step "the EIE sparse engine behind the same shell: a full-size spmv layer of configs/eie_4pe.yaml, loading its weight image, then with it kept on chip"
EIE_CONFIG=configs/eie_4pe.yaml
EIE_TB="$PWD/$BUILD/shell-demo-eie"
eie_rtl=()
while read -r f; do
  [[ -z $f || $f == \#* || $f == *_pkg.sv ]] || eie_rtl+=("rtl/$f")
done < rtl/filelists/shell_eie.f
# shellcheck disable=SC2046  # the -G parameters are separate words
testbench/shell/build_tb.sh "$PWD/$DNNGEN" "$PWD/$BUILD/model/libdnngen_model.a" "$PWD" "$EIE_TB" dnn_shell_eie \
  testbench/shell/test_shell_eie.cpp "${eie_rtl[@]}" $("$BUILD/tools/bench_shell" "$EIE_CONFIG" --rtl-params) > /dev/null
"$EIE_TB/dnn_shell_eie_tests" --gtest_filter='*FullSizeLayerLoadedThenKept*' > "$OUT/shell_eie.txt" ||
  { cat "$OUT/shell_eie.txt"; exit 1; }
grep '^spmv' "$OUT/shell_eie.txt"

step "the bit-serial engine behind the same shell: Pragmatic (configs/bitserial_pragmatic_4x4_l16.yaml), a 128 x 96 x 200 GEMM of post-ReLU 8-bit activations, precision detected per brick group"
BS_CONFIG=configs/bitserial_pragmatic_4x4_l16.yaml
/usr/bin/python3 - "$OUT" <<'PY'
import numpy as np, sys
rng = np.random.default_rng(7)
a = rng.integers(0, 256, (128, 200))
a[rng.random(a.shape) < 0.5] = 0  # post-ReLU: half the activations zero
np.save(f"{sys.argv[1]}/bs_a.npy", a.astype(np.int32))
np.save(f"{sys.argv[1]}/bs_b.npy", rng.integers(-2000, 2000, (200, 96)).astype(np.int32))
PY
"$DNNGEN" run "$BS_CONFIG" --shell --backend rtl --in A="$OUT/bs_a.npy" --in B="$OUT/bs_b.npy" \
  --out C="$OUT/bs_c.npy" --param precision=auto --json "$OUT/bitserial.json" | grep '^rtl'

step "the row-stationary engine behind its own shell (configs/systolic_rs_4x4_int8.yaml): a 3x3 conv2d, 8 x 28 x 28 ifmap, 16 filters, CHW tensors through the DMAs"
RS_CONFIG=configs/systolic_rs_4x4_int8.yaml
/usr/bin/python3 - "$OUT" <<'PY'
import numpy as np, sys
rng = np.random.default_rng(11)
np.save(f"{sys.argv[1]}/rs_x.npy", rng.integers(-128, 128, (8, 28, 28)).astype(np.int8))
np.save(f"{sys.argv[1]}/rs_w.npy", rng.integers(-128, 128, (16, 8, 3, 3)).astype(np.int8))
PY
"$DNNGEN" run "$RS_CONFIG" --op conv2d --shell --backend rtl --in ifmap="$OUT/rs_x.npy" --in weights="$OUT/rs_w.npy" \
  --param pad=1 --out ofmap="$OUT/rs_y.npy" --json "$OUT/rs.json" | grep '^rtl'

step "an ONNX network, quantised to int8, classifying real images through the shell on the RTL: models/digits (sklearn's 8x8 digits)"
"$DNNGEN" infer "$CONFIG" --model models/digits/digits_cnn.onnx --input models/digits/test_images.npy \
  --labels models/digits/test_labels.npy --calibrate models/digits/calib_images.npy --backend rtl --json "$OUT/infer.json"

elapsed=$(( $(date +%s) - start ))
step "summary ($elapsed s)"
/usr/bin/python3 - "$OUT" "$CONFIG" "$LAYER" <<'PY'
import json, sys
out, config, layer = sys.argv[1:4]
load = lambda n: json.load(open(f"{out}/{n}.json"))
L, R, S, Y, N = load("layer"), load("random"), load("stall"), load("synth"), load("resnet50")
shell_text = open(f"{out}/shell.txt").read()
shell_layer = [l for l in shell_text.splitlines() if l.startswith("res4a")][0]
shell_conv = ([l for l in shell_text.splitlines() if l.startswith("res2a")] or [""])[0]
shell_lines = open(f"{out}/shell_resnet50.txt").read().strip().splitlines()
shell_net = [l for l in shell_lines if l.startswith("total:")][-1]
shell_energy = [l for l in shell_lines if l.startswith("energy")][-1]
eie_text = open(f"{out}/shell_eie.txt").read()
eie_line = ([l for l in eie_text.splitlines() if l.startswith("spmv")] or [""])[0]
B = load("bitserial")
RS = load("rs")
I = load("infer")
import numpy as np
def conv2d(x, w, pad):
    xp = np.pad(x.astype(np.int64), ((0, 0), (pad, pad), (pad, pad)))
    k, c, r, s = w.shape
    e, f = xp.shape[1] - r + 1, xp.shape[2] - s + 1
    y = np.zeros((k, e, f), np.int64)
    for i in range(r):
        for j in range(s):
            y += np.einsum("kc,cef->kef", w[:, :, i, j].astype(np.int64), xp[:, i:i + e, j:j + f])
    return y
rs_exact = np.array_equal(np.load(f"{out}/rs_y.npy"), conv2d(np.load(f"{out}/rs_x.npy"), np.load(f"{out}/rs_w.npy"), 1))
bs_exact = np.array_equal(np.load(f"{out}/bs_c.npy"),
                          np.load(f"{out}/bs_a.npy").astype(np.int64) @ np.load(f"{out}/bs_b.npy").astype(np.int64))
import re
def field(pattern, text):
    m = re.search(pattern, text)
    return m.group(1) if m else "?"

A = Y["area"]
def agree(r):
    jobs = r["jobs"]
    same = all(j["rtl_cycles"] == j["model_cycles"] for j in jobs)
    return f'{len(jobs) - r["failed_jobs"]}/{len(jobs)} jobs bit-exact, cycles equal: {"yes" if same and r["pass"] else "NO"}'
rows = [
    ("config", f'{config} ({L["rows"]}x{L["cols"]} {L["dataflow"]})'),
    ("real layer", f'{layer}: {len(L["jobs"])} jobs, {L["cycles"]:,} cycles, utilization {100*L["utilization"]:.1f} % (compute only: operands preloaded, no data movement)'),
    ("  model == RTL", agree(L) + f', whole-layer output: {L.get("output_check", "n/a")}'),
    ("random jobs", agree(R)),
    ("backpressure", agree(S) + f', {sum(j["stall_cycles"] for j in S["jobs"])} stall cycles absorbed'),
    ("RTL sim speed", f'{L["sim_cycles_per_second"]/1e6:.2f} M cycles/s'),
    ("synthesis", f'{Y["cells"]:,} cells, {Y["flip_flops"]:,} flip-flops, logic depth {Y["logic_depth"]}, Yosys {Y["yosys_seconds"]:.1f} s'),
    ("area", f'logic {A["logic"]:,.0f} + SRAM {A["sram"]:,.0f} NAND2-eq ({Y["sram"]["bits"]:,} bits) = {A["total"]*A["nand2_um2"]/1e6:.3f} mm^2 at 45 nm'),
    ("ResNet-50", f'{N["cycles"]:,} cycles/image, utilization {100*N["utilization"]:.1f} % compute only, {N["scalesim_ratio"]:.3f} x SCALE-Sim v2 {"WS" if N["dataflow"] == "weight_stationary" else "OS"}'),
    ("layer via AXI", f'res4a_branch2a through the shell: {field(r"AXI: ([0-9]+) cycles", shell_layer)} cycles (model: {field(r"model ([0-9]+)", shell_layer)}), '
                      f'core computing {field(r"computing ([0-9]+)", shell_layer)}, waiting on memory {field(r"memory ([0-9]+);", shell_layer)}, '
                      f'{field(r"; ([0-9]+) bytes read", shell_layer)} bytes read, {field(r"read, ([0-9]+)", shell_layer)} written, bit-exact, '
                      f'RTL {field(r"simulation ([0-9.]+) M", shell_layer)} M cycles/s'),
    ("conv via AXI", f'res2a_branch2b (3x3, windows gathered by the shell): {field(r"AXI: ([0-9]+) cycles", shell_conv)} cycles '
                     f'(model: {field(r"model ([0-9]+)", shell_conv)}), computing {field(r"computing ([0-9]+)", shell_conv)}, '
                     f'waiting on memory {field(r"memory ([0-9]+);", shell_conv)}, {field(r"; ([0-9]+) bytes read", shell_conv)} bytes read, bit-exact'
                     if shell_conv else "res2a_branch2b runs on the 16x16 geometry only (skipped for this configuration)"),
    ("  with DRAM", f'ResNet-50 through the shell (cycle-exact model, every byte moved by the DMAs): '
                    f'{field(r"DRAM ([0-9]+) cycles", shell_net)} cycles/image, {field(r"cycles [(]([0-9.]+ %)[)], [0-9.]+ % of", shell_net)} utilisation, '
                    f'{field(r"([0-9.]+ %) of compute-only", shell_net)} of compute-only, {field(r"([0-9.]+ MB) moved", shell_net)} moved'),
    ("EIE via AXI", f'eie_4pe, {field(r"^(spmv [0-9x]+, batch [0-9]+)", eie_line)}: {field(r"shell: ([0-9]+) cycles loading", eie_line)} cycles loading '
                    f'the weight image (model {field(r"loading the image [(]model ([0-9]+)", eie_line)}), {field(r", ([0-9]+) with it kept", eie_line)} with it kept on chip '
                    f'(model {field(r"kept on chip [(]model ([0-9]+)", eie_line)}), every byte through the DMAs, bit-exact'),
    ("bit-serial via AXI", f'{B["config"]}, GEMM {B["gemm"]["M"]}x{B["gemm"]["N"]}x{B["gemm"]["K"]}, precision {B["precision"]}: '
                           f'{B["cycles"]:,} cycles including data movement (computing {B["cycles_compute"]:,}, waiting on memory '
                           f'{B["cycles_mem_wait"]:,}), RTL == model in every counter: {"yes" if B.get("model_counters_agree") else "NO"}, '
                           f'C == A x B: {"yes" if bs_exact else "NO"}'),
    ("RS via AXI", f'{RS["config"]}, conv2d {RS["conv2d"]["C"]}x{RS["conv2d"]["H"]}x{RS["conv2d"]["W"]} * {RS["conv2d"]["K"]}x{RS["conv2d"]["R"]}x{RS["conv2d"]["S"]}: '
                   f'{RS["cycles"]:,} cycles including data movement (the core alone {RS["core_cycles"]:,}, compute only), '
                   f'{RS["bytes_read"]:,} B read, {RS["bytes_written"]:,} B written, RTL == model in every counter: '
                   f'{"yes" if RS.get("model_counters_agree") else "NO"}, ofmap == conv2d: {"yes" if rs_exact else "NO"}'),
    ("ONNX on RTL", f'digits CNN ({I["samples"]} images, int8): accuracy {100*I["accuracy"]:.2f} % (float {100*I["float_accuracy"]:.2f} %), '
                    f'{I["cycles_per_sample"]:,.0f} cycles an image including data movement (pooling on the host not counted), '
                    f'{I["samples_per_second"]:.0f} images/s on the RTL, RTL == model on every layer: {"yes" if I.get("rtl_matches_model") else "NO"}'),
    ("energy", f'ResNet-50 through the shell: {field(r"(energy [0-9.]+ [a-zA-Z]+ [(][^)]*[)], [0-9.]+ pJ/MAC, [0-9.]+ TOPS/W)", shell_energy)} '
               f'(45 nm, DRAM included); digits CNN: {I["energy"]["pj_per_inference"] / 1e3:.0f} nJ an image, '
               f'{I["energy"]["pj_per_mac"]:.1f} pJ/MAC with its DRAM traffic (docs/energy.md)'),
]
w = max(len(k) for k, _ in rows)
for k, v in rows:
    print(f"  {k:<{w}}  {v}")
ok = (L["pass"] and R["pass"] and S["pass"] and "[  PASSED  ]" in shell_text and "FAILED" not in shell_text
      and "[  PASSED  ]" in eie_text and "FAILED" not in eie_text and B.get("model_counters_agree") and bs_exact
      and RS.get("model_counters_agree") and rs_exact and I.get("rtl_matches_model") and I["accuracy"] >= 0.95)
print("\n  result:", "PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
PY
