"""bpfcost overhead: the A/B method against the reference service at each
weight and against a third-party tracer command (Debian's bpftrace)."""
import json
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

from conftest import BIN, ROOT, RUNNER, loaded_progs, run

QUICK = ["--syscalls", "getpid", "--round-time", "0.25"]
BPFTRACE_PROG = "tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }"
# bpftrace finds tracepoints through tracefs, which this machine does not
# mount: give it a private mount, leaving the host's mounts as they are.
BPFTRACE_CMD = ["unshare", "-m", "sh", "-c",
                "mount -t tracefs none /sys/kernel/tracing && "
                f"exec bpftrace -e '{BPFTRACE_PROG}'"]


def overhead(*args, timeout=300):
    r = run("-j", "overhead", *args, timeout=timeout)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def contains_zero(ci):
    return ci["lo"] <= 0 <= ci["hi"]


@pytest.mark.accuracy
def test_aa_control_contains_zero():
    # A 95% interval misses 0 one time in twenty by construction: one retry
    # keeps that from failing the suite while a real bias still fails.
    for attempt in range(2):
        # A normal run: the default 0.02 s rounds, 150 pairs (6 s).
        aa = overhead("--sysmon", "count", "--syscalls", "getpid", "--rounds", "150",
                      "--decomp-rounds", "0")["syscalls"]["getpid"]["aa_ns"]
        if contains_zero(aa):
            break
    assert contains_zero(aa), aa


def test_few_rounds_give_intervals_of_width(by_weight):
    # 4 rounds: 4 on-round comparisons and 2 A/A values. A block bootstrap
    # with blocks of 2 gave the A/A as "2.7 [2.7, 2.7]"; too few values for
    # it, so a t-interval bounded for the correlation of neighbours.
    r = overhead("--sysmon", "count", *QUICK, "--rounds", "4", "--decomp-rounds", "0")
    g = r["syscalls"]["getpid"]
    assert (g["added_ns"]["n"], g["aa_ns"]["n"]) == (4, 2)
    for ci in (g["added_ns"], g["aa_ns"]):
        assert ci["method"] == "t-interval, variance bounded for lag-1 correlation", ci
        assert ci["lo"] < ci["point"] < ci["hi"], ci
    # 8 rounds (the module's runs): still below the bootstrap's 60 values.
    assert by_weight["count"]["syscalls"]["getpid"]["added_ns"]["n"] == 8


def test_many_rounds_use_the_block_bootstrap():
    r = overhead("--sysmon", "count", "--syscalls", "getpid", "--rounds", "60",
                 "--decomp-rounds", "0")
    g = r["syscalls"]["getpid"]
    assert g["added_ns"]["method"] == "circular block bootstrap"
    assert g["aa_ns"]["method"].startswith("t-interval")  # 30 values


def test_stats_held_by_another_process_are_reported(by_weight):
    # Run-time stats add two clock reads to every run, so A/B rounds are
    # meant to run with them off. Another process holding them on (here
    # `bpfcost stats`) is detected from the tracer's counters and named.
    holder = subprocess.Popen([BIN, "stats", "--interval", "1", "--duration", "60"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        r = run("overhead", "--sysmon", "count", *QUICK, "--rounds", "4",
                "--decomp-rounds", "0", timeout=120)
        j = overhead("--sysmon", "count", *QUICK, "--rounds", "4", "--decomp-rounds", "0")
    finally:
        holder.terminate()
        holder.wait(timeout=10)
    assert r.returncode == 0, r.stderr
    assert f"held by pid {holder.pid} (bpfcost)" in r.stdout, r.stdout
    s = j["stats_during_ab"]
    assert s["on"] and s["counted_runs"] > 0, s
    assert {"pid": holder.pid, "comm": "bpfcost"} in s["holders"], s
    # Without a holder (the module's runs): off, nobody named.
    assert by_weight["count"]["stats_during_ab"] == {"on": False, "counted_runs": 0,
                                                      "sysctl": False, "holders": []}


@pytest.fixture(scope="module")
def by_weight():
    return {w: overhead("--sysmon", w, *QUICK, "--rounds", "8")
            for w in ("count", "proc", "events")}


def test_added_latency_is_ordered_by_weight(by_weight):
    added = {w: r["syscalls"]["getpid"]["added_ns"] for w, r in by_weight.items()}
    # Only the 3x gap is checked across separate runs. proc and events differ
    # by about 25%, less than this machine drifts between A/B runs minutes
    # apart (proc read 444 and 701 ns in two runs; a sanitizer CI run read
    # proc 660 > events 567). Their order is checked interleaved in one run by
    # test_compare (bpfcost compare), which is what compare exists for.
    assert added["count"]["point"] < added["proc"]["point"], added
    assert added["count"]["point"] < added["events"]["point"], added
    assert added["events"]["lo"] > 0, added["events"]


def test_report_fields(by_weight):
    r = by_weight["events"]
    assert r["tracer"] == {"kind": "sysmon", "describe": "sysmon events", "programs": 2,
                           "starts": r["tracer"]["starts"]}
    # warm-up + 8 on-rounds + 3 decomposition rounds (the least)
    assert r["tracer"]["starts"] == 12
    g = r["syscalls"]["getpid"]
    for side in ("off", "on"):
        assert g[side]["count"] > 0 and g[side]["p50"] <= g[side]["p99"]
    assert g["on"]["p50"] > g["off"]["p50"]
    assert g["relative"] > 0


def test_decomposition_splits_bpf_and_rest(by_weight):
    d = by_weight["events"]["decomposition"]
    assert d["stats_via"] == "BPF_ENABLE_STATS"
    # The stats' own cost, measured and taken out of IN_BPF.
    b = d["stats_bias"]
    assert b["corrected"] and b["lo"] < b["ns_per_run"] < b["hi"], b
    assert b["hook"] == "raw_tp test run" and b["uncorrected_runs"] == 0, b
    assert "slow path" in d["rest_contains"]
    # enter + exit programs: about two runs per workload syscall
    assert 1.5 < d["workload_runs"] / d["workload_syscalls"] < 2.5, d
    g = by_weight["events"]["syscalls"]["getpid"]["decomposition"]
    assert 1.5 < g["runs_per_call"]["point"] < 2.5, g
    assert g["in_bpf_ns"]["shown"] == "value" and g["in_bpf_ns"]["point"] > 0, g
    assert g["in_bpf_ns"]["n"] == 3 and g["in_bpf_ns"]["method"] == "t-interval", g
    added = by_weight["events"]["syscalls"]["getpid"]["added_ns"]["point"]
    if g["rest_ns"]["shown"] == "value":
        assert g["rest_ns"]["point"] == pytest.approx(added - g["in_bpf_ns"]["point"])
        assert g["rest_ns"]["lo"] > 0, g
    else:
        assert g["rest_ns"]["shown"] == "below" and g["rest_ns"]["point"] is None, g


def test_agent_cpu_is_its_own_figure(by_weight):
    # The agent's user-space work is a second cost, on other CPUs, not part
    # of REST (issue 12, item 3). count and proc have none while attached;
    # events has its ring-buffer drain thread, read by its thread CPU clock.
    for w in ("count", "proc"):
        assert by_weight[w]["agent_cpu"]["none"] is True, by_weight[w]["agent_cpu"]
    a = by_weight["events"]["agent_cpu"]
    assert a["rounds"] == 8 and a["resolution_ns"] == 1, a
    assert "drain thread" in a["method"] and "not in ADDED" in a["includes"], a
    for part in (a["ns_per_syscall"], a["cpu_pct"]):
        assert part["shown"] == "value" and 0 < part["lo"] < part["hi"], a
    assert a["cpu_pct"]["hi"] < 100, a
    assert "user-space work" in by_weight["events"]["decomposition"]["rest_contains"]


def test_plain_output():
    r = run("overhead", "--sysmon", "proc", *QUICK, "--rounds", "4", "--decomp-rounds", "1")
    assert r.returncode == 0, r.stderr
    for word in ("ADDED_NS [95% CI]", "A/A_NS", "getpid", "Decomposition", "IN_BPF_NS",
                 "Agent CPU", "none: sysmon proc has no user-space work while attached"):
        assert word in r.stdout


def with_tracefs(argv):
    """argv with tracefs mounted in a private mount namespace: bpftrace and
    libbpf find tracepoint ids there, and this host does not mount it."""
    return ["unshare", "-m", "sh", "-c",
            'mount -t tracefs none /sys/kernel/tracing && exec "$@"', "sh", *argv]


# Tracers whose programs run only on openat (issue 12, item 2).
OPENSNOOPS = {"bpftrace": ["bpftrace", "/usr/sbin/opensnoop.bt"],
              "libbpf-tools": ["/usr/sbin/opensnoop"]}


def need_opensnoop(name):
    argv = OPENSNOOPS[name]
    if not shutil.which(argv[0]) or not os.path.exists(argv[-1]):
        pytest.skip(f"{name}'s opensnoop not installed (scripts/deps.sh --test)")
    return with_tracefs(argv)


def never_negative(part):
    return all(part[x] is None or part[x] >= 0 for x in ("point", "lo", "hi"))


@pytest.mark.accuracy
@pytest.mark.parametrize("name", OPENSNOOPS)
def test_programs_on_openat_only(name):
    # The failing input: the decomposition spread openat's program runs
    # over getpid too (getpid REST -2440.9 ns). Each kind alone: getpid's
    # in-BPF time is about zero, its added time all REST.
    r = overhead("--syscalls", "getpid,openat", "--rounds", "6", "--", *need_opensnoop(name))
    d = r["decomposition"]
    assert "unavailable" not in d, d
    g = r["syscalls"]["getpid"]["decomposition"]
    o = r["syscalls"]["openat"]["decomposition"]
    assert abs(g["runs_per_call"]["point"]) < 0.01, g
    in_bpf = g["in_bpf_ns"]
    assert in_bpf["shown"] in ("below", "none") or in_bpf["hi"] < 3, in_bpf
    # openat + close per call; the programs are on openat's enter and exit.
    assert 1.5 < o["runs_per_call"]["point"] < 2.5, o
    assert o["in_bpf_ns"]["shown"] == "value", o
    for kind in r["syscalls"].values():
        for part in ("in_bpf_ns", "rest_ns"):
            assert never_negative(kind["decomposition"][part]), kind["decomposition"]
    # The agent prints every openat on other CPUs: its own figure, from its
    # process group's clock ticks, with an interval and never negative.
    a = r["agent_cpu"]
    assert a["rounds"] == 6 and "process group" in a["method"], a
    for part in (a["ns_per_syscall"], a["cpu_pct"]):
        assert part["shown"] in ("value", "below") and never_negative(part), a
        assert part["hi"] > part["lo"], a  # never a zero-width interval


ADDED_CELL = r"-?\d+\.\d (?:\[-?\d+\.\d, -?\d+\.\d\]|\(too few rounds for an interval\))"
PART_CELL = (r"\d+\.\d \[\d+\.\d, \d+\.\d\]|< \d+\.\d(?: \^)?|0 \(no run\)|inconsistent|"
             r"\d+\.\d \(no interval\)|<= 0 \(no interval\)")
DECOMP_ROW = re.compile(rf"^(\w+) +(\d+\.\d\d) +({ADDED_CELL}) +({PART_CELL}) +({PART_CELL})$")


# The plain printer is the same whichever tracer ran: one (the quicker to
# start) is enough; the JSON test above runs both.
@pytest.mark.parametrize("name", ["libbpf-tools"])
def test_programs_on_openat_only_plain(name):
    r = run("overhead", "--syscalls", "getpid,openat", "--rounds", "4", "--round-time", "0.5",
            "--", *need_opensnoop(name), timeout=300)
    assert r.returncode == 0, r.stderr
    rows = {}
    for line in r.stdout.split("REST_NS [95% CI]\n", 1)[1].splitlines()[:2]:
        m = DECOMP_ROW.match(line)
        assert m, line
        rows[m[1]] = m.groups()
    assert set(rows) == {"getpid", "openat"}, r.stdout
    _, runs, _, in_bpf, rest = rows["getpid"]
    assert runs == "0.00"
    assert in_bpf.startswith("<") or in_bpf == "0 (no run)" or float(in_bpf.split()[0]) < 3, \
        in_bpf
    # Neither part is ever a negative figure.
    assert not any("-" in cell for row in rows.values() for cell in row[3:]), rows
    assert "the syscall slow path" in r.stdout
    # a part's bound above the whole's point is marked and explained
    for row in rows.values():
        added = float(row[2].split()[0])
        for cell in row[3:]:
            if cell.startswith("< "):
                assert cell.endswith("^") == (float(cell.split()[1]) > added), row
    if any(c.endswith("^") for row in rows.values() for c in row[3:]):
        assert "X is above ADDED's point" in r.stdout


def bpftrace_pids():
    r = subprocess.run(["pgrep", "-f", "raw_syscalls:sys_enter"], capture_output=True,
                       text=True)
    return [int(p) for p in r.stdout.split()]


@pytest.mark.skipif(not shutil.which("bpftrace"), reason="bpftrace not installed")
def test_command_tracer_bpftrace(tmp_path):
    before = set(loaded_progs())
    log = tmp_path / "bpftrace.log"
    r = overhead(*QUICK, "--rounds", "4", "--decomp-rounds", "1", "--tracer-log", str(log),
                 "--", *BPFTRACE_CMD)
    assert r["tracer"]["kind"] == "command"
    assert r["tracer"]["programs"] >= 1
    assert r["tracer"]["starts"] == 6
    g = r["syscalls"]["getpid"]
    assert g["added_ns"]["point"] > 0
    assert "Attaching" in log.read_text()  # its output went to the log, not ours
    assert not bpftrace_pids()
    time.sleep(0.5)
    assert not set(loaded_progs()) - before


# A tracer that reloads its program every 1.2 s: ready after ~0.5 s, its
# program vanishes and a new one appears inside each 1 s round, A/B or
# decomposition (issue 12, item 5).
EMPTY = str(ROOT / "build" / "empty.bpf.o")
RELOADER = ["sh", "-c", f"while :; do {RUNNER} {EMPTY} >/dev/null & p=$!; sleep 1.2; "
            "kill $p; wait $p; done"]


def test_tracer_that_reloads_during_rounds():
    # Counters are taken per program: one gone at the end of a window takes
    # no part (a difference of sums wrapped to ~1.8e19: a false "stats were
    # on" warning and a garbage decomposition).
    r = overhead("--syscalls", "getpid", "--round-time", "1", "--rounds", "4",
                 "--decomp-rounds", "2", "--", *RELOADER)
    assert r["stats_during_ab"]["counted_runs"] == 0, r["stats_during_ab"]
    d = r["decomposition"]
    if "unavailable" not in d:
        assert d["bpf_runs"] < 1e12 and d["bpf_time_ns"] < 1e15, d
        assert d["workload_runs"] < 10 * d["workload_syscalls"], d


def test_command_that_exits_at_once():
    r = run("overhead", *QUICK, "--", "true")
    assert r.returncode != 0
    assert "exited with status 0 before its BPF programs were attached" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_command_that_cannot_start():
    r = run("overhead", *QUICK, "--", "/nonexistent/agent")
    assert r.returncode != 0
    assert "cannot run tracer" in r.stderr


def test_command_that_never_loads_a_program():
    r = run("overhead", *QUICK, "--ready-timeout", "1", "--", "sleep", "77.5")
    assert r.returncode != 0
    assert "not ready" in r.stderr
    assert subprocess.run(["pgrep", "-f", "sleep 77.5"]).returncode == 1


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_mid_run_stops_everything(sig):
    p = subprocess.Popen([BIN, "overhead", "--sysmon", "events", *QUICK, "--rounds", "100"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2)
    p.send_signal(sig)
    _, err = p.communicate(timeout=30)
    assert p.returncode != 0
    assert "interrupted" in err


@pytest.mark.parametrize("args", [
    [],
    ["--sysmon", "count", "--", "true"],
    ["--sysmon", "heavy"],
    ["--sysmon", "count", "--rounds", "2"],
    ["--sysmon", "count", "--round-time", "0"],
    ["--sysmon", "count", "--syscalls", "fork"],
    ["--sysmon", "count", "--cpu", "-5"],
    ["--sysmon", "count", "--bogus"],
    ["name", "foo"],	# a command only after "--": this was run as one
])
def test_bad_input(args):
    r = run("overhead", *args)
    assert r.returncode != 0
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
