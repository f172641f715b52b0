#!/usr/bin/python3
"""Proves a refactoring changed no behaviour: records what dnngen produces for every preset
(RTL bundles, validate/params text, run/cosim/bench/synth JSON and .npy outputs) and compares
two such records.

    scripts/refactor_check.py snapshot --bin build/tools/dnngen --out /tmp/before [--synth]
    scripts/refactor_check.py compare /tmp/before /tmp/after

The inputs are generated from fixed seeds, so two snapshots of equal behaviour are equal.
JSON is compared after dropping timing fields (seconds, timestamps, cache state, paths to
the simulator); everything else, including cycles, cell counts and areas, must be equal.
compare exits 0 when the records are identical, 1 with a list of differences otherwise.
"""
import argparse
import filecmp
import json
import os
import re
import subprocess
import sys

import numpy as np

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Presets small enough to synthesize in a snapshot (generic target, seconds each).
SYNTH_PRESETS = ("systolic_ws_4x4_int8", "systolic_os_4x4_int8", "systolic_ws_4x4_int8_sat",
                 "systolic_rs_4x4_int8", "eie_3pe_d1", "eie_4pe", "bitserial_stripes_3x2_l5_int8s",
                 "bitserial_pragmatic_3x2_l5_int8s", "bitserial_parallel_3x2_l5_int8s")

# Keys whose values depend on the run, not on behaviour.
VOLATILE = re.compile(r"(second|time|date|elapsed|wall|executable|cached|work_dir|command|host|^log$|_log$)", re.I)
# The same in prose: simulation speed, temporary directories with a process id.
PROSE = [(re.compile(r"\(\d+(\.\d+)? M sim cycles/s\)"), "(<speed>)"),
         (re.compile(r"/tmp/dnngen-[A-Za-z0-9_.-]*?-\d+/"), "/tmp/<work>/")]


def engine_of(config_path):
    text = open(config_path).read()
    engine = re.search(r"^engine:\s*(\w+)", text, re.M).group(1)
    if engine == "systolic":
        return re.search(r"dataflow:\s*(\w+)", text).group(1)
    if engine == "bitserial":
        return "bitserial"
    return engine


def field(config_path, key, default=None):
    m = re.search(r"^\s+%s:\s*(\S+)" % key, open(config_path).read(), re.M)
    return m.group(1) if m else default


class Recorder:
    def __init__(self, binary, out):
        self.bin, self.out = binary, out
        self.inputs = os.path.join(out, "inputs")
        os.makedirs(self.inputs, exist_ok=True)

    def dnngen(self, record, *args):
        """Runs dnngen, records exit status, stdout and stderr (paths under out made relative)."""
        p = subprocess.run([self.bin, *args], capture_output=True, text=True, cwd=self.out)
        text = f"exit {p.returncode}\n--- stdout\n{p.stdout}--- stderr\n{p.stderr}"
        text = text.replace(self.out + "/", "").replace(SRC + "/", "")
        text = re.sub(r"\d+(\.\d+)? s\b", "<t> s", text)  # build/run times in prose
        text = re.sub(r"simulator: .*\n", "simulator: <cache>\n", text)
        with open(os.path.join(self.out, record + ".log"), "w") as f:
            f.write(text)
        return p.returncode

    def save(self, name, array):
        path = os.path.join(self.inputs, name)
        np.save(path, array)
        return path

    def gemm_operands(self, tag, signed, bits, m=9, k=13, n=7, seed=1):
        rng = np.random.default_rng(seed)
        dtype = {(True, 8): np.int8, (False, 8): np.uint8, (True, 16): np.int16, (False, 16): np.uint16}
        lo, hi = (-(1 << (bits - 1)), 1 << (bits - 1)) if signed else (0, 1 << bits)
        dt = dtype[(signed, 8 if bits <= 8 else 16)]
        a = rng.integers(lo, hi, (m, k)).astype(dt)
        b = rng.integers(lo, hi, (k, n)).astype(dt)
        return self.save(tag + "_A.npy", a), self.save(tag + "_B.npy", b)

    def record_preset(self, cfg, synth):
        name = os.path.basename(cfg)[:-5]
        kind = engine_of(cfg)
        signed = field(cfg, "signed", "true") == "true"
        bits = int(field(cfg, "input_bits", "8"))
        self.dnngen(f"{name}.validate", "validate", cfg)
        self.dnngen(f"{name}.params", "params", cfg)
        self.dnngen(f"{name}.params_yosys", "params", cfg, "--yosys")
        self.dnngen(f"{name}.generate", "generate", cfg, "-o", f"bundle_{name}")
        jobs = []
        if kind in ("weight_stationary", "output_stationary"):
            a, b = self.gemm_operands(name, signed, bits)
            jobs.append(("gemm", ["--in", f"A={a}", "--in", f"B={b}"], "C"))
            rng = np.random.default_rng(2)
            dt = np.int8 if bits <= 8 else np.int16
            if not signed:
                dt = np.uint8
            x = self.save(name + "_x.npy", rng.integers(0, 100, (3, 9, 9)).astype(dt))
            w = self.save(name + "_w.npy", rng.integers(0, 100, (4, 3, 3, 3)).astype(dt))
            jobs.append(("conv2d", ["--op", "conv2d", "--in", f"ifmap={x}", "--in", f"weights={w}",
                                    "--param", "stride=2", "--param", "pad=1"], "ofmap"))
            network = "workloads/resnet50.csv"
        elif kind == "row_stationary":
            rng = np.random.default_rng(3)
            dt = np.int8 if bits <= 8 else np.int16
            x = self.save(name + "_x.npy", rng.integers(-50, 50, (2, 8, 8)).astype(dt))
            w = self.save(name + "_w.npy", rng.integers(-50, 50, (3, 2, 3, 3)).astype(dt))
            jobs.append(("conv2d", ["--op", "conv2d", "--in", f"ifmap={x}", "--in", f"weights={w}",
                                    "--param", "pad=1"], "ofmap"))
            network = "workloads/alexnet_conv.csv"
        elif kind == "eie":
            rng = np.random.default_rng(4)
            cb = self.save(name + "_cb.npy", np.concatenate([[0], rng.integers(-300, 300, 15)]).astype(np.int16))
            m, n = 21, 30
            w = self.save(name + "_w.npy", np.where(rng.random((m, n)) < 0.3, rng.integers(1, 16, (m, n)), 0)
                          .astype(np.uint8))
            x = self.save(name + "_x.npy", np.where(rng.random(n) < 0.5, rng.integers(-512, 512, n), 0)
                          .astype(np.int16))
            jobs.append(("spmv", ["--op", "spmv", "--in", f"codebook={cb}", "--in", f"w_idx={w}",
                                  "--in", f"x={x}"], "y"))
            wf = self.save(name + "_wfloat.npy", rng.standard_normal((17, 23)).astype(np.float32))
            self.dnngen(f"{name}.compress", "compress", cfg, "--in", f"weights={wf}", "--param", "density=0.3",
                        "--out", f"codebook={name}.compress_cb.npy", "--out", f"w_idx={name}.compress_w.npy",
                        "--json", f"{name}.compress.json")
            network = "workloads/eie_layers.csv"
        else:
            a, b = self.gemm_operands(name, signed, 5, m=5, k=11, n=3)
            for p in ("5", "auto"):
                jobs.append((f"gemm_p{p}", ["--in", f"A={a}", "--in", f"B={b}", "--param", f"precision={p}"], "C"))
            network = "workloads/alexnet_conv.csv"
        for tag, args, out in jobs:
            for backend in ("model", "rtl"):
                r = f"{name}.run_{tag}_{backend}"
                self.dnngen(r, "run", cfg, "--backend", backend, *args, "--out", f"{out}={r}.npy",
                            "--json", f"{r}.json")
            r = f"{name}.cosim_{tag}"
            self.dnngen(r, "cosim", cfg, *args, "--json", f"{r}.json")
        self.dnngen(f"{name}.cosim_random", "cosim", cfg, "--random", "--seed", "3", "--count", "3",
                    "--json", f"{name}.cosim_random.json")
        self.dnngen(f"{name}.bench", "bench", cfg, "--network", os.path.join(SRC, network),
                    "--json", f"{name}.bench.json")
        if synth and name in SYNTH_PRESETS:
            self.dnngen(f"{name}.synth", "synth", cfg, "--target", "generic", "--json", f"{name}.synth.json")


def normalise_json(value, root):
    if isinstance(value, dict):
        return {k: normalise_json(v, root) for k, v in value.items() if not VOLATILE.search(k)}
    if isinstance(value, list):
        return [normalise_json(v, root) for v in value]
    if isinstance(value, str):
        return value.replace(SRC + "/", "").replace(root + "/", "<out>/")
    return value


def normalise_text(text):
    for pattern, replacement in PROSE:
        text = pattern.sub(replacement, text)
    return text


def same(path_a, path_b, root_a, root_b):
    if path_a.endswith(".json"):
        with open(path_a) as fa, open(path_b) as fb:
            return normalise_json(json.load(fa), root_a) == normalise_json(json.load(fb), root_b)
    if path_a.endswith(".npy"):
        a, b = np.load(path_a), np.load(path_b)
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
    if path_a.endswith(".log"):
        with open(path_a) as fa, open(path_b) as fb:
            return normalise_text(fa.read()) == normalise_text(fb.read())
    return filecmp.cmp(path_a, path_b, shallow=False)


def compare(a, b, ignore_rtl):
    differences = []
    files = set()
    for root in (a, b):
        for d, _, names in os.walk(root):
            files.update(os.path.relpath(os.path.join(d, n), root) for n in names)
    for rel in sorted(files):
        if ignore_rtl and rel.startswith("bundle_"):
            continue
        pa, pb = os.path.join(a, rel), os.path.join(b, rel)
        if not os.path.exists(pa) or not os.path.exists(pb):
            differences.append(f"only in {'after' if not os.path.exists(pa) else 'before'}: {rel}")
        elif not same(pa, pb, os.path.abspath(a), os.path.abspath(b)):
            differences.append(f"differs: {rel}")
    for line in differences:
        print(line)
    print(f"compared {len(files)} file(s): {len(differences)} difference(s)")
    return 1 if differences else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("snapshot")
    s.add_argument("--bin", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--synth", action="store_true", help="also synthesize the small presets")
    s.add_argument("--only", default="", help="a regex of preset names")
    c = sub.add_parser("compare")
    c.add_argument("before")
    c.add_argument("after")
    c.add_argument("--ignore-rtl", action="store_true", help="skip the RTL bundles (an intended RTL change)")
    args = parser.parse_args()
    if args.command == "compare":
        return compare(args.before, args.after, args.ignore_rtl)
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    recorder = Recorder(os.path.abspath(args.bin), out)
    configs = sorted(os.path.join(SRC, "configs", f) for f in os.listdir(os.path.join(SRC, "configs")))
    for cfg in configs:
        if args.only and not re.search(args.only, os.path.basename(cfg)):
            continue
        print("snapshot:", os.path.basename(cfg), flush=True)
        recorder.record_preset(cfg, args.synth)
    return 0


if __name__ == "__main__":
    sys.exit(main())
