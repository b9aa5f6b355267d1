"""bpfcost doctor: features decided by independent checks of the system
where one exists (sysfs PMUs, /proc/mounts, sysctls), host facts only for
what has no independent check; methods follow from features."""
import os
import re
import time
from pathlib import Path

import pytest

from conftest import loaded_progs, ours, run, run_json, sysctl_value

PMU_DIR = Path("/sys/bus/event_source/devices")
# The 6.18 development host: trampolines refused, no hardware PMU.
ON_HOST = os.uname().release.startswith("6.18")
METHODS = ("stats", "ab", "syscall_wrap", "profile", "annotate")


@pytest.fixture(scope="module")
def doc():
    """One JSON run shared by the tests. Module scope runs before the
    autouse leak check snapshots, so check leaks here as well."""
    before, progs, mounted = sysctl_value(), set(loaded_progs()), tracefs_mounted()
    t0 = time.monotonic()
    d = run_json("doctor", timeout=60)
    d["_elapsed"] = time.monotonic() - t0
    assert sysctl_value() == before, "doctor changed kernel.bpf_stats_enabled"
    assert tracefs_mounted() == mounted, "doctor changed tracefs mounts"
    deadline = time.time() + 5
    while True:
        left = {i: n for i, n in loaded_progs().items() if i not in progs and ours(n)}
        if not left or time.time() > deadline:
            break
        time.sleep(0.2)
    assert not left, f"doctor left programs loaded: {left}"
    return d


def feat(doc, name):
    return doc["features"][name]


def tracefs_mounted():
    return any(l.split()[2] == "tracefs" for l in Path("/proc/mounts").read_text().splitlines())


def hw_pmu_present():
    return any((d / "events" / "cpu-cycles").exists() for d in PMU_DIR.iterdir())


def test_shape(doc):
    assert doc["kernel"] == os.uname().release
    assert len(doc["features"]) == 23
    for name, f in doc["features"].items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name), name
        assert isinstance(f["ok"], bool)
        assert f["detail"], name
        if f["ok"]:
            assert f["error"] is None, name
        else:
            assert re.fullmatch(r"E[A-Z0-9]+", f["error"] or ""), (name, f)
    assert set(doc["methods"]) == set(METHODS)


def test_prog_iter(doc):
    f = feat(doc, "prog_iter")
    # 6.1 and later have iter/bpf_prog and bpf_map_lookup_percpu_elem; the
    # trial also cross-checks the per-CPU sums against bpf_prog_info.
    assert f["ok"], f
    assert "match bpf_prog_info" in f["detail"]


def test_runs_quickly(doc):
    assert doc["_elapsed"] < 10


def test_always_present_features(doc):
    # Kernels we run on are >= 6.1: all of these are in, and tried for real.
    for name in ("raw_tp", "tp_btf", "stats_fd", "stats_sysctl", "ringbuf", "vmlinux_btf"):
        assert feat(doc, name)["ok"], (name, feat(doc, name))


def test_pmus_match_sysfs(doc):
    assert feat(doc, "kprobe_pmu")["ok"] == (PMU_DIR / "kprobe").exists()
    assert feat(doc, "kretprobe_pmu")["ok"] == (PMU_DIR / "kprobe").exists()
    assert feat(doc, "uprobe")["ok"] == (PMU_DIR / "uprobe").exists()
    if not (PMU_DIR / "kprobe").exists():
        assert "no kprobe PMU" in feat(doc, "kprobe_pmu")["detail"]


def test_hardware_counters(doc):
    if not hw_pmu_present():
        for name in ("perf_cycles", "perf_instructions", "perf_cache_misses"):
            assert not feat(doc, name)["ok"]
            assert "no hardware PMU" in feat(doc, name)["detail"]
    assert feat(doc, "perf_sw_clock")["ok"]


def test_kprobe_tracefs(doc):
    f = feat(doc, "kprobe_tracefs")
    if not tracefs_mounted():
        assert not f["ok"] and "tracefs not mounted" in f["detail"]
    elif not (PMU_DIR / "kprobe").exists():
        # No kprobes at all: tracefs has no kprobe_events either.
        assert not f["ok"] and "kprobe_events" in f["detail"]


def test_syscall_dispatch(doc):
    f = feat(doc, "syscall_dispatch")
    if not feat(doc, "fentry_kfunc")["ok"] and not feat(doc, "kprobe_tracefs")["ok"]:
        # Nothing to try it with (this host): said so, not probed.
        assert not f["ok"] and "neither fentry nor kprobes" in f["detail"]
    elif f["ok"]:
        assert re.match(r"(fentry|kprobe) on (do_syscall_64|x64_sys_call|__x64_sys_\*) works$",
                        f["detail"])
    else:
        assert f["detail"].startswith("no traceable syscall dispatcher: ")


def test_trampolines(doc):
    # Both ride on the BPF trampoline: a kernel has both or neither.
    assert feat(doc, "fentry_prog")["ok"] == feat(doc, "fentry_kfunc")["ok"]
    if ON_HOST:
        f = feat(doc, "fentry_prog")
        assert not f["ok"] and f["error"] == "EPERM"
        assert "fentry load refused" in f["detail"]


def test_fentry_on_tracing_program(doc):
    # fentry/fexit on a tp_btf program: never where trampolines are refused
    # altogether; before 6.8 (commit 19bfcdf9498a) the verifier refuses any
    # tracing target (EINVAL); from 6.8 one level is allowed. Tried for real.
    f = feat(doc, "fentry_tracing")
    assert "tp_btf" in f["detail"], f
    release = tuple(int(x) for x in re.match(r"(\d+)\.(\d+)", os.uname().release).groups())
    if not feat(doc, "fentry_prog")["ok"]:
        assert not f["ok"], f
    elif release >= (6, 8):
        assert f["ok"], f
    else:
        assert not f["ok"] and f["error"] == "EINVAL" and "19bfcdf9498a" in f["detail"], f
    if ON_HOST:
        # What happens here: the fentry load is refused like every other.
        assert f["error"] == "EPERM" and "fentry/fexit load refused" in f["detail"], f


def test_jit_matches_sysctls(doc):
    jit = int(Path("/proc/sys/net/core/bpf_jit_enable").read_text())
    ks = int(Path("/proc/sys/net/core/bpf_jit_kallsyms").read_text())
    assert feat(doc, "jit")["ok"] == (jit >= 1)
    if jit >= 1 and ks == 1:
        assert feat(doc, "jit_kallsyms")["ok"], feat(doc, "jit_kallsyms")
        assert re.search(r"bpf_prog_[0-9a-f]{16}", feat(doc, "jit_kallsyms")["detail"])
    if ks != 1:
        assert not feat(doc, "jit_kallsyms")["ok"]


def test_lockdown(doc):
    p = Path("/sys/kernel/security/lockdown")
    if not p.exists():
        assert feat(doc, "lockdown")["ok"]
    else:
        assert feat(doc, "lockdown")["ok"] == ("[none]" in p.read_text())


def test_methods_follow_features(doc):
    f = {k: v["ok"] for k, v in doc["features"].items()}
    m = doc["methods"]
    assert m["stats"]["available"] == (f["stats_fd"] or f["stats_sysctl"])
    assert m["ab"]["available"] == f["raw_tp"]
    assert m["profile"]["available"] == (f["fentry_prog"] and f["vmlinux_btf"])
    assert m["syscall_wrap"]["available"] == ((f["fentry_kfunc"] or f["kretprobe_pmu"]
                                               or f["kprobe_tracefs"])
                                              and f["syscall_dispatch"])
    assert m["annotate"]["available"] == ((f["perf_sw_clock"] or f["perf_cycles"])
                                          and f["jit_kallsyms"])
    assert m["profile"]["command"] == "profile"
    assert m["ab"]["command"] == "overhead"
    for name, meth in m.items():
        assert (meth["why"] is None) == meth["available"], name


def test_unavailable_method_names_what_works(doc):
    m = doc["methods"]
    if ON_HOST:
        assert not m["profile"]["available"]
    working = {v["command"] for v in m.values() if v["available"]}
    for name, meth in m.items():
        if meth["available"]:
            continue
        why = meth["why"]
        assert "works here: " in why, why
        named = why.split("works here: ", 1)[1].split(", ")
        assert set(named) <= working | {"nothing"}, why
        assert set(named) - {"nothing"}, f"no working command named: {why}"
    if not m["profile"]["available"]:
        assert "fentry/fexit on a BPF program" in m["profile"]["why"]


def test_plain_output():
    p = run("doctor", check=True, timeout=60)
    assert p.stderr == ""		# trial failures stay quiet without -v
    assert "Methods" in p.stdout
    for meth in METHODS:
        assert re.search(rf"^{meth}\s+\S+\s+(yes|no)\b", p.stdout, re.M), meth
    assert re.search(r"^raw tracepoint programs\s+yes\s", p.stdout, re.M)


def test_verbose_shows_libbpf_logs():
    p = run("-v", "doctor", check=True, timeout=60)
    assert "libbpf:" in p.stderr


def test_help_and_bad_usage():
    p = run("doctor", "--help", check=True)
    assert "EXAMPLES" in p.stdout
    p = run("doctor", "extra")
    assert p.returncode == 2
    assert p.stderr.strip().count("\n") == 0 and "extra" in p.stderr
