"""bpfcost diff, faults a new user found (issue 16): every verdict names its
interval's method and confidence; report -j saves the method; intervals at
other confidence levels give no verdict and a warning, and so does a partial
report (a warning only); the per-program header says how programs were
matched for the file kind; Markdown escapes names; a self-diff has no drift
warning; '-' is standard input; -j with --markdown is refused; the help
texts name every file kind and the exit codes.

Saved files only (tests/e2e/data, see test_diff_saved.py): no kernel work.
"""
import json
from pathlib import Path

import pytest

from conftest import ROOT, run

DATA = Path(__file__).resolve().parent / "data"
COUNT, EVENTS = DATA / "report_sysmon_count.json", DATA / "report_sysmon_events.json"
STATS2, STATS4 = DATA / "stats_2x1s.json", DATA / "stats_4x500ms.json"


def one_line_error(r, *needles):
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    for n in needles:
        assert n in r.stderr, r.stderr


def edited(tmp_path, src, name, edit):
    doc = json.loads(src.read_text())
    edit(doc)
    f = tmp_path / name
    f.write_text(json.dumps(doc))
    return f


def getpid_of(doc):
    return [s for s in doc["syscalls"] if s["kind"] == "getpid"][0]


def test_verdicts_name_method_and_confidence():
    # Reports: MOVER of the two files' intervals of the rounds' mean, at 95%.
    r = run("diff", COUNT, EVENTS)
    assert r.returncode == 0, r.stderr
    [line] = [ln for ln in r.stdout.splitlines() if "more per getpid than A" in ln]
    assert "[95% CI: MOVER of the two files' intervals (each: " in line, line
    saved = getpid_of(json.loads(COUNT.read_text()))["added_ns"]["method"]
    assert saved and saved in line, (saved, line)
    j = json.loads(run("-j", "diff", COUNT, EVENTS).stdout)
    g = j["syscalls"]["getpid"]
    assert g["a_added_ns"]["method"] == saved and "MOVER" in g["diff_ns"]["method"], g
    md = run("diff", "--markdown", COUNT, EVENTS).stdout
    [row] = [ln for ln in md.splitlines() if ln.startswith("| getpid |")]
    assert row.endswith("| 95% CI: " + g["diff_ns"]["method"] + " |"), row
    # Stats files: the ratio estimator's t-interval of each file.
    r = run("diff", STATS2, STATS4)
    [line] = [ln for ln in r.stdout.splitlines() if "per run of sysmon_cnt_enter" in ln]
    assert "[95% CI: MOVER of the two files' intervals (each: t-interval of total run time" \
        in line, line
    md = run("diff", "--markdown", STATS2, STATS4).stdout
    [row] = [ln for ln in md.splitlines() if ln.startswith("| `sysmon_cnt_enter` |")]
    assert "| 95% CI: MOVER of" in row and "t-interval" in row, row


def test_saved_reports_follow_the_schema():
    """The saved reports are the real binary's current output: they pass the
    schema (attach, type_name, tail_call, series required) and each A/B
    interval carries its method (a t-interval for these few rounds)."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "docs" / "report.schema.json").read_text())
    for f in sorted(DATA.glob("report_*.json")):
        doc = json.loads(f.read_text())
        jsonschema.validate(doc, schema)
        for s in doc["syscalls"]:
            if s["ab"] and s["added_ns"]["point"] is not None:
                assert s["added_ns"]["method"].startswith(("t-interval", "circular block")), \
                    (f.name, s["added_ns"])


def test_levels_differ_no_verdict_and_a_warning(tmp_path):
    def at_90(doc):
        getpid_of(doc)["added_ns"]["level"] = 0.9
    new = edited(tmp_path, EVENTS, "at90.json", at_90)
    r = run("-j", "diff", "--fail-if-slower", "10%", COUNT, new)
    assert r.returncode == 0, r.stderr  # no verdict: the gate cannot fail
    j = json.loads(r.stdout)
    g = j["syscalls"]["getpid"]
    assert g["diff_ns"] is None and g["verdict"]["call"] == "levels differ", g
    msg = "getpid: A's interval is at 95% confidence, B's at 90%"
    assert [w for w in j["warnings"] if w.startswith(msg)], j["warnings"]
    assert r.stderr.count("\n") == 1 and "warning: " + msg in r.stderr, r.stderr
    r = run("diff", COUNT, new)
    assert msg + ": they do not combine into one interval: no verdict" in r.stdout
    assert "B_ADDED_NS [95% CI]" not in r.stdout, r.stdout  # B's heading is not 95%
    assert "more per getpid" not in r.stdout
    md = run("diff", "--markdown", COUNT, new).stdout
    assert "> **Warning:** " + msg in md, md


def test_partial_report_warned(tmp_path):
    def partial(doc):
        doc["partial"] = True
        doc["partial_why"] = "stopped by a signal during A/B"
    new = edited(tmp_path, EVENTS, "partial.json", partial)
    msg = "B's report is partial (stopped by a signal during A/B)"
    r = run("-j", "diff", COUNT, new)
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert [w for w in j["warnings"] if w.startswith(msg)], j["warnings"]
    assert j["b"]["partial"] == "stopped by a signal during A/B" and "partial" not in j["a"]
    assert j["syscalls"]["getpid"]["verdict"]["call"] == "slower"  # still diffed
    assert len(r.stderr.strip().splitlines()) == 1 and msg in r.stderr, r.stderr
    md = run("diff", "--markdown", COUNT, new)
    assert "> **Warning:** " + msg in md.stdout and msg in md.stderr
    r = run("-j", "diff", COUNT, EVENTS)
    assert json.loads(r.stdout)["warnings"] == [] and r.stderr == ""


def test_program_matching_said_per_file_kind(tmp_path):
    assert "matched by name (stats files record no attach point)" in \
        run("diff", STATS2, STATS4).stdout
    out = run("diff", COUNT, EVENTS).stdout
    assert "; matched by name and attach point;" in out, out
    old = edited(tmp_path, COUNT, "old.json",
                 lambda d: [p.pop("attach") for p in d["programs"]])
    out = run("diff", old, EVENTS).stdout
    assert "matched by name and attach point where both reports record one, else by name" in out
    j = json.loads(run("-j", "diff", old, EVENTS).stdout)
    assert j["per_program"]["match"].endswith("else by name (a report from before attach points)")


def test_markdown_escapes_names_and_titles(tmp_path):
    hostile = "a|b`c"
    lines = []
    for line in (DATA / "stats_flat.json").read_text().splitlines():
        doc = json.loads(line)
        for p in doc.get("programs", []):
            p["full_name"] = hostile
        lines.append(json.dumps(doc))
    f = tmp_path / "hostile.json"
    f.write_text("\n".join(lines) + "\n")
    md = run("diff", "--markdown", f, f).stdout
    assert "| ``a\\|b`c`` |" in md, md
    assert "| `a|b" not in md
    new = edited(tmp_path, EVENTS, "title.json", lambda d: d.update(title="x|y`z"))
    md = run("diff", "--markdown", COUNT, new).stdout
    assert "B (new): ``x\\|y`z``" in md, md


def test_self_diff_has_no_drift_warning():
    for f in (COUNT, STATS4):
        r = run("diff", f, f)
        assert r.returncode == 0, r.stderr
        assert "not directly comparable" not in r.stdout
        assert "A and B have the same content (a file against itself): no drift" in r.stdout
        md = run("diff", "--markdown", f, f).stdout
        assert "not directly comparable" not in md and "the same content" in md
        j = json.loads(run("-j", "diff", f, f).stdout)
        d = j["drift"]
        assert d["same_content"] is True and d["warning"] is None, d
        # one measurement against itself: no interval, no verdict
        assert "by construction, no interval or verdict" in r.stdout, r.stdout
        assert "no difference detectable" not in r.stdout, r.stdout
        calls = [s["verdict"]["call"] for s in (j.get("syscalls") or {}).values()]
        calls += [p["verdict"]["call"] for p in (j.get("per_program") or {}).get("programs", [])
                  if p.get("verdict")]
        assert calls and set(calls) == {"same content"}, j
    d = json.loads(run("-j", "diff", COUNT, EVENTS).stdout)["drift"]
    assert d["same_content"] is False and "not directly comparable" in d["warning"]


def test_dash_reads_standard_input():
    r = run("diff", "-", EVENTS, input=COUNT.read_text())
    assert r.returncode == 0, r.stderr
    assert "A (base): standard input: report" in r.stdout
    assert r.stdout.split("\n", 1)[1] == run("diff", COUNT, EVENTS).stdout.split("\n", 1)[1]
    r = run("-j", "diff", STATS4, "-", input=STATS4.read_text())
    assert json.loads(r.stdout)["drift"]["same_content"] is True
    one_line_error(run("diff", "-", "-", input=""), "only one of BASE and NEW can be -")
    one_line_error(run("diff", "-", EVENTS, input="{\"syscalls\": "),
                   "standard input: not JSON")


def test_json_with_markdown_refused():
    one_line_error(run("-j", "diff", "--markdown", COUNT, EVENTS),
                   "-j and --markdown are two output formats")


def test_markdown_zero_width_side_has_no_interval(tmp_path):
    def widen(doc):
        doc["syscalls"]["getpid"]["added_ns"].update(point=60.0, lo=55.0, hi=65.0)
    flat = DATA / "overhead_flat_getpid.json"
    wide = edited(tmp_path, flat, "wide.json", widen)
    md = run("diff", "--markdown", flat, wide).stdout
    [row] = [ln for ln in md.splitlines() if ln.startswith("| getpid |")]
    assert row.startswith("| getpid | 50.0 (no spread) | 60.0 [55.0, 65.0] |"), row
    assert "[50.0, 50.0]" not in md


def test_help_names_file_kinds_stdin_and_exit_codes():
    [line] = [ln for ln in run("--help").stdout.splitlines() if ln.startswith("  diff ")]
    for kind in ("report", "overhead", "compare", "stats"):
        assert kind in line, line
    h = run("diff", "--help").stdout
    for needle in ("`bpfcost -j overhead`", "`-j report`", "`-j stats`", "may be `-`",
                   "Exit status: 0 when", "1 when --fail-if-slower", "2 on any error",
                   "EXAMPLES:", "| bpfcost diff base.json -"):
        assert needle in h, needle
