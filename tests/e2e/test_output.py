"""Where the output goes, and what goes in it, for every command:

- a reader that goes away (`bpfcost stats | head -3`) stops a streaming
  command at its next write, through its normal cleanup, with a non-zero
  exit and no message (EPIPE is no surprise); the autouse fixture then
  checks that programs, links, the stats sysctl and kprobe events are as
  found;
- any other failed write (ENOSPC on /dev/full) is one line on stderr and
  exit status 1;
- global options (-j, -p, -v) count only before the command word;
- names from outside (a comm set with PR_SET_NAME) reach the terminal
  escaped, never as raw control characters."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import BIN, ROOT, AttachRunner, run, sysctl_value

EMPTY = str(ROOT / "build" / "empty.bpf.o")

# Long enough that only a stop on the failed write ends them in time.
STREAMING = {
    "stats": ["stats", "--interval", "200ms"],
    "stats-sysctl": ["stats", "--interval", "200ms", "--sysctl"],
    "stats-json": ["-j", "stats", "--interval", "200ms"],
    "top-batch": ["top", "-b", "--interval", "200ms", "--sysctl"],
    "sysmon": ["sysmon", "-w", "count", "-i", "200ms"],
    "sysmon-json": ["-j", "sysmon", "-w", "proc", "-i", "200ms"],
    # Events come from the drain thread; the summaries only every minute.
    "sysmon-print": ["sysmon", "-w", "events", "--print", "-i", "60s"],
    "sysmon-print-json": ["-j", "sysmon", "-w", "events", "--print", "-i", "60s"],
}
# How long a streaming command may take to notice and clean up.
PROMPT_S = 5


def stop_group(p):
    """A test that failed must still leave the system as found: SIGTERM is
    what bpfcost restores state on (SIGKILL would leave the sysctl)."""
    if p.poll() is None:
        os.killpg(p.pid, signal.SIGTERM)
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


@pytest.mark.parametrize("name", sorted(STREAMING))
def test_reader_gone_stops_streaming_command(name):
    p = subprocess.Popen([BIN] + STREAMING[name], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    # --print writes one line per syscall of any process into a pipe (fully
    # buffered): on an idle host the first line took 20 s, 62 s under ASan.
    # A paced workload fills the buffer at once.
    busy = subprocess.Popen([BIN, "load", "--syscalls", "getpid", "--rate", "20000",
                             "--duration", "30"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL) if "--print" in STREAMING[name] else None
    try:
        assert p.stdout.readline(), p.stderr.read().decode()
        p.stdout.close()  # the reader goes away, as head does
        t0 = time.monotonic()
        rc = p.wait(timeout=PROMPT_S + 10)
        took = time.monotonic() - t0
    finally:
        stop_group(p)
        if busy:
            busy.terminate()
            busy.wait(timeout=10)
    err = p.stderr.read().decode()
    assert rc == 1, err
    assert took < PROMPT_S, f"{name} took {took:.1f} s to stop"
    assert "cannot write" not in err, err


@pytest.mark.parametrize("json_out", [False, True])
def test_stats_into_head_ends(json_out):
    """Failing input 2 of issue 11, as typed at a shell."""
    before = sysctl_value()
    cmd = f"'{BIN}' {'-j ' if json_out else ''}stats --interval 200ms --sysctl | head -3"
    p = subprocess.Popen(["bash", "-o", "pipefail", "-c", cmd], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = p.communicate(timeout=PROMPT_S + 10)
    finally:
        stop_group(p)
    assert len(out.splitlines()) == 3
    assert p.returncode == 1, err
    assert err == ""
    assert sysctl_value() == before


# One-shot commands with short runs; each writes its report at the end.
ONE_SHOT = {
    "prog": ["prog"],
    "doctor": ["doctor"],
    "load": ["load", "--duration", "0.2"],
    "stats": ["stats", "--count", "1", "--interval", "100ms", "--sysctl"],
    "top": ["top", "-b", "--count", "1", "--interval", "100ms", "--sysctl"],
    "sysmon": ["sysmon", "-w", "count", "-d", "0.3"],
    "annotate": ["annotate", "--top", "--duration", "0.3", "--freq", "100"],
    "overhead": ["overhead", "--sysmon", "count", "--syscalls", "getpid", "--round-time",
                 "0.1", "--rounds", "4", "--decomp-rounds", "0"],
    "help": ["stats", "--help"],
    "version": ["--version"],
}


NO_JSON = ("top", "help", "version")


@pytest.mark.parametrize("name,json_out", [(n, False) for n in sorted(ONE_SHOT)] +
                         [(n, True) for n in sorted(ONE_SHOT) if n not in NO_JSON])
def test_full_disk_is_one_line_and_exit_1(name, json_out):
    args = ONE_SHOT[name]
    with open("/dev/full", "w") as full:
        p = subprocess.run([BIN] + (["-j"] if json_out else []) + args, stdout=full,
                           stderr=subprocess.PIPE, text=True, timeout=120)
    assert p.returncode == 1, p.stderr
    lines = p.stderr.splitlines()
    errors = [l for l in lines if "cannot write" in l]
    assert errors == ["bpfcost: cannot write the output: No space left on device"], p.stderr
    assert lines[-1] == errors[0], p.stderr  # the last word, after any notes


def test_demo_full_disk():
    with open("/dev/full", "w") as full:
        p = subprocess.run([BIN, "demo", "--duration", "2", "--syscalls", "getpid"],
                           stdout=full, stderr=subprocess.PIPE, text=True, timeout=300)
    assert p.returncode == 1, p.stderr
    assert p.stderr.splitlines()[-1] == \
        "bpfcost: cannot write the output: No space left on device", p.stderr


# ---- global options ----

def test_global_options_only_before_the_command():
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        # Failing input 3 of issue 11: -p is sysmon's --pid here.
        r = run("sysmon", "-w", "count", "-p", sleeper.pid, "--duration", "1")
        assert r.returncode == 0, r.stderr
        assert "sysmon (count)" in r.stdout  # plain: -p did not turn on JSON
    finally:
        sleeper.kill()
        sleeper.wait()
    assert json.loads(run("-j", "prog", check=True).stdout)["programs"] is not None
    json.loads(run("-p", "prog", check=True).stdout)
    r = run("prog", "-j")
    assert r.returncode == 2 and "invalid option -- 'j'" in r.stderr, r.stderr
    r = run("doctor", "--json")
    assert r.returncode == 2 and "unrecognized option '--json'" in r.stderr, r.stderr
    r = run("--frobnicate", "prog")
    assert r.returncode == 2 and "unknown option '--frobnicate'" in r.stderr, r.stderr


def test_selector_ids_are_decimal():
    runner = AttachRunner(EMPTY, attach=False)
    try:
        pid = runner.ids[0]
        assert pid >= 8  # else octal and decimal read alike
        # "id 0N" is program N: a leading zero does not make it octal.
        (p,) = json.loads(run("-j", "prog", "id", f"0{pid}", check=True).stdout)["programs"]
        assert p["id"] == pid
    finally:
        runner.stop()
    for args in (["prog", "id", "0x10"], ["prog", "id", "+16"], ["stats", "--count", "0x2"],
                 ["load", "--count", "0x10"], ["annotate", "--top", "--freq", "0x10"]):
        r = run(*args)
        assert r.returncode == 2 and "decimal" in r.stderr, (args, r.stderr)


# ---- names from outside, escaped ----

EVIL = b"\x1b[31mevil"
ESCAPED = b"\\x1b[31mevil"
# Names itself with an escape sequence, then either spins on getpid or
# holds run-time stats on (BPF_ENABLE_STATS), as a stats holder would.
EVIL_HELPER = r"""
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
assert libc.prctl(15, ctypes.c_char_p(b"\x1b[31mevil"), 0, 0, 0) == 0  # PR_SET_NAME
if sys.argv[1] == "hold-stats":
    attr = ctypes.c_uint32(0)  # BPF_STATS_RUN_TIME
    fd = libc.syscall(321, 32, ctypes.byref(attr), 4)  # bpf(BPF_ENABLE_STATS), x86-64
    assert fd >= 0, os.strerror(ctypes.get_errno())
print("ready", flush=True)
end = time.time() + float(sys.argv[2])
while time.time() < end:
    if sys.argv[1] == "spin":
        os.getppid()
    else:
        time.sleep(0.1)
"""


class Evil:
    def __init__(self, mode, secs=60):
        self.p = subprocess.Popen([sys.executable, "-c", EVIL_HELPER, mode, str(secs)],
                                  stdout=subprocess.PIPE)
        assert self.p.stdout.readline() == b"ready\n"
        comm = open(f"/proc/{self.p.pid}/comm", "rb").read()
        assert comm == EVIL + b"\n"

    def stop(self):
        self.p.kill()
        self.p.wait()
        self.p.stdout.close()


def assert_escaped(out, err):
    assert b"\x1b" not in out and b"\x1b" not in err
    assert ESCAPED in out, out[-2000:]


def test_sysmon_print_escapes_comm():
    evil = Evil("spin")
    try:
        r = subprocess.run([BIN, "sysmon", "-w", "events", "--print", "--comm", EVIL,
                            "-d", "1"], capture_output=True, timeout=60)
    finally:
        evil.stop()
    assert r.returncode == 0, r.stderr
    assert_escaped(r.stdout, r.stderr)
    rows = [l.split() for l in r.stdout.splitlines()]
    pid = b"%d" % evil.p.pid
    # The event lines (PID TID COMM call) and the summary's process row.
    assert any(w[:3] == [pid, pid, ESCAPED] and w[3].startswith(b"getppid(") for w in rows)
    assert [pid, ESCAPED] in [w[:2] for w in rows]


def test_overhead_escapes_stats_holder_comm():
    evil = Evil("hold-stats")
    try:
        r = subprocess.run([BIN, "overhead", "--sysmon", "count", "--syscalls", "getpid",
                            "--round-time", "0.1", "--rounds", "4", "--decomp-rounds", "0"],
                           capture_output=True, timeout=120)
    finally:
        evil.stop()
    assert r.returncode == 0, r.stderr
    assert_escaped(r.stdout, r.stderr)
    assert b"held by pid %d (%s)" % (evil.p.pid, ESCAPED) in r.stdout, r.stdout
