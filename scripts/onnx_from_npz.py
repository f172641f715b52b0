#!/usr/bin/python3
"""Builds ONNX files from the reference weights in ../shared/data/weights, so the ONNX
importer and the inference tool have real, trained networks to read:

  lenet.onnx  the Caffe LeNet-5 (may0324_lenet_caffe.npz): Conv(1->20, 5x5) + bias,
              MaxPool 2x2/2, Conv(20->50, 5x5) + bias, MaxPool 2x2/2, Flatten,
              Gemm(800->500, transB) + bias, Relu, Gemm(500->10, transB) + bias, Softmax.
              Input "input" [N, 1, 28, 28] float. The Caffe model expects the pixels
              scaled by 1/256 (as in Caffe's example); the graph does not scale, the
              inference tool is given the input scale separately.
  mlp.onnx    the magnitude-pruned MLP 784-30-30-10 (tolgasari_784_30_30_10_pruned.npz,
              W0..W2 stored [in, out]): input "input" [N, 784], MatMul + Add per layer
              (deliberately not Gemm, so the importer's MatMul+Add folding is exercised),
              Relu between layers, Softmax. Inputs scaled by 1/255.

Both: opset 13, ir_version 8, output "probabilities" [N, 10], every node named, weights
as float32 initializers; the output is byte-identical from run to run.

Each file is checked after writing: it is read back and run by the small numpy ONNX
interpreter below (run_onnx, which train_digits.py also uses), its predictions compared
with a direct numpy forward pass on the npz weights, and its accuracy on the MNIST t10k
set (../shared/data/mnist) printed: LeNet ~99.08 %, MLP ~94.46 %.

    scripts/onnx_from_npz.py [--shared DIR] [--out DIR] [--check N]

--shared defaults to ../shared (relative to the project root), --out to out/onnx (the
files derive from ../shared and stay out of the repository), --check N checks only the
first N test images (default all 10,000; 0 skips the check). Exit 0 when every check
passes, 1 when one fails, 2 when the weights or the MNIST files are absent.
"""
import argparse
import gzip
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
LENET_NPZ = "may0324_lenet_caffe.npz"
MLP_NPZ = "tolgasari_784_30_30_10_pruned.npz"
LENET_SCALE = 1.0 / 256  # Caffe's example: pixels * 0.00390625
MLP_SCALE = 1.0 / 255
OPSET = 13
IR_VERSION = 8
BATCH = 500  # images per forward pass while checking (bounds the im2col memory)


# ---------------------------------------------------------------- numpy operators

def im2col(x, kh, kw, stride=1, pads=(0, 0, 0, 0)):
    """[N, C, H, W] -> ([N*E*F, C*kh*kw] windows in (n, e, f) row order, (N, E, F)).
    pads are ONNX order (top, left, bottom, right); columns in (c, i, j) order, which
    matches a weight [O, C, kh, kw] reshaped to [O, C*kh*kw]."""
    top, left, bottom, right = pads
    x = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    n, c, h, w = x.shape
    e, f = (h - kh) // stride + 1, (w - kw) // stride + 1
    cols = np.empty((n, e, f, c, kh, kw), x.dtype)
    for i in range(kh):
        for j in range(kw):
            win = x[:, :, i:i + stride * (e - 1) + 1:stride, j:j + stride * (f - 1) + 1:stride]
            cols[:, :, :, :, i, j] = win.transpose(0, 2, 3, 1)
    return cols.reshape(n * e * f, c * kh * kw), (n, e, f)


def conv2d(x, w, b=None, stride=1, pads=(0, 0, 0, 0)):
    """NCHW convolution (cross-correlation, as ONNX Conv) of x with w [O, C, kh, kw]."""
    cols, (n, e, f) = im2col(x, w.shape[2], w.shape[3], stride, pads)
    out = cols @ w.reshape(w.shape[0], -1).T
    if b is not None:
        out += b
    return out.reshape(n, e, f, -1).transpose(0, 3, 1, 2)


def maxpool(x, k, stride):
    """Max over k x k windows at the given stride, no padding (floor of the output size)."""
    n, c, h, w = x.shape
    e, f = (h - k) // stride + 1, (w - k) // stride + 1
    out = None
    for i in range(k):
        for j in range(k):
            win = x[:, :, i:i + stride * (e - 1) + 1:stride, j:j + stride * (f - 1) + 1:stride]
            out = win.copy() if out is None else np.maximum(out, win)
    return out


def softmax(x, axis=-1):
    z = np.exp(x - x.max(axis=axis, keepdims=True))
    return z / z.sum(axis=axis, keepdims=True)


# ---------------------------------------------------------------- a small ONNX interpreter

def _attrs(node):
    import onnx.helper
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _run_node(node, args):
    """One node's outputs (a list) from its input arrays; only the operators these
    scripts export, with the attributes they use (anything else is an error)."""
    a = _attrs(node)
    op = node.op_type
    if op == "Conv":
        for name in ("dilations",):
            if any(d != 1 for d in a.get(name, [1])):
                raise ValueError(f"{node.name}: {name} {a[name]} not supported")
        if a.get("group", 1) != 1 or a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
            raise ValueError(f"{node.name}: group / auto_pad not supported")
        strides = a.get("strides", [1, 1])
        if strides[0] != strides[1]:
            raise ValueError(f"{node.name}: unequal strides not supported")
        bias = args[2] if len(args) > 2 else None
        return [conv2d(args[0], args[1], bias, strides[0], tuple(a.get("pads", [0, 0, 0, 0])))]
    if op == "MaxPool":
        k, s = a["kernel_shape"], a.get("strides", [1, 1])
        if k[0] != k[1] or s[0] != s[1] or any(a.get("pads", [0])) or a.get("ceil_mode", 0):
            raise ValueError(f"{node.name}: only square, unpadded, floor-mode pooling")
        return [maxpool(args[0], k[0], s[0])]
    if op == "Relu":
        return [np.maximum(args[0], 0)]
    if op == "Flatten":
        axis = a.get("axis", 1)
        x = args[0]
        return [x.reshape(int(np.prod(x.shape[:axis])), -1)]
    if op == "Gemm":
        x, w = args[0], args[1]
        x = x.T if a.get("transA", 0) else x
        w = w.T if a.get("transB", 0) else w
        y = a.get("alpha", 1.0) * (x @ w)
        if len(args) > 2:
            y = y + a.get("beta", 1.0) * args[2]
        return [y.astype(x.dtype)]
    if op == "MatMul":
        return [args[0] @ args[1]]
    if op == "Add":
        return [args[0] + args[1]]
    if op == "Softmax":
        return [softmax(args[0], a.get("axis", -1))]
    raise ValueError(f"{node.name}: operator {op} not supported")


def onnx_initializers(model):
    """The graph's initializers as numpy arrays, by name."""
    import onnx.numpy_helper
    return {t.name: onnx.numpy_helper.to_array(t) for t in model.graph.initializer}


def run_onnx(model, x):
    """Runs the (single input, single output) graph on x with numpy, nodes in file order
    (ONNX requires topological order), and returns the output array."""
    values = onnx_initializers(model)
    values[model.graph.input[0].name] = x
    for node in model.graph.node:
        outs = _run_node(node, [values[name] for name in node.input if name])
        for name, out in zip(node.output, outs):
            values[name] = out
    return values[model.graph.output[0].name]


# ---------------------------------------------------------------- building graphs

def initializer(name, array):
    import onnx.numpy_helper
    return onnx.numpy_helper.from_array(np.ascontiguousarray(array, np.float32), name)


def make_model(name, nodes, inits, in_shape, doc):
    """An opset-13, ir_version-8 model with input "input" [N, *in_shape] and output
    "probabilities" [N, 10], checked by onnx.checker."""
    import onnx
    import onnx.helper as h
    graph = h.make_graph(
        nodes, name,
        [h.make_tensor_value_info("input", onnx.TensorProto.FLOAT, ["N", *in_shape])],
        [h.make_tensor_value_info("probabilities", onnx.TensorProto.FLOAT, ["N", 10])],
        initializer=inits, doc_string=doc)
    model = h.make_model(graph, producer_name="dnngen", producer_version="1",
                         opset_imports=[h.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model


def lenet_model(z):
    import onnx.helper as h
    nodes = [
        h.make_node("Conv", ["input", "conv1_W", "conv1_b"], ["conv1_out"], name="conv1",
                    kernel_shape=[5, 5], strides=[1, 1], pads=[0, 0, 0, 0]),
        h.make_node("MaxPool", ["conv1_out"], ["pool1_out"], name="pool1",
                    kernel_shape=[2, 2], strides=[2, 2]),
        h.make_node("Conv", ["pool1_out", "conv2_W", "conv2_b"], ["conv2_out"], name="conv2",
                    kernel_shape=[5, 5], strides=[1, 1], pads=[0, 0, 0, 0]),
        h.make_node("MaxPool", ["conv2_out"], ["pool2_out"], name="pool2",
                    kernel_shape=[2, 2], strides=[2, 2]),
        h.make_node("Flatten", ["pool2_out"], ["flatten_out"], name="flatten", axis=1),
        h.make_node("Gemm", ["flatten_out", "fc1_W", "fc1_b"], ["fc1_out"], name="fc1", transB=1),
        h.make_node("Relu", ["fc1_out"], ["relu1_out"], name="relu1"),
        h.make_node("Gemm", ["relu1_out", "fc2_W", "fc2_b"], ["fc2_out"], name="fc2", transB=1),
        h.make_node("Softmax", ["fc2_out"], ["probabilities"], name="softmax", axis=1),
    ]
    inits = [initializer(k, z[k]) for k in
             ("conv1_W", "conv1_b", "conv2_W", "conv2_b", "fc1_W", "fc1_b", "fc2_W", "fc2_b")]
    doc = ("Caffe LeNet-5 (may0324_lenet_caffe.npz, BSD-2). Input: MNIST pixels scaled by "
           "1/256 (Caffe's example). No ReLU after the convolutions.")
    return make_model("lenet", nodes, inits, [1, 28, 28], doc)


def mlp_model(z):
    import onnx.helper as h
    nodes, x = [], "input"
    for i in range(3):
        nodes.append(h.make_node("MatMul", [x, f"W{i}"], [f"fc{i + 1}_mm"],
                                 name=f"fc{i + 1}_matmul"))
        nodes.append(h.make_node("Add", [f"fc{i + 1}_mm", f"b{i}"], [f"fc{i + 1}_out"],
                                 name=f"fc{i + 1}_add"))
        x = f"fc{i + 1}_out"
        if i < 2:
            nodes.append(h.make_node("Relu", [x], [f"relu{i + 1}_out"], name=f"relu{i + 1}"))
            x = f"relu{i + 1}_out"
    nodes.append(h.make_node("Softmax", [x], ["probabilities"], name="softmax", axis=1))
    inits = [initializer(k, z[k]) for k in ("W0", "b0", "W1", "b1", "W2", "b2")]
    doc = ("Magnitude-pruned MLP 784-30-30-10 (TolgaSari/network_compression, Apache-2.0). "
           "Input: MNIST pixels scaled by 1/255, flattened.")
    return make_model("mlp", nodes, inits, [784], doc)


# ---------------------------------------------------------------- reference forward passes

def lenet_forward(z, x):
    """Caffe LeNet on x [N, 1, 28, 28] (already scaled): logits [N, 10]."""
    y = maxpool(conv2d(x, z["conv1_W"], z["conv1_b"]), 2, 2)
    y = maxpool(conv2d(y, z["conv2_W"], z["conv2_b"]), 2, 2)
    y = np.maximum(y.reshape(len(x), -1) @ z["fc1_W"].T + z["fc1_b"], 0)
    return y @ z["fc2_W"].T + z["fc2_b"]


def mlp_forward(z, x):
    """The MLP on x [N, 784] (already scaled): logits [N, 10]."""
    y = np.maximum(x @ z["W0"] + z["b0"], 0)
    y = np.maximum(y @ z["W1"] + z["b1"], 0)
    return y @ z["W2"] + z["b2"]


# ---------------------------------------------------------------- data and checks

def read_idx(path, magic):
    """An IDX file (gzip): the uint8 payload reshaped to its dimensions."""
    with gzip.open(path) as f:
        data = f.read()
    got = int.from_bytes(data[0:4], "big")
    if got != magic:
        raise ValueError(f"{path}: magic {got:#x}, expected {magic:#x}")
    ndim = magic & 0xFF
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def check(name, model, reference, x, labels):
    """Runs the saved model and the reference forward pass in batches; prints the
    accuracy; True when their predictions agree and the probabilities are close."""
    agree, correct, worst = 0, 0, 0.0
    for s in range(0, len(x), BATCH):
        xb = x[s:s + BATCH]
        probs = run_onnx(model, xb)
        ref = softmax(reference(xb).astype(np.float32), axis=1)
        pred = probs.argmax(axis=1)
        agree += int((pred == ref.argmax(axis=1)).sum())
        correct += int((pred == labels[s:s + BATCH]).sum())
        worst = max(worst, float(np.abs(probs - ref).max()))
    n = len(x)
    print(f"{name}: float accuracy {100.0 * correct / n:.2f} % on {n} MNIST t10k images "
          f"({correct} correct); ONNX vs numpy reference: {agree}/{n} predictions agree, "
          f"max |probability difference| {worst:.2e}")
    return agree == n and worst < 1e-4


def save(model, path):
    import onnx
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    print(f"wrote {path} ({path.stat().st_size} bytes)")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--shared", default=str(ROOT.parent / "shared"),
                   help="the shared reference folder (default ../shared from the project root)")
    p.add_argument("--out", default=str(ROOT / "out" / "onnx"), help="output folder")
    p.add_argument("--check", type=int, default=10000,
                   help="MNIST test images to check (default 10000; 0 skips the check)")
    args = p.parse_args()

    shared = pathlib.Path(args.shared) / "data"
    needed = [shared / "weights" / LENET_NPZ, shared / "weights" / MLP_NPZ]
    if args.check > 0:
        needed += [shared / "mnist" / "t10k-images-idx3-ubyte.gz",
                   shared / "mnist" / "t10k-labels-idx1-ubyte.gz"]
    missing = [str(f) for f in needed if not f.is_file()]
    if missing:
        print("onnx_from_npz: reference data absent (see ../shared/README.md): "
              + ", ".join(missing), file=sys.stderr)
        return 2

    lenet_z = dict(np.load(needed[0]))
    mlp_z = dict(np.load(needed[1]))
    out = pathlib.Path(args.out)
    lenet, mlp = lenet_model(lenet_z), mlp_model(mlp_z)
    save(lenet, out / "lenet.onnx")
    save(mlp, out / "mlp.onnx")
    print("note: lenet.onnx expects pixels scaled by 1/256 (Caffe's example), mlp.onnx by "
          "1/255; the graphs do not scale, give the inference tool the input scale")
    if args.check <= 0:
        return 0

    import onnx
    images = read_idx(needed[2], 0x803)[:args.check].astype(np.float32)
    labels = read_idx(needed[3], 0x801)[:args.check]
    ok = check("lenet.onnx", onnx.load(str(out / "lenet.onnx")),
               lambda x: lenet_forward(lenet_z, x),
               images[:, None] * np.float32(LENET_SCALE), labels)
    ok &= check("mlp.onnx", onnx.load(str(out / "mlp.onnx")),
                lambda x: mlp_forward(mlp_z, x),
                images.reshape(len(images), -1) * np.float32(MLP_SCALE), labels)
    if not ok:
        print("onnx_from_npz: the ONNX graphs and the numpy reference disagree", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
