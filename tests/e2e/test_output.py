"""Command-line words: global options (-j, -p, -v) count only before the
command word; numbers are decimal."""
import json
import subprocess

from conftest import ROOT, AttachRunner, run

EMPTY = str(ROOT / "build" / "empty.bpf.o")


def test_global_options_only_before_the_command():
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        # Failing input 3 of issue 11: -p is sysmon's --pid here.
        r = run("sysmon", "-w", "count", "-p", sleeper.pid, "--duration", "1")
        assert r.returncode == 0, r.stderr
        assert "sysmon (count)" in r.stdout  # plain: -p did not turn on JSON
    finally:
        sleeper.kill()
        sleeper.wait()
    assert json.loads(run("-j", "prog", check=True).stdout)["programs"] is not None
    json.loads(run("-p", "prog", check=True).stdout)
    r = run("prog", "-j")
    assert r.returncode == 2 and "invalid option -- 'j'" in r.stderr, r.stderr
    r = run("doctor", "--json")
    assert r.returncode == 2 and "unrecognized option '--json'" in r.stderr, r.stderr
    r = run("--frobnicate", "prog")
    assert r.returncode == 2 and "unknown option '--frobnicate'" in r.stderr, r.stderr


def test_selector_ids_are_decimal():
    runner = AttachRunner(EMPTY, attach=False)
    try:
        pid = runner.ids[0]
        assert pid >= 8  # else octal and decimal read alike
        # "id 0N" is program N: a leading zero does not make it octal.
        (p,) = json.loads(run("-j", "prog", "id", f"0{pid}", check=True).stdout)["programs"]
        assert p["id"] == pid
    finally:
        runner.stop()
    for args in (["prog", "id", "0x10"], ["prog", "id", "+16"], ["stats", "--count", "0x2"],
                 ["load", "--count", "0x10"], ["annotate", "--top", "--freq", "0x10"]):
        r = run(*args)
        assert r.returncode == 2 and "decimal" in r.stderr, (args, r.stderr)

