"""The reference service: each weight attaches, sees a known workload's
syscalls, detaches on --duration, SIGINT and SIGTERM, and rejects bad input.

The workload runs as a symlink to bpfcost named 'bcwl', so its comm is
unique and sysmon --comm bcwl counts only its syscalls."""
import json
import os
import signal
import subprocess
import time

import pytest

from conftest import BIN, loaded_progs, run

GETPID_NR = 39  # x86_64
N = 20000


@pytest.fixture
def workload(tmp_path):
    link = tmp_path / "bcwl"
    link.symlink_to(os.path.abspath(BIN))
    return str(link)


def start_sysmon(*args):
    p = subprocess.Popen([BIN, "-j", "sysmon", *args], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    line = p.stderr.readline()
    assert "sysmon attached" in line, f"sysmon did not attach: {line}{p.stderr.read()}"
    return p


def stop_sysmon(p, sig):
    p.send_signal(sig)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 0, err
    lines = [json.loads(l) for l in out.splitlines() if l.strip()]
    assert lines and lines[-1]["final"] is True
    return lines[-1]


def run_getpids(workload, n=N):
    r = subprocess.run([workload, "load", "--syscalls", "getpid", "--count", str(n)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


def getpid_count(summary):
    return sum(s["count"] for s in summary["top_syscalls"] if s["nr"] == GETPID_NR)


@pytest.mark.parametrize("weight", ["count", "proc", "events"])
def test_weight_sees_every_syscall_of_the_workload(weight, workload):
    p = start_sysmon("-w", weight, "--comm", "bcwl", "-i", "10s")
    run_getpids(workload)
    final = stop_sysmon(p, signal.SIGINT)
    assert final["weight"] == weight
    got = getpid_count(final)
    # Every getpid is seen; a few come from the runtime's own start-up.
    assert N <= got <= N + 50, got
    if weight == "count":
        assert final["top_processes"] is None
    else:
        procs = [q for q in final["top_processes"] if q["comm"] == "bcwl"]
        assert procs and procs[0]["calls"] >= N
        assert procs[0]["time_ns"] > 0
    if weight == "events":
        assert final["events"] + final["lost"] >= N
        assert final["lost"] >= 0


def test_programs_are_on_raw_syscalls_and_go_away(workload):
    before = set(loaded_progs())
    p = start_sysmon("-w", "proc")
    try:
        mine = {i: n for i, n in loaded_progs().items() if i not in before}
        # bpftool shows the full BTF names.
        assert sorted(mine.values()) == ["sysmon_proc_enter", "sysmon_proc_exit"]
    finally:
        stop_sysmon(p, signal.SIGTERM)
    deadline = time.time() + 5
    while time.time() < deadline and set(loaded_progs()) & set(mine):
        time.sleep(0.1)
    assert not set(loaded_progs()) & set(mine)


def test_duration_ends_the_run_with_interval_lines():
    r = run("-j", "sysmon", "-w", "count", "-d", "1.2", "-i", "400ms", check=True)
    lines = [json.loads(l) for l in r.stdout.splitlines()]
    assert len(lines) >= 3
    assert [l["final"] for l in lines][-1] is True
    assert all(not l["final"] for l in lines[:-1])
    assert lines[-1]["syscalls"] > 0
    assert lines[-1]["elapsed_s"] == pytest.approx(1.2, abs=0.3)


def test_pid_filter_excludes_others(workload):
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        p = start_sysmon("-w", "count", "--pid", str(sleeper.pid))
        run_getpids(workload, 5000)
        final = stop_sysmon(p, signal.SIGINT)
        assert getpid_count(final) == 0
    finally:
        sleeper.kill()
        sleeper.wait()


def test_events_print_streams_json_events(workload):
    p = subprocess.Popen([BIN, "-j", "sysmon", "-w", "events", "--comm", "bcwl", "--print"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert "sysmon attached" in p.stderr.readline()
    run_getpids(workload, 300)
    time.sleep(0.3)
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate(timeout=30)
    objs = [json.loads(l) for l in out.splitlines()]
    evs = [o for o in objs if o.get("type") == "event" and o["syscall"] == "getpid"]
    assert len(evs) >= 300
    assert all(e["comm"] == "bcwl" and e["ret"] == e["pid"] for e in evs)
    assert all(e["latency_ns"] > 0 for e in evs)


def test_plain_output_has_tables():
    r = run("sysmon", "-w", "proc", "-d", "0.5", check=True)
    assert "SYSCALL" in r.stdout and "COMM" in r.stdout and "(final)" in r.stdout


@pytest.mark.parametrize("args", [
    ["-w", "heavy"],
    ["--duration", "0"],
    ["--duration", "-1"],
    ["--interval", "abc"],
    ["--pid", "abc"],
    ["--pid", "0"],
    ["--comm", "a-name-longer-than-15"],
    ["-w", "proc", "--print"],
    ["extra"],
    ["--bogus"],
])
def test_bad_input_is_one_line_error(args):
    r = run("sysmon", *args)
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bpfcost"), r.stderr
