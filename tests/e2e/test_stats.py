"""bpfcost stats against real running programs: build/empty.bpf.o (bc_empty,
raw_tp/sys_enter) loaded and attached by tests/helpers/attach_runner, which
does not depend on any bpfcost command."""
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import BIN, ROOT, SYSCTL, AttachRunner, run, sysctl_value

EMPTY = str(ROOT / "build" / "empty.bpf.o")


class Runner(AttachRunner):
    """attach_runner holding the empty raw_tp program."""

    def __init__(self, attach=True):
        super().__init__(EMPTY, attach)
        assert len(self.ids) == 1


@pytest.fixture
def runner():
    r = Runner()
    yield r
    r.stop()


@pytest.fixture
def idle_runner():
    r = Runner(attach=False)
    yield r
    r.stop()


def sysctl_set(val):
    old = sysctl_value()
    Path(SYSCTL).write_text(val)
    try:
        yield
    finally:
        Path(SYSCTL).write_text(old)


@pytest.fixture
def sysctl_on():
    """kernel.bpf_stats_enabled = 1 for the test, restored afterwards."""
    yield from sysctl_set("1")


@pytest.fixture
def sysctl_off():
    yield from sysctl_set("0")


def json_lines(text):
    docs = [json.loads(l) for l in text.splitlines() if l.strip()]
    assert docs and docs[-1]["type"] == "summary"
    assert all(d["type"] == "interval" for d in docs[:-1])
    return docs[:-1], docs[-1]


def prog(doc, pid):
    found = [p for p in doc["programs"] if p["id"] == pid]
    return found[0] if found else None


def start_stats(*args):
    """Start bpfcost -j stats; return the process once its first interval
    line is out (the baseline is then certainly taken)."""
    p = subprocess.Popen([BIN, "-j", "stats"] + [str(a) for a in args],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = p.stdout.readline()
    assert first, f"stats printed nothing: {p.stderr.read()}"
    p.first_line = first
    return p


def finish(p, sig=None, timeout=30):
    if sig:
        p.send_signal(sig)
    out, err = p.communicate(timeout=timeout)
    return p.returncode, p.first_line + out, err


@pytest.mark.parametrize("reader", ["iter", "syscall"])
def test_run_count_covers_issued_syscalls(runner, reader):
    pid = runner.ids[0]
    p = start_stats("id", pid, "--interval", "0.2", "--reader", reader)
    # Our own syscalls (getppid is never cached by libc), not bpfcost load:
    # this test must not depend on another command.
    issued = 200000
    for _ in range(issued):
        os.getppid()
    rc, out, err = finish(p, signal.SIGINT)
    assert rc == 0, err
    intervals, summary = json_lines(out)
    assert summary["stopped"] is True
    assert summary["reader"] == reader and summary["reader_fallback"] is None
    assert all(i["reader"] == reader for i in intervals)
    tot = prog(summary, pid)
    assert tot["state"] == "live"
    # raw_tp/sys_enter runs on every syscall of the machine: at least ours.
    assert tot["total"]["runs"] >= issued
    assert tot["rate"]["ns_per_run"] > 0
    assert tot["rate"]["cpu_pct"] > 0
    assert tot["rate"]["cpu_pct_machine"] == pytest.approx(
        tot["rate"]["cpu_pct"] / summary["ncpu"])
    # Interval deltas add up to the total.
    assert sum(prog(i, pid)["rate"]["runs"] for i in intervals) == tot["total"]["runs"]


def test_plain_table_and_summary(runner):
    pid = runner.ids[0]
    out = run("stats", "id", pid, "--interval", "0.2", "--count", "2", check=True).stdout
    lines = out.splitlines()
    assert lines[0].startswith("run-time stats via BPF_ENABLE_STATS")
    heads = [l for l in lines if l.split()[:3] == ["ID", "TYPE", "NAME"]]
    assert len(heads) == 3  # two intervals + summary
    assert any(l.startswith("=== summary: 2 intervals") for l in lines)
    rows = [l.split() for l in lines if l.split()[:1] == [str(pid)]]
    assert len(rows) == 3 and all(r[2] == "bc_empty" for r in rows)


def test_caveats_in_json_and_help(runner):
    _, summary = json_lines(run("-j", "stats", "id", runner.ids[0], "--count", "1",
                                "--interval", "0.1", check=True).stdout)
    cav = " ".join(summary["caveats"])
    assert "two clock reads" in cav and "program body" in cav and "slow" in cav
    assert summary["stats_via"] == "BPF_ENABLE_STATS"
    h = run("stats", "--help", check=True).stdout
    assert "two clock reads" in h and "trampoline" in h and "EXAMPLES" in h


def test_program_unloaded_mid_run_is_gone(runner):
    pid = runner.ids[0]
    p = start_stats("--interval", "0.3", "--count", "8")
    time.sleep(0.7)
    runner.stop()
    rc, out, err = finish(p)
    assert rc == 0, err
    intervals, summary = json_lines(out)
    assert len(intervals) == 8
    states = [prog(i, pid)["state"] if prog(i, pid) else None for i in intervals]
    assert "live" in states and "gone" in states
    g = states.index("gone")
    assert all(s == "live" for s in states[:g] if s)
    # Shown once as gone, with no figures for that interval (its runs
    # before it went were never read: the previous interval's figures would
    # count twice when summed), then no more.
    assert all(s is None for s in states[g + 1:])
    assert prog(intervals[g], pid)["rate"] is None
    assert prog(intervals[g - 1], pid)["rate"]["runs"] > 0
    # Then forgotten (memory stays bounded under churn): the summary sums
    # it with any other program gone before the last interval.
    assert g < len(intervals) - 1
    assert prog(summary, pid) is None
    gone = summary["gone_earlier"]
    assert gone["programs"] >= 1
    assert gone["total"]["runs"] >= sum(prog(i, pid)["rate"]["runs"]
                                        for i in intervals[:g])
    assert gone["rate"]["runs"] == gone["total"]["runs"]


def test_selected_program_unloaded_stays_in_summary(runner):
    """A selection bounds the table by itself: its gone program keeps its
    row in the summary."""
    pid = runner.ids[0]
    p = start_stats("id", pid, "--interval", "0.3", "--count", "6")
    time.sleep(0.7)
    runner.stop()
    rc, out, err = finish(p)
    assert rc == 0, err
    intervals, summary = json_lines(out)
    assert prog(intervals[-1], pid) is None
    assert prog(summary, pid)["state"] == "gone"
    assert prog(summary, pid)["total"]["runs"] > 0
    assert summary["gone_earlier"]["programs"] == 0


def test_program_loaded_mid_run_appears():
    p = start_stats("--interval", "0.3", "--count", "6")
    r = Runner()
    try:
        rc, out, err = finish(p)
    finally:
        r.stop()
    assert rc == 0, err
    intervals, summary = json_lines(out)
    pid = r.ids[0]
    assert prog(intervals[0], pid) is None
    seen = [prog(i, pid) for i in intervals if prog(i, pid)]
    assert seen and seen[-1]["state"] == "live" and seen[-1]["rate"]["runs"] > 0
    assert prog(summary, pid)["total"]["runs"] > 0


def test_zero_runs_show_no_runs_not_nan(idle_runner):
    pid = idle_runner.ids[0]
    out = run("-j", "stats", "id", pid, "--interval", "0.2", "--count", "2", check=True).stdout
    assert "NaN" not in out and "nan" not in out
    intervals, summary = json_lines(out)
    for doc in intervals[1:] + [summary]:
        r = prog(doc, pid)["rate"]
        assert r["runs"] == 0 and r["ns_per_run"] is None and r["runs_per_s"] == 0
    plain = run("stats", "id", pid, "--interval", "0.2", "--count", "2", check=True).stdout
    rows = [l for l in plain.splitlines() if l.split()[:1] == [str(pid)]]
    assert rows and all("no runs" in l for l in rows[1:])
    assert "nan" not in plain.lower()


def test_sysctl_path_restores_zero(runner, sysctl_off):
    p = start_stats("--sysctl", "id", runner.ids[0], "--interval", "0.2", "--count", "3")
    assert sysctl_value() == "1"  # on while we run
    rc, out, err = finish(p)
    assert rc == 0, err
    _, summary = json_lines(out)
    assert summary["stats_via"] == "sysctl"
    assert summary["stats_were_on"] is False
    assert prog(summary, runner.ids[0])["total"]["runs"] > 0
    assert sysctl_value() == "0"


def test_sysctl_path_keeps_one_and_says_already_on(runner, sysctl_on):
    out = run("stats", "--sysctl", "id", runner.ids[0], "--interval", "0.2", "--count", "2",
              check=True).stdout
    assert "via sysctl" in out and "already on" in out
    assert sysctl_value() == "1"
    _, summary = json_lines(run("-j", "stats", "id", runner.ids[0], "--count", "1",
                                "--interval", "0.1", check=True).stdout)
    assert summary["stats_were_on"] is True
    assert sysctl_value() == "1"


def test_stats_held_by_another_process_count_as_already_on(runner, sysctl_off):
    # The sysctl reads 0 while another process holds a BPF_ENABLE_STATS fd:
    # we find the holder's fd, so the counters are known to hold history.
    holder = start_stats("--interval", "1", "--duration", "30")
    try:
        time.sleep(0.3)
        assert sysctl_value() == "0"
        _, summary = json_lines(run("-j", "stats", "id", runner.ids[0], "--count", "1",
                                    "--interval", "0.1", check=True).stdout)
    finally:
        holder.terminate()
        holder.wait(timeout=10)
    assert summary["stats_via"] == "BPF_ENABLE_STATS"
    assert summary["stats_were_on"] is True


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_restores_sysctl(runner, sysctl_off, sig):
    p = start_stats("--sysctl", "--interval", "0.2")
    assert sysctl_value() == "1"
    rc, out, err = finish(p, sig)
    assert rc == 0, err
    _, summary = json_lines(out)
    assert summary["stopped"] is True
    assert sysctl_value() == "0"


@pytest.mark.parametrize("args", [
    ["--interval", "0"], ["--interval", "-1"], ["--count", "-1"], ["--count", "abc"],
    ["--count", "0"], ["--duration", "0"], ["--count", "2", "--duration", "1"],
    ["id", "4000000000"], ["id", "x"], ["name", "no_such_program_xyz"], ["bogus", "1"],
    ["id"], ["--frobnicate"], ["--reader", "foo"], ["--reader", ""], ["--reader", "ITER"],
    ["--reader"],
])
def test_bad_input_one_line_nonzero(args):
    p = run("stats", *args)
    assert p.returncode != 0
    assert p.stdout == ""
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr


def test_readers_agree_on_counters(runner, idle_runner):
    """Same identity and counters from both readers: equal for a program
    that does not run, and for a running one bracketed by the other
    reader's reads (counters only grow)."""
    busy, idle = runner.ids[0], idle_runner.ids[0]

    def snap(reader):
        _, s = json_lines(run("-j", "stats", "id", busy, "id", idle, "--count", "1",
                              "--interval", "10ms", "--reader", reader, check=True).stdout)
        assert s["reader"] == reader
        return {p["id"]: p for p in s["programs"]}

    a, b, c = snap("iter"), snap("syscall"), snap("iter")
    for key in ("name", "full_name", "type", "tag"):
        assert a[idle][key] == b[idle][key] == c[idle][key]
        assert a[busy][key] == b[busy][key]
    assert a[idle]["counters"] == b[idle]["counters"] == c[idle]["counters"]
    runs = [x[busy]["counters"]["run_cnt"] for x in (a, b, c)]
    assert 0 < runs[0] <= runs[1] <= runs[2], runs
    ns = [x[busy]["counters"]["run_time_ns"] for x in (a, b, c)]
    assert 0 < ns[0] <= ns[1] <= ns[2], ns


def test_iterator_program_hidden_and_gone_after(runner):
    """While stats runs its bc_progstats iterator is loaded (bpftool sees
    it) but never listed; the autouse fixture then checks it and its link
    are gone."""
    p = start_stats("--interval", "0.2", "--reader", "iter")
    try:
        listed = json.loads(subprocess.run(["bpftool", "-j", "prog", "show"], check=True,
                                           capture_output=True, text=True).stdout)
        iters = [x["id"] for x in listed if x.get("name") == "bc_progstats"]
        assert iters, "bc_progstats not loaded while stats runs"
    finally:
        rc, out, err = finish(p, signal.SIGTERM)
    assert rc == 0, err
    intervals, summary = json_lines(out)
    for doc in intervals + [summary]:
        names = {x["name"] for x in doc["programs"]}
        assert "bc_progstats" not in names
        assert not set(iters) & {x["id"] for x in doc["programs"]}
    # Every other program is listed: the iterator hides only itself.
    assert runner.ids[0] in {x["id"] for x in summary["programs"]}


def test_auto_reader(runner):
    """auto: iter here (doctor finds it works), but syscall for a single
    interval, where the iterator's load costs more than it saves."""
    for count, reader in (("2", "iter"), ("1", "syscall")):
        p = run("-j", "stats", "id", runner.ids[0], "--count", count, "--interval", "10ms",
                check=True)
        _, summary = json_lines(p.stdout)
        assert summary["reader"] == reader and summary["reader_fallback"] is None
        assert p.stderr == ""


def test_plain_says_which_reader(runner):
    for reader, words in (("iter", "BPF iterator"), ("syscall", "syscalls")):
        out = run("stats", "id", runner.ids[0], "--count", "1", "--interval", "10ms",
                  "--reader", reader, check=True).stdout
        first = out.splitlines()[0]
        assert words in first and f"reader {reader}" in first, first


def test_duration_bounds_the_run(runner):
    t0 = time.time()
    intervals, summary = json_lines(run("-j", "stats", "id", runner.ids[0], "--interval",
                                        "0.3", "--duration", "1", check=True).stdout)
    took = time.time() - t0
    assert 0.9 <= summary["duration_s"] <= 1.3
    assert took < 5
    assert len(intervals) == 4  # 0.3 + 0.3 + 0.3 + 0.1
