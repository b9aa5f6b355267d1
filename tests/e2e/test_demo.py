"""bpfcost demo: real figures for the three weights, ordered by cost, and
the methods it cannot run here named with a reason."""
import json

import pytest

from conftest import run


@pytest.fixture(scope="module")
def demo():
    r = run("-j", "demo", "--round-time", "1.5", timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def by_weight(demo):
    return {w["weight"]: w for w in demo["weights"]}


def test_ns_per_run_is_ordered_by_weight(demo):
    w = by_weight(demo)
    assert 0 < w["count"]["ns_per_run"] < w["proc"]["ns_per_run"] < w["events"]["ns_per_run"]


def test_runs_per_syscall_match_the_programs(demo):
    w = by_weight(demo)
    # count hooks sys_enter only; proc and events hook enter and exit.
    assert w["count"]["runs_per_syscall"] == pytest.approx(1.0, abs=0.05)
    assert w["proc"]["runs_per_syscall"] == pytest.approx(2.0, abs=0.1)
    assert w["events"]["runs_per_syscall"] == pytest.approx(2.0, abs=0.1)
    for x in w.values():
        assert x["runs"] == sum(p["runs"] for p in x["programs"])
        assert x["cpu_pct_machine"] == pytest.approx(x["cpu_pct_one_cpu"] / demo["ncpus"])

def test_ab_column_is_ordered_by_weight(demo):
    w = by_weight(demo)
    ab = {k: v["ab_getpid_added_ns"] for k, v in w.items()}
    # The weights' A/B runs follow one another, not interleaved: only the 3x
    # gap from count is sure to outlast the machine's drift (see
    # test_overhead.test_added_latency_is_ordered_by_weight).
    assert ab["count"]["point"] < ab["proc"]["point"], ab
    assert ab["count"]["point"] < ab["events"]["point"], ab
    assert ab["events"]["lo"] > 0
    assert demo["ab"]["rounds"] == 100
    # The demo's own stats windows are closed before its A/B rounds.
    assert not any(v["stats_on_during_ab"] for v in ab.values()), ab


def test_events_were_drained(demo):
    ev = by_weight(demo)["events"]
    assert ev["events"] + ev["lost"] > 0


def test_stats_enabled_by_fd_and_skips_explained(demo):
    assert demo["stats"]["enabled_via"] == "BPF_ENABLE_STATS"
    skipped = {s["method"]: s for s in demo["other_methods"]}
    assert "stats" not in skipped and "ab" not in skipped
    for s in skipped.values():
        assert s["why"]
    if not skipped["profile"]["available"]:
        assert "stats" in skipped["profile"]["why"]


def test_plain_output_is_a_table():
    r = run("demo", "--round-time", "0.5", "--ab-rounds", "8", "--syscalls", "getpid",
            timeout=120)
    assert r.returncode == 0, r.stderr
    assert "8 off/on round pairs" in r.stdout
    for word in ("WEIGHT", "NS/RUN", "GETPID_ADDED_NS", "count", "proc", "events",
                 "Other methods"):
        assert word in r.stdout


@pytest.mark.parametrize("args", [["--round-time", "0"], ["--round-time", "x"],
                                  ["--syscalls", "fork"], ["extra"], ["--nope"],
                                  ["--ab-rounds", "3"], ["--ab-rounds", "8x"]])
def test_bad_input(args):
    r = run("demo", *args)
    assert r.returncode != 0
    assert len(r.stderr.strip().splitlines()) == 1


def test_sampled_column_when_annotate_works(demo):
    skipped = {s["method"] for s in demo["other_methods"]}
    w = by_weight(demo)
    if "annotate" in skipped:
        assert all(x["cpu_pct_sampled"] is None for x in w.values())
        return
    sampled = {k: v["cpu_pct_sampled"] for k, v in w.items()}
    assert 0 < sampled["count"] < sampled["proc"] < sampled["events"], sampled
    for x in w.values():
        assert sum(p["samples"] for p in x["programs"]) > 0
