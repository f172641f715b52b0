#!/usr/bin/python3
"""ctest slurm_smoke: the test cluster of slurm_cluster.py runs job arrays the way the
Slurm backend submits them, and reports a failing task.

    testbench/slurm/slurm_smoke.py CLUSTER_DIR WORK_DIR

Covers: `sbatch --wait --array=0-3 --cpus-per-task=1` runs every task once (one file each,
with its task id), two 1-CPU tasks run at the same time on a 2-CPU node (the four 2 s tasks
take less than 4 x 2 s), and a task that exits 3 is reported both by the exit status of
`sbatch --wait` (the highest exit code of the array) and, polled without --wait, by
`scontrol show job` (that task FAILED with ExitCode=3:0, the other COMPLETED). There is no
accounting database, so sacct is not available.
Exit status: 0 pass, 1 fail, 77 skipped (Slurm or munge not installed, or DNNGEN_SLURM=off).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import slurm_cluster  # noqa: E402

SKIP = 77
SLEEP = 2
TASK_SCRIPT = f"""#!/bin/sh
# One task of the smoke array: records its id, start and end time; FAIL_TASK exits 3.
start=$(date +%s.%N)
sleep ${{TASK_SLEEP:-{SLEEP}}}
end=$(date +%s.%N)
echo "$SLURM_ARRAY_TASK_ID $start $end $SLURM_ARRAY_JOB_ID" > task_$SLURM_ARRAY_TASK_ID.txt
if [ "$SLURM_ARRAY_TASK_ID" = "${{FAIL_TASK:-none}}" ]; then exit 3; fi
exit 0
"""
FINAL_STATES = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY",
                "BOOT_FAIL", "DEADLINE", "PREEMPTED"}


class Failure(Exception):
    pass


def run(argv, env, timeout=120):
    r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    return r.returncode, r.stdout + r.stderr


def sbatch(args, work, env, extra_env=None, timeout=120):
    """Runs sbatch with args in work; (exit status, array job id, output, command line)."""
    argv = ["sbatch", f"--chdir={work}", f"--output={work}/slurm-%A_%a.out"] + args + \
        [os.path.join(work, "task.sh")]
    env = dict(env, **(extra_env or {}))
    status, out = run(argv, env, timeout)
    m = re.search(r"Submitted batch job (\d+)", out)
    shown = " ".join(f"{k}={v}" for k, v in (extra_env or {}).items()) + " " + " ".join(argv)
    if not m:
        raise Failure(f"sbatch did not submit (status {status}):\n{out}\n  command: {shown}")
    return status, m.group(1), out, shown.strip()


def array_states(job, env):
    """{task id: (JobState, ExitCode)} of array job `job` from `scontrol -o show job`."""
    status, out = run(["scontrol", "-o", "show", "job", job], env, 30)
    if status != 0:
        raise Failure(f"scontrol -o show job {job} failed (status {status}): {out}")
    states = {}
    for line in out.splitlines():
        fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
        states[fields.get("ArrayTaskId", "?")] = (fields.get("JobState"), fields.get("ExitCode"))
    return states


def check_concurrent(work, env, cpus):
    status, job, out, cmd = sbatch(["--wait", "--array=0-3", "--cpus-per-task=1"], work, env)
    if status != 0:
        raise Failure(f"sbatch --wait exited {status}, expected 0:\n{out}\n  command: {cmd}")
    spans = []
    for task in range(4):
        path = os.path.join(work, f"task_{task}.txt")
        try:
            with open(path, encoding="utf-8") as f:
                tid, start, end, array_job = f.read().split()
        except (OSError, ValueError) as e:
            raise Failure(f"task {task} left no valid {path} ({e})\n  command: {cmd}") from e
        if tid != str(task) or array_job != job:
            raise Failure(f"{path} holds task {tid} of job {array_job}, expected task {task} "
                          f"of job {job}\n  command: {cmd}")
        spans.append((float(start), float(end)))
    wall = max(e for _, e in spans) - min(s for s, _ in spans)
    overlap = any(a[0] < b[1] and b[0] < a[1]
                  for i, a in enumerate(spans) for b in spans[i + 1:])
    print(f"slurm_smoke: array job {job}: 4 tasks of {SLEEP} s ran in {wall:.1f} s "
          f"(serial would take {4 * SLEEP} s)")
    if cpus < 2:
        print(f"slurm_smoke: the node has {cpus} CPU: concurrency not checked")
    elif not overlap or wall >= 4 * SLEEP:
        raise Failure(f"the 4 tasks did not run concurrently: {wall:.1f} s for 4 x {SLEEP} s, "
                      f"start/end times {spans}\n  command: {cmd}")


def check_failure_wait(work, env):
    status, job, out, cmd = sbatch(["--wait", "--array=0-1", "--cpus-per-task=1"], work, env,
                                   {"FAIL_TASK": "1", "TASK_SLEEP": "0"})
    print(f"slurm_smoke: array job {job} with task 1 exiting 3: sbatch --wait exited {status}")
    if status != 3:
        raise Failure(f"sbatch --wait exited {status}, expected 3 (the failing task's "
                      f"status):\n{out}\n  command: {cmd}")


def check_failure_polled(work, env):
    status, job, out, cmd = sbatch(["--array=0-1", "--cpus-per-task=1"], work, env,
                                   {"FAIL_TASK": "1", "TASK_SLEEP": "0"})
    if status != 0:
        raise Failure(f"sbatch exited {status}:\n{out}\n  command: {cmd}")
    deadline = time.monotonic() + 60
    while True:
        states = array_states(job, env)
        if set(states) == {"0", "1"} and all(s in FINAL_STATES for s, _ in states.values()):
            break
        if time.monotonic() > deadline:
            raise Failure(f"array job {job} not finished after 60 s: {states}\n  command: {cmd}")
        time.sleep(0.2)
    print(f"slurm_smoke: array job {job} polled with scontrol: {states}")
    if states != {"0": ("COMPLETED", "0:0"), "1": ("FAILED", "3:0")}:
        raise Failure(f"scontrol show job {job}: {states}, expected task 0 COMPLETED 0:0 and "
                      f"task 1 FAILED 3:0\n  command: {cmd}")


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 1
    cluster, work = (os.path.abspath(a) for a in sys.argv[1:])
    why = slurm_cluster.available()
    if why:
        print(f"slurm_smoke: SKIPPED: {why}")
        return SKIP
    if not os.path.exists(os.path.join(cluster, "env")):
        print(f"slurm_smoke: no cluster running in {cluster} (no {cluster}/env); start it with "
              f"{HERE}/slurm_cluster.py start {cluster}")
        return 1
    env = slurm_cluster.client_env(cluster)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    with open(os.path.join(work, "task.sh"), "w", encoding="utf-8") as f:
        f.write(TASK_SCRIPT)
    os.chmod(os.path.join(work, "task.sh"), 0o755)
    repro = (f"{HERE}/slurm_cluster.py start {cluster} && "
             f"{HERE}/slurm_smoke.py {cluster} {work}; {HERE}/slurm_cluster.py stop {cluster}")
    try:
        with open(os.path.join(cluster, slurm_cluster.MANIFEST), encoding="utf-8") as f:
            cpus = json.load(f)["cpus"]
        check_concurrent(work, env, cpus)
        check_failure_wait(work, env)
        check_failure_polled(work, env)
    except (Failure, subprocess.TimeoutExpired) as e:
        print(f"slurm_smoke: FAIL: {e}\n  reproduce: {repro}\n  cluster logs: {cluster}/*.log")
        return 1
    print("slurm_smoke: pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
