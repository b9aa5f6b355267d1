"""bpfcost top: batch frames, and the ncurses view driven through tmux
(send-keys, capture-pane) against bc_empty held by attach_runner."""
import os
import shlex
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import BIN, run, sysctl_value
from test_stats import idle_runner, runner, sysctl_set  # noqa: F401 (fixtures)

pytestmark = pytest.mark.skipif(subprocess.run(["which", "tmux"], capture_output=True)
                                .returncode != 0, reason="tmux not installed")


@pytest.fixture
def sysctl_off():
    yield from sysctl_set("0")


class Tmux:
    """A detached 160x40 tmux session running cmd, then 'stty -a' so the
    test can check the terminal was left sane, then a sleep."""

    def __init__(self, cmd):
        self.name = f"bctop{os.getpid()}_{time.monotonic_ns()}"
        self.pidfile = tempfile.mktemp(prefix="bctop-pid-")
        cmd = cmd.replace("PIDFILE", self.pidfile)
        shell = (f"{cmd}; echo EXITED rc=$?; "
                 f"stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(echo|icanon)'; echo STTY-DONE; sleep 30")
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, "-x", "160", "-y", "40",
                        "sh", "-c", shell], check=True)

    def capture(self):
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name],
                              capture_output=True, text=True).stdout

    def wait_for(self, text, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            screen = self.capture()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} not on screen:\n{self.capture()}")

    def keys(self, *keys):
        subprocess.run(["tmux", "send-keys", "-t", self.name] + list(keys), check=True)

    def kill(self):
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)
        if os.path.exists(self.pidfile):
            os.unlink(self.pidfile)


def assert_sane(screen):
    """endwin restored the terminal: echo and canonical mode are on again
    (stty prints "echo"/"icanon", not "-echo"/"-icanon")."""
    flags = {l.strip() for l in screen.splitlines()}
    assert {"echo", "icanon"} <= flags and not {"-echo", "-icanon"} & flags, screen


def top_cmd(*args):
    return " ".join(shlex.quote(a) for a in [BIN, "top"] + list(args))


def test_batch_frames(runner):
    out = run("top", "-b", "--count", "2", "--interval", "0.2", check=True).stdout
    frames = [f for f in out.split("\n\n") if f.strip()]
    assert len(frames) == 2
    for f in frames:
        lines = f.splitlines()
        assert lines[0].startswith("bpfcost top - ")
        assert lines[1].split()[:3] == ["ID", "TYPE", "NAME"]
        assert any(l.split()[:1] == [str(runner.ids[0])] and "bc_empty" in l for l in lines)


def test_not_a_tty_means_batch(runner):
    out = run("top", "--count", "1", "--interval", "0.2", check=True).stdout
    assert out.startswith("bpfcost top - ") and "bc_empty" in out


@pytest.mark.parametrize("reader", ["iter", "syscall"])
def test_batch_says_reader(runner, reader):
    out = run("top", "-b", "--count", "1", "--interval", "0.2", "--reader", reader,
              check=True).stdout
    assert f"reader {reader}" in out.splitlines()[0]
    assert "bc_empty" in out and "bc_progstats" not in out


def test_idle_program_row(idle_runner):
    """An idle program's row in the second frame (it has an interval): all
    figures zero, written without float formatting but the same text."""
    out = run("top", "-b", "--count", "2", "--interval", "0.2", "id", idle_runner.ids[0],
              check=True).stdout
    frame = [f for f in out.split("\n\n") if f.strip()][1]
    row = [l for l in frame.splitlines() if l.split()[:1] == [str(idle_runner.ids[0])]][0]
    # ATTACH: none (not attached); CORR_NS and CORR%1: no runs, nothing to
    # correct; TAIL_CALL: none.
    assert row.split()[3:] == ["-", "0.0", "no", "runs", "-", "0.000", "-", "0.000", "0", "0",
                               "live", "-", f"{idle_runner.p.pid}/attach_runner"], row


def test_default_reader_is_iter_here(runner):
    out = run("top", "-b", "--count", "2", "--interval", "0.2", check=True).stdout
    assert "reader iter" in out.splitlines()[0]


def test_single_frame_defaults_to_syscall(runner):
    out = run("top", "-b", "--count", "1", "--interval", "0.2", check=True).stdout
    assert "reader syscall" in out.splitlines()[0]


@pytest.mark.parametrize("args", [["--interval", "0"], ["--count", "0"], ["--count", "x"],
                                  ["--count", "1", "--duration", "1"], ["id", "4000000000"],
                                  ["--nope"], ["--reader", "fast"], ["--reader", ""]])
def test_bad_input(args):
    p = run("top", "-b", *args)
    assert p.returncode != 0 and p.stdout == ""
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr


def test_json_refused():
    p = run("-j", "top", "-b", "--count", "1")
    assert p.returncode != 0 and len(p.stderr.strip().splitlines()) == 1


def test_interactive_sort_filter_quit(runner):
    t = Tmux(top_cmd("--interval", "0.5"))
    try:
        screen = t.wait_for("bpfcost top - ")
        assert "sort: %CPU1 desc" in screen and "v%CPU1" in screen
        t.wait_for("selected: id")
        t.keys("s")
        screen = t.wait_for("sort: CORR%1")
        assert "vCORR%1" in screen and "v%CPU1" not in screen
        t.keys("<", "<", "<")
        t.wait_for("sort: NS/RUN")
        t.keys("r")
        t.wait_for("sort: NS/RUN asc")
        t.keys("/")
        t.wait_for("filter (name or type")
        t.keys("bc_empty", "Enter")
        screen = t.wait_for("filter: bc_empty")
        rows = [l for l in screen.splitlines() if l.strip()[:1].isdigit()]
        assert rows and all("bc_empty" in l for l in rows)
        t.keys("p")
        t.wait_for("PAUSED")
        t.keys("h")
        t.wait_for("this help")
        t.keys("q")
        t.wait_for("EXITED rc=0")
        screen = t.wait_for("STTY-DONE")
        assert_sane(screen)
    finally:
        t.kill()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_restores_terminal_and_sysctl(runner, sysctl_off, sig):
    # The inner shell records its pid and becomes top: we signal top alone.
    inner = "echo $$ > PIDFILE; exec " + top_cmd("--sysctl", "--interval", "0.3")
    t = Tmux("sh -c " + shlex.quote(inner))
    try:
        t.wait_for("stats via sysctl")
        assert sysctl_value() == "1"
        os.kill(int(Path(t.pidfile).read_text()), sig)
        t.wait_for("EXITED rc=0", timeout=5)
        screen = t.wait_for("STTY-DONE")
        assert sysctl_value() == "0"
        assert_sane(screen)
    finally:
        t.kill()
