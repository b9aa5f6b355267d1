"""Plain tables with long program names and attach points (issue 14): every
column after NAME or ATTACH stays under its header, whatever the length,
and nothing is cut silently; and the attach point of a program attached
through a perf event (bpftrace's tracepoints: perf_event_open and
PERF_EVENT_IOC_SET_BPF, no link), found with BPF_TASK_FD_QUERY."""
import json
import re
import shutil
import signal
import subprocess
import time

import pytest

from conftest import ROOT, AttachRunner, loaded_progs, run

LONGNAME = ROOT / "build" / "longname.bpf.o"
TPBTF = ROOT / "build" / "tpbtf.bpf.o"
LONG = "bc_test_program_with_a_name_longer_than_columns"
BT_ATTACH = "tracepoint:syscalls:sys_enter_openat"
# bpftrace finds tracepoints through tracefs, which this host does not
# mount: a private mount namespace for it
BPFTRACE = ["unshare", "-m", "sh", "-c", "mount -t tracefs none /sys/kernel/tracing && exec "
            "bpftrace -e 'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }'"]


def spans(line):
    return [(m.start(), m.end()) for m in re.finditer(r"\S+", line)]


def assert_aligned(out, header_re, row_res, left=(), right=()):
    """The first table whose header matches header_re (to the next blank
    line): in each row matching one of row_res, the columns named in left
    start, and those in right end, where their headers do (values without
    spaces: one token per column)."""
    lines = out.splitlines()
    at = [i for i, x in enumerate(lines) if re.match(header_re, x)]
    assert at, out
    header = lines[at[0]]
    names = header.split()
    hs = spans(header)
    body = lines[at[0] + 1:]
    body = body[:body.index("")] if "" in body else body
    rows = [x for x in body if any(re.match(r, x) for r in row_res)]
    assert len(rows) == len(row_res), (row_res, out)
    for row in rows:
        rs = spans(row)
        for col in left:
            k = [i for i, n in enumerate(names) if n.lstrip("^v") == col][0]
            assert rs[k][0] == hs[k][0], (col, header, row)
        for col in right:
            k = [i for i, n in enumerate(names) if n.lstrip("^v") == col][0]
            assert rs[k][1] == hs[k][1], (col, header, row)


@pytest.fixture(scope="module")
def two():
    """A program with a 47-character name and one with a short one."""
    a = AttachRunner(LONGNAME)
    b = AttachRunner(TPBTF)
    yield a.ids[0], b.ids[0]
    b.stop()
    a.stop()


def rows_of(ids):
    return [rf"^ *{i} " for i in ids]


def test_prog_long_name(two):
    out = run("prog", "id", two[0], "id", two[1], check=True).stdout
    assert LONG in out, out
    assert_aligned(out, r"^ +ID +TYPE", rows_of(two), left=("NAME", "TAG", "ATTACH", "OWNER"),
                   right=("JITED",))


def test_stats_long_name(two):
    out = run("stats", "id", two[0], "id", two[1], "--interval", "0.2", "--count", "1",
              check=True).stdout
    assert LONG in out, out
    assert_aligned(out, r"^ +ID +TYPE", rows_of(two), left=("TYPE", "NAME"), right=("RUNS",))


def test_top_long_name(two):
    out = run("top", "-b", "id", two[0], "id", two[1], "--interval", "0.2", "--count", "1",
              check=True).stdout
    assert LONG in out, out
    assert_aligned(out, r"^ +v?ID +v?TYPE", rows_of(two), left=("TYPE", "NAME"),
                   right=("RUNS/S",))


def test_report_long_name(two):
    out = run("report", "--duration", "2s", "--syscalls", "getpid", "id", two[0], "id", two[1],
              check=True, timeout=60).stdout
    assert LONG in out, out
    # PROGRAMS, then the facts table (ID NAME TYPE ATTACH OWNER MISSES)
    assert_aligned(out, r"^  ID +NAME +RUNS/S", [rf"^  {i} +\S+ +[0-9]" for i in two],
                   left=("NAME",), right=("RUNS/S", "NS/RUN", "CPU%"))
    assert_aligned(out, r"^  ID +NAME +TYPE", [rf"^  {i} +\S+ +tracing" for i in two],
                   left=("TYPE", "ATTACH", "OWNER"), right=("MISSES",))


@pytest.fixture
def bpftrace():
    """bpftrace on sys_enter_openat, its program attached through a perf
    event; its program id once loaded."""
    if not shutil.which("bpftrace"):
        pytest.skip("bpftrace not installed")
    before = set(loaded_progs())
    p = subprocess.Popen(BPFTRACE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    ids = []
    try:
        for _ in range(100):
            ids = [i for i, n in loaded_progs().items()
                   if i not in before and n.startswith("sys_enter_open")]
            if ids:
                break
            time.sleep(0.1)
        assert ids, "bpftrace loaded no program"
        time.sleep(0.3)	# attached after loaded
        yield ids[0]
    finally:
        p.send_signal(signal.SIGINT)
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def test_perf_event_attach_in_prog(bpftrace):
    out = run("prog", "id", bpftrace, check=True).stdout
    assert re.search(rf"^ *{bpftrace} .* {BT_ATTACH} ", out, re.M), out
    assert_aligned(out, r"^ +ID +TYPE", [rf"^ *{bpftrace} "], left=("ATTACH", "OWNER"),
                   right=("BTF", "JITED"))
    doc = json.loads(run("-j", "prog", "id", bpftrace, check=True).stdout)
    progs = doc if isinstance(doc, list) else doc["programs"]
    assert [x["attach"] for x in progs if x["id"] == bpftrace] == [BT_ATTACH], progs


def test_perf_event_attach_in_stats_and_top(bpftrace):
    out = run("stats", "id", bpftrace, "--interval", "0.2", "--count", "1", check=True).stdout
    assert re.search(rf"^ *{bpftrace} +tracepoint +\S+ +{BT_ATTACH} ", out, re.M), out
    assert_aligned(out, r"^ +ID +TYPE", [rf"^ *{bpftrace} "], left=("ATTACH",),
                   right=("RUNS",))
    lines = run("-j", "stats", "id", bpftrace, "--interval", "0.2", "--count", "1",
                check=True).stdout.splitlines()
    summary = json.loads(lines[-1])
    assert [x["attach"] for x in summary["programs"]] == [BT_ATTACH], summary
    out = run("top", "-b", "id", bpftrace, "--interval", "0.2", "--count", "1",
              check=True).stdout
    assert re.search(rf"^ *{bpftrace} +tracepoint +\S+ +{BT_ATTACH} ", out, re.M), out


def test_perf_event_attach_in_report(bpftrace):
    p = run("-j", "report", "--duration", "2s", "--syscalls", "openat", "id", bpftrace,
            check=True, timeout=60)
    doc = json.loads(p.stdout)
    assert [x["attach"] for x in doc["programs"]] == [BT_ATTACH], doc["programs"]
    out = run("report", "--duration", "2s", "--syscalls", "openat", "id", bpftrace,
              check=True, timeout=60).stdout
    assert_aligned(out, r"^  ID +NAME +TYPE", [rf"^  {bpftrace} "],
                   left=("TYPE", "ATTACH", "OWNER"), right=("MISSES",))
    assert re.search(rf"^  {bpftrace} +\S+ +tracepoint +{BT_ATTACH} ", out, re.M), out


@pytest.mark.skipif(not shutil.which("bpftrace"), reason="bpftrace not installed")
def test_compare_long_name_and_attach():
    """compare's per-program table: A a program with a long name, B bpftrace
    with a long attach point (a perf-event tracepoint)."""
    a = [str(ROOT / "build" / "tests" / "attach_runner"), str(LONGNAME)]
    b = ["unshare", "-m", "sh", "-c", "mount -t tracefs none /sys/kernel/tracing && exec "
         "bpftrace -e 'tracepoint:syscalls:sys_enter_getpid { @n = count(); }'"]
    out = run("compare", "--syscalls", "getpid", "--rounds", "3", "--round-time", "0.2",
              "--stats-rounds", "1", "--no-lines", "--", *a, "--vs", *b, check=True,
              timeout=180).stdout
    assert_aligned(out, r"^NAME +ATTACH", [rf"^{LONG} ", r"^sys_enter_getpi "],
                   left=("ATTACH",), right=("A_CORR_NS", "B_CORR_NS", "B/A"))
    assert re.search(r"^sys_enter_getpi +tracepoint:syscalls:sys_enter_getpid ", out, re.M), out
