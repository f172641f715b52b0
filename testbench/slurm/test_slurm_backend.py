#!/usr/bin/python3
"""ctest slurm_backend: dnngen's Slurm backend (exec/batch.hpp, --slurm) on the test cluster
of slurm_cluster.py.

    testbench/slurm/test_slurm_backend.py DNNGEN CLUSTER_DIR WORK_DIR

Covers: `dnngen batch --slurm` runs a task list as a job array, two tasks at once on the
2-CPU node, retries a failing task once and reports the one that keeps failing with its
log; `dnngen sweep --slurm` writes the same report as the local backend (timings aside), and
so does `dnngen infer --shards 3 --slurm` as a single run in one process;
an interrupted Slurm batch cancels its job and resumes; a partition the cluster does not
have is sbatch's refusal, reported with sbatch's message.
Exit status: 0 pass, 1 fail, 77 skipped (no cluster: Slurm not installed, DNNGEN_SLURM=off).
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

SKIP = 77
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
failures = []
# Report fields that are timings (they differ from run to run), or name the sharding.
TIMINGS = {"seconds", "samples_per_second", "sim_seconds", "shards"}


def check(condition, what, detail=""):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)
        if detail:
            print(detail, flush=True)


def run(args, cwd):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600)


def describe(p):
    return f"$ {' '.join(p.args)}\nexit {p.returncode}\n--- stdout\n{p.stdout}--- stderr\n{p.stderr}"


def tasks_of(batch_dir):
    with open(os.path.join(batch_dir, "batch.json")) as f:
        return {t["id"]: t for t in json.load(f)["tasks"]}


def comparable(out):
    """sweep.csv without its timing columns and the command (which names the backend)."""
    with open(os.path.join(out, "sweep.csv")) as f:
        rows = [line.rstrip("\n").split(",") for line in f]
    drop = {rows[0].index(c) for c in ("synth_seconds", "seconds")}
    return [[v for i, v in enumerate(r) if i not in drop] for r in rows]


def test_batch(dnngen, work):
    tasks = os.path.join(work, "tasks.txt")
    with open(tasks, "w") as f:
        f.write("sleep_a date +%s.%N > t0; sleep 2; date +%s.%N > t1\n"
                "sleep_b date +%s.%N > t0; sleep 2; date +%s.%N > t1\n"
                "flaky n=$(cat ../n 2>/dev/null || echo 0); echo $((n+1)) > ../n; [ $n -ge 1 ]\n"
                "broken echo the tool broke; exit 4\n")
    d = os.path.join(work, "batch")
    p = run([dnngen, "batch", tasks, "--dir", d, "--slurm", "--time", "5"], work)
    check(p.returncode == 1, "batch --slurm: exit 1 when a task failed", describe(p))
    check("task broken failed after 2 attempt(s), exit 4" in p.stdout and "| the tool broke" in p.stdout,
          "batch --slurm: the failed task is reported with its log", describe(p))
    t = tasks_of(d)
    check(t["flaky"]["ok"] and t["flaky"]["attempts"] == 2, "batch --slurm: a task failing once is retried")
    check(all(t[x]["ok"] for x in ("sleep_a", "sleep_b")), "batch --slurm: the other tasks succeed")
    times = {}
    for x in ("sleep_a", "sleep_b"):
        with open(os.path.join(t[x]["output"], "t0")) as f0, open(os.path.join(t[x]["output"], "t1")) as f1:
            times[x] = (float(f0.read()), float(f1.read()))
    overlap = min(times["sleep_a"][1], times["sleep_b"][1]) - max(times["sleep_a"][0], times["sleep_b"][0])
    check(overlap > 1, f"batch --slurm: two tasks ran at once on the node (overlap {overlap:.1f} s)")


def test_sweep(dnngen, work):
    config = os.path.join(work, "tiny.yaml")
    with open(config, "w") as f:
        f.write("name: tiny\nengine: systolic\nsystolic:\n  rows: 2\n  cols: 2\n  dataflow: weight_stationary\n"
                "  input_bits: 8\n  weight_bits: 8\n  acc_bits: 24\n  signed: true\n  overflow: wrap\n"
                "  max_m: 4\n  max_n: 4\n  max_k: 4\n")
    axis = ["--set", "systolic.rows,systolic.cols=1,2"]
    slurm, local = os.path.join(work, "sweep_slurm"), os.path.join(work, "sweep_local")
    p = run([dnngen, "sweep", config, *axis, "-o", slurm, "--slurm", "--quiet"], work)
    check(p.returncode == 0, "sweep --slurm: runs", describe(p))
    p = run([dnngen, "sweep", config, *axis, "-o", local, "-j", "1", "--quiet"], work)
    check(p.returncode == 0, "sweep (local): runs", describe(p))
    if not failures:
        check(comparable(slurm) == comparable(local), "sweep: the same report from Slurm and from a local worker")
        check(not os.path.exists(slurm + ".work"), "sweep --slurm: OUT.work removed after success")


def without_timings(report):
    if isinstance(report, dict):
        return {k: without_timings(v) for k, v in report.items() if k not in TIMINGS}
    if isinstance(report, list):
        return [without_timings(v) for v in report]
    return report


def test_infer(dnngen, work):
    digits = os.path.join(SRC, "models", "digits")
    args = [dnngen, "infer", os.path.join(SRC, "configs", "systolic_ws_4x4_int8.yaml"), "--model",
            os.path.join(digits, "digits_cnn.onnx"), "--input", os.path.join(digits, "test_images.npy"),
            "--labels", os.path.join(digits, "test_labels.npy"), "--count", "200", "--batch", "32"]
    one, sharded = os.path.join(work, "infer_one.json"), os.path.join(work, "infer_slurm.json")
    p = run([*args, "--json", one], work)
    check(p.returncode == 0, "infer: one run", describe(p))
    p = run([*args, "--json", sharded, "--shards", "3", "--slurm", "--quiet"], work)
    check(p.returncode == 0, "infer --shards 3 --slurm: runs", describe(p))
    if not failures:
        with open(one) as f1, open(sharded) as f2:
            a, b = json.load(f1), json.load(f2)
        check(b.get("shards") == 3 and without_timings(a) == without_timings(b),
              "infer --shards 3 --slurm: the report of one run (predictions, accuracy, every layer's counters)")


def squeue_empty():
    p = subprocess.run(["squeue", "-h"], capture_output=True, text=True, timeout=60)
    return p.returncode == 0 and p.stdout.strip() == ""


def test_interrupt(dnngen, work):
    tasks = os.path.join(work, "interrupt.txt")
    with open(tasks, "w") as f:
        f.write("quick true\nslow sleep 300\n")
    d = os.path.join(work, "interrupted")
    proc = subprocess.Popen([dnngen, "batch", tasks, "--dir", d, "--slurm", "--quiet"], cwd=work,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    started = lambda: (os.path.exists(os.path.join(d, "tasks", "quick", "status.1"))
                       and os.path.isdir(os.path.join(d, "tasks", "slow", "scratch")))
    while not started() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    check(proc.returncode != 0 and "interrupted: 1 of 2 task(s) finished" in err,
          "batch --slurm: SIGINT stops the batch", f"exit {proc.returncode}\n{out}{err}")
    deadline = time.time() + 30
    while not squeue_empty() and time.time() < deadline:
        time.sleep(0.5)
    check(squeue_empty(), "batch --slurm: the interrupted job is cancelled")
    with open(tasks, "w") as f:
        f.write("quick true\nslow true\n")
    p = run([dnngen, "batch", tasks, "--dir", d, "--slurm", "--quiet"], work)
    check(p.returncode == 0 and "1 from an earlier run" in p.stdout, "batch --slurm: resumes", describe(p))


def test_bad_partition(dnngen, work):
    tasks = os.path.join(work, "one.txt")
    with open(tasks, "w") as f:
        f.write("one true\n")
    p = run([dnngen, "batch", tasks, "--dir", os.path.join(work, "bad"), "--slurm", "--partition", "nosuch"], work)
    check(p.returncode == 2 and "sbatch did not take the job" in p.stderr and "invalid partition" in p.stderr,
          "batch --slurm: sbatch's refusal is reported", describe(p))


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    dnngen, cluster, work = sys.argv[1:]
    env_file = os.path.join(cluster, "env")
    if not os.path.exists(env_file):
        print(f"SKIPPED: no test cluster ({env_file} absent: Slurm not installed or DNNGEN_SLURM=off)")
        sys.exit(SKIP)
    with open(env_file) as f:
        for line in f:
            key, _, value = line.strip().partition("=")
            if key:
                os.environ[key] = value
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    for test in (test_batch, test_sweep, test_infer, test_interrupt, test_bad_partition):
        test(dnngen, work)
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
