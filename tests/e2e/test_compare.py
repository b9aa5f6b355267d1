"""bpfcost compare (two tracer versions interleaved in one run) and bpfcost
diff (the same verdicts from two saved overhead -j results): the verdicts,
the --fail-if-slower gate and its exit codes (0 pass, 1 gate failed, 2
error), per-program corrected ns/run side by side, the hot lines that
changed most (from a cpu-clock sampling phase per version), --seed, and the
saved-file reader's refusals."""
import json
import time

import pytest

from conftest import ROOT, RUNNER, run

BUILD = ROOT / "build"


def source_lines(path, *needles):
    """Line numbers of the lines of path holding any of the needles."""
    text = (ROOT / path).read_text().splitlines()
    return {i + 1 for i, l in enumerate(text) if any(n in l for n in needles)}


# bpfloop.bpf.c: the callback's two lines and the bpf_loop call (samples in
# the loop that calls the callback count at the call).
LOOP_LINES = source_lines("src/bpf/bpfloop.bpf.c", "6364136223846793005", "return 0;",
                          "bpf_loop(LOOP_N")
FAST = ["--syscalls", "getpid", "--stats-rounds", "0", "--no-lines"]


def compare(*args, rc=0, timeout=180):
    r = run("-j", "compare", *args, timeout=timeout)
    assert r.returncode == rc, r.stderr
    return json.loads(r.stdout)


def contains_zero(ci):
    return ci["lo"] <= 0 <= ci["hi"]


def test_events_slower_than_proc_interleaved():
    # proc and events differ by about 25% of their added time (measured
    # 180-215 ns of 670-910): too close to order across separate A/B runs on
    # this machine (test_overhead checks only count's 3x gap), but interleaved
    # in one run the difference's interval stays above zero.
    j = compare("--sysmon", "proc", "--vs-sysmon", "events", *FAST, "--rounds", "30")
    g = j["syscalls"]["getpid"]
    assert g["diff_ns"]["lo"] > 0, g
    assert g["verdict"]["call"] == "slower", g["verdict"]


def test_events_slower_than_count_fails_the_gate():
    # 30 blocks of four 0.02 s rounds (2.4 s); one stats round per version.
    j = compare("--sysmon", "count", "--vs-sysmon", "events", "--syscalls", "getpid",
                "--rounds", "30", "--stats-rounds", "1", "--fail-if-slower", "10%", rc=1)
    g = j["syscalls"]["getpid"]
    assert g["diff_ns"]["lo"] > 0, g
    assert g["b_added_ns"]["point"] > g["a_added_ns"]["point"] > 0, g
    v = g["verdict"]
    assert v["call"] == "slower" and v["fails"], v
    assert v["threshold_ns"] == pytest.approx(g["a_added_ns"]["point"] * 0.10)
    assert v["text"].startswith("B adds ") and v["text"].endswith(")"), v
    assert j["a"] == {"kind": "sysmon", "describe": "sysmon count"}
    progs = {(p["name"], p["attach"]): p for p in j["per_program"]["programs"]}
    enter = progs[("sysmon_ev_enter", "raw_tp:sys_enter")]
    assert enter["a"] is None and enter["b"]["runs"] > 0, enter
    assert progs[("sysmon_cnt_enter", "raw_tp:sys_enter")]["b"] is None
    # Hot lines: events' programs only in B, their lines gaining.
    hl = j["hot_lines"]
    assert hl["event"] == "cpu-clock" and hl["a"]["workload_calls"] > 0, hl
    lp = {(p["name"], p["attach"]): p for p in hl["programs"]}
    ev = lp[("sysmon_ev_exit", "raw_tp:sys_exit")]
    assert ev["a"] is None and ev["b"]["samples"] > 0 and ev["b"]["has_line_info"], ev
    assert ev["lines"] and all(l["delta_ns_per_call"] > 0 and l["a"]["samples"] == 0
                               for l in ev["lines"]), ev


@pytest.mark.accuracy
def test_same_tracer_twice_no_difference():
    # A 95% interval misses 0 one time in twenty by construction: one retry.
    for attempt in range(2):
        r = run("-j", "compare", "--sysmon", "count", "--vs-sysmon", "count", *FAST,
                "--rounds", "60", "--fail-if-slower", "10%", timeout=120)
        assert r.returncode in (0, 1), r.stderr
        g = json.loads(r.stdout)["syscalls"]["getpid"]
        if contains_zero(g["diff_ns"]):
            break
    assert contains_zero(g["diff_ns"]), g
    assert g["verdict"]["call"] == "same" and not g["verdict"]["fails"]
    assert g["verdict"]["text"].startswith("no difference detectable: |B - A| < ")
    assert r.returncode == 0


def test_plain_and_markdown():
    r = run("compare", "--sysmon", "count", "--vs-sysmon", "proc", *FAST, "--rounds", "3")
    assert r.returncode == 0, r.stderr
    assert "B-A_NS [95% CI]" in r.stdout and "A: sysmon count" in r.stdout
    assert "Per program: not available: disabled (--stats-rounds 0)" in r.stdout
    assert "Hot lines: not available: disabled (--no-lines)" in r.stdout
    r = run("compare", "--sysmon", "count", "--vs-sysmon", "proc", *FAST, "--rounds", "3",
            "--markdown")
    assert r.returncode == 0, r.stderr
    assert "| syscall | A adds (ns) | B adds (ns) | B - A (ns, 95% CI) | verdict |" in r.stdout
    assert "| getpid |" in r.stdout


@pytest.mark.accuracy
def test_bpf_loop_200_slower_than_50():
    # Two builds of one held program (bc_loop on sys_enter): the commands
    # are restarted for every on-round. Corrected ns per run should scale
    # with the bpf_loop iterations, 4x here, diluted by the fixed part.
    a = [RUNNER, str(BUILD / "bpfloop50.bpf.o")]
    b = [RUNNER, str(BUILD / "bpfloop200.bpf.o")]
    # 150 bpf_loop iterations are ~200 ns per getpid here: 3 blocks call it
    # on a quiet host; a busy one needed a retry in 1 of 3 runs, and a CI run
    # failed both tries at 3 blocks: 4 blocks, up to three tries.
    for attempt in range(3):
        j = compare("--syscalls", "getpid", "--rounds", "4", "--round-time", "0.3",
                    "--stats-rounds", "2", "--", *a, "--vs", *b)
        g = j["syscalls"]["getpid"]
        if g["verdict"]["call"] == "slower":
            break
    assert g["verdict"]["call"] == "slower", g
    assert j["a"]["kind"] == "command" and j["b"]["kind"] == "command"
    [p] = [p for p in j["per_program"]["programs"] if p["name"] == "bc_loop"]
    assert p["attach"] == "raw_tp:sys_enter", p
    ca, cb = p["a"]["corrected"], p["b"]["corrected"]
    assert ca["resolved"] and cb["resolved"], p
    assert 2.0 < cb["ns_per_run"] / ca["ns_per_run"] < 6.0, p
    # The added ns per call go the same way as the in-BPF time.
    assert g["b_added_ns"]["point"] > g["a_added_ns"]["point"]
    # Hot lines (0.5 s of cpu-clock samples per version): the per-iteration
    # lines lead, each gaining sampled ns per syscall in B, the loop body
    # among them; the program's own figure grows as its ns/run does.
    [h] = [h for h in j["hot_lines"]["programs"] if h["name"] == "bc_loop"]
    assert h["attach"] == "raw_tp:sys_enter" and h["a"]["has_line_info"], h
    assert h["b"]["ns_per_call"] > 1.5 * h["a"]["ns_per_call"], h
    top = h["lines"][0]
    assert top["delta_ns_per_call"] > 0 and top["line"] in LOOP_LINES, h["lines"]
    [body] = [l for l in h["lines"] if "6364136223846793005" in l["src"]]
    assert body["file"] == "bpfloop.bpf.c", body
    assert body["b"]["ns_per_call"] > body["a"]["ns_per_call"] > 0, body
    assert body["a"]["samples"] > 0 and 0 < body["b"]["share"] <= 1, body


def test_seed_repeats_the_order():
    runs = [compare("--seed", "424242", "--sysmon", "count", "--vs-sysmon", "proc", *FAST,
                    "--rounds", "8") for _ in range(2)]
    assert runs[0]["seed"] == runs[1]["seed"] == 424242
    assert runs[0]["order"] == runs[1]["order"], runs
    assert len(runs[0]["order"]) == 16 and set(runs[0]["order"]) == {"A", "B"}
    assert runs[0]["hot_lines"] == {"unavailable": "disabled (--no-lines)"}
    r = run("compare", "--seed", "424242", "--sysmon", "count", "--vs-sysmon", "proc", *FAST,
            "--rounds", "3", "--markdown")
    assert r.returncode == 0 and "seed 424242" in r.stdout, r.stdout + r.stderr


@pytest.mark.parametrize("args,msg", [
    (["--sysmon", "count", "--fail-if-slower", "ten"], "--fail-if-slower"),
    (["--sysmon", "count", "--fail-if-slower", "10%%"], "--fail-if-slower"),
    (["--sysmon", "count", "--fail-if-slower", "0"], "--fail-if-slower"),
    (["--sysmon", "count"], "give exactly one B"),
    (["--vs-sysmon", "count"], "give exactly one A"),
    (["--sysmon", "count", "--vs-sysmon", "proc", "--rounds", "2"], "--rounds"),
    (["--sysmon", "count", "--vs-sysmon", "proc", "--seed", "-1"], "--seed"),
    (["--sysmon", "count", "--vs-sysmon", "proc", "--seed", "0x10"], "--seed"),
    (["--sysmon", "count", "--vs-sysmon", "proc", "--seed", "9007199254740992"], "--seed"),
    # getopt took "--vs" for --vs-sysmon, and a command before "--" ran
    (["--sysmon", "count", "--vs", "true"], "--vs CMD_B goes after '--'"),
    (["--vs-sysmon", "count", "true", "--vs", "true"], "A's command goes after '--'"),
])
def test_bad_options_exit_2(args, msg):
    r = run("compare", *args)
    assert r.returncode == 2, r.stderr
    assert msg in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_json_with_markdown_refused_before_measuring():
    t0 = time.monotonic()
    r = run("-j", "compare", "--sysmon", "count", "--vs-sysmon", "proc", "--markdown")
    assert r.returncode == 2 and r.stdout == "", r.stdout
    assert "two output formats" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert time.monotonic() - t0 < 5, "measured before refusing"


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """Two overhead -j results: sysmon count (base) and events (new), 1 s each."""
    d = tmp_path_factory.mktemp("saved")
    for name, w in (("base", "count"), ("new", "events")):
        r = run("-j", "overhead", "--sysmon", w, "--syscalls", "getpid", "--rounds", "25",
                "--decomp-rounds", "0", timeout=120)
        assert r.returncode == 0, r.stderr
        (d / f"{name}.json").write_text(r.stdout)
    return d


def test_diff_of_saved_results(saved):
    base, new = saved / "base.json", saved / "new.json"
    r = run("-j", "diff", base, new)
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    g = j["syscalls"]["getpid"]
    saved_a = json.loads(base.read_text())["syscalls"]["getpid"]["added_ns"]
    assert g["a_added_ns"]["point"] == pytest.approx(saved_a["point"])
    # each saved interval keeps its method and n
    assert (g["a_added_ns"]["method"], g["a_added_ns"]["n"]) == (saved_a["method"], saved_a["n"])
    assert g["diff_ns"]["lo"] > 0 and g["verdict"]["call"] == "slower", g
    assert "not directly comparable" in j["drift"]["warning"]
    assert j["drift"]["aa_max_ns"] > 0 and j["drift"]["off_moved_ns"] >= 0
    r = run("diff", "--fail-if-slower", "10%", base, new)
    assert r.returncode == 1, r.stderr
    assert "not directly comparable" in r.stdout and "more per getpid than A: slower" in r.stdout
    assert "A/A controls in the files reach" in r.stdout
    # A file against itself: one measurement, no verdict, exit 0 even with a gate.
    r = run("diff", "--markdown", "--fail-if-slower", "1ns", base, base)
    assert r.returncode == 0, r.stderr
    assert "no interval or verdict" in r.stdout and "| getpid |" in r.stdout


def test_diff_reads_compare_results(saved, tmp_path):
    j = compare("--sysmon", "count", "--vs-sysmon", "proc", *FAST, "--rounds", "3")
    (tmp_path / "c.json").write_text(json.dumps(j))
    r = run("-j", "diff", tmp_path / "c.json", tmp_path / "c.json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["b"] == {"source": "compare", "describe": "sysmon proc"}


@pytest.mark.parametrize("content,msg", [
    ("", "not JSON"),
    ("{\"syscalls\": {\"getpid\": ", "not JSON"),
    ("[1, 2]", "top level is not an object"),
    ("{\"nodes\": 3}", "no \"syscalls\" object"),
    ("{\"syscalls\": {\"getpid\": {}}}", "syscalls.getpid.added_ns is missing"),
    ("{\"syscalls\": {\"frob\": {}}}", "not a syscall kind"),
    ("{\"syscalls\": {\"getpid\": {\"added_ns\": {\"point\": 5, \"lo\": 6, \"hi\": 7, "
     "\"level\": 0.95}}}}", "not an interval"),
])
def test_diff_refuses_bad_files(tmp_path, saved, content, msg):
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    r = run("diff", saved / "base.json", bad)
    assert r.returncode == 2, r.stderr
    assert msg in r.stderr and str(bad) in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_diff_truncated_file_and_missing_file(tmp_path, saved):
    text = (saved / "base.json").read_text()
    cut = tmp_path / "cut.json"
    cut.write_text(text[: len(text) // 2])
    for args in ([saved / "base.json", cut], [tmp_path / "none.json", cut], [cut]):
        r = run("diff", *args)
        assert r.returncode == 2, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
