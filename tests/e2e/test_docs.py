"""Man pages and bash completion (issue 11, "Docs and install"): after
`make install` into a scratch DESTDIR every command in the command table
has a man page made from its --help, and the installed completion, driven
through COMP_WORDS/COMP_CWORD, offers every command, each command's
options and the program selectors. Nothing here touches the kernel."""
import os
import re
import subprocess

import pytest

from conftest import BIN, ROOT, run
from test_cli import COMMANDS


def help_text(*args):
    return run(*args, "--help", check=True).stdout


def help_options(text):
    """Every option word in a help text's Options blocks, read here
    independently of the completion's own parser."""
    opts, on = set(), False
    for line in text.splitlines():
        if re.match(r"^[A-Za-z][A-Za-z ]*:$", line):
            on = line.lower().endswith("options:")
        elif on and re.match(r"^ {1,6}-", line):
            term = re.split(r" {2,}", line.strip())[0]
            opts.update(w.rstrip(",") for w in term.split() if w.startswith("-"))
    return opts


def selector_words():
    line = next(l for l in help_text().splitlines() if l.startswith("Program selectors"))
    return {part.split()[0] for part in line.split(":", 1)[1].split("|")}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """`make install` into a scratch DESTDIR (PREFIX=/usr)."""
    dest = tmp_path_factory.mktemp("destdir")
    # Not a sub-make of `make test`: its jobserver fds are not passed on.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    p = subprocess.run(["make", "-s", "-C", str(ROOT), "install", f"DESTDIR={dest}",
                        "PREFIX=/usr"], capture_output=True, text=True, timeout=600, env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    return dest / "usr"


def complete(installed, *words):
    """What the installed completion offers for the words (the last one is
    being completed), with the binary under test as COMP_WORDS[0]."""
    script = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); '
              '_bpfcost; printf "%s\\n" "${COMPREPLY[@]}"')
    comp = installed / "share" / "bash-completion" / "completions" / "bpfcost"
    p = subprocess.run(["bash", "-c", script, "bash", str(comp), BIN, *words],
                       capture_output=True, text=True, timeout=60, check=True)
    return set(p.stdout.split())


def test_install_puts_binary_pages_and_completion(installed):
    assert (installed / "bin" / "bpfcost").stat().st_mode & 0o111
    pages = installed / "share" / "man" / "man1"
    assert (pages / "bpfcost.1").is_file()
    assert (installed / "share" / "bash-completion" / "completions" / "bpfcost").is_file()


@pytest.mark.parametrize("cmd", COMMANDS)
def test_every_command_has_a_man_page_from_its_help(installed, cmd):
    page = (installed / "share" / "man" / "man1" / f"bpfcost-{cmd}.1").read_text()
    assert page.startswith(".nh\n.TH BPFCOST-" + cmd.upper() + " 1 ")
    assert re.search(r"^\.SH EXAMPLES$", page, re.M)
    text = help_text(cmd)
    # Made from the help: every option and every example is in it.
    for opt in help_options(text):
        assert f"\\fB{opt}\\fP" in page, f"{opt} missing from bpfcost-{cmd}(1)"
    examples = text.split("EXAMPLES:\n", 1)[1]
    for line in examples.splitlines()[:3]:
        assert line.strip().split()[1] in page


def test_the_command_table_and_the_pages_agree(installed):
    """A page per command of `bpfcost --help`, no page for anything else."""
    table = help_text().split("Commands:\n", 1)[1].split("\n\n", 1)[0]
    listed = re.findall(r"^  ([a-z]+) ", table, re.M)
    assert set(listed) == set(COMMANDS)
    pages = {p.name for p in (installed / "share" / "man" / "man1").iterdir()}
    assert pages == {"bpfcost.1"} | {f"bpfcost-{c}.1" for c in COMMANDS}


def test_man_renders(installed):
    if subprocess.run(["which", "man"], capture_output=True).returncode:
        pytest.skip("man is not installed (man-db): the roff was checked above")
    out = subprocess.run(["man", "-l", str(installed / "share/man/man1/bpfcost-stats.1")],
                         capture_output=True, text=True, env={"MANWIDTH": "80", "PATH":
                         "/usr/bin:/bin"}, check=True).stdout
    assert re.search(r"bpfcost-stats\s+-\s+sample\s+per-program\s+run-time\s+stats", out)


def test_man_pages_lose_no_line(installed):
    """roff drops a line that starts with ' (a control line) and prints
    "\\6" for a bad escape; man --warnings says so for every page."""
    if subprocess.run(["which", "man"], capture_output=True).returncode:
        pytest.skip("man is not installed (man-db): the roff was checked above")
    for page in sorted((installed / "share" / "man" / "man1").iterdir()):
        p = subprocess.run(["man", "--warnings", "-l", str(page)], capture_output=True,
                           text=True, env={"MANWIDTH": "80", "PATH": "/usr/bin:/bin"})
        assert p.returncode == 0 and not p.stderr.strip(), f"{page.name}: {p.stderr}"
        assert not re.search(r"\\[0-9]", p.stdout), f"{page.name}: a stray backslash"


def test_completion_offers_every_command(installed):
    assert complete(installed, "") == set(COMMANDS)
    assert complete(installed, "-j", "st") == {"stats"}
    assert {"-j", "--json", "-v", "--help", "--version"} <= complete(installed, "-")


@pytest.mark.parametrize("cmd", COMMANDS)
def test_completion_offers_each_option(installed, cmd):
    want = help_options(help_text(cmd))
    assert "--help" in want
    assert want <= complete(installed, cmd, "-")


def test_completion_offers_selectors_after_prog_commands(installed):
    sels = selector_words()
    assert {"id", "tag", "name", "pinned"} <= sels
    for cmd in COMMANDS:
        takes_prog = "PROG" in help_text(cmd).split("\n\n", 1)[0]
        got = complete(installed, cmd, "")
        assert (got == sels) if takes_prog else not (got & sels), cmd
    # After a keyword comes its value, then keywords again.
    assert complete(installed, "stats", "--interval", "1", "name", "x", "") == sels
    assert not complete(installed, "stats", "name", "") & sels
    assert complete(installed, "stats", "--sysctl", "i") == {"id"}


def test_completion_values(installed, tmp_path):
    (tmp_path / "agent.log").write_text("")
    got = complete(installed, "overhead", "--tracer-log", str(tmp_path / "ag"))
    assert got == {str(tmp_path / "agent.log")}
    # After "--": the tracer's command line.
    assert "bpftool" in complete(installed, "overhead", "--", "bpftoo")
