"""The run-time stats bias: bpfcost measures what the stats count for an
empty program (src/statsbias.c) and shows corrected figures beside the raw
ones in stats, top, prog, demo and the exporter. What is checked here is
what must hold on any machine: the bias is measured with a real interval,
corrections are never negative and never above the raw figure, '<X' and
'-' appear where they should, and nothing is loaded when told not to."""
import json
import subprocess
import time

import pytest

from conftest import BIN, ROOT, AttachRunner, run, run_json

EMPTY = str(ROOT / "build" / "empty.bpf.o")


def summary_of(out):
    docs = [json.loads(l) for l in out.splitlines() if l.strip()]
    return [d for d in docs if d["type"] == "summary"][0], docs


def getpid_load(secs):
    return subprocess.Popen([BIN, "load", "--syscalls", "getpid", "--duration", str(secs)],
                            stdout=subprocess.DEVNULL)


@pytest.fixture
def empty():
    r = AttachRunner(EMPTY)
    yield r
    r.stop()


def check_corrected(rate):
    c = rate["corrected"]
    assert c is not None
    assert 0 <= c["lo"] <= c["hi"]
    assert c["hi"] <= rate["ns_per_run"] + 1e-6
    if c["resolved"]:
        assert c["lo"] <= c["ns_per_run"] <= c["hi"]
        assert 0 < c["ns_per_run"] < rate["ns_per_run"]
        assert 0 < c["cpu_pct"] < rate["cpu_pct"]
    else:
        assert c["ns_per_run"] is None and c["cpu_pct"] is None


def test_stats_json_carries_bias_and_corrected(empty):
    wl = getpid_load(3)
    try:
        time.sleep(0.3)
        summary, docs = summary_of(run("-j", "stats", "id", empty.ids[0], "--count", "2",
                                       "--interval", "0.5", check=True).stdout)
    finally:
        wl.wait(timeout=30)
    b = summary["stats_bias"]
    assert b["valid"] and b["runs"] >= 50000 and b["batches"] >= 2
    # A real interval: not zero-width, and around a positive point.
    assert 0 < b["lo"] < b["ns_per_run"] < b["hi"]
    assert "BPF_PROG_TEST_RUN" in b["method"]
    (p,) = summary["programs"]
    assert p["rate"]["runs"] > 10000
    check_corrected(p["rate"])
    for d in docs[:-1]:
        check_corrected(d["programs"][0]["rate"])
        assert d["all"]["corrected"] is not None


def test_plain_columns_and_legend(empty):
    out = run("stats", "id", empty.ids[0], "--count", "1", "--interval", "0.2",
              check=True).stdout
    assert "CORR_NS" in out and "CORR%1" in out
    assert "stats bias" in out and "BPF_PROG_TEST_RUN" not in out.split("\n")[0]


def test_no_correction_leaves_columns_out(empty):
    summary, _ = summary_of(run("-j", "stats", "id", empty.ids[0], "--count", "1",
                                "--interval", "0.2", "--no-correction", check=True).stdout)
    assert summary["stats_bias"] == {"valid": False, "why": "--no-correction"}
    assert summary["programs"][0]["rate"]["corrected"] is None


def test_top_batch_shows_bias(empty):
    out = run("top", "-b", "--count", "1", "--interval", "0.2", "id", empty.ids[0],
              check=True).stdout
    assert "CORR_NS" in out.splitlines()[1]
    assert " bias " in out.splitlines()[0]


def test_prog_measures_only_while_stats_are_on(empty):
    # Stats off: prog says why and corrects nothing (it never turns them on).
    doc = run_json("prog", "id", empty.ids[0])
    assert doc["stats_bias"]["valid"] is False
    # Stats held by a running 'bpfcost stats': prog measures and corrects.
    wl = getpid_load(4)
    st = subprocess.Popen([BIN, "stats", "--duration", "3", "--no-correction"],
                          stdout=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        doc = run_json("prog", "id", empty.ids[0])
    finally:
        st.wait(timeout=30)
        wl.wait(timeout=30)
    assert doc["stats_bias"]["valid"], doc["stats_bias"]
    (p,) = doc["programs"]
    assert p["run_cnt"] > 0
    c = p["corrected"]
    assert c is not None and 0 <= c["lo"] <= c["hi"] <= p["ns_per_run"]
