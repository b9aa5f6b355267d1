"""Shared fixtures for end-to-end tests: run the real binary, and check
after every test that the system is as we found it (no program, link,
pin, kprobe event or sysctl change of ours outlives bpfcost)."""
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest


def pytest_configure(config):
    # The sanitizer pass in CI deselects these (-m "not accuracy"): they run
    # long measurements to check how close a figure or how wide an interval
    # is, which a sanitizer build's slower user space cannot speak to, and
    # faster tests drive the same code paths.
    config.addinivalue_line(
        "markers", "accuracy: checks a figure's accuracy or an interval's coverage over a "
        "long measurement; the normal pass runs it, the sanitizer pass does not")


ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("BPFCOST_BIN", str(ROOT / "bpfcost"))
# Programs we load carry one of these name prefixes.
OUR_PREFIXES = ("sysmon_", "bc_")
SYSCTL = "/proc/sys/kernel/bpf_stats_enabled"
TRACEFS_KPROBES = ("/sys/kernel/tracing/kprobe_events",
                   "/sys/kernel/debug/tracing/kprobe_events")


RUNNER = str(ROOT / "build" / "tests" / "attach_runner")


class AttachRunner:
    """tests/helpers/attach_runner in the background: loads a BPF object,
    attaches its programs (unless attach=False) and holds them until stop().
    extra: more of its options (--tail MAP:SLOT:PROG). ids: the programs'
    ids, from its "ready" line."""

    def __init__(self, obj, attach=True, extra=()):
        args = [RUNNER] + ([] if attach else ["--no-attach"]) + list(extra) + [str(obj)]
        self.p = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        line = self.p.stdout.readline().split()
        assert line and line[0] == "ready", f"attach_runner failed: {line}"
        self.ids = [int(x) for x in line[1:]]

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            assert self.p.wait(timeout=10) == 0
        self.p.stdout.close()


def run(*args, timeout=180, check=False, env=None, input=None):
    """Run bpfcost with args; returns CompletedProcess with text output."""
    cmd = [BIN] + [str(a) for a in args]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                       env=env, input=input)
    if check and p.returncode != 0:
        raise AssertionError(f"{cmd} exited {p.returncode}\nstdout:\n{p.stdout}\n"
                             f"stderr:\n{p.stderr}")
    return p


def sigint_after(args, when, timeout=90):
    """Run bpfcost with args and send SIGINT once the stderr read so far
    matches the regex when (a plan line, a progress message: not a fixed
    sleep). Returns (returncode, stdout, stderr)."""
    import re
    p = subprocess.Popen([BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    seen = ""
    for line in p.stderr:
        seen += line
        if re.search(when, seen, re.S):
            p.send_signal(signal.SIGINT)
            break
    out, err = p.communicate(timeout=timeout)
    return p.returncode, out, seen + err


def run_json(*args, **kw):
    p = run("-j", *args, check=True, **kw)
    return json.loads(p.stdout)


def loaded_progs():
    """{id: name} of loaded programs, via bpftool (independent of us)."""
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True,
                         text=True, check=True).stdout
    return {p["id"]: p.get("name", "") for p in json.loads(out or "[]")}


def loaded_links():
    out = subprocess.run(["bpftool", "-j", "link", "show"], capture_output=True,
                         text=True, check=True).stdout
    return {l["id"]: l.get("prog_id") for l in json.loads(out or "[]")}


def sysctl_value():
    return Path(SYSCTL).read_text().strip()


def ours(name):
    return name.startswith(OUR_PREFIXES)


def kprobe_events():
    for f in TRACEFS_KPROBES:
        try:
            return [l for l in Path(f).read_text().splitlines() if "bpfcost" in l]
        except OSError:
            continue
    return []


@pytest.fixture(autouse=True)
def system_as_found():
    before_progs = loaded_progs()
    before_links = set(loaded_links())
    before_sysctl = sysctl_value()
    yield
    # Programs are freed asynchronously after their last fd closes: allow
    # the kernel a moment before calling anything a leak.
    deadline = time.time() + 5
    while True:
        left = {i: n for i, n in loaded_progs().items()
                if i not in before_progs and ours(n)}
        links = set(loaded_links()) - before_links
        if (not left and not links) or time.time() > deadline:
            break
        time.sleep(0.2)
    assert not left, f"programs left loaded: {left}"
    assert not links, f"links left: {links}"
    assert sysctl_value() == before_sysctl, "kernel.bpf_stats_enabled changed"
    assert not kprobe_events(), "kprobe events of ours left in tracefs"


@pytest.fixture
def bpfcost():
    return run
