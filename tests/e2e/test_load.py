"""bpfcost load: the syscall workload generator, end to end."""
import json
import os
import signal
import subprocess
import time

import pytest

from conftest import BIN, run, run_json

KINDS = ["getpid", "read", "write", "openat", "fstat", "pipe", "nanosleep"]
SYSCALLS = {"getpid": 1, "read": 1, "write": 1, "openat": 2, "fstat": 1, "pipe": 4,
            "nanosleep": 1}


def test_every_kind_runs_for_a_duration():
    r = run_json("load", "--duration", "1")
    assert set(r["kinds"]) == set(KINDS)
    assert 0.9 < r["elapsed_s"] < 3.0
    assert r["stopped"] is False
    assert r["clock"]["name"] in ("rdtscp", "clock_gettime")
    assert r["clock"]["overhead_ns"] >= 0
    for name, k in r["kinds"].items():
        assert k["calls"] > 0 and k["calls_per_s"] > 0, name
        assert k["syscalls"] == k["calls"] * SYSCALLS[name], name
        assert k["errors"] == 0, name
        lat = k["latency_ns"]
        assert lat["count"] == k["calls"], name
        assert 0 < lat["p50"] <= lat["p99"] <= lat["max"], name
    # Round-robin: every kind gets the same number of calls per thread.
    assert len({k["calls"] for k in r["kinds"].values()}) == 1
    assert r["total_calls"] == sum(k["calls"] for k in r["kinds"].values())
    assert r["total_syscalls"] == sum(k["syscalls"] for k in r["kinds"].values())


def test_count_is_exact_per_thread():
    r = run_json("load", "--count", "1000", "--syscalls", "getpid,read", "--threads", "2")
    assert set(r["kinds"]) == {"getpid", "read"}
    for name in ("getpid", "read"):
        k = r["kinds"][name]
        assert k["calls"] == 2000 and k["syscalls"] == 2000
        assert k["latency_ns"]["count"] == 2000
    assert r["total_calls"] == 4000 and r["total_syscalls"] == 4000


def test_count_pipe_and_openat_syscalls():
    r = run_json("load", "--count", "300", "--syscalls", "pipe,openat")
    assert r["kinds"]["pipe"]["syscalls"] == 1200
    assert r["kinds"]["openat"]["syscalls"] == 600


def test_rate_is_roughly_achieved():
    r = run_json("load", "--rate", "2000", "--duration", "1", "--syscalls", "getpid")
    rate = r["kinds"]["getpid"]["calls"] / r["elapsed_s"]
    assert 1400 < rate < 2600, rate


def test_clock_gettime_fallback():
    env = dict(os.environ, BPFCOST_CLOCK="clock_gettime")
    r = run_json("load", "--count", "200", "--syscalls", "getpid,fstat", env=env)
    assert r["clock"]["name"] == "clock_gettime"
    assert r["kinds"]["fstat"]["calls"] == 200
    assert r["kinds"]["getpid"]["latency_ns"]["max"] > 0


def test_plain_table_and_hist():
    p = run("load", "--count", "500", "--syscalls", "getpid,write", "--hist", check=True)
    out = p.stdout
    for word in ("elapsed:", "threads:", "total calls/s:", "total syscalls:", "clock:",
                 "P99.9_NS", "getpid", "write", "getpid latency:"):
        assert word in out, word
    row = next(l for l in out.splitlines() if l.startswith("write "))
    assert row.split()[1:3] == ["500", "500"]


def test_hist_buckets_in_json():
    r = run_json("load", "--count", "200", "--syscalls", "read", "--hist")
    b = r["kinds"]["read"]["latency_ns"]["buckets"]
    assert sum(n for _, _, n in b) == 200


@pytest.mark.parametrize("args", [
    ["--duration", "0"],
    ["--duration", "-1"],
    ["--duration", "abc"],
    ["--syscalls", "bogus"],
    ["--syscalls", ""],
    ["--syscalls", "getpid,"],
    ["--threads", "0"],
    ["--threads", "1025"],
    ["--count", "0"],
    ["--rate", "-5"],
    ["--cpu", "-2"],
    ["--cpu", "100000"],
    ["--no-such-option"],
    ["--count", "5", "--duration", "1"],
    ["extra-argument"],
])
def test_bad_input_is_one_line_error(args):
    p = run("load", *args, timeout=10)
    assert p.returncode == 2, (args, p.returncode, p.stderr)
    assert p.stdout == ""
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr


def test_bad_mix_names_the_word_and_valid_names():
    p = run("load", "--syscalls", "getpid,bogus")
    assert "'bogus'" in p.stderr and "nanosleep" in p.stderr


@pytest.mark.parametrize("cmd", ["load", "demo", "overhead", "syscall"])
def test_syscalls_is_the_one_documented_workload_option(cmd):
    """Every command that runs the workload names its kinds --syscalls;
    --mix, load's and demo's old name, is still accepted but not shown."""
    h = run(cmd, "--help", check=True).stdout
    assert "--syscalls LIST" in h and "--mix" not in h
    p = run(cmd, "--mix", "bogus", timeout=10)
    assert p.returncode == 2 and "'bogus'" in p.stderr, p.stderr


def test_mix_alias_still_runs_load():
    r = run_json("load", "--count", "100", "--mix", "getpid")
    assert set(r["kinds"]) == {"getpid"} and r["kinds"]["getpid"]["calls"] == 100


@pytest.mark.parametrize("json_out", [False, True])
def test_sigint_prints_partial_results_promptly(json_out):
    cmd = [BIN] + (["-j"] if json_out else []) + ["load", "--duration", "60", "--threads", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
        took = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert took < 3.0, took
    if json_out:
        r = json.loads(out)
        assert r["stopped"] is True
        assert r["elapsed_s"] < 10
        assert r["kinds"]["getpid"]["calls"] > 0
    else:
        assert "stopped early" in out
        assert "getpid" in out
