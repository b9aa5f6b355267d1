"""Recursion misses (issue 13, section 6), made to happen for real:
bc_rec_self (src/bpf/recurse_test.bpf.c) runs on the bpf_trace_printk raw
tracepoint and calls bpf_trace_printk itself, which fires its own hook on the
same CPU; the kernel skips that nested run and counts it in the program's
recursion_misses (__bpf_trace_run in kernel/trace/bpf_trace.c: prog->active
is already 1 on this CPU). bc_rec_trigger starts it, on getpid by tasks named
bc_recwork: N such calls give bc_rec_self N runs and N misses.

Loading a program that calls bpf_trace_printk enables the
bpf_trace/bpf_trace_printk event of the top trace instance
(bpf_get_trace_printk_proto); the fixture puts the flag back at once, so no
text lands in the trace buffer, and checks it at the end. tracefs is mounted
only in a private mount namespace."""
import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from conftest import BIN, ROOT, AttachRunner, run, run_json
from test_exporter import Exporter

OBJ = ROOT / "build" / "recurse_test.bpf.o"
ENABLE = "/sys/kernel/tracing/events/bpf_trace/bpf_trace_printk/enable"
N = 5000


def printk_event(value=None):
    """Read (or write, then read) the bpf_trace_printk event's enable flag."""
    cmd = f"mount -t tracefs none /sys/kernel/tracing && "
    if value is not None:
        cmd += f"echo {value} > {ENABLE} && "
    cmd += f"cat {ENABLE}"
    return subprocess.run(["unshare", "-m", "sh", "-c", cmd], capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture
def recurse():
    before = printk_event()
    r = AttachRunner(OBJ)
    try:
        time.sleep(0.2)
        printk_event(before)
        names = {p["id"]: p["name"] for p in run_json("prog", *sum(
            (["id", str(i)] for i in r.ids), []))["programs"]}
        r.self_id = next(i for i, n in names.items() if n == "bc_rec_self")
        yield r
    finally:
        r.stop()
        after = printk_event()
        if after != before:
            printk_event(before)
        assert after == before, "bpf_trace_printk event left changed"


def workload(tmp_path, n=N):
    """n getpid calls by a task named bc_recwork (bpfcost under that name)."""
    link = tmp_path / "bc_recwork"
    link.symlink_to(Path(BIN).resolve())  # BPFCOST_BIN may be relative
    subprocess.run([str(link), "load", "--syscalls", "getpid", "--count", str(n)], check=True,
                   stdout=subprocess.DEVNULL)


def counters(prog_id):
    (p,) = run_json("prog", "id", prog_id)["programs"]
    return p


def test_misses_happen_and_are_shown(recurse, tmp_path):
    sid = recurse.self_id
    st = subprocess.Popen([BIN, "-j", "stats", "id", str(sid), "--duration", "3"],
                          stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)
    workload(tmp_path)
    out = st.communicate(timeout=30)[0]
    summary = json.loads(out.splitlines()[-1])
    (p,) = summary["programs"]
    tot, rate = p["total"], p["rate"]
    print(f"\nbc_rec_self: {tot['runs']} runs, {tot['recursion_misses']} misses over "
          f"{rate['wall_s']:.2f} s ({rate['runs_per_s']:.1f} runs/s, "
          f"{rate['ns_per_run']:.1f} ns/run)")
    # Each getpid: one run, and its nested run skipped as a miss.
    assert N <= tot["runs"] <= N + 50 and N <= tot["recursion_misses"] <= N + 50, tot
    assert rate["recursion_misses"] == tot["recursion_misses"]
    # Kept out of runs/s and ns/run: those divide by runs alone.
    assert abs(rate["runs_per_s"] - rate["runs"] / rate["wall_s"]) < 1e-6 * rate["runs_per_s"]
    assert abs(rate["ns_per_run"] - rate["run_time_ns"] / rate["runs"]) < 1e-6 * rate["ns_per_run"]
    assert p["counters"]["recursion_misses"] >= tot["recursion_misses"]


def test_misses_column_in_stats_top_prog(recurse, tmp_path):
    sid = recurse.self_id
    st = subprocess.Popen([BIN, "stats", "id", str(sid), "--duration", "3"],
                          stdout=subprocess.PIPE, text=True)
    top = subprocess.Popen([BIN, "top", "-b", "--duration", "3", "id", str(sid)],
                           stdout=subprocess.PIPE, text=True)
    # Both have taken their baseline once they print their first line (a
    # busy host can take longer than a fixed sleep; misses before it are
    # not theirs to count).
    stats_first, top_first = st.stdout.readline(), top.stdout.readline()
    workload(tmp_path)
    stats_out = stats_first + st.communicate(timeout=30)[0]
    top_out = top_first + top.communicate(timeout=30)[0]
    summary = stats_out[stats_out.index("=== summary"):].splitlines()
    head = summary[1].split()
    row = [l.split() for l in summary[2:] if l.split()[:1] == [str(sid)]][0]
    misses = int(row[head.index("MISSES")])
    assert N <= misses <= N + 50, row
    # top: the MISSES column of the frames adds up to them.
    frames = [f.splitlines() for f in top_out.split("\n\n") if f.strip()]
    header = next(l for f in frames for l in f if "MISSES" in l.split())
    col = header.split().index("MISSES")
    seen = sum(int(l.split()[col]) for f in frames for l in f
               if l.split()[:1] == [str(sid)] and l.split()[col].isdigit())
    assert N <= seen <= N + 50, seen
    # prog: plain MISSES column and JSON, cumulative since load.
    out = run("prog", "id", sid, check=True).stdout.splitlines()
    c = out[0].split().index("MISSES")
    assert int(out[1].split()[c]) >= N
    assert counters(sid)["recursion_misses"] >= N


def test_misses_exported(recurse, tmp_path):
    sid = recurse.self_id
    workload(tmp_path, 1000)
    want = counters(sid)["recursion_misses"]
    e = Exporter("--mode", "stats", "id", sid)
    try:
        body = e.metrics()
    finally:
        rc, err = e.stop()
    assert rc == 0, err
    m = re.search(rf'^bpf_program_recursion_misses_total{{id="{sid}",[^}}]*}} (\d+)', body, re.M)
    assert m, [l for l in body.splitlines() if "misses" in l]
    assert int(m.group(1)) >= want >= 1000
