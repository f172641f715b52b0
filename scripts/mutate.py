#!/usr/bin/python3
"""make mutate: mutation testing of the RTL against the co-simulation suites.

Each mutant in testbench/mutate/mutants.csv is one small change to one line of one RTL file
(a comparison off by one, swapped operands, a dropped enable, a stuck bit, ...). For each, a
copy of rtl/ gets the change (DNNGEN_RTL_DIR points the simulators at it) and the suites that
use that file run on the mutated RTL:
  - `dnngen cosim CONFIG --random` for every preset below whose file list holds the file
    (the model must catch a changed value or cycle count), with input gaps, and on the
    systolic presets resets and refused out-of-range jobs;
  - for the shell's files, `dnngen run --op gemm --shell --backend rtl` on GEMMs that split
    M, N and K (the simulator compares the memory image and every counter with the model).
A mutant is killed when a suite fails, survives when every suite passes, and is stillborn
when the mutated RTL does not build (Verilator refuses it; not counted). A survivor must be
marked equivalent in the CSV with the reason; an unexplained survivor fails the run.

    scripts/mutate.py BUILD_DIR [--only ID,...] [--jobs N] [--report FILE.md]
    scripts/mutate.py --check          every mutant still applies and has a suite (no simulation;
                                       ctest mutants_apply)

The mutant list names each line by its text (not its number), so it stays valid while the
file around it changes; a line that is gone is reported as stale (exit 1).
Exit status: 0 every mutant killed or explained, 1 otherwise.
"""
import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The suites: a preset and its file list (rtl/filelists/<list>.f).
PRESETS = [
    ("systolic_ws_4x4_int8.yaml", "systolic"),
    ("systolic_os_4x4_int8.yaml", "systolic"),
    ("systolic_rs_4x4_int8.yaml", "row_stationary"),
    # Ring buffers of one entry: the core waits for most ifmap rows and filter words.
    ("systolic_rs_4x4_int8_ring.yaml", "row_stationary"),
    ("eie_4pe.yaml", "eie"),
    ("bitserial_pragmatic_4x4_l16.yaml", "bitserial"),
    ("bitserial_stripes_4x4_l16.yaml", "bitserial"),
    # Saturating sums; signed bit-serial activations (negative MSB terms, signed precision).
    ("systolic_ws_4x4_int8_sat.yaml", "systolic"),
    ("bitserial_stripes_3x2_l5_int8s.yaml", "bitserial"),
    ("bitserial_pragmatic_3x2_l5_int8s.yaml", "bitserial"),
    # Pragmatic's two-stage shifting (a 1-bit first stage, signed activations).
    ("bitserial_pragmatic_2stage_3x2_l5_int8s.yaml", "bitserial"),
    # Pragmatic's per-window synchronisation.
    ("bitserial_pragmatic_wsync_3x2_l5_int8s.yaml", "bitserial"),
    # Fully connected layers cascaded over the windows (Stripes, Pragmatic).
    ("bitserial_stripes_cascade_3x2_l5_int8s.yaml", "bitserial"),
    ("bitserial_pragmatic_cascade_3x2_l5_int8s.yaml", "bitserial"),
    # Non-square arrays: what the square presets cannot tell apart (rows for columns).
    ("../testbench/mutate/systolic_ws_5x3_int8.yaml", "systolic"),
    ("../testbench/mutate/systolic_os_3x5_int8.yaml", "systolic"),
]
SHELL_CONFIG = "systolic_ws_4x4_int8.yaml"
# The bit-serial core in the same shell (its files: rtl/bitserial/ in the shell's list):
# Pragmatic, whose timing sees every activation of a brick group (stale windows included).
BITSERIAL_SHELL_CONFIG = "bitserial_pragmatic_3x2_l5_int8s.yaml"
# GEMMs through the shell: K split (K > max_k), edge tiles in M and N, a tiny one.
SHELL_GEMMS = [(37, 100, 21), (64, 64, 64), (1, 3, 2), (70, 9, 66)]
# The row-stationary shell's files (in its list, not the systolic shell's: the shell's own
# and the core's, whose waits on streamed-in rows only the shell exercises) run conv2d
# layers through it on its preset: (C, H, W, K, R, stride, pad), partial row folds (C*R not
# a multiple of the 4 rows), several filter groups (K*F above the 64 psums), a stride, and
# 1x1 filters whose tiles come faster than they drain, and so many of them on a narrow
# ifmap that they fill the ring of tile slots (the core waits for a slot); and one row fold
# (C*R below the rows), whose group of filters is one read; the last, a batch of 2 images
# in one descriptor (N: the filters stay, the ifmap reloads).
RS_SHELL_CONFIG = "systolic_rs_4x4_int8.yaml"
# The same shell with ring buffers of one entry: the loads follow the core's two read
# streams (each word once its entry is free); its bias tables hold 64 filters, so the
# layers with more are left out there.
RS_RING_SHELL_CONFIG = "systolic_rs_4x4_int8_ring.yaml"
# And with rings of 5 rows and 3 words: runs of several ifmap rows in one read.
RS_RUN_SHELL_CONFIG = "../testbench/mutate/systolic_rs_4x4_int8_ring5.yaml"
RS_RING_MAX_FILTERS = 64
RS_SHELL_CONVS = [(5, 12, 12, 10, 3, 1, 1), (8, 9, 9, 6, 3, 2, 0), (3, 20, 20, 7, 5, 1, 2), (4, 4, 4, 40, 1, 1, 0),
                  (4, 4, 2, 256, 1, 1, 0), (3, 6, 6, 9, 1, 1, 0), (5, 7, 7, 6, 3, 1, 1, 2)]


def filelist(name):
    with open(os.path.join(ROOT, "rtl", "filelists", name + ".f")) as f:
        return {line.strip() for line in f if line.strip() and not line.startswith("#")}


def load_mutants(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    for r in rows:
        for key in ("file", "line", "from"):
            if not r.get(key):
                sys.exit(f"mutate: mutant {r.get('id')}: missing {key}")
    return rows


def apply(rtl_copy, m):
    """Applies mutant m to its file in rtl_copy; returns the original text, or None if stale."""
    path = os.path.join(rtl_copy, m["file"])
    with open(path) as f:
        text = f.read()
    lines = text.split("\n")
    hits = [i for i, line in enumerate(lines) if line.strip() == m["line"].strip()]
    if len(hits) != 1 or m["from"] not in lines[hits[0]]:
        return None
    i = hits[0]
    lines[i] = lines[i].replace(m["from"], m["to"], 1)
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return text


def run(cmd, env, log, timeout=900):
    t0 = time.time()
    try:
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        rc, out = p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired:
        rc, out = 1, "timeout"  # a hang is a detected failure
    with open(log, "a") as f:
        f.write(f"$ {' '.join(cmd)}\n{out}\n[exit {rc}, {time.time() - t0:.1f} s]\n")
    return rc, out


def suites(m, lists):
    jobs = [("cosim", cfg) for cfg, lst in PRESETS if m["file"] in lists[lst]]
    if m["file"] in lists["shell_systolic"]:
        jobs.append(("shell", BITSERIAL_SHELL_CONFIG if m["file"].startswith("bitserial/") else SHELL_CONFIG))
    elif m["file"] in lists["shell_rs"]:  # the shell's files and the core's (which it streams into)
        jobs += [("rs_shell", cfg) for cfg in (RS_SHELL_CONFIG, RS_RING_SHELL_CONFIG, RS_RUN_SHELL_CONFIG)]
    return jobs


def gemm_inputs(work):
    import numpy as np
    rng = np.random.default_rng(2026)
    paths = []
    for i, (m, k, n) in enumerate(SHELL_GEMMS):
        a = rng.integers(-128, 128, (m, k)).astype(np.int8)
        b = rng.integers(-128, 128, (k, n)).astype(np.int8)
        pa, pb = os.path.join(work, f"a{i}.npy"), os.path.join(work, f"b{i}.npy")
        np.save(pa, a)
        np.save(pb, b)
        paths.append((pa, pb))
    return paths


def conv_inputs(work):
    import numpy as np
    rng = np.random.default_rng(2027)
    runs = []
    for i, (c, h, w, k, r, stride, pad, *images) in enumerate(RS_SHELL_CONVS):
        px, pw = os.path.join(work, f"x{i}.npy"), os.path.join(work, f"w{i}.npy")
        np.save(px, rng.integers(-128, 128, (*images, c, h, w)).astype(np.int8))
        np.save(pw, rng.integers(-128, 128, (k, c, r, r)).astype(np.int8))
        runs.append((px, pw, stride, pad, k))
    return runs


def check(mutants, lists):
    """Each mutant applies to today's RTL (its line is there, once, holding FROM) and some suite
    uses its file; ids are unique. Returns the exit status."""
    problems = []
    if len({m["id"] for m in mutants}) != len(mutants):
        problems.append("duplicate mutant ids")
    with tempfile.TemporaryDirectory(prefix="dnngen-mutate-check-") as tmp:
        for m in mutants:
            copy = os.path.join(tmp, m["file"])
            os.makedirs(os.path.dirname(copy), exist_ok=True)
            shutil.copyfile(os.path.join(ROOT, "rtl", m["file"]), copy)
            if apply(tmp, m) is None:
                problems.append(f"{m['id']}: stale: no single line {m['line']!r} holding {m['from']!r} in {m['file']}")
            if not suites(m, lists):
                problems.append(f"{m['id']}: no co-simulation suite uses {m['file']}")
    for p in problems:
        print("mutate --check: " + p)
    print(f"mutate --check: {len(mutants)} mutants, {len(problems)} problem(s)")
    return 1 if problems else 0


def run_mutant(m, dnngen, lists, work, gemms, convs):
    mdir = os.path.join(work, m["id"])
    rtl_copy = os.path.join(mdir, "rtl")
    shutil.copytree(os.path.join(ROOT, "rtl"), rtl_copy)
    log = os.path.join(mdir, "log.txt")
    t0 = time.time()
    if apply(rtl_copy, m) is None:
        return {"id": m["id"], "result": "stale", "by": "", "seconds": 0.0}
    env = dict(os.environ, DNNGEN_RTL_DIR=rtl_copy, DNNGEN_CACHE=os.path.join(mdir, "cache"))
    result, by = "survived", ""
    for kind, cfg in suites(m, lists):
        config = os.path.join(ROOT, "configs", cfg)
        if kind == "cosim":
            cmd = [dnngen, "cosim", config, "--random", "--seed", "5", "--count", "24", "--gaps", "0.2", "--quiet"]
            if "systolic_ws" in cfg or "systolic_os" in cfg:
                cmd += ["--resets", "--bad-jobs", "4"]  # the systolic RTL's job checks and resets
            cmds = [cmd]
        elif kind == "rs_shell":
            # The RTL run fails unless the memory and every counter equal the models'.
            cmds = [[dnngen, "run", config, "--op", "conv2d", "--shell", "--backend", "rtl", "--in", f"ifmap={x}",
                     "--in", f"weights={w}", "--param", f"stride={stride}", "--param", f"pad={pad}",
                     "--out", f"ofmap={os.path.join(mdir, 'y.npy')}", "--quiet"] for x, w, stride, pad, k in convs
                    if cfg == RS_SHELL_CONFIG or k <= RS_RING_MAX_FILTERS]
        else:
            cmds = [[dnngen, "run", config, "--shell", "--backend", "rtl", "--in", f"A={a}", "--in", f"B={b}",
                     "--out", f"C={os.path.join(mdir, 'c.npy')}", "--quiet"] for a, b in gemms]
        for cmd in cmds:
            rc, out = run(cmd, env, log)
            if rc != 0 and "verilator failed to build" in out:
                result, by = "stillborn", cfg
            elif rc != 0:
                result, by = "killed", f"{kind} {cfg}"
            if result != "survived":
                break
        if result != "survived":
            break
    shutil.rmtree(os.path.join(mdir, "cache"), ignore_errors=True)
    shutil.rmtree(rtl_copy, ignore_errors=True)
    return {"id": m["id"], "result": result, "by": by, "seconds": round(time.time() - t0, 1)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("build", nargs="?", default="")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--only", default="")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--mutants", default=os.path.join(ROOT, "testbench", "mutate", "mutants.csv"))
    ap.add_argument("--report", default="")
    args = ap.parse_args()
    mutants = load_mutants(args.mutants)
    lists = {name: filelist(name)
             for name in ("systolic", "row_stationary", "eie", "bitserial", "shell_systolic", "shell_rs")}
    if args.check:
        return check(mutants, lists)
    dnngen = os.path.abspath(os.path.join(args.build, "tools", "dnngen"))
    if not os.access(dnngen, os.X_OK):
        sys.exit(f"mutate: {dnngen} not found: build first (make build)")
    if args.only:
        wanted = set(args.only.split(","))
        mutants = [m for m in mutants if m["id"] in wanted]
    work = tempfile.mkdtemp(prefix="dnngen-mutate-")
    gemms, convs = gemm_inputs(work), conv_inputs(work)
    print(f"mutate: {len(mutants)} mutants, work in {work}", flush=True)
    t0 = time.time()
    results = []
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for r in pool.map(lambda m: run_mutant(m, dnngen, lists, work, gemms, convs), mutants):
            m = next(x for x in mutants if x["id"] == r["id"])
            note = ""
            if r["result"] == "survived" and m.get("equivalent"):
                note = "equivalent: " + m["equivalent"]
            print(f"  {r['id']:<8} {r['result']:<9} {r['seconds']:>6.1f} s  {m['file']}: {m['from']!r} -> "
                  f"{m['to']!r}  {r['by'] or note}", flush=True)
            r.update(file=m["file"], change=f"{m['from']} -> {m['to']}", what=m.get("what", ""), note=note)
            results.append(r)
    count = {k: sum(r["result"] == k for r in results) for k in ("killed", "survived", "stillborn", "stale")}
    explained = sum(r["result"] == "survived" and bool(r["note"]) for r in results)
    print(f"mutate: {count['killed']} killed, {count['survived']} survived ({explained} equivalent), "
          f"{count['stillborn']} stillborn, {count['stale']} stale, in {time.time() - t0:.0f} s")
    if args.report:
        with open(args.report, "w") as f:
            f.write("| mutant | file | change | what | result | by / note |\n|---|---|---|---|---|---|\n")
            for r in results:
                change = r["change"].replace("|", "\\|")
                f.write(f"| {r['id']} | {r['file']} | `{change}` | {r['what']} | {r['result']} | "
                        f"{r['by'] or r['note']} |\n")
        with open(os.path.splitext(args.report)[0] + ".json", "w") as f:
            json.dump({"counts": count, "equivalent": explained, "mutants": results}, f, indent=1)
    shutil.rmtree(work, ignore_errors=True)
    bad = count["stale"] + count["survived"] - explained
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
