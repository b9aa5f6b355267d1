"""bpfcost diff of saved report -j and stats -j files (issue 16): syscall
verdicts from two reports' A/B figures, the per-program comparison (with
a t-interval and a verdict per program where both stats files have several
intervals, "no interval" otherwise), the --fail-if-slower gate on stats
files' ns/run, and the one-line refusals (exit 2) of malformed, truncated,
schema-mismatched and mixed files.

The inputs are real saved outputs in tests/e2e/data/, made on the
development VM with the reference service (no kernel work here):
  report_sysmon_count.json   bpfcost -j report --duration 8 --sysmon count --syscalls getpid
  report_sysmon_events.json  the same with --sysmon events
  report_running.json        bpfcost -j report --duration 3 name sysmon_cnt_enter
                             (sysmon count running: A/B skipped)
  stats_4x500ms.json         bpfcost -j stats --duration 2 --interval 500ms (sysmon count running)
  stats_2x1s.json            bpfcost -j stats --duration 2 (sysmon count running)
  stats_1x1s.json            bpfcost -j stats --count 1 name sysmon_cnt_enter
"""
import json
from pathlib import Path

import pytest

from conftest import run

DATA = Path(__file__).resolve().parent / "data"


def diff_json(*args, rc=0):
    r = run("-j", "diff", *args)
    assert r.returncode == rc, r.stderr
    return json.loads(r.stdout)


def one_line_error(r, *needles):
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    for n in needles:
        assert n in r.stderr, r.stderr


def test_two_saved_reports():
    a, b = DATA / "report_sysmon_count.json", DATA / "report_sysmon_events.json"
    j = diff_json("--fail-if-slower", "10%", a, b, rc=1)
    g = j["syscalls"]["getpid"]
    saved = [s for s in json.loads(b.read_text())["syscalls"] if s["kind"] == "getpid"][0]
    assert g["b_added_ns"]["point"] == pytest.approx(saved["added_ns"]["point"])
    assert g["verdict"]["call"] == "slower" and g["verdict"]["fails"], g
    assert j["a"]["source"] == j["b"]["source"] == "report"
    assert j["drift"]["aa_max_ns"] > 0
    # Per program: count's and events' programs differ by name.
    rows = {p["name"]: p for p in j["per_program"]["programs"]}
    assert rows["sysmon_cnt_enter"]["b"] is None
    assert rows["sysmon_cnt_enter"]["verdict"]["call"] == "only in a"
    ev = rows["sysmon_ev_enter"]
    assert ev["a"] is None and ev["figure"] == "corrected", ev
    saved_ev = [p for p in json.loads(b.read_text())["programs"]
                if p["full_name"] == "sysmon_ev_enter"][0]["stats"]["corrected"]
    assert ev["b"]["ns_per_run"]["point"] == pytest.approx(saved_ev["ns_per_run"], rel=1e-6)
    r = run("diff", a, b)
    assert r.returncode == 0, r.stderr
    assert "more per getpid than A: slower" in r.stdout
    assert "Per program (report files, intervals: A 1, B 1" in r.stdout
    assert "sysmon_ev_enter: only in B's file" in r.stdout
    r = run("diff", "--markdown", a, b)
    assert r.returncode == 0, r.stderr
    assert "| getpid |" in r.stdout and "| program | A ns/run |" in r.stdout


def test_report_without_ab_gives_programs_only():
    a, b = DATA / "report_sysmon_count.json", DATA / "report_running.json"
    j = diff_json("--fail-if-slower", "1ns", a, b)
    assert j["syscalls"] == {}
    assert "A/B skipped: the agent runs already" in j["b"]["no_ab"]
    [p] = j["per_program"]["programs"]
    assert p["name"] == "sysmon_cnt_enter" and p["diff_ns"] is None, p
    assert p["verdict"]["call"] == "no interval"
    assert p["a"]["ns_per_run"]["method"] is None and p["a"]["cpu_pct"] > 0
    r = run("diff", a, b)
    assert r.returncode == 0, r.stderr
    assert "No syscall verdicts: B's report has no A/B figures" in r.stdout
    assert "sysmon_cnt_enter: no interval (one interval in each file): no verdict" in r.stdout


def test_two_saved_stats_files():
    a, b = DATA / "stats_2x1s.json", DATA / "stats_4x500ms.json"
    j = diff_json(a, b)
    assert j["a"]["source"] == "stats" and j["syscalls"] == {}
    [p] = j["per_program"]["programs"]
    assert p["name"] == "sysmon_cnt_enter" and p["figure"] == "corrected"
    ns = p["b"]["ns_per_run"]
    assert ns["n"] == 4 and ns["lo"] < ns["point"] < ns["hi"], ns
    assert "t-interval" in ns["method"]
    assert p["b"]["runs_per_s"]["method"] == "t-interval"
    assert p["verdict"]["call"] in ("same", "slower", "faster")
    assert "per run of sysmon_cnt_enter" in p["verdict"]["text"]
    r = run("diff", "--markdown", a, b)
    assert r.returncode == 0 and "| `sysmon_cnt_enter` |" in r.stdout, r.stderr
    # One interval in A's file: said, and no verdict even with a gate.
    r = run("diff", "--fail-if-slower", "1ns", DATA / "stats_1x1s.json", b)
    assert r.returncode == 0, r.stderr
    assert "sysmon_cnt_enter: no interval (one interval in A's file): no verdict" in r.stdout


def shifted(tmp_path, ns):
    """stats_4x500ms.json with every interval's run_time_ns raised by ns per
    run: the same spread, a known shift."""
    out = []
    for line in (DATA / "stats_4x500ms.json").read_text().splitlines():
        doc = json.loads(line)
        for p in doc["programs"]:
            if doc["type"] == "interval" and p["rate"]:
                p["rate"]["run_time_ns"] += ns * p["rate"]["runs"]
        out.append(json.dumps(doc))
    f = tmp_path / "shifted.json"
    f.write_text("\n".join(out) + "\n")
    return f


def test_stats_gate_on_ns_per_run(tmp_path):
    a, b = DATA / "stats_4x500ms.json", shifted(tmp_path, 20000)
    j = diff_json("--fail-if-slower", "25%", a, b, rc=1)
    [p] = j["per_program"]["programs"]
    assert p["diff_ns"]["point"] == pytest.approx(20000, rel=1e-6)
    assert p["verdict"]["call"] == "slower" and p["verdict"]["fails"], p
    r = run("diff", "--fail-if-slower", "50000ns", a, b)
    assert r.returncode == 0, r.stderr
    assert "more per run of sysmon_cnt_enter than A: slower" in r.stdout
    # A file against itself: no difference, the gate passes.
    j = diff_json("--fail-if-slower", "1ns", a, a)
    assert j["per_program"]["programs"][0]["verdict"]["call"] == "same"


def test_refusals(tmp_path):
    report = (DATA / "report_sysmon_count.json").read_text()
    stats = (DATA / "stats_4x500ms.json").read_text()
    cases = {
        "newer.json": (report.replace('"schema_version":1', '"schema_version":2', 1),
                       "schema_version 2 is newer"),
        "cut.json": (report[: len(report) // 2], "not JSON"),
        "noprogs.json": (json.dumps(dict(json.loads(report), programs={"x": 1})),
                         "report: \"programs\" is not an array"),
        "statscut.json": (stats[: len(stats) // 2], "not JSON"),
        "nosummary.json": ("\n".join(stats.splitlines()[:-1]) + "\n", "not the summary"),
        "lost.json": ("\n".join(stats.splitlines()[1:]) + "\n", "the summary counts 4"),
    }
    assert '"schema_version":1' in report
    for name, (text, msg) in cases.items():
        f = tmp_path / name
        f.write_text(text)
        one_line_error(run("diff", f, DATA / "report_sysmon_count.json"), msg, name)
    # Mixed kinds: a stats file against a report.
    one_line_error(run("diff", DATA / "stats_2x1s.json", DATA / "report_running.json"),
                   "is stats output and", "report output")


def test_programs_match_by_attach_point_where_recorded(tmp_path):
    """Reports now record each program's attach point: two that record one
    match on it; against a file that records none (an older report), by name."""
    doc = json.loads((DATA / "report_running.json").read_text())

    def with_attach(name, attach):
        for p in doc["programs"]:
            p["attach"] = attach
        f = tmp_path / name
        f.write_text(json.dumps(doc))
        return f

    enter = with_attach("enter.json", "raw_tp:sys_enter")
    exit_ = with_attach("exit.json", "raw_tp:sys_exit")
    calls = {p["verdict"]["call"] for p in diff_json(enter, exit_)["per_program"]["programs"]}
    assert calls == {"only in a", "only in b"}
    [p] = diff_json(enter, enter)["per_program"]["programs"]
    assert p["attach"] == "raw_tp:sys_enter" and p["verdict"]["call"] == "no interval"
    [p] = diff_json(DATA / "report_sysmon_count.json", exit_)["per_program"]["programs"]
    assert p["a"] and p["b"], p
