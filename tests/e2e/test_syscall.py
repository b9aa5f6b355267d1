"""bpfcost syscall on this host: neither fentry/fexit nor kprobes work here,
so the command must refuse, say why and point to `overhead`, and leave no
kprobe event behind. The method itself is tested in the 6.1 guest
(tests/vm/guest-tests-syscall.sh)."""
import json

import pytest

from conftest import kprobe_events, run


def kernel_allows_wrapping():
    d = json.loads(run("-j", "doctor", check=True).stdout)
    return d["methods"]["syscall_wrap"]["available"]


@pytest.fixture(scope="module")
def host_refuses():
    if kernel_allows_wrapping():
        pytest.skip("this kernel allows syscall-path wrapping (the guest tests cover it)")


def one_line_error(p):
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith("bpfcost"), p.stderr
    return lines[0]


def test_host_refusal_explains_and_suggests_overhead(host_refuses):
    p = run("syscall", "--sysmon", "events", "--compare")
    assert p.returncode == 1, p.stderr
    err = one_line_error(p)
    assert "cannot run on this kernel" in err
    assert "fentry" in err and "kprobe" in err
    assert "bpfcost overhead" in err
    assert p.stdout == ""
    assert not kprobe_events()


def test_host_refusal_for_each_method(host_refuses):
    for m in ("auto", "fentry", "kprobe"):
        p = run("syscall", "--sysmon", "count", "--method", m)
        assert p.returncode == 1, (m, p.stderr)
        assert "overhead" in one_line_error(p)
    assert not kprobe_events()


@pytest.mark.parametrize("args, needle", [
    (["--sysmon", "count", "--method", "uprobe"], "unknown --method 'uprobe'"),
    (["--sysmon", "count", "--maxactive", "0"], "--maxactive"),
    (["--sysmon", "count", "--maxactive", "5000"], "--maxactive"),
    (["--sysmon", "count", "--maxactive", "12x"], "--maxactive"),
    (["--sysmon", "count", "--method", "fentry", "--maxactive", "8"], "--maxactive"),
    (["--sysmon", "count", "--syscalls", "getpid,bogus"], "unknown workload kind 'bogus'"),
    (["--sysmon", "count", "--duration", "0"], "--duration"),
    (["--sysmon", "count", "--threads", "0"], "--threads"),
    (["--sysmon", "count", "--pid", "abc"], "--pid"),
    (["--sysmon", "count", "--pid", "999999999"], "no such process"),
    (["--sysmon", "heavy"], "unknown sysmon weight 'heavy'"),
    ([], "give exactly one tracer"),
    (["--sysmon", "count", "--", "true"], "give exactly one tracer"),
])
def test_bad_input_is_one_line_error(args, needle):
    p = run("syscall", *args)
    assert p.returncode == 2, p.stderr
    assert needle in one_line_error(p)
    assert not kprobe_events()


def test_help():
    p = run("syscall", "--help")
    assert p.returncode == 0
    for word in ("--maxactive", "--compare", "kprobe_events", "fentry", "EXAMPLES"):
        assert word in p.stdout
