"""Tail calls (issue 13, section 2): bc_tc_entry (raw_tp/sys_enter) tail-calls
bc_tc_callee through slot 0 of the PROG_ARRAY bc_tc_jmp on getpid; the
callee does bpf_loop(400, ...) (src/bpf/tailcall_test.bpf.c, held by
tests/helpers/attach_runner, which fills the slot). The kernel counts the
callee's time in the entry's run_time_ns and leaves the callee's run_cnt at
0; bpfcost must say where the callee's time is, and annotate must split the
entry's figure by samples."""
import json
import re
import signal
import subprocess
import time

import pytest

from conftest import BIN, ROOT, AttachRunner, run, run_json
from test_exporter import Exporter

OBJ = ROOT / "build" / "tailcall_test.bpf.o"


class TailRunner(AttachRunner):
    """attach_runner with the callee in slot 0; entry and callee ids."""

    def __init__(self):
        super().__init__(OBJ, extra=["--tail", "bc_tc_jmp:0:bc_tc_callee"])
        names = {p["id"]: p["name"] for p in run_json("prog", *sum(
            (["id", str(i)] for i in self.ids), []))["programs"]}
        self.entry = next(i for i, n in names.items() if n == "bc_tc_entry")
        self.callee = next(i for i, n in names.items() if n == "bc_tc_callee")


@pytest.fixture
def tail():
    r = TailRunner()
    yield r
    r.stop()


def prog_array_id(prog_id):
    """The PROG_ARRAY among a program's maps, by bpftool (not by us)."""
    out = subprocess.run(["bpftool", "-j", "prog", "show", "id", str(prog_id)],
                         capture_output=True, text=True, check=True).stdout
    for m in json.loads(out)["map_ids"]:
        info = json.loads(subprocess.run(["bpftool", "-j", "map", "show", "id", str(m)],
                                         capture_output=True, text=True, check=True).stdout)
        if info["type"] == "prog_array":
            return m
    raise AssertionError(f"program {prog_id} uses no prog_array")


def getpid_load(secs):
    return subprocess.Popen([BIN, "load", "--syscalls", "getpid", "--duration", str(secs),
                             "--cpu", "-1"], stdout=subprocess.DEVNULL)


def stop_load(load):
    """End the load once the measuring is done (secs is only its upper
    bound): Ctrl-C ends it early."""
    if load.poll() is None:
        load.send_signal(signal.SIGINT)
    load.wait(timeout=30)


def test_prog_shows_relation(tail):
    doc = run_json("prog", "id", tail.entry, "id", tail.callee)
    assert doc["tail_calls_read"] is True
    progs = {p["id"]: p for p in doc["programs"]}
    mid = prog_array_id(tail.entry)
    callee = progs[tail.callee]["tail_call"]
    assert callee["tail_called_by"] == [{"id": tail.entry, "map_id": mid, "slot": 0}]
    assert callee["entries"] == [tail.entry] and callee["tail_calls"] == []
    entry = progs[tail.entry]["tail_call"]
    assert entry["tail_calls"] == [{"id": tail.callee, "map_id": mid, "slot": 0}]
    assert entry["run_time_includes"] == [tail.callee] and entry["tail_called_by"] == []
    out = run("prog", "id", tail.callee, "id", tail.entry, check=True).stdout
    assert "TAIL_CALL" in out.splitlines()[0]
    rows = {int(l.split()[0]): l for l in out.splitlines()[1:-1]}
    assert f"runs inside {tail.entry} via tail call" in rows[tail.callee]
    assert f"includes tail-called {tail.callee}" in rows[tail.entry]


def test_prog_without_relation_says_none():
    r = AttachRunner(ROOT / "build" / "testprog.bpf.o")
    try:
        (p,) = run_json("prog", "id", r.ids[0])["programs"]
        out = run("prog", "id", r.ids[0], check=True).stdout
    finally:
        r.stop()
    assert p["tail_call"] is None
    # TAIL_CALL "-", then OWNER (the runner).
    assert out.splitlines()[1].split()[-2:] == ["-", f"{r.p.pid}/attach_runner"]


def test_stats_says_where_the_callee_runs(tail):
    """stats: the callee's interval is never a bare 'no runs'; the entry's
    figure says it includes the callee; JSON carries the relation."""
    load = getpid_load(8)
    try:
        time.sleep(0.5)
        plain = run("stats", "--duration", "2", "id", tail.entry, "id", tail.callee,
                    check=True).stdout
        lines = run("-j", "stats", "--count", "2", "id", tail.entry, "id", tail.callee,
                    check=True).stdout.splitlines()
    finally:
        stop_load(load)
    summary = plain[plain.index("=== summary"):]
    rows = {int(l.split()[0]): l for l in summary.splitlines()[2:] if l.strip()}
    assert "no runs" not in rows[tail.callee], rows[tail.callee]
    assert re.search(r"\btail-call\b", rows[tail.callee])
    assert f"runs inside {tail.entry} via tail call" in rows[tail.callee]
    assert f"includes tail-called {tail.callee}" in rows[tail.entry]
    # Interval rows say the same.
    interval = [l for l in plain.splitlines() if l.startswith(f"{tail.callee:7d} ")][0]
    assert "no runs" not in interval and "runs inside" in interval
    doc = json.loads(lines[-1])
    progs = {p["id"]: p for p in doc["programs"]}
    assert progs[tail.entry]["total"]["runs"] > 1000
    assert progs[tail.callee]["total"]["runs"] == 0
    assert progs[tail.callee]["tail_call"]["tail_called_by"][0]["id"] == tail.entry
    assert progs[tail.entry]["tail_call"]["run_time_includes"] == [tail.callee]
    # Every interval line carries it too.
    first = json.loads(lines[0])
    assert {p["id"]: p["tail_call"] is not None for p in first["programs"]} == \
        {tail.entry: True, tail.callee: True}


def test_top_batch_shows_relation(tail):
    load = getpid_load(4)
    try:
        time.sleep(0.3)
        out = run("top", "-b", "--count", "2", "id", tail.entry, "id", tail.callee,
                  check=True).stdout
    finally:
        stop_load(load)
    frame = out.strip().split("\n\n")[-1].splitlines()
    assert frame[1].rstrip().endswith("TAIL_CALL OWNER")
    rows = {int(l.split()[0]): l for l in frame[2:]}
    assert "no runs" not in rows[tail.callee] and " tail-call " in rows[tail.callee]
    assert f"runs inside {tail.entry} via tail call" in rows[tail.callee]
    assert f"includes tail-called {tail.callee}" in rows[tail.entry]


def test_annotate_splits_the_entry_by_samples(tail):
    """annotate --top beside stats over the same window: the callee gets
    most of the group's samples, the split adds up, and the group's sampled
    CPU share is what the entry's run-time stats figure covers."""
    load = getpid_load(11)
    try:
        time.sleep(1)
        st = subprocess.Popen([BIN, "-j", "stats", "id", str(tail.entry), "id",
                               str(tail.callee), "--duration", "3"],
                              stdout=subprocess.PIPE, text=True)
        top = run_json("annotate", "--top", "--duration", "3")
        stats_out = st.communicate(timeout=30)[0]
    finally:
        stop_load(load)
    summary = json.loads(stats_out.splitlines()[-1])
    stats_cpu = {p["id"]: p["rate"]["cpu_pct"] for p in summary["programs"]}
    assert top["tail_calls_read"] is True
    (g,) = [g for g in top["tail_call_groups"] if g["entry"] == tail.entry]
    members = {m["id"]: m for m in g["members"]}
    assert list(members) == [tail.entry, tail.callee]
    assert sum(m["samples"] for m in g["members"]) == g["samples"]
    assert abs(sum(m["share"] for m in g["members"]) - 1) < 1e-9
    assert abs(sum(m["cpu_pct"] for m in g["members"]) - g["cpu_pct"]) < 1e-6
    assert members[tail.callee]["share"] > 0.8, members
    progs = {p["id"]: p for p in top["programs"]}
    # Both views: each program's own samples, and the group's split.
    assert progs[tail.callee]["samples"] == members[tail.callee]["samples"]
    assert progs[tail.callee]["tail_call"]["tail_called_by"][0]["id"] == tail.entry
    ratio = g["cpu_pct"] / stats_cpu[tail.entry]
    print(f"\nentry {tail.entry}: run-time stats {stats_cpu[tail.entry]:.2f}% of one CPU "
          f"(callee {stats_cpu[tail.callee]:.2f}%); sampled group {g['cpu_pct']:.2f}% = entry "
          f"{members[tail.entry]['cpu_pct']:.2f}% ({100 * members[tail.entry]['share']:.1f}%) + "
          f"callee {members[tail.callee]['cpu_pct']:.2f}% "
          f"({100 * members[tail.callee]['share']:.1f}%); group/stats {ratio:.2f}")
    assert stats_cpu[tail.callee] == 0
    assert 0.6 <= ratio <= 1.3, ratio


def test_annotate_plain_shows_both_views(tail):
    load = getpid_load(6)
    try:
        time.sleep(0.5)
        top = run("annotate", "--top", "--duration", "2", check=True).stdout
        sel = run("annotate", "id", tail.entry, "--duration", "2", check=True).stdout
    finally:
        stop_load(load)
    assert f"runs inside {tail.entry} via tail call" in top
    assert re.search(rf"entry {tail.entry} bc_tc_entry: \d+ samples", top)
    assert re.search(rf"\d+\.\d%\s+{tail.callee} bc_tc_callee", top)
    # Selecting the entry annotates the code it tail-calls as well.
    assert re.search(rf"^program {tail.callee} bc_tc_callee .*runs inside {tail.entry}", sel,
                     re.M), sel
    assert "bpf_loop(CALLEE_LOOPS" in sel
    assert f"entry {tail.entry} bc_tc_entry" in sel


def test_exporter_serves_tail_call_info(tail):
    e = Exporter("--mode", "stats")
    try:
        body = e.metrics()
    finally:
        rc, err = e.stop()
    assert rc == 0, err
    mid = prog_array_id(tail.entry)
    want = (f'bpf_program_tail_call_info{{caller_id="{tail.entry}",callee_id="{tail.callee}",'
            f'map_id="{mid}",index="0"}} 1')
    assert want in body, [l for l in body.splitlines() if "tail_call" in l]
