"""bpfcost report: the reference service (one run feeds the JSON, schema and
HTML tests), a running program (A/B skipped with the reason), Debian's
libbpf-tools opensnoop started as a command (programs on openat only: the
verdict names the slow path for getpid), a partial report after SIGINT,
and bad input. Budgets are a few seconds: the figures' size is not tested
here, only that each comes from its method and the model holds together."""
import json
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import BIN, ROOT, AttachRunner, run

SCHEMA = ROOT / "docs" / "report.schema.json"
HOTLOOP = ROOT / "build" / "hotloop.bpf.o"
OPENSNOOP = "/usr/sbin/opensnoop"
ARTIFACTS = ROOT / "build" / "tests" / "artifacts"


def validate(doc):
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))


@pytest.fixture(scope="module")
def sysmon_report(tmp_path_factory):
    """One report on sysmon count, as JSON and HTML from the same run."""
    html = tmp_path_factory.mktemp("report") / "r.html"
    p = run("-j", "report", "--duration", "7s", "--syscalls", "getpid,openat",
            "-o", html, "--sysmon", "count", check=True)
    return json.loads(p.stdout), html, p.stderr


def test_sysmon_report_follows_schema(sysmon_report):
    doc, _, err = sysmon_report
    validate(doc)
    assert "budget 7 s" in err, "the budget split is said up front"
    assert doc["subject"] == "sysmon" and not doc["partial"]
    assert doc["methods"]["stats"]["state"] == "ran"
    assert doc["methods"]["ab"]["state"] == "ran", doc["methods"]["ab"]
    for m in doc["methods"].values():
        assert m["state"] == "ran" or m["why"], m
    prog = {p["name"]: p for p in doc["programs"]}["sysmon_cnt_ente"]
    assert prog["stats"]["runs"] > 0 and prog["stats"]["ns_per_run"] > 0
    assert prog["stats"]["corrected"]["applies"]
    if doc["methods"]["annotate"]["state"] == "ran":
        assert prog["sampling"]["samples"] > 0
        assert prog["hot_lines"] and prog["hot_lines"][0]["file"] == "sysmon.bpf.c"
    kinds = {k["kind"]: k for k in doc["syscalls"]}
    assert set(kinds) == {"getpid", "openat"}
    for k in kinds.values():
        assert k["ab"] and k["calls_off"] > 0 and k["calls_on"] > 0
        assert k["window"]["runs_per_call"] >= 0.9   # sys_enter: every syscall
        assert k["decomposition"]["in_bpf_method"] in ("ab", "window")
        assert k["cdf_off_ns"] == sorted(k["cdf_off_ns"])
    assert 2 <= len(doc["verdict"]) <= 3


def test_schema_rejects_a_wrong_document(sysmon_report):
    jsonschema = pytest.importorskip("jsonschema")
    doc = json.loads(json.dumps(sysmon_report[0]))
    doc["programs"][0]["stats"]["ns_per_run"] = -1
    with pytest.raises(jsonschema.ValidationError):
        validate(doc)


@pytest.mark.skipif(not shutil.which("chromium"), reason="chromium not installed")
def test_html_draws_every_chart(sysmon_report):
    _, html, _ = sysmon_report
    text = html.read_text()
    assert "<table>" in text and "http://" not in text.split("report-data")[0]
    cmd = ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
           "--enable-logging=stderr", "--virtual-time-budget=3000"]
    dom = subprocess.run(cmd + ["--dump-dom", html.as_uri()], capture_output=True,
                         text=True, timeout=60)
    canvases = re.findall(r"<canvas[^>]*>", dom.stdout)
    # ns/run, CPU share, the decomposition and one CDF per kind
    assert len(canvases) == 5, dom.stdout[:2000]
    assert all('data-drawn="1"' in c for c in canvases), canvases
    assert re.search(r'<pre id="js-errors"></pre>', dom.stdout)
    assert "Uncaught" not in dom.stderr, dom.stderr
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report.png"
    subprocess.run(cmd + [f"--screenshot={shot}", "--window-size=1200,2400", html.as_uri()],
                   capture_output=True, timeout=60)
    assert shot.exists() and shot.stat().st_size > 10000


def test_running_program_skips_ab():
    r = AttachRunner(HOTLOOP)
    try:
        p = run("report", "--duration", "2s", "id", r.ids[0], check=True)
    finally:
        r.stop()
    out = p.stdout
    assert re.search(r"^  ab +skipped +the agent runs already", out, re.M), out
    assert re.search(rf"^  {r.ids[0]} +bc_hotloop", out, re.M), out
    assert "VERDICT" in out and "A/B skipped" in out
    assert "PER SYSCALL KIND" in out


@pytest.mark.skipif(not Path(OPENSNOOP).exists(), reason="libbpf-tools not installed")
def test_command_opensnoop_names_slow_path():
    # libbpf-tools find tracepoints through tracefs: a private mount of it
    agent = ["unshare", "-m", "sh", "-c",
             f"mount -t tracefs none /sys/kernel/tracing && exec {OPENSNOOP}"]
    p = run("-j", "report", "--duration", "14s", "--syscalls", "getpid,openat", "--", *agent,
            check=True, timeout=120)
    doc = json.loads(p.stdout)
    validate(doc)
    assert doc["subject"] == "command" and doc["programs"]
    assert doc["methods"]["ab"]["state"] == "ran", doc["methods"]["ab"]
    kinds = {k["kind"]: k for k in doc["syscalls"]}
    getpid = kinds["getpid"]
    # opensnoop's programs never run on getpid (the window, getpid alone) ...
    assert getpid["window"]["runs_per_call"] < 0.01, getpid
    assert kinds["openat"]["window"]["runs_per_call"] >= 0.9, kinds["openat"]
    # ... yet getpid is slower: where A/B resolves that beyond its A/A
    # control, the verdict says it is the slow path
    if getpid["decomposition"]["rest_resolved"] and not getpid["aa_exceeds_effect"] and \
            getpid["decomposition"]["in_bpf_ns"] < 0.1 * getpid["added_ns"]["point"]:
        assert any("getpid" in v.lower() and "slow path" in v for v in doc["verdict"]), \
            (doc["verdict"], getpid)


def test_sigint_gives_partial_report():
    p = subprocess.Popen([BIN, "-j", "report", "--duration", "20s", "--sysmon", "count"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 0, err
    doc = json.loads(out)
    validate(doc)
    assert doc["partial"] and "signal" in doc["partial_why"]
    assert doc["methods"]["ab"]["state"] in ("not run", "interrupted")
    assert doc["programs"][0]["stats"]["runs"] > 0


@pytest.mark.parametrize("args", [
    ["--sysmon", "nope"],
    [],
    ["-o", "-", "--sysmon", "count"],
    ["--duration", "0", "--sysmon", "count"],
    ["id", "4000000000"],
    ["--sysmon", "count", "--", "true"],
])
def test_bad_input_one_line(args):
    p = run("report", *args)
    assert p.returncode != 0
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr


def test_unwritable_html_fails_before_measuring(tmp_path):
    """-o is opened first: a path that cannot be written costs no measuring
    (the default budget is 60 s), and leaves no file behind."""
    t0 = time.monotonic()
    p = run("report", "-o", str(tmp_path / "no" / "r.html"), "--sysmon", "count")
    assert p.returncode == 1 and "cannot write" in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert time.monotonic() - t0 < 5
    assert not (tmp_path / "no").exists()
