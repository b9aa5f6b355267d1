"""Owners (issue 13, section 1): which processes hold each program, through
a program fd, a link fd or a perf event fd with the program attached, and
the pid/comm selectors. The holders are tests/helpers/attach_runner in its
several modes and the reference service (`bpfcost sysmon`); both ways of
finding them are checked: /proc (prog, stats --count 1) and the
iter/task_file iterator (stats and top over several passes)."""
import json
import os
import signal
import subprocess
import tempfile
import time

import pytest

from conftest import BIN, ROOT, RUNNER, AttachRunner, loaded_progs, run, run_json

EMPTY = ROOT / "build" / "empty.bpf.o"
UPROBE = ROOT / "build" / "testuprobe.bpf.o"


@pytest.fixture
def bpffs():
    """A private bpffs mount; what the test pinned is removed, and the mount
    (the kernel's own preloaded *.debug iterators cannot be unlinked)."""
    d = tempfile.mkdtemp(prefix="bpfcost-owners-")
    subprocess.run(["mount", "-t", "bpf", "bpf", d], check=True)
    before = set(os.listdir(d))
    try:
        yield d
    finally:
        for f in set(os.listdir(d)) - before:
            os.unlink(os.path.join(d, f))
        subprocess.run(["umount", d])
        os.rmdir(d)


@pytest.fixture
def runners():
    started = []

    def start(*a, **kw):
        r = AttachRunner(*a, **kw)
        started.append(r)
        return r
    yield start
    for r in started:
        r.stop()


def prog_doc(*sel):
    return {p["id"]: p for p in run_json("prog", *sel)["programs"]}


def stats_doc(*args):
    """The summary of `bpfcost -j stats ARGS`."""
    p = run("-j", "stats", "--interval", "100ms", *args, check=True)
    return json.loads(p.stdout.splitlines()[-1])


def owners_of(doc_prog):
    return [(o["pid"], o["comm"], sorted(o["via"])) for o in doc_prog["owners"]]


def test_attach_runner_owns_its_programs(runners):
    r = runners(EMPTY)
    (pid, (pid_id,)) = r.p.pid, r.ids
    want = [(pid, "attach_runner", ["link", "prog"])]
    p = prog_doc("id", pid_id)[pid_id]
    assert owners_of(p) == want and p["owners_total"] == 1 and p["pinned"] is None
    out = run("prog", "id", pid_id, check=True).stdout.splitlines()
    assert out[0].split()[-1] == "OWNER"
    assert out[1].endswith(f"  {pid}/attach_runner")
    # /proc (one pass) and the iterator (several) agree.
    once = stats_doc("--count", "1", "id", pid_id)
    many = stats_doc("--count", "2", "id", pid_id)
    assert once["owners_via"] == "proc" and many["owners_via"] == "iter"
    for d in (once, many):
        assert [owners_of(q) for q in d["programs"]] == [want]
    frame = run("top", "-b", "--count", "2", "--interval", "100ms", "id", pid_id,
                check=True).stdout
    assert "OWNER" in frame and f" {pid}/attach_runner" in frame


def test_program_held_only_through_a_link(runners):
    r = runners(EMPTY, extra=["--links-only"])
    pid = r.p.pid
    p = prog_doc("pid", pid)
    assert list(p) == r.ids
    assert owners_of(p[r.ids[0]]) == [(pid, "attach_runner", ["link"])]
    d = stats_doc("--count", "2", "pid", pid)
    assert [owners_of(q) for q in d["programs"]] == [[(pid, "attach_runner", ["link"])]]


def test_program_held_only_through_a_perf_event(runners):
    """A uprobe program attached with PERF_EVENT_IOC_SET_BPF, its program fd
    closed: the perf event fd is the only hold. Its fdinfo does not show the
    program; /proc finds it with BPF_TASK_FD_QUERY, the iterator through
    the perf event's prog."""
    if not os.path.exists("/sys/bus/event_source/devices/uprobe"):
        pytest.skip("no uprobe PMU on this kernel")
    r = runners(UPROBE, extra=["--uprobe-ioctl"])
    pid = r.p.pid
    want = [(pid, "attach_runner", ["perf_event"])]
    p = prog_doc("pid", pid)
    assert list(p) == r.ids and owners_of(p[r.ids[0]]) == want
    d = stats_doc("--count", "2", "pid", pid)
    assert d["owners_via"] == "iter"
    assert [owners_of(q) for q in d["programs"]] == [want]


def test_pinned_program_without_a_process(bpffs):
    pin = f"{bpffs}/p"
    subprocess.run(["bpftool", "prog", "load", str(EMPTY), pin], check=True)
    p = prog_doc("pinned", pin)
    (q,) = p.values()
    assert q["owners"] == [] and q["owners_total"] == 0 and q["pinned"] == pin
    line = run("prog", "pinned", pin, check=True).stdout.splitlines()[1]
    assert line.endswith(f"  pinned: {pin}")
    d = stats_doc("--count", "2", "pinned", pin)
    assert d["programs"][0]["pinned"] == pin and d["programs"][0]["owners"] == []


def test_pinned_link_owns_a_program_after_its_process_exits(bpffs, runners):
    """The loader pinned its links and is gone: the program is held by the
    pinned link only, and says so."""
    r = runners(EMPTY, extra=["--pin-links", bpffs])
    prog_id = r.ids[0]
    r.stop()
    link_pin = f"{bpffs}/bc_empty"
    p = prog_doc("id", prog_id)[prog_id]
    assert p["owners"] == [] and p["pinned"] == link_pin
    assert run("prog", "pinned", link_pin, check=True).stdout.splitlines()[1].endswith(
        f"  pinned: {link_pin}")


def test_comm_selects_every_process_sharing_a_program(bpffs, runners):
    """Two processes hold one pinned program, a third holds another: comm
    names all three, pid one; the shared program lists both owners."""
    pin = f"{bpffs}/shared"
    subprocess.run(["bpftool", "prog", "load", str(EMPTY), pin], check=True)
    a = runners(pin, extra=["--hold-pinned"])
    b = runners(pin, extra=["--hold-pinned"])
    c = runners(EMPTY)
    shared = a.ids[0]
    assert b.ids == [shared]
    p = run("-j", "prog", "comm", "attach_runner", check=True)
    progs = {q["id"]: q for q in json.loads(p.stdout)["programs"]}
    assert set(progs) == {shared, c.ids[0]}
    assert "comm 'attach_runner' names 3 processes" in p.stderr
    assert [o[0] for o in owners_of(progs[shared])] == sorted([a.p.pid, b.p.pid])
    assert progs[shared]["pinned"] == pin
    line = [l for l in run("prog", "id", shared, check=True).stdout.splitlines()
            if l.split()[0] == str(shared)][0]
    lo, hi = sorted([a.p.pid, b.p.pid])
    assert line.endswith(f"  {lo}/attach_runner,{hi}/attach_runner")
    assert list(prog_doc("pid", b.p.pid)) == [shared]
    d = stats_doc("--count", "2", "comm", "attach_runner")
    assert sorted(q["id"] for q in d["programs"]) == sorted([shared, c.ids[0]])
    assert {q["id"]: q["owners_total"] for q in d["programs"]} == {shared: 2, c.ids[0]: 1}


def test_reference_service_as_owner():
    """`bpfcost sysmon -w count` in the background: its programs are
    selected by its pid and by its comm, and their owner is it."""
    s = subprocess.Popen([BIN, "sysmon", "-w", "count", "-i", "1h"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        # While it starts, libbpf's feature probes come and go: wait for
        # its program to be attached.
        deadline = time.time() + 20
        while True:
            p = run("-j", "prog", "pid", s.pid)
            progs = json.loads(p.stdout)["programs"] if p.returncode == 0 else []
            if any(q["attach"] for q in progs) or time.time() > deadline:
                break
            time.sleep(0.2)
        assert p.returncode == 0, p.stderr
        assert [q["full_name"] for q in progs] == ["sysmon_cnt_enter"]
        assert owners_of(progs[0]) == [(s.pid, "bpfcost", ["link", "prog"])]
        d = stats_doc("--count", "2", "pid", s.pid)
        assert [q["full_name"] for q in d["programs"]] == ["sysmon_cnt_enter"]
        assert owners_of(d["programs"][0]) == [(s.pid, "bpfcost", ["link", "prog"])]
        # comm bpfcost: the service, never the bpfcost doing the selecting.
        p = run("-j", "prog", "comm", "bpfcost", check=True)
        assert [q["full_name"] for q in json.loads(p.stdout)["programs"]] == ["sysmon_cnt_enter"]
    finally:
        s.send_signal(signal.SIGTERM)
        assert s.wait(timeout=30) == 0, s.stderr.read()
        s.stderr.close()


@pytest.mark.parametrize("args,msg", [
    (["pid", "0"], "invalid process id"),
    (["pid", "abc"], "invalid process id"),
    (["pid", "2147483648"], "invalid process id"),
    (["pid", "2147483647"], "no process 2147483647"),
    (["pid", str(os.getpid())], f"process {os.getpid()} holds no BPF program"),
    (["comm", ""], "empty process name"),
    (["comm", "bc_no_such_comm"], "no process named 'bc_no_such_comm'"),
    (["comm", "init"], "holds a BPF program"),
])
def test_bad_owner_selectors(args, msg):
    if args == ["comm", "init"] and not os.path.exists("/proc/1/comm"):
        pytest.skip("no /proc/1")
    if args == ["comm", "init"]:
        comm1 = open("/proc/1/comm").read().strip()
        args = ["comm", comm1]
        msg = f"no process named '{comm1}' holds a BPF program"
    p = run("prog", *args)
    assert p.returncode != 0
    assert msg in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr


# ---- the overhead tracer (issue 13, section 4): links and pinned links ----

OH_QUICK = ["--syscalls", "getpid", "--round-time", "0.25", "--rounds", "4"]


def test_tracer_holding_only_links_is_ready():
    """A tracer command that closed its program fds and keeps only its link
    fds is ready (its program found through the link) and its programs are
    the ones the decomposition reads."""
    p = run("-j", "overhead", *OH_QUICK, "--decomp-rounds", "1", "--ready-timeout", "10",
            "--", RUNNER, "--links-only", str(EMPTY), timeout=120)
    assert p.returncode == 0, p.stderr
    r = json.loads(p.stdout)
    assert r["tracer"]["programs"] == 1 and r["tracer"]["starts"] == 6
    assert r["decomposition"]["bpf_runs"] > 0, r["decomposition"]


@pytest.mark.parametrize("exit_ready,msg", [
    (False, "BPF programs are still attached after it stopped (program {id} is held by "
            "the pin {pin})"),
    (True, "exited leaving BPF programs attached through bpffs pins (program {id} is held "
           "by the pin {pin})"),
])
def test_tracer_with_pinned_links_is_refused(bpffs, exit_ready, msg):
    """Pinned links keep the tracer's programs attached after it stopped,
    whether it runs (holding links too) or pins them and exits: every off
    round would be traced, so overhead refuses in one line."""
    before = set(loaded_progs())
    p = run("overhead", *OH_QUICK, "--decomp-rounds", "0", "--ready-timeout", "10", "--",
            RUNNER, "--pin-links", bpffs, *(["--exit"] if exit_ready else []), str(EMPTY),
            timeout=120)
    assert p.returncode != 0
    (new,) = set(loaded_progs()) - before
    pin = f"{bpffs}/bc_empty"
    assert msg.format(id=new, pin=pin) in p.stderr, p.stderr
    assert "refusing" in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
