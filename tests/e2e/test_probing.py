"""Each command probes only the kernel features it needs; doctor alone
probes them all. What a command probes is what `-v` names ("bpfcost:
probing: NAME (TRIAL)"), and for commands that need no trial, the kernel's
program id counter shows that nothing at all was loaded while they ran.

The expected sets follow from doctor's results on this kernel and the
method rules (kfeatures.c): a clause's alternatives are tried in order until
one works; a refusal also names what the other methods need."""
import ctypes
import json
import os
import re
import signal
import subprocess
import tempfile

import pytest

from conftest import BIN, run, run_json

PROBING = re.compile(r"^bpfcost: probing: ([a-z0-9_]+) \((.+)\)$")

# Method -> clauses -> alternatives, in kfeatures.c's order.
NEEDS = {
    "stats": [["stats_fd", "stats_sysctl"]],
    "ab": [["raw_tp"]],
    "syscall_wrap": [["fentry_kfunc", "kretprobe_pmu", "kprobe_tracefs"],
                     ["syscall_dispatch"]],
    "profile": [["fentry_prog"], ["vmlinux_btf"]],
    "annotate": [["perf_sw_clock", "perf_cycles"], ["jit_kallsyms"]],
}


@pytest.fixture(scope="module")
def feats():
    """{feature: (ok, detail)} from doctor on this kernel."""
    d = run_json("doctor", timeout=60)
    return {n: (f["ok"], f["detail"]) for n, f in d["features"].items()}


class Expect:
    """The trials the method rules imply, given doctor's results."""

    def __init__(self, feats):
        self.f = feats
        self.set = set()

    def ok(self, name):
        self.set.add(name)
        if name == "syscall_dispatch":
            # Its trial asks about fentry, and about kprobes only when
            # fentry could not wrap a dispatcher.
            self.ok("fentry_kfunc")
            if not self.f["syscall_dispatch"][1].startswith("fentry on"):
                self.ok("kprobe_tracefs")
        return self.f[name][0]

    def clause(self, alts):
        return any(self.ok(a) for a in alts)  # any() stops at the first that works

    def method(self, m, every=False):
        good = True
        for c in NEEDS[m]:
            if not good and not every:
                break
            good = self.clause(c) and good
        return good

    def available(self, m, why=True):
        """method_available(m, why): a refusal names what else works."""
        good = self.method(m, every=why)
        if not good and why:
            for other in NEEDS:
                if other != m:
                    self.method(other)
        return good


def trials(*args, timeout=120):
    """The trials `bpfcost -v ARGS` names, as a set (each named once)."""
    p = run("-v", *args, timeout=timeout)
    names = [m.group(1) for m in map(PROBING.match, p.stderr.splitlines()) if m]
    assert len(names) == len(set(names)), f"a trial ran twice: {names}"
    return p, set(names)


def test_doctor_probes_every_feature_once(feats):
    p, got = trials("doctor")
    assert p.returncode == 0, p.stderr
    assert got == set(feats) and len(got) == 24
    # Each line says what the trial does.
    for line in p.stderr.splitlines():
        m = PROBING.match(line)
        if m:
            assert len(m.group(2)) > 10, line


def test_overhead_sysmon_probes_reference_tracer_and_stats(feats):
    """The issue's case: `bpfcost -v overhead --sysmon count`."""
    e = Expect(feats)
    if not e.available("ab"):
        pytest.skip("raw_tp refused here: overhead --sysmon refuses")
    e.available("stats", why=False)
    p, got = trials("overhead", "--sysmon", "count", "--rounds", "4",
                    "--round-time", "10ms", "--decomp-rounds", "2")
    assert p.returncode == 0, p.stderr
    assert got == e.set
    if feats["stats_fd"][0]:
        assert got == {"raw_tp", "stats_fd"}


def test_overhead_without_decomposition_needs_only_raw_tp(feats):
    if not feats["raw_tp"][0]:
        pytest.skip("raw_tp refused here")
    p, got = trials("overhead", "--sysmon", "count", "--rounds", "4",
                    "--round-time", "10ms", "--decomp-rounds", "0")
    assert p.returncode == 0, p.stderr
    assert got == {"raw_tp"}


def test_overhead_command_tracer_needs_no_raw_tp(feats):
    e = Expect(feats)
    e.available("stats", why=False)
    p, got = trials("overhead", "--rounds", "4", "--round-time", "10ms",
                    "--decomp-rounds", "1", "--ready-after", "50ms", "--", "sleep", "30")
    assert p.returncode == 0, p.stderr
    assert got == e.set


# Over several passes stats and top read counters and owners with
# iterators; one pass, or --reader syscall, loads neither (owners: /proc).
@pytest.mark.parametrize("args,want", [
    (["stats", "--count", "2", "--interval", "50ms"], {"prog_iter", "owner_iter"}),
    (["stats", "--count", "2", "--interval", "50ms", "--reader", "iter"],
     {"prog_iter", "owner_iter"}),
    (["stats", "--count", "2", "--interval", "50ms", "--reader", "syscall"], set()),
    (["stats", "--count", "1", "--interval", "50ms"], set()),
    (["top", "-b", "--count", "2", "--interval", "50ms"], {"prog_iter", "owner_iter"}),
    (["top", "-b", "--count", "1", "--interval", "50ms"], set()),
    (["annotate", "--top", "--duration", "100ms", "--event", "cpu-clock"], set()),
    (["annotate", "--top", "--duration", "100ms"], {"perf_cycles"}),
    (["prog"], set()),
    (["sysmon", "--duration", "100ms"], set()),
    (["load", "--duration", "100ms", "--syscalls", "getpid"], set()),
])
def test_narrow_commands(args, want):
    p, got = trials(*args)
    assert p.returncode == 0, p.stderr
    assert got == want


def test_profile_probes_its_method(feats):
    e = Expect(feats)
    if e.available("profile"):
        pytest.skip("profile runs here (the VM tests cover it)")
    p, got = trials("profile", "name", "bc_no_such_prog", "--duration", "1")
    assert p.returncode == 1
    assert "profile cannot run on this kernel" in p.stderr
    assert got == e.set
    # Only what the five methods need: never uprobes, tp_btf, ring buffers...
    assert not got & {"uprobe", "tp_btf", "ringbuf", "kprobe_pmu", "lockdown"}


def test_syscall_probes_its_method(feats):
    e = Expect(feats)
    if e.available("syscall_wrap"):
        pytest.skip("syscall-path wrapping runs here (the VM tests cover it)")
    p, got = trials("syscall", "--sysmon", "count")
    assert p.returncode == 1
    assert got == e.set


def test_demo_probes_what_its_methods_need(feats):
    e = Expect(feats)
    for m in NEEDS:
        e.available(m)
    if e.available("annotate", why=False):
        e.ok("perf_cycles")  # its event: cycles when there is a PMU
    p, got = trials("demo", "--duration", "2", "--syscalls", "getpid", timeout=300)
    assert p.returncode == 0, p.stderr
    assert got == e.set
    assert got < set(feats)


@pytest.mark.parametrize("mode", ["stats", "sampling"])
def test_exporter_probes_the_reader_only(mode):
    with tempfile.TemporaryFile("w+") as err:
        p = subprocess.Popen([BIN, "-v", "-j", "exporter", "--listen", "127.0.0.1:0",
                              "--mode", mode], stdout=subprocess.PIPE, stderr=err, text=True)
        try:
            assert p.stdout.readline(), "exporter did not start"
        finally:
            p.send_signal(signal.SIGTERM)
            assert p.wait(timeout=30) == 0
            p.stdout.close()
        err.seek(0)
        names = [m.group(1) for m in map(PROBING.match, err.read().splitlines()) if m]
    assert sorted(names) == ["owner_iter", "prog_iter"]


# ---- counting program loads: the kernel's id counter ----

BPF_PROG_LOAD, BPF_OBJ_GET_INFO_BY_FD = 5, 15
SOCKET_FILTER = 1
NR_BPF = 321  # x86_64


def next_prog_id():
    """Load and unload a two-instruction socket filter and return its id.
    Program ids come from a cyclic counter, so the difference between two
    such ids, less one, is how many programs anyone loaded in between, even
    ones unloaded since (which `bpftool prog show` no longer lists)."""
    libc = ctypes.CDLL(None, use_errno=True)
    insns = (ctypes.c_uint64 * 2)(0x00000000000000b7, 0x0000000000000095)  # r0 = 0; exit
    lic = ctypes.create_string_buffer(b"GPL")
    attr = ctypes.create_string_buffer(128)
    ctypes.memmove(attr, ctypes.byref(ctypes.c_uint32(SOCKET_FILTER)), 4)
    ctypes.memmove(ctypes.addressof(attr) + 4, ctypes.byref(ctypes.c_uint32(2)), 4)
    ctypes.memmove(ctypes.addressof(attr) + 8,
                   ctypes.byref(ctypes.c_uint64(ctypes.addressof(insns))), 8)
    ctypes.memmove(ctypes.addressof(attr) + 16,
                   ctypes.byref(ctypes.c_uint64(ctypes.addressof(lic))), 8)
    ctypes.memmove(ctypes.addressof(attr) + 48, b"bc_idprobe", 10)
    fd = libc.syscall(NR_BPF, BPF_PROG_LOAD, attr, 128)
    assert fd >= 0, os.strerror(ctypes.get_errno())
    try:
        info = ctypes.create_string_buffer(8)
        iattr = ctypes.create_string_buffer(16)
        ctypes.memmove(iattr, ctypes.byref(ctypes.c_uint32(fd)), 4)
        ctypes.memmove(ctypes.addressof(iattr) + 4, ctypes.byref(ctypes.c_uint32(8)), 4)
        ctypes.memmove(ctypes.addressof(iattr) + 8,
                       ctypes.byref(ctypes.c_uint64(ctypes.addressof(info))), 8)
        assert libc.syscall(NR_BPF, BPF_OBJ_GET_INFO_BY_FD, iattr, 16) == 0
        return ctypes.c_uint32.from_buffer(info, 4).value
    finally:
        os.close(fd)


def loads_during(*args):
    """Programs loaded (by anyone) while bpfcost ARGS ran. Others' loads
    are rare on the test host (bc-locked keeps our own tests apart): a
    nonzero count is measured twice before it counts."""
    counts = []
    for _ in range(2):
        a = next_prog_id()
        p = run(*args)
        b = next_prog_id()
        assert p.returncode == 0, p.stderr
        counts.append(b - a - 1)
        if counts[-1] == 0:
            break
    return min(counts)


def test_id_counter_sees_the_trials():
    """The method itself: doctor's trials load over ten programs."""
    assert loads_during("doctor") >= 10


@pytest.mark.parametrize("args", [
    ["prog"],
    ["stats", "--count", "1", "--interval", "50ms", "--no-correction"],
    ["stats", "--count", "2", "--interval", "50ms", "--reader", "syscall", "--no-correction"],
    ["annotate", "--top", "--duration", "100ms", "--event", "cpu-clock"],
    ["load", "--duration", "100ms", "--syscalls", "getpid"],
])
def test_commands_without_trials_load_no_program(args):
    assert loads_during(*args) == 0


def test_stats_bias_loads_one_program():
    """Measuring the stats bias is one empty program, run by test runs."""
    assert loads_during("stats", "--count", "1", "--interval", "50ms") == 1
