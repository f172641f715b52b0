#!/usr/bin/env bash
# Scale with the cycle models (issue 16): no RTL simulation, no synthesis, a few seconds.
#   1. EIE's scalability study (Han et al., ISCA 2016): the nine benchmark layers on 1, 2, 4,
#      ..., 256 PEs with the cycle model (dnngen bench --pe-scaling): speedup over 1 PE and
#      load balance. Kernel only: weights and activations on chip, no data movement.
#   2. A 256 x 256 int8 weight-stationary array (configs/large/systolic_ws_256x256_int8.yaml) on
#      ResNet-50 and GPT-2's GEMMs, per layer: the closed-form estimate compute only, the same
#      estimate with the shell's planned data movement (dnngen bench: its memory: section's
#      bytes per cycle and latency), and the shell's cycle-exact model (tools/bench_shell, every
#      byte through the DMAs); the wall time of the ResNet-50 estimate (target < 1 s).
#   scripts/bench_scale_models.sh [BUILD_DIR]     (default build; writes out/bench/scale_*)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-build}
[[ $BUILD = /* ]] || BUILD=$PWD/$BUILD
DNNGEN=$BUILD/tools/dnngen
BENCH_SHELL=$BUILD/tools/bench_shell
OUT=$ROOT/out/bench
EIE_CFG=$ROOT/configs/large/eie_256pe.yaml
WS_CFG=${DNNGEN_SCALE_WS_CONFIG:-$ROOT/configs/large/systolic_ws_256x256_int8.yaml}
mkdir -p "$OUT"
for f in "$DNNGEN" "$BENCH_SHELL"; do
  [[ -x $f ]] || { echo "bench_scale_models.sh: $f not built (cmake --build $BUILD --target dnngen bench_shell)" >&2; exit 1; }
done

echo "-- EIE PE scaling: workloads/eie_layers.csv on 1..256 PEs, FIFO depth 8 ($(basename "$EIE_CFG")'s keys)"
t0=$(date +%s%N)
"$DNNGEN" bench "$EIE_CFG" --network "$ROOT/workloads/eie_layers.csv" --pe-scaling \
  --json "$OUT/scale_eie_pe.json" --csv "$OUT/scale_eie_pe.csv"
t1=$(date +%s%N)
echo "   (sweep wall time $(( (t1 - t0) / 1000000 )) ms; $OUT/scale_eie_pe.json, .csv)"

echo
echo "-- $(basename "$WS_CFG" .yaml) on ResNet-50 and GPT-2 (batch 1, 1024 tokens), per layer"
for net in resnet50 transformer_gpt2; do
  t0=$(date +%s%N)
  "$DNNGEN" bench "$WS_CFG" --network "$ROOT/workloads/$net.csv" --json "$OUT/scale_ws256_$net.json" >/dev/null
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 )) >"$OUT/scale_ws256_$net.ms"
  "$BENCH_SHELL" "$WS_CFG" "$ROOT/workloads/$net.csv" >"$OUT/scale_ws256_$net.shell.txt"
done
/usr/bin/python3 - "$OUT" <<'PY'
import json, re, sys
out = sys.argv[1]
for net, title in (("resnet50", "ResNet-50"), ("transformer_gpt2", "GPT-2 small")):
    est = json.load(open(f"{out}/scale_ws256_{net}.json"))
    ms = int(open(f"{out}/scale_ws256_{net}.ms").read())
    pes = est["rows"] * est["cols"]
    # bench_shell's layer lines: name, MxNxK, (groups), compute, shell, ratio, bytes, roofline, /roof, util, pJ/MAC
    shell = {}
    model_time = ""
    for line in open(f"{out}/scale_ws256_{net}.shell.txt"):
        f = line.split()
        if len(f) == 11 and re.fullmatch(r"\d+x\d+x\d+", f[1]):
            shell[f[0]] = (int(f[3]), int(f[4]), int(f[6]))
        m = re.search(r"model time ([0-9.]+ s)", line)
        if m:
            model_time = m.group(1)
    mem = est["memory"]
    print(f"{title}: {len(est['layers'])} layers, {est['macs'] / 1e9:.2f} G MACs on {est['rows']}x{est['cols']} "
          f"(utilisation = MACs / (cycles x {pes}))")
    print(f"  compute: closed form, operands on chip, no data movement; +DMA plan: the same with the shell's "
          f"planned transfers at {mem['bytes_per_cycle']} bytes/cycle, latency {mem['latency']}; shell model: the "
          f"shell's cycle-exact model, every byte through its DMAs (implicit im2col for convolutions)")
    head = f"  {'layer':<22} {'M x N x K (groups)':>22} {'compute':>9} {'util%':>6} {'+DMA plan':>10} {'util%':>6} " \
           f"{'shell':>10} {'util%':>6}  bound (plan)"
    print(head)
    # GPT-2's twelve blocks are alike: one row per distinct layer of h0..h11 ("h*."), counted once per block.
    rows, seen = [], {}
    for l in est["layers"]:
        name = re.sub(r"^h\d+\.", "h*.", l["name"]) if net == "transformer_gpt2" else l["name"]
        sh = shell.get(l["name"])
        if sh is None:
            sys.exit(f"bench_scale_models: bench_shell has no line for {l['name']}")
        row = dict(name=name, shape=f"{l['M']}x{l['N']}x{l['K']} ({l['groups']})", macs=l["macs"],
                   compute=l["cycles"], dram=l["cycles_with_dram"], shell=sh[1], bound=l["bound"], count=1)
        if name in seen:
            r = rows[seen[name]]
            if dict(r, count=1) != row:
                sys.exit(f"bench_scale_models: {l['name']} differs from the first {name}: {row} vs {r}")
            r["count"] += 1
            continue
        seen[name] = len(rows)
        rows.append(row)
    for r in rows:
        u = lambda c: 100.0 * r["macs"] / (c * pes)
        name = r["name"] + (f" x{r['count']}" if r["count"] > 1 else "")
        print(f"  {name:<22} {r['shape']:>22} {r['compute']:>9} {u(r['compute']):>6.1f} {r['dram']:>10} "
              f"{u(r['dram']):>6.1f} {r['shell']:>10} {u(r['shell']):>6.1f}  {r['bound']}")
    shell_total = sum(v[1] for v in shell.values())
    u = lambda c: 100.0 * est["macs"] / (c * pes)
    print(f"  {'total':<22} {'':>22} {est['cycles']:>9} {u(est['cycles']):>6.1f} {est['cycles_with_dram']:>10} "
          f"{u(est['cycles_with_dram']):>6.1f} {shell_total:>10} {u(shell_total):>6.1f}")
    moved = (est["dram_read_bytes"] + est["dram_write_bytes"]) / 1e6
    print(f"  DRAM traffic: {moved:.1f} MB planned, {sum(v[2] for v in shell.values()) / 1e6:.1f} MB through the "
          f"shell model; wall time: dnngen bench (the whole closed-form estimate, process start to exit) {ms} ms"
          f"{' (target < 1 s)' if net == 'resnet50' else ''}, the shell's cycle-exact model {model_time}")
    print()
PY
