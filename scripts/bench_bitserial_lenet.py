#!/usr/bin/python3
"""Stripes and Pragmatic on real activations: LeNet-5 (the Caffe example model) on MNIST.

Runs the float network on the first N test images, takes each layer's GEMM input (conv
layers by im2col, the FC layers as a batch of the N images) and quantises it to 8 bits
the way int8 inference does (a per-layer linear scale mapping the largest magnitude to 255
unsigned, or 127 signed where the layer's inputs go negative; each layer's input from the
float network, so errors do not accumulate), held in the engines' 16-bit datapath. Then the
golden model of every engine (`dnngen run ... --backend model`, the cycle-exact model the
RTL equals) runs each layer on the benchmark tile (16 windows x 4 filters x 16 lanes):
  bit-parallel   the baseline of equal peak throughput (1 window x 4 filters x 16 lanes)
  Stripes        at the layer's precision (8 bits), and detected per brick group (auto)
  Pragmatic      one full shifter per lane, two-stage shifting (2-bit first stage), each
                 with the whole tile synchronised or per-window synchronisation
and checks every result against the exact product. Then the FC layers at batch 1 (each
image a job of one window, M = 1), on one window and spread over the 16 (`cascade`,
configs/bitserial_{stripes,pragmatic}_cascade_16x4_l16), summed over the images.

Caffe's LeNet has no ReLU after its convolutions, so conv2's and fc1's inputs (pooled
conv outputs) are signed: their negative activations are two's complement patterns, with
many one bits for Pragmatic to process. Cycles are compute only (no data movement).

Needs ../shared/data (the weights and the MNIST test set); prints a message and exits 0
when it is absent. Usage: scripts/bench_bitserial_lenet.py [--dnngen BIN] [--images N]
"""
import argparse
import gzip
import json
import pathlib
import subprocess
import sys
import tempfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"

# name, preset, precision argument
VARIANTS = [
    ("bit-parallel", "bitserial_parallel_1x4_l16", None),
    ("Stripes p=8", "bitserial_stripes_16x4_l16", "8"),
    ("Stripes auto", "bitserial_stripes_16x4_l16", "auto"),
    ("Pragmatic", "bitserial_pragmatic_16x4_l16", "8"),
    ("Pragmatic 2-stage", "bitserial_pragmatic_2stage_16x4_l16", "8"),
    ("Pragmatic window", "bitserial_pragmatic_wsync_16x4_l16", "8"),
    ("Pragmatic 2st+win", "bitserial_pragmatic_2stage_wsync_16x4_l16", "8"),
]
# The FC layers at batch 1: one window per job, or its bricks spread over the windows.
FC_VARIANTS = [
    ("bit-parallel", "bitserial_parallel_1x4_l16", None),
    ("Stripes p=8", "bitserial_stripes_16x4_l16", "8"),
    ("Stripes cascade", "bitserial_stripes_cascade_16x4_l16", "8"),
    ("Pragmatic window", "bitserial_pragmatic_wsync_16x4_l16", "8"),
    ("Pragmatic cascade", "bitserial_pragmatic_cascade_16x4_l16", "8"),
]


def mnist_images(count):
    with gzip.open(SHARED / "mnist" / "t10k-images-idx3-ubyte.gz") as f:
        data = f.read()
    return np.frombuffer(data, np.uint8, offset=16).reshape(-1, 28, 28)[:count].astype(np.float64)


def mnist_labels(count):
    with gzip.open(SHARED / "mnist" / "t10k-labels-idx1-ubyte.gz") as f:
        return np.frombuffer(f.read(), np.uint8, offset=8)[:count]


def im2col(x, k):
    """[N, C, H, W] -> [N*E*F, C*k*k] windows (stride 1, no padding), rows in (n, e, f) order."""
    n, c, h, w = x.shape
    e, f = h - k + 1, w - k + 1
    cols = np.empty((n, e, f, c, k, k), x.dtype)
    for i in range(k):
        for j in range(k):
            cols[:, :, :, :, i, j] = x[:, :, i:i + e, j:j + f].transpose(0, 2, 3, 1)
    return cols.reshape(n * e * f, c * k * k), (n, e, f)


def conv(x, w, b):
    cols, (n, e, f) = im2col(x, w.shape[2])
    out = cols @ w.reshape(w.shape[0], -1).T + b
    return cols, out.reshape(n, e, f, -1).transpose(0, 3, 1, 2)


def pool2(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def lenet_layers(images):
    """Each layer's GEMM operands (A [M, K] activations, B [K, N] weights), float."""
    z = np.load(SHARED / "weights" / "may0324_lenet_caffe.npz")
    x = images[:, None] / 256.0  # Caffe's example scales the pixels by 1/256
    layers = []
    a, y = conv(x, z["conv1_W"], z["conv1_b"])
    layers.append(("conv1", a, z["conv1_W"].reshape(20, -1).T))
    a, y = conv(pool2(y), z["conv2_W"], z["conv2_b"])
    layers.append(("conv2", a, z["conv2_W"].reshape(50, -1).T))
    a = pool2(y).reshape(len(images), -1)
    layers.append(("fc1", a, z["fc1_W"].T))
    a = np.maximum(a @ z["fc1_W"].T + z["fc1_b"], 0)
    layers.append(("fc2", a, z["fc2_W"].T))
    logits = a @ z["fc2_W"].T + z["fc2_b"]
    return layers, logits.argmax(axis=1)


def quantise(a, bits):
    """Linear scale of the largest magnitude to the top of `bits` bits (one fewer if signed)."""
    signed = bool((a < 0).any())
    top = (1 << (bits - 1 if signed else bits)) - 1
    scale = top / max(np.abs(a).max(), 1e-30)
    return np.clip(np.rint(a * scale), -top - 1, top).astype(np.int16), signed


def config_text(preset, signed, shape):
    """The preset with the layer's signedness and job limits that hold the whole layer."""
    m, k = shape[0]
    n = shape[1][1]
    out = []
    for line in (ROOT / "configs" / f"{preset}.yaml").read_text().splitlines():
        key = line.strip().split(":")[0]
        if key == "signed":
            line = f"  signed: {'true' if signed else 'false'}"
        elif key in ("max_m", "max_n", "max_k"):
            line = f"  {key}: {dict(max_m=m, max_n=n, max_k=k)[key]}"
        out.append(line)
    return "\n".join(out) + "\n"


def run_layer(dnngen, work, name, a, b, signed, variants=VARIANTS):
    np.save(work / f"{name}_A.npy", np.ascontiguousarray(a))
    np.save(work / f"{name}_B.npy", np.ascontiguousarray(b))
    cycles = {}
    for label, preset, precision in variants:
        cfg = work / f"{name}_{preset}.yaml"
        cfg.write_text(config_text(preset, signed, (a.shape, b.shape)))
        report = work / f"{name}_{label.replace(' ', '_')}.json"
        cmd = [dnngen, "run", str(cfg), "--in", f"A={work / f'{name}_A.npy'}", "--in", f"B={work / f'{name}_B.npy'}",
               "--out", f"C={work / f'{name}_C.npy'}", "--json", str(report), "--quiet"]
        if precision:
            cmd += ["--param", f"precision={precision}"]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        result = json.loads(report.read_text())
        expected = a.astype(np.int64) @ b.astype(np.int64)
        if not np.array_equal(np.load(work / f"{name}_C.npy"), expected):
            sys.exit(f"{name} {label}: the engine's result differs from the exact product")
        cycles[label] = result["cycles"]
    return cycles


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dnngen", default=str(ROOT / "build" / "tools" / "dnngen"))
    ap.add_argument("--images", type=int, default=8)
    args = ap.parse_args()
    if not (SHARED / "weights" / "may0324_lenet_caffe.npz").exists():
        print(f"bench_bitserial_lenet: skipped, the reference data is absent ({SHARED})")
        return 0
    images = mnist_images(args.images)
    layers, predicted = lenet_layers(images)
    correct = int((predicted == mnist_labels(args.images)).sum())
    print(f"LeNet-5 (Caffe) on the first {args.images} MNIST test images: float network {correct}/{args.images} "
          "correct; activations quantised to 8 bits per layer, in the 16-bit datapath")
    print("cycles: compute only (no data movement); tile 16 windows x 4 filters x 16 lanes, baseline 1 x 4 x 16")
    labels = [v[0] for v in VARIANTS]
    print(f"{'layer':<6} {'M':>6} {'N':>4} {'K':>4} {'signed':>6} {'ones/act':>8} " +
          " ".join(f"{label:>17}" for label in labels))
    totals = dict.fromkeys(labels, 0)
    with tempfile.TemporaryDirectory(prefix="dnngen-lenet-") as tmp:
        for name, a_float, w in layers:
            a, signed = quantise(a_float, 8)
            b, _ = quantise(w, 8)
            ones = np.unpackbits((a & 0xFF).astype(np.uint8)).sum() / a.size  # of the 8-bit patterns
            cycles = run_layer(args.dnngen, pathlib.Path(tmp), name, a, b.astype(np.int16), signed)
            for label in labels:
                totals[label] += cycles[label]
            print(f"{name:<6} {a.shape[0]:>6} {b.shape[1]:>4} {a.shape[1]:>4} {'yes' if signed else 'no':>6} "
                  f"{ones:>8.2f} " + " ".join(f"{cycles[label]:>17}" for label in labels))
    base = totals["bit-parallel"]
    print(f"{'total':<6} {'':>6} {'':>4} {'':>4} {'':>6} {'':>8} " + " ".join(f"{totals[l]:>17}" for l in labels))
    print("speedup over bit-parallel: " + ", ".join(f"{l} {base / totals[l]:.2f}x" for l in labels[1:]))
    print(f"Pragmatic over Stripes p=8: {totals['Stripes p=8'] / totals['Pragmatic']:.2f}x tile-synchronised, "
          f"{totals['Stripes p=8'] / totals['Pragmatic window']:.2f}x window-synchronised; two-stage at "
          f"{totals['Pragmatic'] / totals['Pragmatic 2-stage']:.3f}x single-stage's speed (tile), "
          f"{totals['Pragmatic window'] / totals['Pragmatic 2st+win']:.3f}x (window)")
    fc_batch1(args.dnngen, layers)
    return 0


def fc_batch1(dnngen, layers):
    """The FC layers with one image a job (M = 1), cycles summed over the images."""
    labels = [v[0] for v in FC_VARIANTS]
    print("\nFC layers at batch 1 (a job per image, M = 1), cycles summed over the images, compute only (no data movement):")
    print(f"{'layer':<6} {'N':>4} {'K':>4} " + " ".join(f"{label:>17}" for label in labels) +
          "   (speedup over bit-parallel)")
    with tempfile.TemporaryDirectory(prefix="dnngen-lenet-fc-") as tmp:
        for name, a_float, w in layers:
            if not name.startswith("fc"):
                continue
            a, signed = quantise(a_float, 8)
            b, _ = quantise(w, 8)
            totals = dict.fromkeys(labels, 0)
            for i in range(a.shape[0]):
                cycles = run_layer(dnngen, pathlib.Path(tmp), f"{name}_{i}", a[i:i + 1], b.astype(np.int16), signed,
                                   FC_VARIANTS)
                for label in labels:
                    totals[label] += cycles[label]
            base = totals["bit-parallel"]
            print(f"{name:<6} {b.shape[1]:>4} {a.shape[1]:>4} " + " ".join(f"{totals[l]:>17}" for l in labels) +
                  "   " + ", ".join(f"{base / totals[l]:.2f}x" for l in labels[1:]))


if __name__ == "__main__":
    sys.exit(main())
