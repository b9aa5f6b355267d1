"""What bpfcost leaves behind when it is killed, and how the next run finds
it: the ledger (src/ledger.c) under /run/bpfcost, the tracer command's
parent-death signal and process group, the shared stats sysctl; plus the
smaller exit-path cases (top with a bad TERM, --tracer-log through a
symlink, what the tracer command inherits, perf's sample-rate limit, a
demo column that fails)."""
import json
import os
import pty
import resource
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import BIN, ROOT, RUNNER, AttachRunner, run, sysctl_value

EMPTY = str(ROOT / "build" / "empty.bpf.o")
QUICK = ["--syscalls", "getpid", "--round-time", "0.25"]
MAX_RATE = Path("/proc/sys/kernel/perf_event_max_sample_rate")
SLEEP_MARK = "4321.5"  # a grandchild of bpfcost, found by its command line


def wait_until(cond, timeout, step=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(step)
    return cond()


def alive(pid):
    """Running (a zombie waiting for its reaper counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def comm(pid):
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def children(pid):
    r = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(p) for p in r.stdout.split()]


def pgrep(pattern):
    r = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True)
    return [int(p) for p in r.stdout.split()]


@pytest.fixture
def stats_sysctl_off():
    if sysctl_value() != "0":
        pytest.skip("kernel.bpf_stats_enabled is on already (another process holds it)")


def start_stats_sysctl():
    """bpfcost stats --sysctl in the background, returned once stats are on
    (its first line is printed after that)."""
    p = subprocess.Popen([BIN, "stats", "--sysctl", "--interval", "0.2", "--duration", "60"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    assert "run-time stats via sysctl" in line, line + p.stderr.read()
    return p


# ---- kill -9 ------------------------------------------------------------

def test_kill9_during_overhead_command_leaves_nothing():
    """The tracer command dies with bpfcost (parent-death signal); what it
    started in its process group is killed by the next bpfcost start, which
    says so."""
    cmd = f"sleep {SLEEP_MARK} & exec {RUNNER} {EMPTY}"
    p = subprocess.Popen([BIN, "overhead", *QUICK, "--rounds", "100", "--", "sh", "-c", cmd],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    tracer = []
    while not tracer and time.time() < deadline:
        tracer = [c for c in children(p.pid) if comm(c) == "attach_runner"]
        time.sleep(0.02)
    assert tracer, "the tracer command never started"
    sleeper = pgrep(f"^sleep {SLEEP_MARK}$")
    assert sleeper
    p.kill()
    p.wait()
    p.stderr.close()
    t0 = time.time()
    assert wait_until(lambda: not alive(tracer[0]), 2), "tracer outlived bpfcost by 2 s"
    print(f"tracer gone {time.time() - t0:.3f} s after the kill")
    # A grandchild gets no parent-death signal: the ledger's record of the
    # group is what finds it.
    assert alive(sleeper[0])
    r = run("prog")
    assert r.returncode == 0, r.stderr
    assert (f"bpfcost {p.pid} is gone: killed its tracer, process group {tracer[0]} (sh)"
            in r.stderr), r.stderr
    assert wait_until(lambda: not alive(sleeper[0]), 2)
    assert not Path(f"/run/bpfcost/{p.pid}.run").exists()
    # Said once: the record is gone with what it described.
    assert "is gone" not in run("prog").stderr


def test_kill9_during_stats_sysctl_is_restored_at_next_start(stats_sysctl_off):
    p = start_stats_sysctl()
    assert sysctl_value() == "1"
    p.kill()
    p.wait()
    assert sysctl_value() == "1"  # nothing of that run could restore it
    r = run("prog")
    assert r.returncode == 0, r.stderr
    assert f"bpfcost {p.pid} is gone: restored kernel.bpf_stats_enabled to 0" in r.stderr
    assert sysctl_value() == "0"


def test_last_sysctl_holder_restores(stats_sysctl_off):
    """A second --sysctl run keeps stats on when the first one leaves; the
    last one out switches them off."""
    a = start_stats_sysctl()
    b = start_stats_sysctl()
    a.send_signal(signal.SIGINT)
    assert a.wait(timeout=30) == 0, a.stderr.read()
    assert sysctl_value() == "1", "the first run out switched stats off under the second"
    b.send_signal(signal.SIGINT)
    assert b.wait(timeout=30) == 0, b.stderr.read()
    assert sysctl_value() == "0"
    for p in (a, b):
        p.stdout.close()
        p.stderr.close()


def test_record_of_a_gone_run_with_nothing_left_is_quiet(tmp_path):
    """A record whose run is gone and whose things are gone too: removed,
    with nothing to say."""
    env = dict(os.environ, BPFCOST_LEDGER_DIR=str(tmp_path))
    dead = subprocess.Popen(["true"])
    dead.wait()
    boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    (tmp_path / f"{dead.pid}.run").write_text(
        f"bpfcost-ledger 1\nrun {dead.pid} 1 {boot} 1\nchild {dead.pid} 1 gone-tracer\n")
    (tmp_path / "77.run").write_text("not a ledger\n")
    r = run("prog", env=env)
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip() == f"bpfcost: note: removed {tmp_path}/77.run: not a bpfcost record"
    assert not list(tmp_path.glob("*.run"))


# ---- smaller exit paths ----------------------------------------------------

def test_top_with_unknown_term_restores_the_sysctl(stats_sysctl_off):
    master, slave = pty.openpty()
    env = dict(os.environ, TERM="bpfcost-no-such-terminal")
    try:
        p = subprocess.run([BIN, "top", "--sysctl"], stdin=slave, stdout=slave,
                           stderr=subprocess.PIPE, env=env, text=True, timeout=30)
    finally:
        os.close(slave)
        os.close(master)
    assert p.returncode != 0
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert "TERM=bpfcost-no-such-terminal" in lines[0]
    assert sysctl_value() == "0"


def test_tracer_log_symlink_is_refused(tmp_path):
    target = tmp_path / "target"
    target.write_text("keep\n")
    link = tmp_path / "tracer.log"
    link.symlink_to(target)
    r = run("overhead", *QUICK, "--tracer-log", link, "--", "sleep", "9.75")
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "symbolic link" in lines[0], r.stderr
    assert target.read_text() == "keep\n"
    assert not pgrep("sleep 9.75")


def process_view(pid):
    """What a process was given: its ignored and blocked signal masks, its
    soft fd limit and its open fds, read from /proc."""
    status = dict(l.split(":", 1) for l in Path(f"/proc/{pid}/status").read_text().splitlines())
    limits = Path(f"/proc/{pid}/limits").read_text().splitlines()
    nofile = next(l.split()[3] for l in limits if l.startswith("Max open files"))
    return (int(status["SigIgn"], 16), int(status["SigBlk"], 16), int(nofile),
            [(fd, os.readlink(f"/proc/{pid}/fd/{fd}"))
             for fd in sorted(os.listdir(f"/proc/{pid}/fd"), key=int)])


def test_tracer_gets_default_sigpipe_our_fd_limit_and_no_fds():
    """bpfcost ignores SIGPIPE and the workload raises its fd limit (8
    threads need more than 100): the command must get neither, nor any fd
    of ours."""
    def low_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (100, resource.getrlimit(
            resource.RLIMIT_NOFILE)[1]))

    p = subprocess.Popen([BIN, "overhead", *QUICK, "--rounds", "4", "--decomp-rounds", "0",
                          "--threads", "8", "--ready-after", "0.3", "--", "sleep", "7.25"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                         preexec_fn=low_limit)
    # comm turns "sleep" at exec, before the dynamic loader has opened and
    # closed libc (as fd 3): look once the command has lived 0.2 s.
    seen, first = {}, {}
    while p.poll() is None:
        for c in children(p.pid):
            if c in seen or comm(c) != "sleep":
                continue
            first.setdefault(c, time.monotonic())
            if time.monotonic() - first[c] < 0.2:
                continue
            try:
                seen[c] = process_view(c)
            except (OSError, StopIteration, KeyError):
                pass  # stopped meanwhile
        time.sleep(0.02)
    assert p.returncode == 0, p.stderr.read()
    p.stderr.close()
    assert len(seen) >= 2, seen
    for ignored, blocked, nofile, fds in seen.values():
        assert not ignored & (1 << (signal.SIGPIPE - 1)), f"SIGPIPE ignored: {ignored:#x}"
        assert blocked == 0, f"signals blocked: {blocked:#x}"
        assert nofile == 100
        assert [fd for fd, _ in fds] == ["0", "1", "2"], fds


def set_max_rate(value):
    MAX_RATE.write_text(f"{value}\n")


@pytest.fixture
def low_max_sample_rate():
    """kernel.perf_event_max_sample_rate at 500 Hz for one test."""
    old = MAX_RATE.read_text().strip()
    set_max_rate(500)
    yield 500
    set_max_rate(old)


def test_freq_above_max_sample_rate_names_the_sysctl(low_max_sample_rate):
    runner = AttachRunner(EMPTY)
    try:
        r = run("annotate", "id", runner.ids[0], "--freq", "2000", "--duration", "1")
    finally:
        runner.stop()
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "sampling at 2000 Hz is above kernel.perf_event_max_sample_rate (500)" in lines[0]


def test_demo_keeps_the_other_columns_when_sampling_fails(low_max_sample_rate):
    """The demo samples at 1 kHz: above the limit, its annotate column
    fails; the stats, A/B and every other column stay (8 s a weight: the
    budget that holds getpid's fewest A/B rounds)."""
    why = ("failed at every weight: sampling at 1000 Hz is above "
           "kernel.perf_event_max_sample_rate (500)")
    r = run("-j", "demo", "--duration", "8", "--syscalls", "getpid")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["skipped"] == [{"method": "annotate", "state": "skipped", "why": why}]
    for w in doc["weights"]:
        assert w["cpu_pct_sampled"] is None
        assert w["runs"] > 0 and w["ab_getpid_added_ns"]["point"] is not None
    r = run("demo", "--duration", "8", "--syscalls", "getpid")
    assert r.returncode == 0, r.stderr
    assert f"annotate: skipped: {why}" in r.stdout
    methods = r.stdout.split("Cost per syscall and CPU share, by method:", 1)[1]
    rows = [l.split() for l in methods.splitlines() if l.split()[:1] in (["count"], ["proc"])]
    assert rows and all(row[-1] == "skipped" for row in rows if len(row) > 8), r.stdout
