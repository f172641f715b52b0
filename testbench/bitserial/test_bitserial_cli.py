#!/usr/bin/python3
"""End-to-end tests of `dnngen` on the bit-serial engine (docs/bitserial.md).

    /usr/bin/python3 test_bitserial_cli.py --bin PATH/TO/dnngen --src SOURCE_DIR [unittest args]

Covers: validate of every bitserial preset; `run --backend model` against numpy's exact
product for fixed and auto precision; bad input (precision 0 or above input_bits, not an
integer, activations that do not fit the precision, negative activations in unsigned
mode, weights out of range, unknown parameters) with exit 2, one error line and no file
written; `run --backend rtl` equal to the model in values and cycles, for Stripes and the
bit-parallel baseline; `run --shell` (the AXI shell: jobs beyond the kernel's limits, K summed
on chip) on both backends with equal values and counters, and its bad input; `bench` on
AlexNet's conv layers. Reuses CliTestCase from
testbench/cli/test_cli.py.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
import test_cli  # noqa: E402
from test_cli import CliTestCase  # noqa: E402
import unittest  # noqa: E402

UNSIGNED = "bitserial_stripes_4x4_l16.yaml"     # uint16 activations, int16 weights, acc 32
SIGNED = "bitserial_stripes_3x2_l5_int8s.yaml"  # int8 activations and weights, acc 20
PARALLEL = "bitserial_parallel_3x2_l5_int8s.yaml"


def exact(a, b, acc_bits):
    s = a.astype(object).dot(b.astype(object))
    m = 1 << acc_bits
    w = np.vectorize(lambda v: ((int(v) + (m >> 1)) % m) - (m >> 1), otypes=[object])(s)
    return w.astype(np.int32 if acc_bits <= 32 else np.int64)


class BitserialModelTests(CliTestCase):
    def test_validate_presets(self):
        for mode in ("stripes", "pragmatic", "parallel"):
            for name in (f"bitserial_{mode}_4x4_l16.yaml", f"bitserial_{mode}_3x2_l5_int8s.yaml"):
                p = self.dnngen("validate", self.config(name))
                self.assert_ok(p)
                self.assertIn(f"engine bitserial ({mode}", p.stdout)

    def run_model(self, config, a, b, precision, acc_bits):
        ap, bp = self.save("a.npy", a), self.save("b.npy", b)
        p = self.dnngen("run", self.config(config), "--backend", "model", "--in", f"A={ap}", "--in", f"B={bp}",
                        "--out", f"C={self.path('c.npy')}", "--param", f"precision={precision}",
                        "--json", self.path("r.json"))
        self.assert_ok(p)
        self.assert_c(self.path("c.npy"), exact(a, b, acc_bits))
        return self.load_json(self.path("r.json"))

    def test_unsigned_stripes_cycles_scale_with_precision(self):
        rng = np.random.default_rng(1)
        b = rng.integers(-32768, 32768, (32, 8)).astype(np.int16)
        cycles = {}
        for p in (3, 9, 16):
            a = rng.integers(0, 1 << p, (8, 32)).astype(np.uint16)
            r = self.run_model(UNSIGNED, a, b, p, 32)
            self.assertEqual(r["engine"], "bitserial")
            self.assertEqual(r["backend"], "model")
            self.assertEqual(r["macs"], 8 * 8 * 32)
            cycles[p] = r["step_cycles"]
        # 2 window tiles x 2 filter tiles x 2 bricks, p cycles each.
        self.assertEqual(cycles, {3: 24, 9: 72, 16: 128})

    def test_signed_auto_precision(self):
        rng = np.random.default_rng(2)
        a = rng.integers(-128, 128, (7, 11)).astype(np.int8)
        b = np.full((11, 5), -128, dtype=np.int8)
        r = self.run_model(SIGNED, a, b, "auto", 20)
        self.assertEqual(r["precision"], "auto")

    def test_bad_inputs(self):
        a = np.array([[1, 2], [3, 300]], dtype=np.int16)
        b = np.array([[1, -1], [2, 5]], dtype=np.int16)
        ap, bp, out, rep = self.save("a.npy", a), self.save("b.npy", b), self.path("c.npy"), self.path("r.json")
        base = ["run", self.config(UNSIGNED), "--backend", "model", "--in", f"A={ap}", "--in", f"B={bp}",
                "--out", f"C={out}", "--json", rep]
        for value, needle in (("0", "precision=0"), ("17", "1..16"), ("x", "precision=x")):
            self.assert_bad_input(base + ["--param", f"precision={value}"], [needle], absent=[out, rep])
        self.assert_bad_input(base + ["--param", "precision=8"], ["tensor A", "300", "precision 8"],
                              absent=[out, rep])
        self.assert_bad_input(base + ["--param", "stride=2"], ["--param stride"], absent=[out, rep])
        neg = self.save("neg.npy", np.array([[1, -2], [3, 4]], dtype=np.int16))
        self.assert_bad_input(["run", self.config(UNSIGNED), "--in", f"A={neg}", "--in", f"B={bp}",
                               "--out", f"C={out}"], ["tensor A", "negative", "unsigned"], absent=[out])
        wide = self.save("wide.npy", np.array([[1, 40000], [2, 5]], dtype=np.int32))
        self.assert_bad_input(["run", self.config(UNSIGNED), "--in", f"A={ap}", "--in", f"B={wide}",
                               "--out", f"C={out}"], ["tensor B", "40000"], absent=[out])
        # The RTL backend refuses the same way, before any simulator build.
        self.assert_bad_input(["run", self.config(SIGNED), "--backend", "rtl", "--in", f"A={ap}",
                               "--in", f"B={bp}", "--out", f"C={out}", "--param", "precision=9"],
                              ["precision=9", "1..8"], absent=[out])

    def test_bench_alexnet(self):
        rep = self.path("bench.json")
        p = self.dnngen("bench", self.config(UNSIGNED), "--network",
                        os.path.join(test_cli.SRC, "workloads", "alexnet_conv.csv"), "--json", rep)
        self.assert_ok(p)
        self.assertIn("conv1", p.stdout)
        r = self.load_json(rep)
        self.assertEqual(r["mode"], "stripes")
        self.assertEqual([l["precision"] for l in r["layers"]], [9, 8, 5, 5, 7])
        self.assertGreater(r["speedup"], 1.5)
        self.assertLess(r["pragmatic_cycles"], r["baseline_cycles"])


class BitserialRtlTests(CliTestCase):
    def test_outputs_are_written_together_or_not_at_all(self):
        # Issue 11 item 3: C was in place before a failing --json; now neither changes.
        if not os.path.exists("/dev/full"):
            self.skipTest("no /dev/full")
        rng = np.random.default_rng(3)
        ap = self.save("a.npy", rng.integers(-16, 16, (5, 7)).astype(np.int8))
        bp = self.save("b.npy", rng.integers(-128, 128, (7, 3)).astype(np.int8))
        out = self.write("c.npy", "previous C")
        for backend in ("model", "rtl"):
            with self.subTest(backend=backend):
                self.assert_bad_input(["run", self.config(SIGNED), "--backend", backend, "--in", f"A={ap}", "--in",
                                       f"B={bp}", "--out", f"C={out}", "--json", "/dev/full"],
                                      ["--json /dev/full", "No space left on device"])

    def test_rtl_equals_model_stripes_and_baseline(self):
        rng = np.random.default_rng(3)
        a = rng.integers(-16, 16, (13, 17)).astype(np.int8)
        b = rng.integers(-128, 128, (17, 9)).astype(np.int8)
        ap, bp = self.save("a.npy", a), self.save("b.npy", b)
        want = exact(a, b, 20)
        cycles = {}
        for config in (SIGNED, PARALLEL):
            for backend in ("model", "rtl"):
                out, rep = self.path(f"c_{backend}.npy"), self.path(f"r_{backend}.json")
                p = self.dnngen("run", self.config(config), "--backend", backend, "--in", f"A={ap}",
                                "--in", f"B={bp}", "--out", f"C={out}", "--param", "precision=5",
                                "--json", rep)
                self.assert_ok(p)
                self.assert_c(out, want)
                cycles[(config, backend)] = self.load_json(rep)["cycles"]
            self.assertEqual(cycles[(config, "model")], cycles[(config, "rtl")], config)
        self.assertGreater(cycles[(SIGNED, "rtl")], cycles[(PARALLEL, "rtl")])


class BitserialShellTests(CliTestCase):
    """`run --shell`: the engine in the AXI shell it shares with the systolic array (docs/shell.md)."""

    def operands(self):
        # Larger than every job limit of the 3x2 presets (M 17, N 11, K 23): the shell walks
        # the jobs and sums K on chip.
        rng = np.random.default_rng(11)
        a = rng.integers(-16, 16, (40, 50)).astype(np.int8)
        b = rng.integers(-128, 128, (50, 25)).astype(np.int8)
        return a, b, self.save("a.npy", a), self.save("b.npy", b)

    def test_run_through_the_shell(self):
        a, b, ap, bp = self.operands()
        want = exact(a, b, 20)
        for config, precision in ((PARALLEL, "5"), (SIGNED, "auto")):
            reports = {}
            for backend in ("model", "rtl"):
                with self.subTest(config=config, backend=backend):
                    out, rep = self.path(f"c_{backend}.npy"), self.path(f"r_{backend}.json")
                    p = self.dnngen("run", self.config(config), "--shell", "--backend", backend, "--in", f"A={ap}",
                                    "--in", f"B={bp}", "--out", f"C={out}", "--param", f"precision={precision}",
                                    "--json", rep)
                    self.assert_ok(p)
                    self.assertIn("through the AXI shell", p.stdout)
                    self.assertIn("including data movement", p.stdout)
                    self.assert_c(out, want)
                    reports[backend] = self.load_json(rep)
            r = reports["model"]
            self.assertEqual(r["through"], "shell")
            self.assertEqual(r["precision"], precision)
            self.assertEqual(r["gemm"], {"M": 40, "N": 25, "K": 50})
            self.assertGreater(r["jobs"], 1)
            for key in ("cycles", "cycles_compute", "cycles_mem_wait", "bytes_read", "bytes_written"):
                self.assertEqual(reports["rtl"][key], r[key], f"{config}: {key}")

    def test_conv2d_through_the_shell(self):
        # One conv2d descriptor: the shell gathers the windows (implicit im2col) on both backends.
        rng = np.random.default_rng(12)
        x = rng.integers(-16, 16, (3, 9, 11)).astype(np.int8)
        w = rng.integers(-128, 128, (5, 3, 3, 3)).astype(np.int8)
        xp, wp = self.save("x.npy", x), self.save("w.npy", w)
        padded = np.pad(x.astype(np.int64), ((0, 0), (1, 1), (1, 1)))
        e, f = (9 + 2 - 3) // 2 + 1, (11 + 2 - 3) // 2 + 1
        want = np.zeros((5, e, f), np.int64)
        for oy in range(e):
            for ox in range(f):
                window = padded[:, 2 * oy:2 * oy + 3, 2 * ox:2 * ox + 3]
                want[:, oy, ox] = np.tensordot(w.astype(np.int64), window, axes=([1, 2, 3], [0, 1, 2]))
        reports = {}
        for backend in ("model", "rtl"):
            out, rep = self.path(f"y_{backend}.npy"), self.path(f"r_{backend}.json")
            p = self.dnngen("run", self.config(SIGNED), "--op", "conv2d", "--shell", "--backend", backend, "--in",
                            f"ifmap={xp}", "--in", f"weights={wp}", "--param", "stride=2", "--param", "pad=1",
                            "--param", "precision=5", "--out", f"ofmap={out}", "--json", rep)
            self.assert_ok(p)
            # |sum| <= 27 x 16 x 128 < 2^19: no wrap at acc_bits 20.
            self.assertTrue(np.array_equal(np.load(out), want), backend)
            reports[backend] = self.load_json(rep)
        self.assertEqual(reports["model"]["conv2d"]["E"], e)
        for key in ("cycles", "cycles_compute", "bytes_read", "bytes_written"):
            self.assertEqual(reports["rtl"][key], reports["model"][key], key)
        # The kernel top runs gemm jobs only.
        self.assert_bad_input(["run", self.config(SIGNED), "--op", "conv2d", "--in", f"ifmap={xp}", "--in",
                               f"weights={wp}", "--out", f"ofmap={self.path('y.npy')}"],
                              ["conv2d", "--shell"], absent=[self.path("y.npy")])

    def test_stripes_cycles_follow_the_precision(self):
        _, _, ap, bp = self.operands()
        cycles = {}
        for precision in ("5", "8"):
            rep = self.path(f"r{precision}.json")
            p = self.dnngen("run", self.config(SIGNED), "--shell", "--in", f"A={ap}", "--in", f"B={bp}", "--out",
                            f"C={self.path('c.npy')}", "--param", f"precision={precision}", "--json", rep)
            self.assert_ok(p)
            cycles[precision] = self.load_json(rep)["cycles_compute"]
        self.assertGreater(cycles["8"], cycles["5"])

    def test_shell_bad_input(self):
        _, _, ap, bp = self.operands()
        out = self.path("c.npy")
        for params, needles in [(["--param", "precision=9"], ["precision", "9"]),
                                (["--param", "precision=4"], ["tensor A", "does not fit the precision 4"]),
                                (["--param", "stride=2"], ["--param stride", "precision"])]:
            with self.subTest(params=params):
                self.assert_bad_input(["run", self.config(SIGNED), "--shell", "--in", f"A={ap}", "--in", f"B={bp}",
                                       "--out", f"C={out}"] + params, needles, absent=[out])
        # Without the shell the kernel's job limits hold.
        self.assert_bad_input(["run", self.config(SIGNED), "--in", f"A={ap}", "--in", f"B={bp}", "--out",
                               f"C={out}"], ["max_m"], absent=[out])


def main():
    argv = [sys.argv[0]]
    args = sys.argv[1:]
    i = 0
    while i < len(args):
        if args[i] in ("--bin", "--src") and i + 1 < len(args):
            setattr(test_cli, "BIN" if args[i] == "--bin" else "SRC", os.path.abspath(args[i + 1]))
            i += 2
        else:
            argv.append(args[i])
            i += 1
    if not test_cli.BIN or not test_cli.SRC:
        sys.exit("test_bitserial_cli.py: pass --bin PATH and --src DIR")
    if not os.environ.get("DNNGEN_CACHE"):
        os.environ["DNNGEN_CACHE"] = os.path.join(os.path.dirname(os.path.dirname(test_cli.BIN)), "sim-cache")
    prog = unittest.main(argv=argv, verbosity=2, exit=False)
    sys.exit(0 if prog.result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
