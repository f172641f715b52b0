#!/usr/bin/python3
"""EIE load balance on real pruned matrices, beside synthetic ones of the same shape and
non-zero count (`dnngen bench` draws synthetic matrices with a uniform density).

Networks (from ../shared/data, optional reference data; exits 0 with "skipped" if absent):
  SqueezeNet (Deep Compression, pruned and weight-shared): every conv layer as the EIE
    matrix W [K, C*R*S] (a convolution is that sparse matrix times each im2col column),
    w_idx = each weight's index in the layer's own 256-entry codebook, the codebook
    quantised to int16 at the config's frac_bits; configs/eie_64pe_i8.yaml (8-bit
    indices). No ImageNet here, so the activations are synthetic: non-negative Q8 values
    in (0, 1], each non-zero with probability --act-density (default 0.351, the figure
    `dnngen bench` uses for AlexNet fc6 from EIE's Table III), conv1 (the RGB image) dense.
  MNIST MLP 784-30-30-10 (magnitude-pruned, not weight-shared): each W.T through
    `dnngen compress` at density = the layer's own non-zero fraction (keeps exactly its
    mask, checked; k-means into a 16-entry codebook), configs/eie_64pe.yaml (4-bit
    indices, the paper's). Activations real: the first --vectors MNIST t10k images / 255
    through the float network up to the layer (ReLU'd hidden layers), quantised to Q8.
Each matrix beside two synthetic ones with its shape, its non-zero count and its index
values (shuffled):
  uniform  positions uniformly at random over the whole matrix (exactly nnz of them): the
           model of `dnngen bench` (model/src/eie/bench.cpp draws every position
           independently with the layer's density), so every row and PE has the same
           expected load;
  rows     every row the same count (nnz // M or one more), positions random in the row.
Every (matrix, vector) pair is one `dnngen run CONFIG --op spmv --kernel --backend model`
(compute-only cycles of EIE's cycle-exact model, 64 PEs, FIFO 8). A layer beyond the
config's max_rows / max_cols / max_entries runs on a temporary copy of the config with
larger limits (reported), never skipped.

Figures per layer, over the vectors:
  util %  useful MACs / (cycles x PEs), from the run's JSON (its `efficiency`);
  ent %   EIE's load efficiency, padding entries counted as work: entries / (cycles x PEs),
          the entries of the activated columns counted here by the CSC rule of docs/eie.md
          (a gap of more than 15 zero rows in a PE's column costs a padding entry per 16),
          as the run JSON has no entry count;
  PE imb  max / mean of the non-zero counts of the PEs that hold rows (min(M, PEs) of them),
          over the whole matrix: the static imbalance (includes M mod PEs, e.g. 1.33 for
          96 rows, where half the PEs hold two rows and half one).

Usage: scripts/bench_eie_real.py [--dnngen BIN] [--shared DIR] [--vectors N] [--json OUT]
"""
import argparse
import concurrent.futures
import gzip
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
SQUEEZENET = "weights/squeezenet_deep_compression_decoded.npz"
MLP = "weights/tolgasari_784_30_30_10_pruned.npz"
MNIST = "mnist/t10k-images-idx3-ubyte.gz"
KMAXZ = 15  # the 4-bit relative index: at most 15 zeros between entries
VARIANTS = ("real", "uniform", "rows")


# ---------------------------------------------------------------- configuration

def read_config(path):
    text = pathlib.Path(path).read_text()
    cfg = {}
    for key in ("name", "pes", "index_bits", "act_bits", "frac_bits", "max_rows", "max_cols", "max_entries",
                "fifo_depth"):
        m = re.search(r"^\s*%s:\s*([A-Za-z0-9_]+)" % key, text, re.M)
        if not m:
            sys.exit("error: %s: no key %s" % (path, key))
        cfg[key] = m.group(1) if key == "name" else int(m.group(1))
    cfg["path"] = str(path)
    cfg["text"] = text
    return cfg


def fitting_config(cfg, rows, cols, entries, tmp, tag):
    """cfg itself if the matrix fits, else a temporary copy with larger limits."""
    if rows <= cfg["max_rows"] and cols <= cfg["max_cols"] and entries <= cfg["max_entries"]:
        return cfg, None
    p2 = lambda v: 1 << max(0, int(v - 1).bit_length())
    new = dict(cfg)
    new["max_rows"] = max(cfg["max_rows"], p2(rows))
    new["max_cols"] = max(cfg["max_cols"], p2(cols))
    new["max_entries"] = max(cfg["max_entries"], p2(entries))
    text = cfg["text"]
    for key in ("max_rows", "max_cols", "max_entries"):
        text = re.sub(r"^(\s*%s:\s*)\d+" % key, r"\g<1>%d" % new[key], text, flags=re.M)
    new["name"] = cfg["name"] + "_big"
    text = re.sub(r"^name:\s*\S+", "name: " + new["name"], text, flags=re.M)
    path = pathlib.Path(tmp) / ("%s_%s.yaml" % (new["name"], tag))
    path.write_text(text)
    new["path"] = str(path)
    new["text"] = text
    note = "%s: temporary config %s (max_rows %d, max_cols %d, max_entries %d; %s has %d, %d, %d)" % (
        tag, path.name, new["max_rows"], new["max_cols"], new["max_entries"], cfg["name"], cfg["max_rows"],
        cfg["max_cols"], cfg["max_entries"])
    return new, note


# ---------------------------------------------------------------- matrices

def pe_column_entries(mask, pes):
    """E[p, j]: CSC entries (padding included) of column j in PE p; row i lives in PE i mod pes."""
    m, n = mask.shape
    e = np.zeros((pes, n), dtype=np.int64)
    for p in range(min(pes, m)):
        sub = mask[p::pes, :]
        cols, rows = np.nonzero(sub.T)  # sorted by column, then local row
        if cols.size == 0:
            continue
        prev = np.empty_like(rows)
        prev[0] = -1
        prev[1:] = np.where(cols[1:] == cols[:-1], rows[:-1], -1)
        zeros = rows - prev - 1
        e[p] = np.bincount(cols, weights=zeros // (KMAXZ + 1) + 1, minlength=n).astype(np.int64)
    return e


def pe_nnz(mask, pes):
    return np.array([mask[p::pes, :].sum() for p in range(pes)], dtype=np.int64)


def synthetic(w_idx, kind, rng):
    """Same shape, non-zero count and (shuffled) index values as w_idx; kind uniform or rows."""
    m, n = w_idx.shape
    vals = w_idx[w_idx != 0]
    nnz = vals.size
    out = np.zeros_like(w_idx)
    if kind == "uniform":
        pos = rng.choice(m * n, size=nnz, replace=False)
        out.flat[np.sort(pos)] = rng.permutation(vals)
    else:
        counts = np.full(m, nnz // m, dtype=np.int64)
        counts[rng.choice(m, size=nnz % m, replace=False)] += 1
        rows, cols = [], []
        for i in range(m):
            c = rng.choice(n, size=counts[i], replace=False)
            rows.append(np.full(counts[i], i))
            cols.append(c)
        out[np.concatenate(rows), np.concatenate(cols)] = rng.permutation(vals)
    assert np.count_nonzero(out) == nnz
    return out


def quantise(x, cfg):
    lim = 1 << (cfg["act_bits"] - 1)
    q = np.round(np.asarray(x, dtype=np.float64) * (1 << cfg["frac_bits"]))
    return np.clip(q, -lim, lim - 1).astype(np.int16)


def codebook_q(cb, cfg):
    q = np.clip(np.round(np.asarray(cb, dtype=np.float64) * (1 << cfg["frac_bits"])), -32768, 32767)
    q = q.astype(np.int16)
    q[0] = 0
    return q


# ---------------------------------------------------------------- runs

def run_spmv(dnngen, cfg_path, cb, wi, x, out_dir, tag):
    xp = os.path.join(out_dir, tag + "_x.npy")
    np.save(xp, np.ascontiguousarray(x))
    rj = os.path.join(out_dir, tag + "_r.json")
    cmd = [dnngen, "run", cfg_path, "--op", "spmv", "--kernel", "--backend", "model", "--quiet",
           "--in", "codebook=" + cb, "--in", "w_idx=" + wi, "--in", "x=" + xp,
           "--out", "y=" + os.path.join(out_dir, tag + "_y.npy"), "--json", rj]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), res.returncode, res.stderr.strip()))
    with open(rj) as f:
        r = json.load(f)
    layer = r["layers"][0]
    return {"cycles": int(layer["cycles"]), "useful_macs": int(layer["useful_macs"]),
            "stall_cycles": int(layer.get("stall_cycles", 0)), "efficiency": float(layer["efficiency"])}


def bench_layer(job, pool, dnngen, tmp):
    """job: name, cfg, codebook (int16), matrices {variant: w_idx}, xs (list of int16 vectors)."""
    cfg = job["cfg"]
    pes = cfg["pes"]
    cbp = os.path.join(tmp, job["tag"] + "_cb.npy")
    np.save(cbp, job["codebook"])
    futures = {}
    info = {}
    for v, w in job["matrices"].items():
        wp = os.path.join(tmp, "%s_%s_w.npy" % (job["tag"], v))
        np.save(wp, np.ascontiguousarray(w, dtype=np.uint8))
        mask = w != 0
        e = pe_column_entries(mask, pes)
        nnz_pe = pe_nnz(mask, pes)
        owners = nnz_pe[:min(pes, w.shape[0])]  # the PEs that hold rows
        info[v] = {"E": e, "imbalance": float(owners.max() / owners.mean()), "colnnz": mask.sum(axis=0),
                   "padding_total": int(e.sum() - mask.sum()),
                   "entries_total": int(e.sum()), "max_pe_entries": int(e.sum(axis=1).max())}
        for k, x in enumerate(job["xs"]):
            futures[(v, k)] = pool.submit(run_spmv, dnngen, job["cfg_run"]["path"], cbp, wp, x, tmp,
                                          "%s_%s_%d" % (job["tag"], v, k))
    out = {}
    for v in job["matrices"]:
        runs = [futures[(v, k)].result() for k in range(len(job["xs"]))]
        cyc = sum(r["cycles"] for r in runs)
        macs = sum(r["useful_macs"] for r in runs)
        ent = 0
        for k, x in enumerate(job["xs"]):
            act = np.asarray(x) != 0
            ent += int(info[v]["E"][:, act].sum())
            expect = int(info[v]["colnnz"][act].sum())
            if expect != runs[k]["useful_macs"]:
                raise RuntimeError("%s %s: useful MACs %d in the report, %d counted" %
                                   (job["name"], v, runs[k]["useful_macs"], expect))
        out[v] = {"cycles": [r["cycles"] for r in runs], "useful_macs": [r["useful_macs"] for r in runs],
                  "stall_cycles": [r["stall_cycles"] for r in runs], "entries": ent,
                  "mean_cycles": cyc / len(runs), "utilization": macs / (cyc * pes),
                  "entry_efficiency": ent / (cyc * pes), "pe_imbalance": info[v]["imbalance"],
                  "entries_total": info[v]["entries_total"], "padding_total": info[v]["padding_total"],
                  "max_pe_entries": info[v]["max_pe_entries"]}
    return out


# ---------------------------------------------------------------- networks

def squeezenet_jobs(path, cfg, vectors, act_density, tmp, notes, seed):
    d = np.load(path)
    names = [k[:-2] for k in d.files if k.endswith("_W")]
    rng = np.random.default_rng(seed)
    jobs = []
    for li, name in enumerate(names):
        W = d[name + "_W"]
        cb = d[name + "_codebook"].astype(np.float64)
        if cb[0] != 0 or cb.size > (1 << cfg["index_bits"]):
            sys.exit("error: %s: codebook of %d entries (entry 0 %g) does not fit %d-bit indices" %
                     (name, cb.size, cb[0], cfg["index_bits"]))
        K = W.shape[0]
        mat = W.reshape(K, -1).astype(np.float64)
        order = np.argsort(cb)
        pos = np.searchsorted(cb[order], mat)
        pos = np.clip(pos, 0, cb.size - 1)
        w_idx = order[pos]
        if not np.array_equal(cb[w_idx], mat):
            sys.exit("error: %s: a weight is not in its codebook" % name)
        w_idx = w_idx.astype(np.uint8)
        dens = 1.0 if name == "conv1" else act_density
        n = mat.shape[1]
        xs = []
        for _ in range(vectors):
            nz = rng.random(n) < dens
            xs.append((nz * rng.integers(1, (1 << cfg["frac_bits"]) + 1, n)).astype(np.int16))
        srng = np.random.default_rng(seed * 1000 + li)
        mats = {"real": w_idx, "uniform": synthetic(w_idx, "uniform", srng), "rows": synthetic(w_idx, "rows", srng)}
        need = max(int(pe_column_entries(m != 0, cfg["pes"]).sum(axis=1).max()) for m in mats.values())
        cfg_run, note = fitting_config(cfg, mat.shape[0], n, need, tmp, name)
        if note:
            notes.append(note)
        jobs.append({"name": name, "tag": "sq_" + name, "cfg": cfg, "cfg_run": cfg_run, "codebook": codebook_q(cb, cfg),
                     "matrices": mats, "xs": xs, "act_density_target": dens,
                     "kernel": "x".join(str(s) for s in W.shape)})
    return jobs


def mnist_images(path, count):
    with gzip.open(path) as f:
        raw = f.read()
    n, rows, cols = (int.from_bytes(raw[4 * i:4 * i + 4], "big") for i in (1, 2, 3))
    count = min(count, n)
    return np.frombuffer(raw, dtype=np.uint8, offset=16, count=count * rows * cols).reshape(count, rows * cols)


def mlp_jobs(path, images_path, cfg, dnngen, vectors, tmp, notes, seed):
    d = np.load(path)
    imgs = mnist_images(images_path, vectors).astype(np.float64) / 255.0
    h = imgs
    jobs = []
    li = 0
    while "W%d" % li in d.files:
        W = d["W%d" % li].astype(np.float64)  # [in, out]
        b = d["b%d" % li].astype(np.float64)
        mat = W.T  # [out, in]
        nnz = int(np.count_nonzero(mat))
        density = nnz / mat.size
        mask = mat != 0
        need = int(pe_column_entries(mask, cfg["pes"]).sum(axis=1).max())
        cfg_run, note = fitting_config(cfg, mat.shape[0], mat.shape[1], need, tmp, "W%d" % li)
        if note:
            notes.append(note)
        wp = os.path.join(tmp, "mlp_W%d_float.npy" % li)
        np.save(wp, np.ascontiguousarray(mat, dtype=np.float32))
        cbp = os.path.join(tmp, "mlp_W%d_cb.npy" % li)
        wip = os.path.join(tmp, "mlp_W%d_widx.npy" % li)
        rj = os.path.join(tmp, "mlp_W%d_compress.json" % li)
        cmd = [dnngen, "compress", cfg_run["path"], "--in", "weights=" + wp, "--param", "density=%r" % density,
               "--out", "codebook=" + cbp, "--out", "w_idx=" + wip, "--json", rj]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0:
            sys.exit("error: %s: %s" % (" ".join(cmd), res.stderr.strip()))
        w_idx = np.load(wip)
        cb = np.load(cbp)
        with open(rj) as f:
            crep = json.load(f)
        if not np.array_equal(w_idx != 0, mask):
            sys.exit("error: W%d: dnngen compress did not keep the pruning mask" % li)
        if crep["entries"] != int(pe_column_entries(mask, cfg["pes"]).sum()):
            sys.exit("error: W%d: CSC entries %d (compress) != %d counted here" %
                     (li, crep["entries"], int(pe_column_entries(mask, cfg["pes"]).sum())))
        xs = [quantise(v, cfg) for v in h]
        srng = np.random.default_rng(seed * 1000 + 500 + li)
        mats = {"real": w_idx, "uniform": synthetic(w_idx, "uniform", srng), "rows": synthetic(w_idx, "rows", srng)}
        need = max(int(pe_column_entries(m != 0, cfg["pes"]).sum(axis=1).max()) for m in mats.values())
        cfg_run2, note2 = fitting_config(cfg, mat.shape[0], mat.shape[1], need, tmp, "W%d_synth" % li)
        if cfg_run2["max_entries"] > cfg_run["max_entries"]:
            cfg_run = cfg_run2
            notes.append(note2)
        jobs.append({"name": "W%d" % li, "tag": "mlp_W%d" % li, "cfg": cfg, "cfg_run": cfg_run, "codebook": cb,
                     "matrices": mats, "xs": xs, "act_density_target": None, "kernel": "x".join(map(str, W.shape)),
                     "compress": {k: crep[k] for k in ("kept", "entries", "padding_entries")}})
        h = np.maximum(h @ W + b, 0.0)  # the float network's next input (ReLU'd)
        li += 1
    return jobs


# ---------------------------------------------------------------- report

def table(title, cfg, rows, pes):
    lines = [title]
    hdr = "%-17s %9s %6s %6s | %-20s | %-17s | %-17s | %-14s" % (
        "layer", "M x N", "w %", "act %", "cycles real/unif/rows", "util % real/u/r", "ent % real/u/r",
        "PE imb real/u/r")
    lines.append(hdr)
    lines.append("-" * len(hdr))
    tot = {v: {"cyc": 0.0, "macs": 0, "ent": 0} for v in VARIANTS}
    for r in rows:
        res = r["results"]
        lines.append("%-17s %9s %6.1f %6.1f | %6.0f %6.0f %6.0f | %5.1f %5.1f %5.1f | %5.1f %5.1f %5.1f | %4.2f %4.2f %4.2f" % (
            r["layer"], "%dx%d" % (r["M"], r["N"]), 100 * r["weight_density"], 100 * r["act_density"],
            *[res[v]["mean_cycles"] for v in VARIANTS], *[100 * res[v]["utilization"] for v in VARIANTS],
            *[100 * res[v]["entry_efficiency"] for v in VARIANTS], *[res[v]["pe_imbalance"] for v in VARIANTS]))
        for v in VARIANTS:
            tot[v]["cyc"] += res[v]["mean_cycles"]
            tot[v]["macs"] += sum(res[v]["useful_macs"]) / len(res[v]["useful_macs"])
            tot[v]["ent"] += res[v]["entries"] / len(res[v]["cycles"])
    lines.append("-" * len(hdr))
    totals = {v: {"cycles": tot[v]["cyc"], "useful_macs": tot[v]["macs"],
                  "utilization": tot[v]["macs"] / (tot[v]["cyc"] * pes),
                  "entry_efficiency": tot[v]["ent"] / (tot[v]["cyc"] * pes),
                  "mean_layer_utilization": float(np.mean([r["results"][v]["utilization"] for r in rows])),
                  "mean_layer_entry_efficiency": float(np.mean([r["results"][v]["entry_efficiency"] for r in rows]))}
              for v in VARIANTS}
    lines.append("%-17s %9s %6s %6s | %6.0f %6.0f %6.0f | %5.1f %5.1f %5.1f | %5.1f %5.1f %5.1f |" % (
        "total (per vector)", "", "", "", *[totals[v]["cycles"] for v in VARIANTS],
        *[100 * totals[v]["utilization"] for v in VARIANTS], *[100 * totals[v]["entry_efficiency"] for v in VARIANTS]))
    lines.append("%-17s %9s %6s %6s | %20s | %5.1f %5.1f %5.1f | %5.1f %5.1f %5.1f |" % (
        "mean over layers", "", "", "", "", *[100 * totals[v]["mean_layer_utilization"] for v in VARIANTS],
        *[100 * totals[v]["mean_layer_entry_efficiency"] for v in VARIANTS]))
    rel = totals["real"]["cycles"] / totals["uniform"]["cycles"]
    lines.append("real / uniform synthetic cycles: %.3f; real / equal-rows synthetic: %.3f" % (
        rel, totals["real"]["cycles"] / totals["rows"]["cycles"]))
    return "\n".join(lines), totals


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dnngen", default=str(ROOT / "build" / "tools" / "dnngen"))
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--vectors", type=int, default=4, help="activation vectors per layer (default 4)")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--config", default=str(ROOT / "configs" / "eie_64pe_i8.yaml"),
                    help="SqueezeNet's config (8-bit indices; default configs/eie_64pe_i8.yaml)")
    ap.add_argument("--mlp-config", default=str(ROOT / "configs" / "eie_64pe.yaml"),
                    help="the MLP's config (default configs/eie_64pe.yaml)")
    ap.add_argument("--act-density", type=float, default=0.351,
                    help="SqueezeNet's synthetic activation density after conv1 (default 0.351)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()
    if a.vectors < 1:
        ap.error("--vectors must be at least 1")
    data = pathlib.Path(a.shared) / "data"
    if not data.is_dir():
        print("skipped: %s absent (optional reference data)" % data)
        return 0
    if not os.access(a.dnngen, os.X_OK):
        sys.exit("error: %s: no dnngen executable (build it first)" % a.dnngen)
    t0 = time.time()
    report = {"vectors": a.vectors, "seed": a.seed, "networks": {}}
    with tempfile.TemporaryDirectory(prefix="bench_eie_real_") as tmp, \
            concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        nets = []
        if (data / SQUEEZENET).is_file():
            cfg = read_config(a.config)
            notes = []
            jobs = squeezenet_jobs(data / SQUEEZENET, cfg, a.vectors, a.act_density, tmp, notes, a.seed)
            nets.append(("squeezenet", "SqueezeNet (Deep Compression, real %d-entry codebooks), %s, synthetic "
                         "activations: conv1 dense, others %.1f %% non-zero" % (
                             1 << cfg["index_bits"], cfg["name"], 100 * a.act_density), cfg, jobs, notes))
        else:
            print("skipped: %s absent" % (data / SQUEEZENET))
        if (data / MLP).is_file() and (data / MNIST).is_file():
            cfg = read_config(a.mlp_config)
            notes = []
            jobs = mlp_jobs(data / MLP, data / MNIST, cfg, a.dnngen, a.vectors, tmp, notes, a.seed)
            nets.append(("mnist_mlp", "MNIST MLP 784-30-30-10 (pruned; dnngen compress, 16-entry codebooks), %s, "
                         "real activations (first %d t10k images)" % (cfg["name"], a.vectors), cfg, jobs, notes))
        else:
            print("skipped: %s or %s absent" % (data / MLP, data / MNIST))
        for key, title, cfg, jobs, notes in nets:
            rows = []
            for job in jobs:
                res = bench_layer(job, pool, a.dnngen, tmp)
                w = job["matrices"]["real"]
                act = float(np.mean([np.count_nonzero(x) / x.size for x in job["xs"]]))
                row = {"layer": job["name"], "weights": job["kernel"], "M": int(w.shape[0]), "N": int(w.shape[1]),
                       "nnz": int(np.count_nonzero(w)), "weight_density": np.count_nonzero(w) / w.size,
                       "act_density": act, "config": job["cfg_run"]["name"],
                       "config_limits": {k: job["cfg_run"][k] for k in ("max_rows", "max_cols", "max_entries")},
                       "results": res}
                if "compress" in job:
                    row["compress"] = job["compress"]
                rows.append(row)
            text, totals = table("%s\n%d PEs, FIFO depth %d, cycle model (compute only), %d vector(s) per layer" % (
                title, cfg["pes"], cfg["fifo_depth"], a.vectors), cfg, rows, cfg["pes"])
            print(text)
            pad = sum(r["results"][v]["padding_total"] for r in rows for v in VARIANTS)
            print("padding entries (gaps of more than %d zero rows): %d over all %d matrices%s" % (
                KMAXZ, pad, len(VARIANTS) * len(rows), " (so ent % = util %)" if pad == 0 else ""))
            for n in notes:
                print("note: " + n)
            print()
            report["networks"][key] = {"title": title, "config": cfg["name"], "pes": cfg["pes"],
                                       "fifo_depth": cfg["fifo_depth"], "notes": notes, "layers": rows,
                                       "totals": totals}
    print("util % = useful MACs / (cycles x PEs); ent % = CSC entries of the activated columns (padding "
          "included) / (cycles x PEs);\nPE imb = max / mean non-zeros over the PEs holding rows; uniform = positions uniform over "
          "the matrix (dnngen bench's model), rows = every row the same count")
    report["seconds"] = round(time.time() - t0, 2)
    print("%.1f s" % report["seconds"])
    if a.json:
        with open(a.json, "w") as f:
            json.dump(report, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
