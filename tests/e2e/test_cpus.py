"""CPU sets: bpfcost inside a cpuset cgroup without CPU 0 (a container pinned
to CPUs 2-3 is the same case), and with a CPU taken offline. Pinning and the
default CPU follow the CPUs this process may use; per-CPU map reads follow
the possible CPUs; sampling follows the online ones; a refused --cpu says
why in one line.

Run as root under bc-locked, like every e2e file: the offline tests take
CPU 1 away from the whole machine for their duration (a few seconds each),
and put it back in a finally block whatever happens."""
import json
import os
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import BIN, ROOT, AttachRunner, run

CPU_SYS = Path("/sys/devices/system/cpu")
EMPTY = str(ROOT / "build" / "empty.bpf.o")
QUICK_AB = ["--syscalls", "getpid", "--round-time", "0.02", "--rounds", "4",
            "--decomp-rounds", "1"]


def cpu_list(text):
    """The kernel's list format, parsed independently of bpfcost."""
    cpus = set()
    for item in text.strip().split(","):
        if item:
            a, _, b = item.partition("-")
            cpus.update(range(int(a), int(b or a) + 1))
    return cpus


def online_cpus():
    return cpu_list((CPU_SYS / "online").read_text())


def mounts():
    with open("/proc/self/mounts") as f:
        return [line.split()[:4] for line in f]


def cpuset_hierarchy():
    """(1 or 2, mount point) of a cgroup hierarchy with the cpuset
    controller, or (None, why not)."""
    for _, mnt, fstype, opts in mounts():
        if fstype == "cgroup" and "cpuset" in opts.split(","):
            return 1, Path(mnt)
    for _, mnt, fstype, _ in mounts():
        if fstype == "cgroup2":
            ctl = Path(mnt) / "cgroup.controllers"
            if ctl.exists() and "cpuset" in ctl.read_text().split():
                return 2, Path(mnt)
    return None, "no cgroup v1 cpuset hierarchy and no cgroup v2 with the cpuset controller"


class Cpuset:
    """A child cpuset cgroup with cpuset.cpus = cpus; commands started with
    cmd() move themselves into it before exec. Removed by close()."""

    def __init__(self, cpus):
        self.version, self.root = cpuset_hierarchy()
        if self.version is None:
            pytest.skip(self.root)
        self.enabled_subtree = False
        if self.version == 2:
            sub = self.root / "cgroup.subtree_control"
            if "cpuset" not in sub.read_text().split():
                sub.write_text("+cpuset")
                self.enabled_subtree = True
        self.path = self.root / f"bpfcost-test-{os.getpid()}"
        self.path.mkdir()
        if self.version == 1:
            # v1 refuses tasks until mems is set; take the parent's.
            (self.path / "cpuset.mems").write_text((self.root / "cpuset.mems").read_text())
        (self.path / "cpuset.cpus").write_text(cpus)

    def cmd(self, *argv):
        procs = self.path / "cgroup.procs"
        return ["sh", "-c", f'echo $$ > {procs} && exec "$@"', "sh"] + [str(a) for a in argv]

    def run(self, *args, timeout=180):
        return subprocess.run(self.cmd(BIN, *args), capture_output=True, text=True,
                              timeout=timeout)

    def close(self):
        procs = self.path / "cgroup.procs"
        # Anything still inside (a test that failed mid-way) goes back to
        # the root so the directory can go.
        for pid in procs.read_text().split():
            try:
                (self.root / "cgroup.procs").write_text(pid)
            except OSError:
                pass
        for _ in range(50):
            try:
                self.path.rmdir()
                break
            except OSError:
                time.sleep(0.1)
        else:
            self.path.rmdir()
        if self.enabled_subtree:
            try:
                (self.root / "cgroup.subtree_control").write_text("-cpuset")
            except OSError:
                pass


@pytest.fixture(scope="module")
def cpuset():
    """A cpuset holding only the highest online CPU, never CPU 0."""
    online = online_cpus()
    if len(online) < 2:
        pytest.skip(f"one online CPU ({sorted(online)}): no cpuset without CPU 0 possible")
    cpu = max(online)
    cs = Cpuset(str(cpu))
    cs.cpu = cpu
    try:
        yield cs
    finally:
        cs.close()


def test_cpuset_really_excludes_cpu0(cpuset):
    """The harness itself: a command inside sees only the one CPU."""
    out = subprocess.run(cpuset.cmd("cat", "/proc/self/status"), capture_output=True,
                         text=True, check=True).stdout
    allowed = next(l.split()[1] for l in out.splitlines() if l.startswith("Cpus_allowed_list"))
    assert cpu_list(allowed) == {cpuset.cpu}


def test_load_runs_on_the_cpuset_cpu(cpuset):
    r = cpuset.run("-j", "load", "--duration", "0.2", "--syscalls", "getpid,pipe", "--threads", "2")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["cpu"] == cpuset.cpu and doc["total_calls"] > 0
    r = cpuset.run("load", "--duration", "0.1", "--syscalls", "getpid")
    assert r.returncode == 0, r.stderr
    assert f"pinned from CPU {cpuset.cpu}" in r.stdout


def test_cpu_outside_the_cpuset_is_refused(cpuset):
    for cmd in (["load"], ["overhead", "--sysmon", "count"], ["syscall", "--sysmon", "count"]):
        r = cpuset.run(*cmd, "--cpu", "0")
        assert r.returncode == 2, (cmd, r.stderr)
        assert r.stderr.strip() == (f"bpfcost: --cpu 0: CPU 0 is not in this process's CPU "
                                    f"set (allowed: {cpuset.cpu})"), r.stderr
    r = cpuset.run("load", "--cpu", "4095")
    assert r.returncode == 2 and "CPU 4095 does not exist (possible: " in r.stderr, r.stderr


def test_overhead_sysmon_count_in_the_cpuset(cpuset):
    r = cpuset.run("-j", "overhead", "--sysmon", "count", *QUICK_AB)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["cpu"] == cpuset.cpu


def test_demo_in_the_cpuset(cpuset):
    r = cpuset.run("-j", "demo", "--duration", "2", "--syscalls", "getpid", timeout=300)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    # A share of the machine divides by the online CPUs (BPF runs on all
    # of them), not by the one our cpuset allows.
    assert doc["ncpus"] == len(online_cpus())
    assert all(w["runs"] > 0 for w in doc["weights"])


def test_sampling_covers_cpus_outside_the_cpuset(cpuset):
    r = cpuset.run("-j", "annotate", "--top", "--duration", "0.5", "--event", "cpu-clock")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["ncpu"] == len(online_cpus()) and doc["samples"] > 0


# ---- a CPU offline -------------------------------------------------------

def v1_cpusets():
    """{dir: cpuset.cpus} of every cgroup v1 cpuset below the root, top
    down: offlining a CPU removes it from them for good (v1 semantics)."""
    version, root = cpuset_hierarchy()
    if version != 1:
        return {}
    found = {}
    for d, _, _ in os.walk(root):
        if Path(d) != root:
            found[Path(d)] = (Path(d) / "cpuset.cpus").read_text().strip()
    return found


def set_online(cpu, on):
    (CPU_SYS / f"cpu{cpu}" / "online").write_text("1" if on else "0")


@pytest.fixture(scope="module")
def cpu1_offline():
    """CPU 1 offline for the module's tests; always back online after."""
    ctl = CPU_SYS / "cpu1" / "online"
    if not ctl.exists():
        pytest.skip("CPU 1 cannot be taken offline here (no cpu1/online: no such CPU, "
                    "or CONFIG_HOTPLUG_CPU is off)")
    if ctl.read_text().strip() != "1":
        pytest.skip("CPU 1 is already offline: not ours to change")
    saved = v1_cpusets()
    try:
        try:
            set_online(1, False)
        except OSError as e:
            pytest.skip(f"the kernel refused to take CPU 1 offline: {e}")
        assert 1 not in online_cpus()
        yield 1
    finally:
        set_online(1, True)
        for d, cpus in saved.items():   # parents first: os.walk is top down
            if d.exists() and (d / "cpuset.cpus").read_text().strip() != cpus:
                (d / "cpuset.cpus").write_text(cpus)
        assert 1 in online_cpus()


def test_offline_cpu_is_refused_by_name(cpu1_offline):
    online = ",".join(str(c) for c in sorted(online_cpus()))
    for cmd in (["load"], ["overhead", "--sysmon", "count"], ["syscall", "--sysmon", "count"]):
        p = run(*cmd, "--cpu", "1")
        assert p.returncode == 2, (cmd, p.stderr)
        assert p.stderr.strip() == f"bpfcost: --cpu 1: CPU 1 is offline (online: {online})"


def test_load_and_overhead_on_the_remaining_cpus(cpu1_offline):
    p = run("-j", "load", "--duration", "0.2", "--syscalls", "getpid,pipe", "--threads", "2")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["cpu"] == min(online_cpus())
    # sysmon's per-CPU maps still hold a value for the offline CPU.
    p = run("-j", "overhead", "--sysmon", "count", *QUICK_AB)
    assert p.returncode == 0, p.stderr


@pytest.mark.parametrize("reader", ["iter", "syscall"])
def test_stats_with_a_cpu_offline(cpu1_offline, reader):
    r = AttachRunner(EMPTY)
    try:
        p = run("-j", "stats", "id", r.ids[0], "--count", "2", "--interval", "0.2",
                "--reader", reader, check=True)
    finally:
        r.stop()
    docs = [json.loads(l) for l in p.stdout.splitlines()]
    summary = docs[-1]
    assert summary["ncpu"] == len(online_cpus())
    (prog,) = summary["programs"]
    assert prog["total"]["runs"] > 0
    assert prog["rate"]["cpu_pct_machine"] == pytest.approx(
        prog["rate"]["cpu_pct"] / len(online_cpus()))


def test_sampling_with_a_cpu_offline(cpu1_offline):
    doc = json.loads(run("-j", "annotate", "--top", "--duration", "0.5", "--event",
                         "cpu-clock", check=True).stdout)
    assert doc["ncpu"] == len(online_cpus()) and doc["samples"] > 0
