#!/usr/bin/python3
"""A private, real single-node Slurm cluster for tests: munged, slurmctld and slurmd from
Debian's slurm 22.05 packages, with every file (munge key and socket, slurm.conf, state,
spool, pid files, logs) inside one directory and TCP ports picked free at start. It neither
uses nor disturbs a system munged or Slurm (/etc/munge, /etc/slurm, /run, /var are untouched).

    slurm_cluster.py start DIR [--timeout S] [--min-job-age S]
                                               start it; stdout: `export SLURM_CONF=DIR/slurm.conf`
    slurm_cluster.py stop DIR                  stop it by the recorded pids; idempotent
    slurm_cluster.py available                 exit 0 when the binaries exist, else 1 and why

start writes DIR/env (the line `SLURM_CONF=DIR/slurm.conf`) once the node is idle, and
DIR/cluster.json (pids, ports, node) as it goes. A client (sbatch, squeue, scontrol, srun)
reaches the cluster with SLURM_CONF set: `eval "$(slurm_cluster.py start DIR)"`.
stop kills the daemons by their recorded pids (TERM, wait, KILL), then any job processes the
cluster left (its slurmstepd and the tasks of its jobs, found through /proc), never by name.
From Python (testbench/slurm on sys.path): start(dir) -> {"SLURM_CONF": ...} to add to a
client's environment, stop(dir), available() -> None or the reason it is not.
DNNGEN_SLURM=off in the environment makes `available` say no, so Slurm tests skip.
Exit status: 0 done, 1 failed (one message with the tail of the log of the daemon at fault).
"""
import argparse
import json
import os
import pwd
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

CLUSTER = "dnngen"
NODE = "dnngen0"
PARTITION = "debug"
MANIFEST = "cluster.json"
# The programs start, stop and the tests run; `available` checks for them.
BINARIES = ["munged", "munge", "slurmctld", "slurmd", "slurmstepd", "sbatch", "sinfo", "squeue",
            "scontrol", "scancel"]
INSTALL_HINT = "apt-get install slurmctld slurmd slurm-client munge (or scripts/install-deps.sh)"
# A Unix socket path holds at most 107 bytes. slurmstepd binds one per job step in the
# spool directory (NODE_<job id>.<step id>, up to 29 bytes), munged one in its directory;
# a DIR longer than this gets those two in a short directory of its own under /tmp.
MAX_RUN_DIR = 64


class ClusterError(Exception):
    """Starting the cluster failed; the message says why (with a log tail)."""


def _which(name):
    path = os.environ.get("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin"
    return shutil.which(name, path=path)


def available():
    """None when the cluster can be started here, else the reason it cannot."""
    if os.environ.get("DNNGEN_SLURM", "").lower() in ("off", "0", "no"):
        return "Slurm tests disabled by DNNGEN_SLURM=off"
    missing = [name for name in BINARIES if _which(name) is None]
    if missing:
        return f"Slurm is not installed (missing {' '.join(missing)}); {INSTALL_HINT}"
    return None


def client_env(directory):
    """The environment for a Slurm client of the cluster in directory: this process's,
    without inherited SLURM_* and client format variables, plus SLURM_CONF."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLURM_", "SBATCH_", "SALLOC_", "SRUN_", "SQUEUE_", "SINFO_"))}
    env["SLURM_CONF"] = os.path.join(os.path.abspath(directory), "slurm.conf")
    return env


# ---- processes, by pid and start time (a pid alone may be reused after the process ends)

def _stat(pid):
    """(state, ppid, session, start time) of a process, or None when there is none."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    fields = text[text.rfind(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[3]), int(fields[19])


def _alive(pid, start_time):
    st = _stat(pid)
    return st is not None and st[0] != "Z" and (start_time is None or st[3] == start_time)


def _reap(pid):
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _terminate(procs, grace):
    """TERM every (pid, start time) still alive, wait up to grace seconds, then KILL."""
    procs = [(pid, t) for pid, t in procs if _alive(pid, t)]
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        for pid, _ in procs:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + wait
        while procs and time.monotonic() < deadline:
            time.sleep(0.05)
            for pid, _ in procs:
                _reap(pid)
            procs = [(pid, t) for pid, t in procs if _alive(pid, t)]
        if not procs:
            return
    raise ClusterError("could not kill pid(s) " + " ".join(str(p) for p, _ in procs))


def _ancestors():
    """This process and its ancestors: never killed, whatever their environment."""
    chain, pid = set(), os.getpid()
    while pid > 0 and pid not in chain:
        chain.add(pid)
        st = _stat(pid)
        pid = st[1] if st else 0
    return chain


def _readlink(path):
    try:
        return os.readlink(path)
    except OSError:
        return ""


def _left_processes(dirs, conf, sessions):
    """Processes the cluster left behind, as ([slurmstepd and clients], [others]) lists of
    (pid, start time): everything in the sessions of its daemons; its slurmstepd (working
    directory or an open file in dirs); its clients still waiting on it (srun, salloc, sbatch,
    sattach with SLURM_CONF=conf); the tasks of its jobs (SLURM_JOB_ID with SLURM_CONF=conf in
    the environment); and everything those started."""
    procs = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st is not None and st[0] != "Z":
                procs[int(entry)] = st
    inside = tuple(d.rstrip("/") + "/" for d in dirs)
    conf_entry = b"SLURM_CONF=" + os.fsencode(conf)
    found, steps, step_sessions = set(), set(), set()
    for pid, st in procs.items():
        exe = os.path.basename(_readlink(f"/proc/{pid}/exe"))
        if st[2] in sessions:
            found.add(pid)
        elif exe.startswith("slurmstepd"):
            cwd = _readlink(f"/proc/{pid}/cwd") + "/"
            try:
                fds = [_readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
            except OSError:
                fds = []
            if cwd.startswith(inside) or any(fd.startswith(inside) for fd in fds):
                steps.add(pid)
                step_sessions.add(st[2])
        else:
            try:
                with open(f"/proc/{pid}/environ", "rb") as f:
                    environ = f.read().split(b"\0")
            except OSError:
                continue
            if conf_entry not in environ:
                continue
            if exe in ("srun", "salloc", "sbatch", "sattach"):
                steps.add(pid)
            elif any(e.startswith(b"SLURM_JOB_ID=") for e in environ):
                found.add(pid)
    found |= {pid for pid, st in procs.items() if st[2] in step_sessions} - steps
    grew = True
    while grew:
        children = {pid for pid, st in procs.items() if st[1] in found | steps} - found - steps
        found |= children
        grew = bool(children)
    mine = _ancestors()
    return ([(pid, procs[pid][3]) for pid in sorted(steps - mine)],
            [(pid, procs[pid][3]) for pid in sorted(found - mine)])


# ---- the cluster directory

def _load(directory):
    try:
        with open(os.path.join(directory, MANIFEST), encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _save(manifest):
    path = os.path.join(manifest["dir"], MANIFEST)
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1)
    os.replace(path + ".tmp", path)


def _tail(path, lines=25):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read().splitlines()[-lines:]
    except OSError:
        return f"  ({path}: missing)"
    if not text:
        return f"  ({path}: empty)"
    return f"  --- last lines of {path}\n" + "\n".join("  " + line for line in text)


def _daemon_logs(directory, name):
    """The log tail of daemon name: its log file, and its stdout/stderr when the log is empty
    (errors before the log file opens, such as a slurm.conf it cannot parse)."""
    log = os.path.join(directory, name + ".log")
    out = os.path.join(directory, name + ".out")
    if os.path.exists(log) and os.path.getsize(log) > 0:
        return _tail(log)
    return _tail(out)


def _free_ports(count):
    """count TCP ports free on every address, below the kernel's ephemeral range (an outgoing
    connection cannot take one between this check and the daemon's bind)."""
    ports = []
    while len(ports) < count:
        port = random.randrange(20000, 32768)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("", port))
            except OSError:
                continue
        if port not in ports:
            ports.append(port)
    return ports


def _machine():
    """(CPUs this process may use, RealMemory in MB with a 10 % margin below MemTotal)."""
    cpus = len(os.sched_getaffinity(0))
    mem_mb = 1024
    with open("/proc/meminfo", encoding="ascii") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_mb = int(line.split()[1]) // 1024
    return cpus, max(1, mem_mb * 9 // 10)


def _user():
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return str(os.getuid())


def _write_conf(manifest):
    d, run = manifest["dir"], manifest["run_dir"]
    user = manifest["user"]
    conf = f"""# Written by testbench/slurm/slurm_cluster.py: a private single-node test cluster.
ClusterName={CLUSTER}
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort={manifest["ports"]["slurmctld"]}
SlurmdPort={manifest["ports"]["slurmd"]}
SlurmUser={user}
SlurmdUser={user}
# Both daemons, slurmstepd and the clients talk to this cluster's own munged.
AuthType=auth/munge
AuthInfo=socket={run}/munge.sock
CredType=cred/munge
# No cgroups, no accounting database: processes are tracked through /proc.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
# CPUs are the consumable resource: each 1-CPU task takes one CPU, so tasks run side by side.
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
# Short timeouts keep the tests quick. MinJobAge 5 (the default of start) makes
# `sbatch --wait` poll every 2 s (it backs off to 8 s at MinJobAge 10 and to 32 s at 300);
# a finished job stays visible to `scontrol show job` for MinJobAge to 2 x MinJobAge s.
SlurmdTimeout=30
MessageTimeout=5
InactiveLimit=30
KillWait=2
MinJobAge={manifest["min_job_age"]}
StateSaveLocation={d}/state
SlurmdSpoolDir={run}/spool
SlurmctldPidFile={d}/slurmctld.pid
SlurmdPidFile={d}/slurmd.pid
SlurmctldLogFile={d}/slurmctld.log
SlurmdLogFile={d}/slurmd.log
NodeName={NODE} NodeHostname={manifest["hostname"]} NodeAddr=127.0.0.1 CPUs={manifest["cpus"]} \
RealMemory={manifest["real_memory"]} State=UNKNOWN
PartitionName={PARTITION} Nodes={NODE} Default=YES MaxTime=INFINITE State=UP
"""
    with open(os.path.join(d, "slurm.conf"), "w", encoding="utf-8") as f:
        f.write(conf)


def _spawn(manifest, name, argv, env):
    """Starts daemon name in the foreground of a new session (its pid is the one recorded;
    its stdout and stderr go to DIR/name.out, never to the caller's pipes)."""
    out_path = os.path.join(manifest["dir"], name + ".out")
    with open(out_path, "wb") as out:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, cwd=manifest["dir"], env=env,
                                start_new_session=True)
    st = _stat(proc.pid)
    manifest["pids"][name] = [proc.pid, st[3] if st else None]
    _save(manifest)
    return proc


def _check_running(manifest, procs):
    for name, proc in procs.items():
        if proc.poll() is not None:
            raise ClusterError(f"{name} exited with status {proc.returncode}\n"
                               + _daemon_logs(manifest["dir"], name))


def _start_munged(manifest, env):
    d, run = manifest["dir"], manifest["run_dir"]
    key = os.path.join(d, "munge.key")
    fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
    with os.fdopen(fd, "wb") as f:
        f.write(os.urandom(1024))
    sock = os.path.join(run, "munge.sock")
    # --force: root may own the daemon, and the directories above DIR need not be
    # root-only or world-searchable for a private test daemon.
    proc = _spawn(manifest, "munged", [
        _which("munged"), "--foreground", "--force", f"--socket={sock}", f"--key-file={key}",
        f"--pid-file={d}/munged.pid", f"--log-file={d}/munged.log",
        f"--seed-file={d}/munged.seed", "--num-threads=2"], env)
    deadline = time.monotonic() + 10
    while True:
        _check_running(manifest, {"munged": proc})
        if os.path.exists(sock):
            probe = subprocess.run([_which("munge"), "-n", f"--socket={sock}"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
            if probe.returncode == 0:
                return proc
        if time.monotonic() > deadline:
            raise ClusterError(f"munged does not answer on {sock} after 10 s\n"
                               + _daemon_logs(d, "munged"))
        time.sleep(0.05)


def _node_state(env):
    try:
        r = subprocess.run([_which("sinfo"), "-h", "-N", "-n", NODE, "-o", "%T"], env=env,
                           capture_output=True, text=True, timeout=15, check=False)
    except subprocess.TimeoutExpired:
        return "(sinfo timed out)"
    if r.returncode != 0:
        return "(sinfo: " + (r.stderr.strip().splitlines() or ["failed"])[-1] + ")"
    return r.stdout.strip()


def _wait_idle(manifest, procs, env, timeout):
    deadline = time.monotonic() + timeout
    state = ""
    while time.monotonic() < deadline:
        _check_running(manifest, procs)
        state = _node_state(env)
        if state == "idle":
            return
        time.sleep(0.2)
    reason = subprocess.run([_which("scontrol"), "show", "node", NODE], env=env,
                            capture_output=True, text=True, timeout=15, check=False)
    detail = [line.strip() for line in reason.stdout.splitlines()
              if "Reason" in line or "State" in line]
    raise ClusterError(f"node {NODE} is not idle after {timeout:g} s (sinfo says '{state}')\n"
                       + "".join(f"  {line}\n" for line in detail)
                       + _daemon_logs(manifest["dir"], "slurmd") + "\n"
                       + _daemon_logs(manifest["dir"], "slurmctld"))


def start(directory, timeout=60.0, min_job_age=5, _attempts=3):
    """Starts the cluster with its state in directory (made afresh; a cluster an earlier
    start left there is stopped first). Returns {"SLURM_CONF": DIR/slurm.conf}.
    min_job_age: seconds slurmctld keeps a finished job (slurm.conf MinJobAge).
    Raises ClusterError, having stopped whatever it started, when the node is not idle in time."""
    why = available()
    if why:
        raise ClusterError(why)
    d = os.path.abspath(directory)
    if any(c.isspace() or c in "#=" for c in d):
        raise ClusterError(f"'{d}': slurm.conf cannot hold a path with white space, '#' or '='")
    if os.path.exists(os.path.join(d, MANIFEST)):
        if stop(d):
            print(f"slurm_cluster: stopped the cluster an earlier start left in {d}",
                  file=sys.stderr)
        shutil.rmtree(d)
    elif os.path.isdir(d) and os.listdir(d):
        raise ClusterError(f"{d} is not empty and holds no {MANIFEST}: not a cluster directory, "
                           "not touching it")
    os.makedirs(d, exist_ok=True)
    # munged needs every user to be able to search the directory of its socket.
    os.chmod(d, 0o755)
    run = d if len(d) <= MAX_RUN_DIR else tempfile.mkdtemp(prefix="dnnslurm-", dir="/tmp")
    os.chmod(run, 0o755)
    os.makedirs(os.path.join(d, "state"))
    os.makedirs(os.path.join(run, "spool"))
    cpus, real_memory = _machine()
    manifest = {"dir": d, "run_dir": run, "pids": {}, "node": NODE, "partition": PARTITION,
                "ports": dict(zip(("slurmctld", "slurmd"), _free_ports(2))),
                "hostname": socket.gethostname() or "localhost", "cpus": cpus,
                "real_memory": real_memory, "user": _user(), "min_job_age": min_job_age}
    _save(manifest)
    env = client_env(d)
    conf = env["SLURM_CONF"]
    try:
        procs = {"munged": _start_munged(manifest, env)}
        _write_conf(manifest)
        procs["slurmctld"] = _spawn(manifest, "slurmctld",
                                    [_which("slurmctld"), "-D", "-c", "-f", conf], env)
        procs["slurmd"] = _spawn(manifest, "slurmd",
                                 [_which("slurmd"), "-D", "-c", "-N", NODE, "-f", conf], env)
        _wait_idle(manifest, procs, env, timeout)
    except ClusterError as e:
        _stop(manifest)
        if "Address already in use" in str(e) and _attempts > 1:
            # Another program took a port between the check and the daemon's bind.
            print("slurm_cluster: a port was taken meanwhile, retrying with others",
                  file=sys.stderr)
            return start(d, timeout, min_job_age, _attempts - 1)
        raise
    except BaseException:
        _stop(manifest)
        raise
    with open(os.path.join(d, "env"), "w", encoding="utf-8") as f:
        f.write(f"SLURM_CONF={conf}\n")
    return {"SLURM_CONF": conf}


def _stop(manifest):
    """Kills what manifest records and what the cluster left; returns how many processes."""
    d, run = manifest["dir"], manifest.get("run_dir", manifest["dir"])
    pids = manifest.get("pids", {})
    daemons = [tuple(pids[n]) for n in ("slurmd", "slurmctld") if n in pids]
    munged = [tuple(pids["munged"])] if "munged" in pids else []
    # A daemon runs in a session of its own: what is still in it (slurmctld's slurmscriptd)
    # belongs to the cluster. Only sessions of daemons verified alive count (pids get reused).
    sessions = {pid for pid, t in daemons if _alive(pid, t)}
    killed = len(sessions) + sum(_alive(pid, t) for pid, t in munged)
    _terminate(daemons, grace=5.0)
    # slurmstepd and a waiting srun ignore TERM, and have no daemon left to talk to: KILL
    # them; TERM the tasks of jobs, then KILL.
    steps, left = _left_processes({d, run}, os.path.join(d, "slurm.conf"), sessions)
    killed += len(steps) + len(left)
    _terminate(steps, grace=0.0)
    _terminate(left, grace=2.0)
    _terminate(munged, grace=5.0)
    for name in ("slurmctld", "slurmd", "munged"):
        pid_file = os.path.join(d, name + ".pid")
        if os.path.exists(pid_file):
            os.remove(pid_file)
    if os.path.isdir(d):
        env_file = os.path.join(d, "env")
        if os.path.exists(env_file):
            os.remove(env_file)
        manifest["pids"] = {}
        if os.path.exists(os.path.join(d, MANIFEST)):
            _save(manifest)
    if run != d:
        shutil.rmtree(run, ignore_errors=True)
    return killed


def stop(directory):
    """Stops the cluster in directory; nothing to do is not an error. Returns how many
    processes it ended."""
    d = os.path.abspath(directory)
    manifest = _load(d) or {"dir": d, "run_dir": d, "pids": {}}
    return _stop(manifest)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_start = sub.add_parser("start", help="start the cluster with its state in DIR")
    p_start.add_argument("dir", metavar="DIR")
    p_start.add_argument("--timeout", type=float, default=60.0,
                         help="seconds to wait for the node to be idle (default 60)")
    p_start.add_argument("--min-job-age", type=int, default=5,
                         help="seconds a finished job stays visible (MinJobAge, default 5)")
    p_stop = sub.add_parser("stop", help="stop the cluster in DIR")
    p_stop.add_argument("dir", metavar="DIR")
    sub.add_parser("available", help="exit 0 when Slurm and munge are installed")
    args = parser.parse_args()

    if args.command == "available":
        why = available()
        if why:
            print(f"slurm_cluster: {why}")
            return 1
        print("slurm_cluster: available")
        return 0
    if args.command == "stop":
        t0 = time.monotonic()
        try:
            killed = stop(args.dir)
        except (ClusterError, OSError) as e:
            print(f"slurm_cluster: stop {args.dir} failed: {e}", file=sys.stderr)
            return 1
        print(f"slurm_cluster: stopped {os.path.abspath(args.dir)} ({killed} process(es) ended) "
              f"in {time.monotonic() - t0:.1f} s", file=sys.stderr)
        return 0
    t0 = time.monotonic()
    try:
        env = start(args.dir, args.timeout, args.min_job_age)
    except (ClusterError, OSError) as e:
        print(f"slurm_cluster: start {args.dir} failed: {e}", file=sys.stderr)
        return 1
    m = _load(os.path.abspath(args.dir))
    print(f"slurm_cluster: node {NODE} idle ({m['cpus']} CPUs, slurmctld port "
          f"{m['ports']['slurmctld']}, slurmd port {m['ports']['slurmd']}) "
          f"in {time.monotonic() - t0:.1f} s", file=sys.stderr)
    print(f"export SLURM_CONF={env['SLURM_CONF']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
