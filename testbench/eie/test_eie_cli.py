#!/usr/bin/env python3
"""End-to-end tests of the EIE engine through the dnngen binary: compress, run on the
model and the RTL (equal outputs), multi-layer chains, bench, and the bad-input contract
(exit 2, one error line, nothing written).

usage: test_eie_cli.py --bin build/tools/dnngen --src . [unittest args]
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
import test_cli  # noqa: E402  (CliTestCase and the --bin/--src globals)

CFG = "eie_4pe.yaml"


class EieTests(test_cli.CliTestCase):
    def operands(self, m=37, n=45, density=0.2, seed=3):
        rng = np.random.default_rng(seed)
        cb = np.concatenate([[0], rng.integers(-300, 300, 15)]).astype(np.int16)
        w = np.where(rng.random((m, n)) < density, rng.integers(1, 16, (m, n)), 0).astype(np.uint8)
        x = np.where(rng.random(n) < 0.4, rng.integers(-512, 512, n), 0).astype(np.int16)
        return cb, w, x

    def reference(self, cb, w, x, frac=8):
        acc = (cb[w].astype(np.int64) * x.astype(np.int64)).sum(axis=1)
        y = (acc + (1 << (frac - 1))) >> frac
        return np.maximum(np.clip(y, -32768, 32767), 0)

    def test_run_model_and_rtl_agree_with_numpy(self):
        cb, w, x = self.operands()
        args = ["--in", "codebook=" + self.save("cb.npy", cb), "--in", "w_idx=" + self.save("w.npy", w),
                "--in", "x=" + self.save("x.npy", x)]
        for backend in ("model", "rtl"):
            p = self.dnngen("run", self.config(CFG), "--op", "spmv", "--backend", backend, *args,
                            "--out", f"y={self.path(backend + '.npy')}", "--json", self.path(backend + ".json"))
            self.assert_ok(p)
        ym, yr = np.load(self.path("model.npy")), np.load(self.path("rtl.npy"))
        self.assertEqual(ym.dtype, np.int16)
        np.testing.assert_array_equal(ym, self.reference(cb, w, x))
        np.testing.assert_array_equal(ym, yr)
        self.assertGreater(np.count_nonzero(ym), 0)  # a non-trivial check
        jm, jr = self.load_json(self.path("model.json")), self.load_json(self.path("rtl.json"))
        self.assertEqual(jm["cycles"], jr["cycles"])
        for key in ("engine", "op", "backend", "cycles", "macs", "utilization"):
            self.assertIn(key, jr)

    def test_two_layer_chain_cosim(self):
        cb, w0, x = self.operands(m=30, n=45)
        _, w1, _ = self.operands(m=20, n=30, seed=4)
        p = self.dnngen("cosim", self.config(CFG), "--op", "spmv", "--in", "codebook=" + self.save("cb.npy", cb),
                        "--in", f"w_idx={self.save('w0.npy', w0)},{self.save('w1.npy', w1)}",
                        "--in", "x=" + self.save("x.npy", x), "--json", self.path("r.json"))
        self.assert_ok(p)
        r = self.load_json(self.path("r.json"))
        self.assertTrue(r["pass"])
        self.assertEqual(len(r["jobs"][0]["layers"]), 2)

    def compress_args(self, weights, *extra):
        return ["compress", self.config(CFG), "--in", "weights=" + self.save("w.npy", weights), "--param",
                "density=0.5", "--out", f"codebook={self.path('cb.npy')}", "--out", f"w_idx={self.path('wi.npy')}",
                *extra]

    def test_compress_refuses_empty_and_non_finite_weights(self):
        # Issue 11: empty matrices crashed (SIGSEGV); NaN has no codebook value.
        for shape in ((0, 30), (40, 0), (0, 0)):
            self.assert_bad_input(self.compress_args(np.zeros(shape, np.float32)),
                                  ["weights", "at least one row and one column", f"[{shape[0]}, {shape[1]}]"],
                                  absent=[self.path("cb.npy")])
        w = np.ones((4, 4), np.float32)
        w[1, 2] = np.nan
        self.assert_bad_input(self.compress_args(w), ["weights", "element 6", "finite"])

    def test_compress_saturates_huge_weights_without_flipping_sign(self):
        # Issue 11: 3e38 came out as -32768 (llround overflow before saturation).
        w = np.random.default_rng(7).standard_normal((8, 8)).astype(np.float32)
        w[0, 0], w[1, 1] = 3e38, -3e38
        p = self.dnngen(*self.compress_args(w, "--seed", "1"))
        self.assert_ok(p)
        cb, wi = np.load(self.path("cb.npy")), np.load(self.path("wi.npy"))
        got = cb[wi.astype(np.int64)]
        self.assertEqual(got[0, 0], 32767, got)
        self.assertEqual(got[1, 1], -32768, got)

    def test_run_writes_all_outputs_or_none(self):
        # Issue 11 item 3: y was in place before --json failed. Both backends, y kept as it was.
        if not os.path.exists("/dev/full"):
            self.skipTest("no /dev/full")
        cb, w, x = self.operands()
        args = ["--in", "codebook=" + self.save("cb.npy", cb), "--in", "w_idx=" + self.save("w.npy", w),
                "--in", "x=" + self.save("x.npy", x), "--out", "y=" + self.write("y.npy", "previous y")]
        for backend in ("model", "rtl"):
            with self.subTest(backend=backend):
                self.assert_bad_input(["run", self.config(CFG), "--op", "spmv", "--backend", backend, *args,
                                       "--json", "/dev/full"], ["--json /dev/full", "No space left on device"])

    def test_compress_writes_all_outputs_or_none(self):
        # Issue 11 item 3: a failing later output (--json on a full device) left the tensors and
        # half the SRAM images written. Now every output is committed together, or none.
        if not os.path.exists("/dev/full"):
            self.skipTest("no /dev/full")
        w = np.random.default_rng(5).standard_normal((40, 24)).astype(np.float32)
        self.save("w.npy", w)
        self.write("cb.npy", "previous codebook")
        sram = self.path("sram")
        line = self.assert_bad_input(self.compress_args(w, "--sram-dir", sram, "--json", "/dev/full"),
                                     ["--json /dev/full", "No space left on device"], absent=[sram])
        self.assertNotIn("sram", line)
        # A --sram-dir where no file can be made (/sys, even for root) is refused before any work.
        if os.path.isdir("/sys") and not test_cli.GenerateTests._can_create_in("/sys"):
            self.assert_bad_input(self.compress_args(w, "--sram-dir", "/sys/dnngen-sram"),
                                  ["--sram-dir /sys/dnngen-sram", "cannot write"])

    def test_compress_paper_shape_and_run(self):
        rng = np.random.default_rng(5)
        wf = rng.standard_normal((40, 24)).astype(np.float32)
        p = self.dnngen("compress", self.config(CFG), "--in", "weights=" + self.save("w.npy", wf),
                        "--param", "density=0.25", "--out", f"codebook={self.path('cb.npy')}",
                        "--out", f"w_idx={self.path('wi.npy')}", "--sram-dir", self.path("sram"))
        self.assert_ok(p)
        cb, wi = np.load(self.path("cb.npy")), np.load(self.path("wi.npy"))
        self.assertEqual(cb.dtype, np.int16)
        self.assertEqual(cb[0], 0)
        self.assertEqual(wi.dtype, np.uint8)
        self.assertEqual(np.count_nonzero(wi), 240)
        kept = np.abs(wf[wi != 0]).min()
        self.assertGreaterEqual(kept, np.abs(wf[wi == 0]).max())  # magnitude pruning
        self.assertTrue(os.path.exists(self.path("sram/pe3_entries.npy")))

    def test_compress_keeps_a_pruned_models_mask_and_a_shared_models_codebook(self):
        rng = np.random.default_rng(8)
        pruned = np.where(rng.random((30, 20)) < 0.3, rng.standard_normal((30, 20)), 0).astype(np.float32)
        shared = np.clip(np.round(pruned * 2) / 2, -3.5, 3.5).astype(np.float32)  # at most 14 values
        for name, w, own in (("pruned", pruned, False), ("shared", shared, True)):
            with self.subTest(weights=name):
                rep = self.path(name + ".json")
                p = self.dnngen("compress", self.config(CFG), "--in", "weights=" + self.save(name + ".npy", w),
                                "--param", "density=keep", "--out", f"codebook={self.path(name + '_cb.npy')}",
                                "--out", f"w_idx={self.path(name + '_wi.npy')}", "--json", rep)
                self.assert_ok(p)
                cb, wi = np.load(self.path(name + "_cb.npy")), np.load(self.path(name + "_wi.npy"))
                np.testing.assert_array_equal(wi != 0, w != 0)  # exactly the model's mask
                report = self.load_json(rep)
                self.assertEqual(report["kept_codebook"], own)
                if own:  # each weight is its own value, at frac_bits 8
                    np.testing.assert_array_equal(cb[wi][w != 0], np.round(w[w != 0] * 256).astype(np.int16))
        self.assert_bad_input(["compress", self.config(CFG), "--in", "weights=" + self.save("z.npy", np.zeros((4, 4), np.float32)),
                               "--param", "density=keep", "--out", f"codebook={self.path('z_cb.npy')}",
                               "--out", f"w_idx={self.path('z_wi.npy')}"], ["every weight is 0"])

    def test_bench_reference_layers(self):
        p = self.dnngen("bench", self.config("eie_64pe.yaml"), "--network",
                        os.path.join(test_cli.SRC, "workloads", "eie_layers.csv"), "--json", self.path("b.json"))
        self.assert_ok(p)
        b = self.load_json(self.path("b.json"))
        self.assertEqual([l["name"] for l in b["layers"]][:3], ["Alex-6", "Alex-7", "Alex-8"])
        for l in b["layers"]:
            self.assertGreater(l["speedup"], 1.0)
            self.assertLessEqual(l["efficiency"], 1.0)

    def test_run_through_the_shell(self):
        # Issue 13: one spmv descriptor per layer through the AXI shell, the weight images and
        # activations in memory. Two layers that fit the SRAMs only one at a time (128 + 1 +
        # 100 + 1 column pointers > max_cols + 1 = 129: the kernel run refuses the chain), a
        # batch of 3 vectors; the model and the RTL equal in y and in every counter, and y
        # equals numpy's reference layer by layer.
        rng = np.random.default_rng(8)
        cb, w0, _ = self.operands(m=100, n=128, seed=5)
        _, w1, _ = self.operands(m=40, n=100, seed=6)
        xb = rng.integers(-512, 512, (3, 128)).astype(np.int16)
        ins = ["--in", "codebook=" + self.save("cb.npy", cb),
               "--in", f"w_idx={self.save('w0.npy', w0)},{self.save('w1.npy', w1)}", "--in", "x=" + self.save("x.npy", xb)]
        # The kernel run refuses the chain even for one vector (its pointers do not fit at once).
        one = ["--in", "codebook=" + self.path("cb.npy"), "--in", f"w_idx={self.path('w0.npy')},{self.path('w1.npy')}",
               "--in", "x=" + self.save("x0.npy", xb[0])]
        self.assert_bad_input(["run", self.config(CFG), "--op", "spmv", *one, "--out", "y=" + self.path("k.npy")],
                              ["column pointers"], absent=[self.path("k.npy")])
        reports = {}
        for backend in ("model", "rtl"):
            p = self.dnngen("run", self.config(CFG), "--op", "spmv", "--shell", "--backend", backend, *ins,
                            "--out", f"y={self.path(backend + '.npy')}", "--json", self.path(backend + ".json"))
            self.assert_ok(p)
            self.assertIn("through the AXI shell", p.stdout)
            self.assertIn("including data movement", p.stdout)
            reports[backend] = self.load_json(self.path(backend + ".json"))
        ym, yr = np.load(self.path("model.npy")), np.load(self.path("rtl.npy"))
        want = np.stack([self.reference(cb, w1, self.reference(cb, w0, x)) for x in xb])
        self.assertEqual(ym.shape, (3, 40))
        np.testing.assert_array_equal(ym, want)
        np.testing.assert_array_equal(yr, want)
        self.assertGreater(np.count_nonzero(ym), 0)
        jm, jr = reports["model"], reports["rtl"]
        self.assertEqual(jr["through"], "shell")
        self.assertIn("data movement", jr["cycles_include"])
        self.assertTrue(jr["model_counters_agree"])
        for key in ("cycles", "cycles_compute", "cycles_mem_wait", "bytes_read", "bytes_written", "macs"):
            self.assertEqual(jm[key], jr[key], key)
        self.assertEqual([(l["M"], l["K"]) for l in jr["layers"]], [(100, 128), (40, 100)])
        self.assertEqual(jr["bytes_written"], 3 * (100 + 40) * 2)
        self.assertGreater(jr["cycles_mem_wait"], 0)
        # One vector gives a 1-D y equal to the kernel run's (compute-only cycles there).
        ins1 = ["--in", "codebook=" + self.path("cb.npy"), "--in", "w_idx=" + self.path("w1.npy"),
                "--in", "x=" + self.save("x1.npy", xb[0, :100])]
        for extra, out in (([], "k1.npy"), (["--shell"], "s1.npy")):
            self.assert_ok(self.dnngen("run", self.config(CFG), "--op", "spmv", *extra, *ins1, "--out",
                                       "y=" + self.path(out)))
        np.testing.assert_array_equal(np.load(self.path("k1.npy")), np.load(self.path("s1.npy")))

    def test_run_through_the_shell_bad_input(self):
        cb, w, _ = self.operands(m=20, n=30)
        good = {"codebook": self.save("cb.npy", cb), "w_idx": self.save("w.npy", w),
                "x": self.save("x.npy", np.zeros((2, 30), np.int16))}
        cases = [
            ({"x": self.save("x3.npy", np.zeros((2, 2, 30), np.int16))}, ["tensor x", "[N, 30]"]),
            ({"x": self.save("xk.npy", np.zeros((2, 29), np.int16))}, ["tensor x", "[30]"]),
            ({"x": self.save("xv.npy", np.full((2, 30), 1 << 20, np.int32))}, ["x:", "act_bits"]),
            ({"w_idx": f"{good['w_idx']},{self.save('w2.npy', np.zeros((5, 21), np.uint8))}"},
             ["w_idx (layer 1)", "21 columns", "expected 20"]),
            ({"w_idx": self.save("big.npy", np.ones((200, 10), np.uint8))}, ["does not fit the configured SRAMs"]),
        ]
        for override, needles in cases:
            args = ["run", self.config(CFG), "--op", "spmv", "--shell"]
            for k, v in dict(good, **override).items():
                args += ["--in", f"{k}={v}"]
            self.assert_bad_input(args + ["--out", "y=" + self.path("y.npy")], needles, absent=[self.path("y.npy")])

    def test_bad_inputs(self):
        cb, w, x = self.operands()
        good = {"codebook": self.save("cb.npy", cb), "w_idx": self.save("w.npy", w), "x": self.save("x.npy", x)}
        bad_cb = cb.copy(); bad_cb[0] = 5
        big_w = w.copy(); big_w[0, 0] = 16
        cases = [
            ({"codebook": self.save("bcb.npy", bad_cb)}, "entry 0"),
            ({"codebook": self.save("short.npy", cb[:8])}, "codebook range"),  # index 8..15 now outside
            ({"x": self.save("bx.npy", x[:-1])}, "expected N"),
            ({"w_idx": self.save("big.npy", np.ones((200, 10), np.uint8))}, "does not fit the configured SRAMs"),
        ]
        for override, needle in cases:
            ins = dict(good, **override)
            args = ["run", self.config(CFG), "--op", "spmv"]
            for k, v in ins.items():
                args += ["--in", f"{k}={v}"]
            self.assert_bad_input(args + ["--out", "y=" + self.path("y.npy")], [needle], absent=[self.path("y.npy")])
        wf = self.save("wf.npy", np.ones((8, 8), np.float32))
        for d in ("0", "1.5", "-0.1"):
            self.assert_bad_input(["compress", self.config(CFG), "--in", f"weights={wf}", "--param", f"density={d}",
                                   "--out", "codebook=" + self.path("c.npy"), "--out", "w_idx=" + self.path("i.npy")],
                                  ["density"], absent=[self.path("c.npy"), self.path("i.npy")])
        for seed in ("-1", "3x", ""):
            self.assert_bad_input(["compress", self.config(CFG), "--in", f"weights={wf}", "--param", "density=0.5",
                                   "--seed", seed, "--out", "codebook=" + self.path("c.npy"),
                                   "--out", "w_idx=" + self.path("i.npy")],
                                  ["--seed"], absent=[self.path("c.npy"), self.path("i.npy")])
        # No result handshake to stall: --ready is refused rather than ignored.
        self.assert_bad_input(["cosim", self.config(CFG), "--random", "--seed", "1", "--count", "1",
                               "--ready", "0.5", "--json", self.path("r.json")], ["--ready"],
                              absent=[self.path("r.json")])


if __name__ == "__main__":
    args = sys.argv[1:]
    for flag, attr in (("--bin", "BIN"), ("--src", "SRC")):
        if flag in args:
            i = args.index(flag)
            setattr(test_cli, attr, os.path.abspath(args[i + 1]))
            del args[i:i + 2]
    if not os.environ.get("DNNGEN_CACHE"):
        os.environ["DNNGEN_CACHE"] = os.path.join(os.path.dirname(os.path.dirname(test_cli.BIN)), "sim-cache")
    import unittest
    unittest.main(argv=[sys.argv[0]] + args, verbosity=2)
