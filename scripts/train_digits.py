#!/usr/bin/python3
"""Trains a small CNN on scikit-learn's bundled 8x8 handwritten digits and exports it to
ONNX, so the project has a network of its own (weights, test set and calibration images
small enough to commit) for the ONNX importer, quantisation and inference tests.

Data: sklearn.datasets.load_digits (1797 images, the UCI optdigits set that ships with
scikit-learn; no download), pixels 0..16 scaled by 1/16 to [0, 1], split by
train_test_split(test_size=0.2, random_state=0, stratify=labels): 1437 train, 360 test.

Network (NCHW): Conv(1->8, 3x3, pad 1) + bias, Relu, MaxPool 2x2/2 -> [8, 4, 4];
Conv(8->16, 3x3, pad 1) + bias, Relu, MaxPool 2x2/2 -> [16, 2, 2]; Flatten -> 64;
Gemm(64->32, transB) + bias, Relu; Gemm(32->10, transB) + bias; Softmax.
Training: plain numpy, float32 (im2col convolutions with their backward pass, softmax
cross-entropy with L2 weight decay, Adam, mini-batches of 32, 30 epochs), a fixed seed
and one BLAS thread, so a rerun writes byte-identical files. Takes a few seconds on one
core; reaches ~97 % on the test split.

Export: opset 13, ir_version 8 (onnx.checker passes), input "input" [N, 1, 8, 8] float32,
output "probabilities" [N, 10], nodes conv1, relu1, pool1, conv2, relu2, pool2, flatten,
fc1, relu3, fc2, softmax, weights as float32 initializers. The saved file is read back
and run by the numpy ONNX interpreter of onnx_from_npz.py (next to this script), and its
predictions must equal the training network's on the test and calibration images.

Writes into --out (default models/digits): digits_cnn.onnx, test_images.npy (float32
[360, 1, 8, 8], scaled), test_labels.npy (uint8 [360]), calib_images.npy (float32
[200, 1, 8, 8], the first 200 training images), README.md.

    /usr/bin/python3 scripts/train_digits.py [--out DIR]

Exit 0, or 1 when the test accuracy is below 95 % or the exported graph disagrees.
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # one thread: fixed summation order, so reruns are identical

import argparse  # noqa: E402
import pathlib  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402

sys.dont_write_bytecode = True  # leave no __pycache__ beside the scripts
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from onnx_from_npz import im2col, initializer, make_model, run_onnx, softmax  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEED = 0
EPOCHS = 30
BATCH = 32
LR = 3e-3
WEIGHT_DECAY = 1e-3  # L2 on the weights, not the biases: steadies the test accuracy across seeds
MIN_ACCURACY = 0.95
CALIB = 200
SHAPES = {  # parameter shapes; weights [out, in, ...] as ONNX Conv and Gemm(transB=1) take them
    "conv1_W": (8, 1, 3, 3), "conv1_b": (8,),
    "conv2_W": (16, 8, 3, 3), "conv2_b": (16,),
    "fc1_W": (32, 64), "fc1_b": (32,),
    "fc2_W": (10, 32), "fc2_b": (10,),
}


# ---------------------------------------------------------------- data

def load_data():
    """(train images, train labels, test images, test labels); images float32
    [N, 1, 8, 8] in [0, 1], labels uint8."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]
    labels = digits.target.astype(np.uint8)
    x_tr, x_te, y_tr, y_te = train_test_split(images, labels, test_size=0.2, random_state=0,
                                              stratify=labels)
    return x_tr, y_tr, x_te, y_te


# ---------------------------------------------------------------- layers with backward passes

def conv_forward(x, w, b):
    """3x3, pad 1, stride 1 convolution: (output [N, O, H, W], cache)."""
    cols, (n, e, f) = im2col(x, 3, 3, 1, (1, 1, 1, 1))
    out = cols @ w.reshape(w.shape[0], -1).T + b
    return out.reshape(n, e, f, -1).transpose(0, 3, 1, 2), (cols, x.shape)


def conv_backward(dout, w, cache, need_dx=True):
    """(dx or None, dw, db) of conv_forward."""
    cols, (n, c, h, wd) = cache
    dflat = dout.transpose(0, 2, 3, 1).reshape(-1, w.shape[0])
    dw = (dflat.T @ cols).reshape(w.shape)
    db = dflat.sum(axis=0)
    if not need_dx:
        return None, dw, db
    dcols = (dflat @ w.reshape(w.shape[0], -1)).reshape(n, h, wd, c, 3, 3)
    dxp = np.zeros((n, c, h + 2, wd + 2), dout.dtype)
    for i in range(3):
        for j in range(3):
            dxp[:, :, i:i + h, j:j + wd] += dcols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    return dxp[:, :, 1:-1, 1:-1], dw, db


def pool_forward(x):
    """2x2/2 max pool: (output, argmax of each window in (row, col) order)."""
    n, c, h, w = x.shape
    win = x.reshape(n, c, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(
        n, c, h // 2, w // 2, 4)
    arg = win.argmax(axis=4)
    return np.take_along_axis(win, arg[..., None], axis=4)[..., 0], arg


def pool_backward(dout, arg):
    """The gradient routed to each window's maximum (the first one on ties)."""
    n, c, h2, w2 = dout.shape
    dwin = np.zeros((n, c, h2, w2, 4), dout.dtype)
    np.put_along_axis(dwin, arg[..., None], dout[..., None], axis=4)
    return dwin.reshape(n, c, h2, w2, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(
        n, c, 2 * h2, 2 * w2)


# ---------------------------------------------------------------- the network

def init_params(rng):
    """He-normal weights, zero biases, float32."""
    params = {}
    for name, shape in SHAPES.items():
        if name.endswith("_b"):
            params[name] = np.zeros(shape, np.float32)
        else:
            fan_in = int(np.prod(shape[1:]))
            params[name] = (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)
    return params


def forward(p, x):
    """Logits [N, 10] and the cache for backward."""
    c1, k1 = conv_forward(x, p["conv1_W"], p["conv1_b"])
    r1 = np.maximum(c1, 0)
    p1, a1 = pool_forward(r1)
    c2, k2 = conv_forward(p1, p["conv2_W"], p["conv2_b"])
    r2 = np.maximum(c2, 0)
    p2, a2 = pool_forward(r2)
    flat = p2.reshape(len(x), -1)
    h = flat @ p["fc1_W"].T + p["fc1_b"]
    r3 = np.maximum(h, 0)
    logits = r3 @ p["fc2_W"].T + p["fc2_b"]
    return logits, (c1, k1, a1, c2, k2, a2, p2.shape, flat, h, r3)


def backward(p, cache, dlogits):
    """Gradients of every parameter, given d(loss)/d(logits)."""
    c1, k1, a1, c2, k2, a2, p2_shape, flat, h, r3 = cache
    g = {"fc2_W": dlogits.T @ r3, "fc2_b": dlogits.sum(axis=0)}
    dh = (dlogits @ p["fc2_W"]) * (h > 0)
    g["fc1_W"], g["fc1_b"] = dh.T @ flat, dh.sum(axis=0)
    dp2 = (dh @ p["fc1_W"]).reshape(p2_shape)
    dc2 = pool_backward(dp2, a2) * (c2 > 0)
    dp1, g["conv2_W"], g["conv2_b"] = conv_backward(dc2, p["conv2_W"], k2)
    dc1 = pool_backward(dp1, a1) * (c1 > 0)
    _, g["conv1_W"], g["conv1_b"] = conv_backward(dc1, p["conv1_W"], k1, need_dx=False)
    return g


def predict(p, x):
    return softmax(forward(p, x)[0], axis=1)


def accuracy(p, x, y):
    return float((predict(p, x).argmax(axis=1) == y).mean())


def train(x, y, rng):
    """Adam (beta 0.9 / 0.999) on softmax cross-entropy plus L2 on the weights,
    shuffled mini-batches; the learning rate halves for the last quarter of the epochs."""
    p = init_params(rng)
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v = {k: np.zeros_like(v) for k, v in p.items()}
    b1, b2, eps, step = 0.9, 0.999, 1e-8, 0
    for epoch in range(EPOCHS):
        lr = LR if epoch < EPOCHS * 3 // 4 else LR / 2
        order = rng.permutation(len(x))
        loss = 0.0
        for s in range(0, len(x), BATCH):
            idx = order[s:s + BATCH]
            logits, cache = forward(p, x[idx])
            probs = softmax(logits, axis=1)
            loss += float(-np.log(probs[np.arange(len(idx)), y[idx]] + 1e-12).sum())
            dlogits = probs
            dlogits[np.arange(len(idx)), y[idx]] -= 1
            grads = backward(p, cache, dlogits / np.float32(len(idx)))
            step += 1
            for k in p:
                if k.endswith("_W"):
                    grads[k] += np.float32(WEIGHT_DECAY) * p[k]
                m[k] = b1 * m[k] + (1 - b1) * grads[k]
                v[k] = b2 * v[k] + (1 - b2) * grads[k] * grads[k]
                mhat = m[k] / (1 - b1 ** step)
                vhat = v[k] / (1 - b2 ** step)
                p[k] = (p[k] - lr * mhat / (np.sqrt(vhat) + eps)).astype(np.float32)
        if epoch % 10 == 9 or epoch == EPOCHS - 1:
            print(f"epoch {epoch + 1:3d}: loss {loss / len(x):.4f}, "
                  f"train accuracy {100 * accuracy(p, x, y):.2f} %")
    return p


# ---------------------------------------------------------------- export and verification

def digits_model(p):
    import onnx.helper as h
    nodes = [
        h.make_node("Conv", ["input", "conv1_W", "conv1_b"], ["conv1_out"], name="conv1",
                    kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1]),
        h.make_node("Relu", ["conv1_out"], ["relu1_out"], name="relu1"),
        h.make_node("MaxPool", ["relu1_out"], ["pool1_out"], name="pool1",
                    kernel_shape=[2, 2], strides=[2, 2]),
        h.make_node("Conv", ["pool1_out", "conv2_W", "conv2_b"], ["conv2_out"], name="conv2",
                    kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1]),
        h.make_node("Relu", ["conv2_out"], ["relu2_out"], name="relu2"),
        h.make_node("MaxPool", ["relu2_out"], ["pool2_out"], name="pool2",
                    kernel_shape=[2, 2], strides=[2, 2]),
        h.make_node("Flatten", ["pool2_out"], ["flatten_out"], name="flatten", axis=1),
        h.make_node("Gemm", ["flatten_out", "fc1_W", "fc1_b"], ["fc1_out"], name="fc1", transB=1),
        h.make_node("Relu", ["fc1_out"], ["relu3_out"], name="relu3"),
        h.make_node("Gemm", ["relu3_out", "fc2_W", "fc2_b"], ["fc2_out"], name="fc2", transB=1),
        h.make_node("Softmax", ["fc2_out"], ["probabilities"], name="softmax", axis=1),
    ]
    inits = [initializer(k, p[k]) for k in SHAPES]
    doc = ("Small CNN trained by scripts/train_digits.py on scikit-learn's 8x8 digits "
           "(UCI optdigits). Input: pixels 0..16 scaled by 1/16 to [0, 1].")
    return make_model("digits_cnn", nodes, inits, [1, 8, 8], doc)


def verify(path, p, sets):
    """Reads the saved model back, runs it with numpy and compares with the training
    network on each (name, images) set; True when every prediction agrees."""
    import onnx
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    ok = True
    for name, x in sets:
        got, want = run_onnx(model, x), predict(p, x)
        agree = int((got.argmax(axis=1) == want.argmax(axis=1)).sum())
        diff = float(np.abs(got - want).max())
        print(f"verify {path.name} on {name}: {agree}/{len(x)} predictions agree with the "
              f"training network, max |probability difference| {diff:.2e}")
        ok &= agree == len(x) and diff < 1e-5
    return ok


README = """\
# models/digits: a small CNN on the 8x8 handwritten digits

Made by `/usr/bin/python3 scripts/train_digits.py` (numpy training with a fixed seed;
a rerun writes byte-identical files). Float test accuracy: {test:.2f} % ({correct}/{n_test}
test images; train {train:.2f} %).

| file | what |
|---|---|
| digits_cnn.onnx | the trained network, ONNX opset 13, ir_version 8: input `input` float32 [N, 1, 8, 8] (pixels scaled to [0, 1]), output `probabilities` [N, 10]. Nodes conv1 (Conv 1->8, 3x3, pad 1, bias), relu1, pool1 (MaxPool 2x2/2), conv2 (Conv 8->16, 3x3, pad 1, bias), relu2, pool2 (MaxPool 2x2/2), flatten (-> 64), fc1 (Gemm 64->32, transB), relu3, fc2 (Gemm 32->10, transB), softmax; weights are float32 initializers |
| test_images.npy | float32 [{n_test}, 1, 8, 8], the test split, already scaled to [0, 1] |
| test_labels.npy | uint8 [{n_test}], their digits |
| calib_images.npy | float32 [{n_calib}, 1, 8, 8], the first {n_calib} training images (scaled), for quantisation calibration |

Data: `sklearn.datasets.load_digits()`, 1797 images of 8x8 pixels 0..16 (pixel = number of
set pixels in a 4x4 block of a 32x32 bitmap), scaled by 1/16. scikit-learn documents it as
a copy of the test set of the UCI ML "Optical Recognition of Handwritten Digits" data set
(optdigits; E. Alpaydin, C. Kaynak, 1998), bundled with scikit-learn as
`sklearn/datasets/data/digits.csv.gz`. Split: `train_test_split(test_size=0.2,
random_state=0, stratify=labels)`, {n_train} training and {n_test} test images.

Licence: scikit-learn's documentation states no separate licence for the bundled digits
data; the file ships inside scikit-learn, whose licence is BSD-3-Clause. The original
source is the UCI Machine Learning Repository, data set 80
(https://archive.ics.uci.edu/dataset/80/optical+recognition+of+handwritten+digits), whose
page gives its own licence terms (CC BY 4.0 there, not something scikit-learn documents);
cite E. Alpaydin and C. Kaynak, UCI Machine Learning Repository, 1998. The trained
weights, test and calibration files here are derived from that data by this project.
"""


def write_outputs(out, p, x_tr, x_te, y_te, stats):
    out.mkdir(parents=True, exist_ok=True)
    import onnx
    onnx.save(digits_model(p), str(out / "digits_cnn.onnx"))
    np.save(out / "test_images.npy", np.ascontiguousarray(x_te, np.float32))
    np.save(out / "test_labels.npy", np.ascontiguousarray(y_te, np.uint8))
    np.save(out / "calib_images.npy", np.ascontiguousarray(x_tr[:CALIB], np.float32))
    (out / "README.md").write_text(README.format(**stats), encoding="utf-8")
    for name in ("digits_cnn.onnx", "test_images.npy", "test_labels.npy", "calib_images.npy",
                 "README.md"):
        print(f"wrote {out / name} ({(out / name).stat().st_size} bytes)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(ROOT / "models" / "digits"), help="output folder")
    args = ap.parse_args()

    rng = np.random.default_rng(SEED)
    x_tr, y_tr, x_te, y_te = load_data()
    print(f"digits: {len(x_tr)} training, {len(x_te)} test images")
    p = train(x_tr, y_tr, rng)
    train_acc, test_acc = accuracy(p, x_tr, y_tr), accuracy(p, x_te, y_te)
    print(f"float accuracy: train {100 * train_acc:.2f} %, test {100 * test_acc:.2f} %")
    if test_acc < MIN_ACCURACY:
        print(f"train_digits: test accuracy below {100 * MIN_ACCURACY:.0f} %", file=sys.stderr)
        return 1

    out = pathlib.Path(args.out)
    stats = {"train": 100 * train_acc, "test": 100 * test_acc, "n_train": len(x_tr),
             "n_test": len(x_te), "n_calib": CALIB,
             "correct": int(round(test_acc * len(x_te)))}
    write_outputs(out, p, x_tr, x_te, y_te, stats)
    x_back = np.load(out / "test_images.npy")
    if not verify(out / "digits_cnn.onnx", p, [("test images", x_back),
                                                ("calibration images", x_tr[:CALIB])]):
        print("train_digits: the exported graph disagrees with the training network",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
