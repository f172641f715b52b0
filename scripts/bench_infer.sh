#!/usr/bin/env bash
# make bench, step 10: issue 14's targets for `dnngen infer`, measured on this machine.
#   - the digits CNN (models/digits, always present): int8 on the 16x16 WS engine, model and RTL,
#     and on the bit-serial engines at the calibration precision profile (compute cycles);
#   - with ../shared/data (skipped with a message where it is absent): Caffe LeNet-5 on all
#     10,000 MNIST test images on the model, 1,000 of them on the RTL (RTL == model on every
#     image, images per second), and the pruned 784-30-30-10 MLP on EIE.
# Usage: scripts/bench_infer.sh BUILD_DIR
set -euo pipefail
BUILD=${1:-build}
DNNGEN="$BUILD/tools/dnngen"
OUT="$BUILD/bench-infer"
mkdir -p "$OUT"
PY=/usr/bin/python3
summary() {  # the accuracy and throughput lines of an infer run
  grep -E "accuracy|agreement|rtl:|total:" "$1" | sed 's/^/    /'
}

echo "   digits CNN (sklearn's 8x8 digits, 360 test images), int8, 16x16 WS, model then RTL:"
for backend in model rtl; do
  "$DNNGEN" infer configs/systolic_ws_16x16_int8.yaml --model models/digits/digits_cnn.onnx \
    --input models/digits/test_images.npy --labels models/digits/test_labels.npy \
    --calibrate models/digits/calib_images.npy --backend "$backend" > "$OUT/digits_$backend.txt"
  summary "$OUT/digits_$backend.txt"
done

echo "   the same CNN on the bit-serial engines, real activations at the calibration profile's precision per layer;"
echo "   compute cycles of the 360 images (Stripes and Pragmatic 16x4 beside the bit-parallel 1x4 of equal peak):"
for c in bitserial_parallel_1x4_l16 bitserial_stripes_16x4_l16 bitserial_pragmatic_16x4_l16 bitserial_pragmatic_wsync_16x4_l16; do
  "$DNNGEN" infer "configs/$c.yaml" --model models/digits/digits_cnn.onnx --input models/digits/test_images.npy \
    --labels models/digits/test_labels.npy --calibrate models/digits/calib_images.npy --json "$OUT/digits_$c.json" > /dev/null
done
"$PY" - "$OUT" <<'PY'
import json, sys
load = lambda c: json.load(open(f"{sys.argv[1]}/digits_{c}.json"))
base = load("bitserial_parallel_1x4_l16")["compute_cycles"]
for c in ("bitserial_parallel_1x4_l16", "bitserial_stripes_16x4_l16", "bitserial_pragmatic_16x4_l16",
          "bitserial_pragmatic_wsync_16x4_l16"):
    r = load(c)
    bits = [l["precision"] for l in r["layers"] if l["where"] == "engine"]
    print(f"    {c:<36} {r['compute_cycles']:>8,} compute cycles  {base / r['compute_cycles']:.2f}x  "
          f"precision {bits}  accuracy {100 * r['accuracy']:.2f} %")
PY

SHARED=../shared/data
if [ ! -f "$SHARED/weights/may0324_lenet_caffe.npz" ] || [ ! -f "$SHARED/mnist/t10k-images-idx3-ubyte.gz" ]; then
  echo "   skipped: LeNet-5 and the MNIST MLP need ../shared/data (weights and MNIST t10k); not present here"
  exit 0
fi
"$PY" scripts/onnx_from_npz.py --shared ../shared --out "$OUT" --check 100 > "$OUT/onnx_from_npz.txt"
IMAGES="$SHARED/mnist/t10k-images-idx3-ubyte.gz"
LABELS="$SHARED/mnist/t10k-labels-idx1-ubyte.gz"
echo "   LeNet-5 (Caffe), int8, 16x16 WS, all 10,000 MNIST test images on the model (target >= 99.0 %):"
"$DNNGEN" infer configs/systolic_ws_16x16_int8.yaml --model "$OUT/lenet.onnx" --input "$IMAGES" --labels "$LABELS" \
  --input-scale 0.00390625 > "$OUT/lenet_model.txt"
summary "$OUT/lenet_model.txt"
echo "   LeNet-5 on the RTL, 1,000 images (targets: RTL == model on every image, >= 20 images/s):"
"$DNNGEN" infer configs/systolic_ws_16x16_int8.yaml --model "$OUT/lenet.onnx" --input "$IMAGES" --labels "$LABELS" \
  --input-scale 0.00390625 --count 1000 --backend rtl > "$OUT/lenet_rtl.txt"
summary "$OUT/lenet_rtl.txt"
echo "   the pruned 784-30-30-10 MLP on EIE (eie_16pe_mnist), all 10,000 images, batches of 1,000 (target >= 94.0 %):"
"$DNNGEN" infer configs/eie_16pe_mnist.yaml --model "$OUT/mlp.onnx" --input "$IMAGES" --labels "$LABELS" \
  --input-scale 0.0039215686 --batch 1000 > "$OUT/mlp_eie.txt"
summary "$OUT/mlp_eie.txt"
