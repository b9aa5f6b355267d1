"""bpfcost diff of saved report -j and stats -j files (issue 16): syscall
verdicts from two reports' A/B figures, the per-program comparison (with
a t-interval and a verdict per program where both stats files have several
intervals, "no interval" otherwise), the --fail-if-slower gate on stats
files' ns/run, and the one-line refusals (exit 2) of malformed, truncated,
schema-mismatched and mixed files.

The inputs are real saved outputs in tests/e2e/data/, made on the
development VM with the reference service (no kernel work here); the three
reports were made again by the current binary on 2026-11-30 (attach points,
tail_call, series, each interval's method), test_diff_notes.py checks them
against the schema:
  report_sysmon_count.json   bpfcost -j report --duration 8 --sysmon count --syscalls getpid
  report_sysmon_events.json  the same with --sysmon events
  report_running.json        bpfcost -j report --duration 3 name sysmon_cnt_enter
                             (sysmon count running: A/B skipped)
  stats_4x500ms.json         bpfcost -j stats --duration 2 --interval 500ms (sysmon count running)
  stats_2x1s.json            bpfcost -j stats --duration 2 (sysmon count running)
  stats_1x1s.json            bpfcost -j stats --count 1 name sysmon_cnt_enter
and small hand-made ones:
  stats_flat.json            program "flat" at 100 ns/run in both intervals (no spread)
  stats_elsewhere.json       program "elsewhere" only
  overhead_flat_getpid.json  getpid added_ns with a zero-width interval
  overhead_flat_read.json    the same for read (no syscall in common with getpid)
"""
import json
import re
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
    assert ("sysmon_cnt_enter: no interval (it ran in 1 interval of A's file; it ran in 1 "
            "interval of B's file): no verdict") in r.stdout


def test_two_saved_stats_files():
    a, b = DATA / "stats_2x1s.json", DATA / "stats_4x500ms.json"
    j = diff_json(a, b)
    assert j["a"]["source"] == "stats" and j["syscalls"] == {}
    [p] = j["per_program"]["programs"]
    assert p["name"] == "sysmon_cnt_enter" and p["figure"] == "corrected"
    ns = p["b"]["ns_per_run"]
    assert ns["n"] == 4 and ns["lo"] < ns["point"] < ns["hi"], ns
    assert "t-interval" in ns["method"]
    assert "ratio" in p["b"]["runs_per_s"]["method"]
    assert p["verdict"]["call"] in ("same", "slower", "faster")
    assert "per run of sysmon_cnt_enter" in p["verdict"]["text"]
    r = run("diff", "--markdown", a, b)
    assert r.returncode == 0 and "| `sysmon_cnt_enter` |" in r.stdout, r.stderr
    # One interval in A's file: said, and no verdict even with a gate.
    r = run("diff", "--fail-if-slower", "1ns", DATA / "stats_1x1s.json", b)
    assert r.returncode == 0, r.stderr
    assert "sysmon_cnt_enter: no interval (it ran in 1 interval of A's file): no verdict" in r.stdout


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
    # A file against itself: one measurement, no interval, the gate passes.
    j = diff_json("--fail-if-slower", "1ns", a, a)
    assert j["per_program"]["programs"][0]["verdict"]["call"] == "same content"


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
    # Nothing in common (each program only in one file): refused.
    one_line_error(run("diff", enter, exit_), "nothing in common")
    [p] = diff_json(enter, enter)["per_program"]["programs"]
    assert p["attach"] == "raw_tp:sys_enter" and p["verdict"]["call"] == "same content"
    old = json.loads((DATA / "report_sysmon_count.json").read_text())
    for p in old["programs"]:
        p.pop("attach", None)
    (tmp_path / "old.json").write_text(json.dumps(old))
    [p] = diff_json(tmp_path / "old.json", exit_)["per_program"]["programs"]
    assert p["a"] and p["b"], p


def summary_ns(path):
    """The summary line's corrected ns/run of the file's one program."""
    last = json.loads(path.read_text().splitlines()[-1])
    return last["programs"][0]["rate"]["corrected"]["ns_per_run"]


def test_stats_ns_per_run_weighted_by_runs():
    """ns/run is total run time / total runs over the intervals, minus the
    bias: the file's own summary line, not the plain mean of the
    intervals' ns/run (734.3 for stats_4x500ms.json)."""
    a, b = DATA / "stats_4x500ms.json", DATA / "stats_2x1s.json"
    [p] = diff_json(a, b)["per_program"]["programs"]
    for side, f in (("a", a), ("b", b)):
        ns = p[side]["ns_per_run"]
        assert ns["point"] == pytest.approx(summary_ns(f), rel=1e-6), (side, ns)
        runs = time = 0
        for line in f.read_text().splitlines()[:-1]:
            for q in json.loads(line)["programs"]:
                if q["rate"]:
                    runs += q["rate"]["runs"]
                    time += q["rate"]["run_time_ns"]
        bias = json.loads(f.read_text().splitlines()[-1])["stats_bias"]["ns_per_run"]
        assert ns["point"] == pytest.approx(time / runs - bias, rel=1e-6)
    assert "387.3 [" in run("diff", a, b).stdout


def test_negative_bounds_clamped_in_output_not_in_diff():
    """stats_4x500ms.json's corrected ns/run and runs/s intervals reach below
    0: reported as 0 (and marked in JSON); B - A uses them as computed."""
    a, b = DATA / "stats_4x500ms.json", DATA / "stats_2x1s.json"
    [p] = diff_json(a, b)["per_program"]["programs"]
    for fig in ("ns_per_run", "runs_per_s"):
        c = p["a"][fig]
        assert c["lo"] == 0 and c["lo_clamped"] is True, c
    # B - A from the unclamped A: its upper end is B.hi - A.lo + ..., beyond
    # what the clamped A (lo 0) would give.
    d = p["diff_ns"]
    assert d["lo"] < 0 < d["hi"]
    assert d["hi"] - d["point"] > p["a"]["ns_per_run"]["point"], d
    out = run("diff", a, b).stdout
    [row] = [ln for ln in out.splitlines() if ln.startswith("sysmon_cnt_enter ")]
    cis = re.findall(r"(-?[\d.]+) \[(-?[\d.]+), (-?[\d.]+)\]", row)
    assert len(cis) == 5, row  # A ns, B ns, B - A, A runs/s, B runs/s
    assert float(cis[2][1]) < 0, row  # B - A may be negative
    for i in (0, 1, 3, 4):
        assert float(cis[i][1]) >= 0, row
    assert cis[0][1] == "0.0" and cis[3][1] == "0", row
    assert "lo_clamped" in run("diff", "--help").stdout


def copy_of(tmp_path, src):
    """The same figures in other bytes: not a file against itself."""
    f = tmp_path / ("copy_" + src.name)
    lines = [l for l in src.read_text().splitlines() if l.strip()]
    try:
        text = json.dumps(json.loads("\n".join(lines)), indent=1) + "\n"
    except json.JSONDecodeError:    # JSON lines (stats -j)
        text = "".join(json.dumps(json.loads(l), separators=(",", ":")) + "\n" for l in lines)
    f.write_text(text)
    return f


def test_no_spread_gives_no_interval(tmp_path):
    """The same ns/run in every interval: no interval, no verdict, never
    '< 0.0'."""
    f0 = DATA / "stats_flat.json"
    f = copy_of(tmp_path, f0)
    [p] = diff_json("--fail-if-slower", "1ns", f0, f)["per_program"]["programs"]
    assert p["diff_ns"] is None and p["verdict"]["call"] == "no interval", p
    assert p["a"]["no_spread"] is True and p["a"]["ns_per_run"]["method"] is None
    r = run("diff", f0, f)
    assert r.returncode == 0, r.stderr
    assert "flat: no interval (no spread" in r.stdout and "< 0.0" not in r.stdout
    # Saved syscall intervals of zero width: no B - A interval either.
    g0 = DATA / "overhead_flat_getpid.json"
    g = copy_of(tmp_path, g0)
    j = diff_json("--fail-if-slower", "1ns", g0, g)
    row = j["syscalls"]["getpid"]
    assert row["diff_ns"] is None and row["verdict"]["call"] == "no interval", row
    r = run("diff", g0, g)
    assert "getpid: no interval (no spread" in r.stdout and "[50.0, 50.0]" not in r.stdout
    assert "< 0.0" not in r.stdout


def test_nothing_in_common_exits_2():
    for args in ((DATA / "overhead_flat_getpid.json", DATA / "overhead_flat_read.json"),
                 (DATA / "stats_flat.json", DATA / "stats_elsewhere.json")):
        one_line_error(run("diff", *args), "nothing in common")
        one_line_error(run("diff", "--fail-if-slower", "10%", *args), "nothing in common")
