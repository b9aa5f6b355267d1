# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Shared bits of the bpfcost benchmarks: locating the binaries, timing a
child's wall and CPU time, medians with spread, and helper processes that
are always stopped (SIGTERM, then SIGKILL) however the benchmark ends."""
import json
import os
import select
import signal
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = Path(os.environ.get("BUILD", ROOT / "build"))
if not BUILD.is_absolute():
    BUILD = ROOT / BUILD
BPFCOST = os.environ.get("BPFCOST_BIN", str(ROOT / "bpfcost"))
if not os.path.isabs(BPFCOST):
    BPFCOST = str(ROOT / BPFCOST)


def die(msg):
    print(f"bench: {msg}", file=sys.stderr)
    sys.exit(1)


def need(path):
    if not Path(path).exists():
        die(f"{path} is missing: run 'make bench' (or make all {path})")
    return str(path)


def timed(argv, stdout=subprocess.DEVNULL):
    """Run argv to completion; return (wall_s, cpu_s) where cpu is the
    child's user+system time from wait4, kernel work in its syscalls
    included. Fails loudly on a non-zero exit."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    if p.returncode != 0:
        die(f"{' '.join(argv)} exited {p.returncode}: {err.strip()}")
    return wall, ru.ru_utime + ru.ru_stime


def run_json(argv):
    """Run a bpfcost command with -j; return the parsed JSON lines."""
    p = subprocess.run(argv, capture_output=True, text=True)
    if p.returncode != 0:
        die(f"{' '.join(argv)} exited {p.returncode}: {p.stderr.strip()}")
    return [json.loads(l) for l in p.stdout.splitlines() if l.strip()]


def summary(xs):
    """median [min..max] (n) of a list of numbers, as a dict."""
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)}


def fmt(s, unit="", scale=1.0, prec=2):
    return (f"{s['median'] * scale:.{prec}f}{unit} "
            f"[{s['min'] * scale:.{prec}f}..{s['max'] * scale:.{prec}f}] n={s['n']}")


def stop(p, grace=5.0):
    if p.poll() is not None:
        return
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(grace)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


@contextmanager
def helper(argv, ready_prefix="ready", timeout=60.0):
    """Start a helper that prints a line starting with ready_prefix once
    it holds its programs; yield the Popen; always stop it afterwards.
    SIGTERM/SIGINT to the benchmark stop the helper too."""
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    old = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}

    def on_signal(sig, frame):
        stop(p)
        sys.exit(128 + sig)
    for s in old:
        signal.signal(s, on_signal)
    try:
        ready, _, _ = select.select([p.stdout], [], [], timeout)
        line = p.stdout.readline() if ready else "(timed out)"
        if not line.startswith(ready_prefix):
            stop(p)
            die(f"{argv[0]} did not become ready: {line.strip()!r} "
                f"{p.stderr.read().strip()}")
        yield p
    finally:
        stop(p)
        for s, h in old.items():
            signal.signal(s, h)


def proc_cpu_ns(pid):
    """CPU time of every thread of pid so far, in ns: the sum of
    /proc/PID/task/*/schedstat (ns resolution), and utime+stime from
    /proc/PID/stat (clock ticks) as a cross-check."""
    sched = 0
    for t in Path(f"/proc/{pid}/task").iterdir():
        try:
            sched += int((t / "schedstat").read_text().split()[0])
        except (OSError, ValueError):
            pass
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])	# utime, stime (fields 14, 15)
    return sched, ticks * 1e9 / os.sysconf("SC_CLK_TCK")


def write_json(path, obj):
    if path:
        Path(path).write_text(json.dumps(obj, indent=1) + "\n")
