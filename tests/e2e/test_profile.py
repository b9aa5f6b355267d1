"""bpfcost profile on the host. This kernel refuses BPF trampolines
(fentry/fexit load gets EPERM), so profile must refuse in one line that
names the reason and the methods that do work here; the profiling itself is
tested in the QEMU guest (tests/vm/guest-tests-profile.sh)."""
import pytest

from conftest import run


@pytest.fixture(scope="module")
def refused():
    """Skip unless doctor says this kernel refuses fentry on programs."""
    p = run("doctor", check=True)
    line = [l for l in p.stdout.splitlines() if l.startswith("profile ")]
    assert line, p.stdout
    if " yes " in line[0]:
        pytest.skip("this kernel allows fentry/fexit on programs")
    return line[0]


def test_refusal_is_one_line_naming_reason_and_working_methods(refused):
    p = run("profile", "name", "bc_no_such_prog", "--duration", "1")
    assert p.returncode == 1, p
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    err = lines[0]
    assert err.startswith("bpfcost: profile cannot run on this kernel")
    assert "fentry" in err and "EPERM" in err
    assert "works here:" in err and "stats" in err and "overhead" in err
    assert p.stdout == ""


def test_refusal_in_json_mode_too(refused):
    p = run("-j", "profile", "id", "1")
    assert p.returncode == 1 and p.stdout == ""
    assert "EPERM" in p.stderr


@pytest.mark.parametrize("args,needle", [
    ([], "no program given"),
    (["id"], "id"),
    (["foo", "1"], "unknown program selector 'foo'"),
    (["id", "1", "--duration", "0"], "--duration"),
    (["id", "1", "--duration", "soon"], "--duration"),
    (["id", "1", "--events", "bogus"], "unknown event 'bogus'"),
    (["id", "1", "--events", ""], "empty list"),
    (["id", "1", "--events", "cycles,instructions,branches,branch-misses,cpu-clock"],
     "at most 4 events"),
])
def test_bad_input_is_a_usage_error(args, needle):
    p = run("profile", *args)
    assert p.returncode == 2, (args, p.stderr)
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert needle in p.stderr


def test_help():
    p = run("profile", "--help", check=True)
    for word in ("--duration", "--events", "--hist", "calibrat", "EXAMPLES"):
        assert word in p.stdout


def test_no_profiler_program_left(refused):
    """The doctor trials behind the refusal leave nothing loaded (the
    autouse fixture checks every bc_* program and link as well)."""
    run("profile", "id", "1")
    out = run("-j", "prog", check=True).stdout
    assert "bc_prof_" not in out
