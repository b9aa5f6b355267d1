"""Command-line surface shared by every command."""
import pytest

from conftest import run

COMMANDS = ["report", "demo", "doctor", "prog", "stats", "top", "sysmon", "load", "annotate",
            "syscall", "overhead", "profile", "exporter", "compare", "diff"]


def test_version():
    p = run("--version", check=True)
    assert p.stdout.startswith("bpfcost ")


def test_help_lists_commands():
    out = run("--help", check=True).stdout
    for c in COMMANDS:
        assert f"  {c} " in out


@pytest.mark.parametrize("cmd", COMMANDS)
def test_every_command_has_help_with_examples(cmd):
    p = run(cmd, "--help")
    assert p.returncode == 0, p.stderr
    assert "Usage: bpfcost " + cmd in p.stdout
    assert "EXAMPLES" in p.stdout


def test_unknown_command():
    p = run("frobnicate")
    assert p.returncode == 2 and "unknown command 'frobnicate'" in p.stderr


@pytest.mark.parametrize("cmd", COMMANDS)
def test_unknown_option(cmd):
    p = run(cmd, "--no-such-option")
    assert p.returncode == 2
    assert "unrecognized option" in p.stderr


@pytest.mark.parametrize("cmd,opt", [(c, "-j") for c in COMMANDS] +
                         [("stats", "--json"), ("doctor", "--pretty"), ("overhead", "-v")])
def test_global_option_after_command_says_where_it_goes(cmd, opt):
    p = run(cmd, opt)
    assert p.returncode == 2, p.stderr
    assert f"global options: put them before the command word ('bpfcost -j {cmd} ...')" \
        in p.stderr, p.stderr
    assert "no such" not in p.stderr


def test_own_short_option_missing_value_gets_no_global_hint():
    p = run("sysmon", "-p")
    assert p.returncode == 2
    assert "requires an argument" in p.stderr and "global options" not in p.stderr


def test_no_command_is_usage_error():
    assert run().returncode == 2


@pytest.mark.parametrize("args,msg", [
    (["-j"], "a command goes after '-j'"),
    (["-j", "-v"], "a command goes after '-v'"),
    (["--version", "extra"], "'--version' takes no arguments"),
    (["--help", "extra"], "'--help' takes no arguments"),
])
def test_global_words_alone_or_with_extra_get_one_line(args, msg):
    p = run(*args)
    assert p.returncode == 2 and p.stdout == ""
    assert msg in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr


@pytest.mark.parametrize("cmd", ["stats", "prog", "annotate", "report"])
@pytest.mark.parametrize("sel,code", [(["id", "4000000000"], 1), (["name", "bc_no_such_prog"], 1),
                                      (["id", "abc"], 2)])
def test_program_selector_exit_codes_agree(cmd, sel, code):
    """Every command with program selectors: a selector that does not parse
    is bad input (2); one that parses but matches no loaded program is a
    failure (1), and report's --help says so, not 'bad input'."""
    p = run(cmd, *sel)
    assert p.returncode == code, (p.returncode, p.stderr)
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr


def test_report_help_says_what_no_match_exits_with():
    text = " ".join(run("report", "--help", check=True).stdout.split())
    assert "no loaded program or no process matching the selector" in text, text
    assert run("report", "comm", "bc_no_such_comm").returncode == 1


def test_demo_help_says_what_the_percentage_is_of():
    """demo's GETPID_ADDED_NS cell ends in '+N%': its help says of what."""
    text = " ".join(run("demo", "--help", check=True).stdout.split())
    assert "+N%: that added ns over getpid's own latency with the weight off" in text, text
