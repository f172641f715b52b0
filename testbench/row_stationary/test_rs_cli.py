#!/usr/bin/env python3
"""End-to-end CLI tests of the row-stationary engine: validate, run --backend model and
rtl (outputs equal a numpy direct convolution, cycles equal between backends), cosim,
bench (table and JSON), and the bad-input contract (exit 2, one line, nothing written)
for filter larger than the padded input, stride 0, channel mismatch, scratchpad too
small, and a job beyond the buffers. RowStationaryShellTests: conv2d through the engine's AXI
shell (run --shell) on both backends, equal to the kernel run, its counters, a refused layer.

Usage: test_rs_cli.py --bin build/tools/dnngen --src .   (ctest -R rs_cli)
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
import test_cli  # noqa: E402
from test_cli import CliTestCase  # noqa: E402

RS = "systolic_rs_4x4_int8.yaml"


def conv2d(x, w, stride, pad):
    """Direct convolution in int64 (the reference the tests check against)."""
    c, h, wd = x.shape
    k, _, r, s = w.shape
    xp = np.zeros((c, h + 2 * pad, wd + 2 * pad), dtype=np.int64)
    xp[:, pad:pad + h, pad:pad + wd] = x
    e, f = (h + 2 * pad - r) // stride + 1, (wd + 2 * pad - s) // stride + 1
    out = np.zeros((k, e, f), dtype=np.int64)
    for oy in range(e):
        for ox in range(f):
            win = xp[:, oy * stride:oy * stride + r, ox * stride:ox * stride + s]
            out[:, oy, ox] = np.tensordot(w.astype(np.int64), win, axes=([1, 2, 3], [0, 1, 2]))
    return out.astype(np.int32)


class RowStationaryTests(CliTestCase):
    def operands(self, c=5, h=9, w=11, k=3, r=3, s=3, seed=0):
        rng = np.random.default_rng(seed)
        x = rng.integers(-128, 128, size=(c, h, w), dtype=np.int8)
        wt = rng.integers(-128, 128, size=(k, c, r, s), dtype=np.int8)
        return x, wt, self.save("x.npy", x), self.save("w.npy", wt)

    def run_conv(self, backend, x, w, stride, pad, out, json_name):
        return self.dnngen("run", self.config(RS), "--backend", backend, "--op", "conv2d",
                           "--in", f"ifmap={x}", "--in", f"weights={w}", "--param", f"stride={stride}",
                           "--param", f"pad={pad}", "--out", f"ofmap={self.path(out)}",
                           "--json", self.path(json_name))

    def test_ring_buffers_run_jobs_larger_than_them(self):
        # buffers: ring (rings of one row and one word): C*H = 45 rows stream through them on
        # both backends, the same outputs and cycles (the RTL's including its waits), said
        # so; and behind the shell, whose DMA reads the two streams from memory: the same
        # outputs, RTL == model in every counter, slower than the kernel's feed.
        ring = self.config("systolic_rs_4x4_int8_ring.yaml")
        x, w, xp, wp = self.operands()
        cycles = {}
        for backend in ("model", "rtl"):
            with self.subTest(backend=backend):
                out, rep = self.path(f"ring-{backend}.npy"), self.path(f"ring-{backend}.json")
                p = self.dnngen("run", ring, "--backend", backend, "--op", "conv2d", "--in", f"ifmap={xp}",
                                "--in", f"weights={wp}", "--param", "stride=1", "--param", "pad=1", "--out",
                                f"ofmap={out}", "--json", rep)
                self.assert_ok(p)
                self.assertIn("ring buffers fed a word a cycle, no DRAM", p.stdout)
                self.assert_c(out, conv2d(x, w, 1, 1))
                cycles[backend] = self.load_json(rep)["cycles"]
        self.assertEqual(cycles["model"], cycles["rtl"])
        whole = self.dnngen("run", self.config(RS), "--backend", "model", "--op", "conv2d", "--in", f"ifmap={xp}",
                            "--in", f"weights={wp}", "--param", "stride=1", "--param", "pad=1", "--out",
                            f"ofmap={self.path('whole.npy')}", "--json", self.path("whole.json"))
        self.assert_ok(whole)
        self.assertGreater(cycles["model"], self.load_json(self.path("whole.json"))["cycles"])  # the waits
        shell = {}
        for backend in ("model", "rtl"):
            with self.subTest(backend=backend, shell=True):
                out, rep = self.path(f"ring-shell-{backend}.npy"), self.path(f"ring-shell-{backend}.json")
                p = self.dnngen("run", ring, "--shell", "--backend", backend, "--op", "conv2d", "--in",
                                f"ifmap={xp}", "--in", f"weights={wp}", "--param", "stride=1", "--param", "pad=1",
                                "--out", f"ofmap={out}", "--json", rep)
                self.assert_ok(p)
                self.assertIn("through the AXI shell", p.stdout)
                self.assert_c(out, conv2d(x, w, 1, 1))
                shell[backend] = self.load_json(rep)
        self.assertTrue(shell["rtl"]["model_counters_agree"])
        for key in ("cycles", "bytes_read", "bytes_written"):
            self.assertEqual(shell["model"][key], shell["rtl"][key], key)
        self.assertGreater(shell["rtl"]["cycles"], cycles["rtl"])  # DRAM behind one-entry rings

    def test_outputs_are_written_together_or_not_at_all(self):
        # Issue 11 item 3: ofmap was in place before a failing --json; now neither changes.
        if not os.path.exists("/dev/full"):
            self.skipTest("no /dev/full")
        _, _, xp, wp = self.operands()
        out = self.write("y.npy", "previous ofmap")
        for backend in ("model", "rtl"):
            with self.subTest(backend=backend):
                self.assert_bad_input(["run", self.config(RS), "--backend", backend, "--op", "conv2d", "--in",
                                       f"ifmap={xp}", "--in", f"weights={wp}", "--out", f"ofmap={out}", "--json",
                                       "/dev/full"], ["--json /dev/full", "No space left on device"])

    def test_validate(self):
        p = self.dnngen("validate", self.config(RS))
        self.assert_ok(p)
        self.assertIn("row_stationary", p.stdout)

    def test_model_and_rtl_agree_with_numpy(self):
        x, w, xp, wp = self.operands()
        want = conv2d(x, w, 2, 1)
        reports = {}
        for backend in ("model", "rtl"):
            self.assert_ok(self.run_conv(backend, xp, wp, 2, 1, f"{backend}.npy", f"{backend}.json"))
            self.assert_c(self.path(f"{backend}.npy"), want)
            reports[backend] = self.load_json(self.path(f"{backend}.json"))
            for key in ("engine", "op", "backend", "cycles", "macs", "utilization"):
                self.assertIn(key, reports[backend])
        self.assertEqual(reports["model"]["cycles"], reports["rtl"]["cycles"])
        self.assertEqual(reports["model"]["macs"], want.size * 5 * 3 * 3)

    def test_cosim_inputs_and_random(self):
        _, _, xp, wp = self.operands(c=7, k=2, r=5, s=5)
        p = self.dnngen("cosim", self.config(RS), "--in", f"ifmap={xp}", "--in", f"weights={wp}",
                        "--param", "pad=2", "--json", self.path("c.json"))
        self.assert_ok(p)
        rep = self.load_json(self.path("c.json"))
        self.assertTrue(rep["pass"])
        self.assertTrue(rep["cycles_agree"])
        p = self.dnngen("cosim", self.config(RS), "--random", "--seed", "9", "--count", "5")
        self.assert_ok(p)
        self.assertIn("5 / 5 jobs pass", p.stdout)

    def test_bench_table_and_json(self):
        net = os.path.join(test_cli.SRC, "workloads", "alexnet_conv.csv")
        p = self.dnngen("bench", self.config("systolic_rs_12x14_int16.yaml"), "--network", net,
                        "--json", self.path("b.json"))
        self.assert_ok(p)
        self.assertIn("conv5", p.stdout)
        rep = self.load_json(self.path("b.json"))
        self.assertEqual(rep["macs"], 665784864)
        self.assertLess(rep["cycles"], 5770000)  # fewer cycles than Eyeriss silicon
        for layer in rep["layers"][1:]:
            self.assertGreaterEqual(layer["utilization"], 0.85, layer["name"])

    def test_bad_inputs(self):
        x, w, xp, wp = self.operands(c=4, h=5, w=5, k=2, r=3, s=3)
        out = self.path("o.npy")
        base = ["run", self.config(RS), "--op", "conv2d", "--out", f"ofmap={out}"]
        big = self.save("big.npy", np.zeros((2, 4, 9, 9), dtype=np.int8))
        self.assert_bad_input(base + ["--in", f"ifmap={xp}", "--in", f"weights={big}"],
                              ["larger than the padded input"], [out])
        self.assert_bad_input(base + ["--in", f"ifmap={xp}", "--in", f"weights={wp}", "--param", "stride=0"],
                              ["stride=0"], [out])
        mism = self.save("m.npy", np.zeros((2, 3, 3, 3), dtype=np.int8))
        self.assert_bad_input(base + ["--in", f"ifmap={xp}", "--in", f"weights={mism}"], ["weights"], [out])
        wide = self.save("wide.npy", np.zeros((1, 3, 40), dtype=np.int8))
        w1 = self.save("w1.npy", np.zeros((1, 1, 3, 3), dtype=np.int8))
        self.assert_bad_input(base + ["--backend", "rtl", "--in", f"ifmap={wide}", "--in", f"weights={w1}"],
                              ["ifmap_spad"], [out])
        with open(self.config(RS)) as f:
            cfg = self.write("bad.yaml", f.read().replace("filter_spad: 11", "filter_spad: 5"))
        self.assert_bad_input(["validate", cfg], ["filter_spad", "max_filter_size"])
        self.assert_bad_input(["run", self.config(RS), "--op", "gemm", "--in", f"A={xp}", "--in", f"B={wp}",
                               "--out", f"C={out}"], ["conv2d"], [out])


class RowStationaryShellTests(CliTestCase):
    """`run --op conv2d --shell`: one conv2d descriptor (OP.CHW) through dnn_shell_rs on the model
    (rs::run_layer, rs::layer_cycles) and the RTL (every counter equal to the model's); the
    outputs equal the kernel run's; a layer the shell refuses is bad input."""

    def operands(self, c=5, h=9, w=11, k=3, r=3, s=3, seed=4):
        rng = np.random.default_rng(seed)
        x = rng.integers(-128, 128, size=(c, h, w), dtype=np.int8)
        wt = rng.integers(-128, 128, size=(k, c, r, s), dtype=np.int8)
        return x, wt, self.save("x.npy", x), self.save("w.npy", wt)

    def run_conv(self, backend, x, w, out, rep, shell=True, stride=2, pad=1):
        return self.dnngen("run", self.config(RS), "--backend", backend, "--op", "conv2d",
                           *(["--shell"] if shell else []), "--in", f"ifmap={x}", "--in", f"weights={w}",
                           "--param", f"stride={stride}", "--param", f"pad={pad}", "--out", f"ofmap={out}",
                           "--json", rep)

    def run_backends(self, xp, wp, check):
        """Runs the layer on the model and on the RTL, `check(backend, process, ofmap path)`
        after each; returns their JSON reports by backend."""
        reports = {}
        for backend in ("model", "rtl"):
            with self.subTest(backend=backend):
                out, rep = self.path(f"{backend}.npy"), self.path(f"{backend}.json")
                p = self.run_conv(backend, xp, wp, out, rep)
                self.assert_ok(p)
                check(backend, p, out)
                reports[backend] = self.load_json(rep)
        return reports

    def test_conv2d_through_the_shell_equals_the_kernel(self):
        x, w, xp, wp = self.operands()
        want = conv2d(x, w, 2, 1)
        kernel_out, kernel_rep = self.path("kernel.npy"), self.path("kernel.json")
        # Without --shell the row-stationary engine still runs its kernel (compute only).
        p = self.run_conv("model", xp, wp, kernel_out, kernel_rep, shell=False)
        self.assert_ok(p)
        kernel = self.load_json(kernel_rep)
        self.assertNotIn("through", kernel)

        def check(backend, p, out):
            self.assertIn("through the AXI shell", p.stdout)
            self.assertIn("including data movement", p.stdout)
            self.assertIn("compute only", p.stdout)
            self.assertEqual(np.load(out).dtype, np.int32)
            self.assertTrue(np.array_equal(np.load(out), np.load(kernel_out)), backend)
            self.assert_c(out, want)

        reports = self.run_backends(xp, wp, check)
        r = reports["model"]
        self.assertEqual(r["through"], "shell")
        self.assertEqual((r["engine"], r["op"], r["dataflow"]), ("systolic", "conv2d", "row_stationary"))
        self.assertEqual(r["conv2d"]["E"], 5)
        self.assertEqual(r["conv2d"]["F"], 6)
        self.assertEqual(r["macs"], kernel["macs"])
        # The core's compute-only cycles are the kernel run's, and labelled so.
        self.assertEqual(r["core_cycles"], kernel["cycles"])
        self.assertIn("compute only", r["core_cycles_include"])
        self.assertIn("data movement", r["cycles_include"])
        self.assertGreater(r["cycles"], r["core_cycles"])
        self.assertGreaterEqual(r["cycles_compute"], r["core_cycles"])
        self.assertLessEqual(r["cycles_compute"] + r["cycles_mem_wait"], r["cycles"])
        self.assertGreaterEqual(r["bytes_read"], x.size + w.size)
        self.assertEqual(r["bytes_written"], want.size * 4)
        for key in ("cycles", "cycles_compute", "cycles_mem_wait", "bytes_read", "bytes_written", "core_cycles"):
            self.assertEqual(reports["rtl"][key], r[key], key)
        self.assertTrue(reports["rtl"]["model_counters_agree"])

    def test_a_batch_of_images_is_one_descriptor(self):
        # ifmap [N, C, H, W]: one descriptor of N images (the weights read once), the ofmap
        # [N, K, E, F], each image equal to its own run; the RTL equal to the model.
        rng = np.random.default_rng(9)
        xs = rng.integers(-128, 128, size=(3, 5, 9, 11), dtype=np.int8)
        w = rng.integers(-128, 128, size=(3, 5, 3, 3), dtype=np.int8)
        xp, wp = self.save("xs.npy", xs), self.save("w.npy", w)

        def check(backend, p, out):
            self.assertIn("conv2d N=3 C=5", p.stdout)
            y = np.load(out)
            self.assertEqual(y.shape, (3, 3, 5, 6))
            self.assertEqual(y.dtype, np.int32)
            for n in range(3):
                self.assertTrue(np.array_equal(y[n], conv2d(xs[n], w, 2, 1)), f"{backend}: image {n}")

        reports = self.run_backends(xp, wp, check)
        one_out, one_rep = self.path("one.npy"), self.path("one.json")
        self.assert_ok(self.run_conv("model", self.save("x1.npy", xs[1]), wp, one_out, one_rep))
        one, three = self.load_json(one_rep), reports["model"]
        self.assertEqual(three["conv2d"]["N"], 3)
        self.assertEqual(three["macs"], 3 * one["macs"])
        # The weights are read once: three images read less than three layers.
        self.assertLess(three["bytes_read"], 3 * one["bytes_read"])
        self.assertLess(three["cycles"], 3 * one["cycles"])
        for key in ("cycles", "cycles_compute", "cycles_mem_wait", "bytes_read", "bytes_written"):
            self.assertEqual(reports["rtl"][key], three[key], key)
        # Bad batches: no image, a 5-D array, a value out of range in one image (named), a
        # batch on the kernel top (no --shell).
        out = self.path("bad.npy")
        wide = np.zeros((3, 5, 9, 11), np.int16)
        wide[2, 1, 3, 2] = 300
        for bad, words in ((np.zeros((0, 5, 9, 11), np.int8), ["a batch of no images"]),
                           (wide, ["ifmap image 2 of 3", "[1, 3, 2] = 300"]),
                           (np.zeros((1, 1, 5, 9, 11), np.int8), ["expected a 3-D array [C, H, W] or a batch"])):
            self.assert_bad_input(["run", self.config(RS), "--op", "conv2d", "--shell", "--in",
                                   f"ifmap={self.save('bad_x.npy', bad)}", "--in", f"weights={wp}",
                                   "--out", f"ofmap={out}"], words, absent=[out])
        self.assert_bad_input(["run", self.config(RS), "--op", "conv2d", "--in", f"ifmap={xp}", "--in",
                               f"weights={wp}", "--out", f"ofmap={out}"], ["expected a 3-D array"], absent=[out])

    def test_refused_layer(self):
        out, rep = self.path("o.npy"), self.path("o.json")
        # Wider than the PE ifmap scratchpad (ifmap_spad 32): size_range, on both backends.
        wide = self.save("wide.npy", np.zeros((1, 3, 40), dtype=np.int8))
        w1 = self.save("w1.npy", np.zeros((1, 1, 3, 3), dtype=np.int8))
        for backend in ("model", "rtl"):
            with self.subTest(backend=backend):
                line = self.assert_bad_input(
                    ["run", self.config(RS), "--op", "conv2d", "--shell", "--backend", backend, "--in",
                     f"ifmap={wide}", "--in", f"weights={w1}", "--out", f"ofmap={out}", "--json", rep],
                    ["shell refuses", "ERROR_CODE size_range", "W = 40", "systolic.ifmap_spad = 32"],
                    absent=[out, rep])
                self.assertNotIn("\n", line)
        # A 1x3 filter with pad 2: the kernel pads up to the larger filter side, the shell by at
        # most R and S each way (bad_field).
        x = self.save("x.npy", np.ones((2, 6, 6), dtype=np.int8))
        w = self.save("w.npy", np.ones((2, 2, 1, 3), dtype=np.int8))
        self.assert_bad_input(["run", self.config(RS), "--op", "conv2d", "--shell", "--in", f"ifmap={x}", "--in",
                               f"weights={w}", "--param", "pad=2", "--out", f"ofmap={out}"],
                              ["ERROR_CODE bad_field", "pad 2"], absent=[out])
        self.assert_ok(self.dnngen("run", self.config(RS), "--op", "conv2d", "--in", f"ifmap={x}", "--in",
                                   f"weights={w}", "--param", "pad=2", "--out", f"ofmap={out}"))


def main():
    args, argv = sys.argv[1:], [sys.argv[0]]
    i = 0
    while i < len(args):
        if args[i] in ("--bin", "--src") and i + 1 < len(args):
            setattr(test_cli, "BIN" if args[i] == "--bin" else "SRC", os.path.abspath(args[i + 1]))
            i += 2
        else:
            argv.append(args[i])
            i += 1
    if not test_cli.BIN or not test_cli.SRC:
        sys.exit("test_rs_cli.py: pass --bin PATH --src DIR")
    import unittest
    prog = unittest.main(argv=argv, verbosity=2, exit=False)
    sys.exit(0 if prog.result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
