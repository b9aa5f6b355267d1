"""Every EXAMPLES line of every command's --help (and of `bpfcost --help`)
runs, so help text cannot drift from the code (issue 11, failing input 4:
`name sysmon_count_enter`, a program that never existed, sat in two helps).

Each line runs as written through bash, in a scratch directory, with
`bpfcost` on PATH being the binary under test, with these changes only:
  - the reference service is loaded (attach_runner with build/sysmon.bpf.o
    and build/hotloop.bpf.o), so names like sysmon_cnt_enter exist;
  - placeholders become real: `id 42` / `id 43` the first two reference
    programs' ids, `--pid 1234` a live process, `./my-agent` a script that
    runs `bpfcost sysmon -w count` (a cheap real tracer), `pid 1234` and
    `comm my-agent` the process holding the reference programs;
  - lines that would run long get shortening options appended to the
    bpfcost part (before `--`, pipes and redirections; getopt keeps the
    last value): SHORTEN below (report's --quick gives way to them);
  - a line running bpftrace gets a private tracefs mount (unshare -m):
    bpftrace finds tracepoints through tracefs, which this host does not
    mount, and the host's mounts stay as they are;
  - a server (exporter) runs in the background until it says it serves;
    the test then scrapes the URL it printed and stops it with SIGTERM,
    which must end it with status 0; a line that is not bpfcost (`curl
    ... | promtool`) runs while a default exporter serves; the web config
    path /etc/bpfcost/web.yml becomes an empty scratch file (plain HTTP);
  - documented skips: a line of a command whose method this kernel lacks
    (METHOD_OF: profile needs fentry/fexit, syscall fentry or kprobes) is
    skipped with doctor's reason, and only then.
A line fails on a non-zero exit (pipefail), on an error like "unknown" or
"no loaded BPF program matches" on stderr, or, with -j and no pipe, on
output that is not JSON.
"""
import json
import os
import re
import shlex
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import BIN, ROOT, AttachRunner, run

# Appended to a line of this command (the last value of an option wins).
SHORTEN = {
    "demo": ["--duration", "3s"],
    "report": ["--duration", "3s"],
    "stats": ["--interval", "300ms", "--count", "2"],
    "top": ["--interval", "300ms", "--count", "2"],
    "sysmon": ["-i", "300ms", "-d", "0.6s"],
    "load": ["--duration", "0.3s"],
    "annotate": ["--duration", "1s"],
    "overhead": ["--rounds", "4", "--round-time", "0.05s", "--decomp-rounds", "1"],
    "compare": ["--rounds", "3", "--round-time", "0.05s", "--stats-rounds", "1"],
    "profile": ["--duration", "1s"],
    "syscall": ["--duration", "0.5s"],
}
# --count and --duration exclude each other in load, stats and top: a line
# with --duration (load: --count) gets this instead.
SHORTEN_OTHER = {
    "load": ("--count", ["--count", "2000"]),
    "stats": ("--duration", ["--interval", "300ms", "--duration", "0.7s"]),
    "top": ("--duration", ["--interval", "300ms", "--duration", "0.7s"]),
}
# report refuses --quick with --duration: the shortening replaces --quick.
SHORTEN_DROPS = {"report": "--quick"}
# The skip list: a command's line is skipped only when doctor says this
# method cannot run on this kernel.
METHOD_OF = {"profile": "profile", "syscall": "syscall_wrap", "annotate": "annotate"}
ERRORS = re.compile(r"unknown|no loaded BPF program|unrecognized|invalid|"
                    r"needs a value|mutually exclusive|not found|No such file")
SHELL_OPS = {"|", "||", "&&", ";", ">", ">>", "<", "&"}
AGENT = "#!/bin/sh\nexec bpfcost sysmon -w count\n"
# Commands that serve until stopped, and the line that says they are ready.
SERVERS = {"exporter": re.compile(r"serving (http://\S+)")}
WEB_CONFIG = "/etc/bpfcost/web.yml"


def help_text(cmd):
    args = [cmd, "--help"] if cmd else ["--help"]
    return run(*args, check=True).stdout


def commands():
    out = help_text(None)
    block = out.split("\nCommands:\n", 1)[1].split("\n\n", 1)[0]
    return [l.split()[0] for l in block.splitlines() if l.startswith("  ")]


def examples(text):
    """The EXAMPLES lines of a help text, continuation lines joined."""
    lines, cur = [], ""
    for line in text.split("\nEXAMPLES:\n", 1)[1].splitlines():
        if not line.strip():
            break
        cur += " " + line.strip() if cur else line.strip()
        if cur.endswith("\\"):
            cur = cur[:-1].rstrip()
            continue
        lines.append(cur)
        cur = ""
    return lines


def all_examples():
    """(line, whose help) for every EXAMPLES line; a line that differs from
    another only in its comment runs once."""
    seen = {}
    for cmd in [None] + commands():
        for line in examples(help_text(cmd)):
            words, suffix = split_line(line)
            seen.setdefault((tuple(words), tuple(suffix)), (line, cmd or "bpfcost"))
    return sorted(seen.values(), key=lambda lo: lo[1])


def split_line(line):
    """(bpfcost words, shell suffix words): the suffix starts at the first
    pipe, redirection or comment; quoting survives shlex.join."""
    lex = shlex.shlex(line, posix=True, punctuation_chars="|&;<>")
    lex.whitespace_split = True
    lex.commenters = "#"
    words = list(lex)
    for i, w in enumerate(words):
        if w in SHELL_OPS:
            return words[:i], words[i:]
    return words, []


def command_of(words):
    for w in words[1:]:
        if not w.startswith("-"):
            return w
    return None


def adapt(words, ids, holder=None):
    """The bpfcost words with placeholders made real and shortening
    options inserted before any "--". holder: the pid of the process
    holding the reference programs."""
    words = list(words)
    for i in range(1, len(words)):
        if words[i - 1] == "id" and words[i] in ("42", "43"):
            words[i] = str(ids[int(words[i]) - 42])
        if words[i - 1] == "--pid" and words[i] == "1234":
            words[i] = "1"
        if words[i - 1] == "pid" and words[i] == "1234":
            words[i] = str(holder)
        if words[i - 1] == "comm" and words[i] == "my-agent":
            words[i] = "attach_runner"
        if words[i] == WEB_CONFIG:
            words[i] = "web.yml"
    cmd = command_of(words)
    extra = SHORTEN.get(cmd, [])
    if cmd in SHORTEN_OTHER and SHORTEN_OTHER[cmd][0] in words:
        extra = SHORTEN_OTHER[cmd][1]
    cut = words.index("--") if "--" in words else len(words)
    head = [w for w in words[:cut] if w != SHORTEN_DROPS.get(cmd)]
    return head + extra + words[cut:]


def line_error(line, ids, cwd, env, outputs=None, timeout=240, holder=None):
    """Run one example; None when it passed, else why it failed. Its
    stdout goes to outputs[line]."""
    words, suffix = split_line(line)
    script = shlex.join(adapt(words, ids, holder))
    if suffix:
        script += " " + " ".join(w if w in SHELL_OPS else shlex.quote(w) for w in suffix)
    argv = ["bash", "-o", "pipefail", "-c", script]
    if command_of(words) in SERVERS:
        return server_error(argv, SERVERS[command_of(words)], cwd, env)
    if words and words[0] != "bpfcost":
        with background_server(cwd, env) as why:
            return why or run_error(line, argv, script, words, suffix, cwd, env, outputs, timeout)
    return run_error(line, argv, script, words, suffix, cwd, env, outputs, timeout)


def run_error(line, argv, script, words, suffix, cwd, env, outputs, timeout):
    if "bpftrace" in words:
        argv = ["unshare", "-m", "sh", "-c", "mount -t tracefs none /sys/kernel/tracing && "
                'exec "$@"', "sh"] + argv
    p = subprocess.run(argv, cwd=cwd, env=env,
                       capture_output=True, text=True, timeout=timeout)
    if outputs is not None:
        outputs[line] = p.stdout
    bad = ERRORS.search(p.stderr)
    if p.returncode != 0 or bad:
        return f"{script!r} exited {p.returncode}\nstderr:\n{p.stderr[-3000:]}"
    if "-j" in words and not suffix:
        try:
            docs = [json.loads(l) for l in p.stdout.splitlines() if l.strip()] \
                if "-p" not in words else [json.loads(p.stdout)]
        except json.JSONDecodeError as e:
            return f"{script!r}: -j output is not JSON ({e})\n{p.stdout[:2000]}"
        if not docs:
            return f"{script!r}: -j printed nothing"
    # A pipeline must print something, unless it ends in a checker that is
    # silent on success (promtool check metrics; pipefail catches curl).
    checker = suffix[-2:] == ["check", "metrics"]
    if suffix and suffix[0] == "|" and not p.stdout.strip() and not checker:
        return f"{script!r}: the pipeline printed nothing"
    return None


def start_server(argv, ready, cwd, env):
    """(process, URL it serves, None) or (process, None, why not)."""
    p = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, start_new_session=True)
    line = p.stdout.readline()  # the first line says where it serves, or it exits
    m = ready.search(line)
    if not m:
        p.kill()
        _, err = p.communicate()
        return p, None, f"{argv[-1]!r} did not serve: {line!r}\nstderr:\n{err[-3000:]}"
    return p, m.group(1), None


def stop_server(p, script):
    """None when SIGTERM ends the server with status 0 and no error."""
    os.killpg(p.pid, signal.SIGTERM)
    try:
        _, err = p.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        return f"{script!r} did not stop on SIGTERM"
    if p.returncode != 0 or ERRORS.search(err):
        return f"{script!r} exited {p.returncode} on SIGTERM\nstderr:\n{err[-3000:]}"
    return None


def server_error(argv, ready, cwd, env):
    """Run a serving example: it must serve, answer one scrape, and stop."""
    (cwd / "web.yml").write_text("")
    p, url, why = start_server(argv, ready, cwd, env)
    if why:
        return why
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            body = r.read().decode()
        if r.status != 200 or "bpfcost_" not in body:
            why = f"{argv[-1]!r}: scrape of {url} gave {r.status}: {body[:500]!r}"
    except OSError as e:
        why = f"{argv[-1]!r}: scrape of {url} failed: {e}"
    return stop_server(p, argv[-1]) or why


class background_server:
    """A default `bpfcost exporter` serving while a non-bpfcost example
    line (curl ... | promtool) runs; entering gives why it did not start."""
    def __init__(self, cwd, env):
        self.cwd, self.env, self.p = cwd, env, None

    def __enter__(self):
        self.p, _, why = start_server(["bpfcost", "exporter"], SERVERS["exporter"],
                                      self.cwd, self.env)
        return why

    def __exit__(self, *exc):
        if self.p.poll() is None:
            stop_server(self.p, "bpfcost exporter")


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The reference service's programs, a scratch directory with ./my-agent,
    and PATH leading to the binary under test."""
    doctor = json.loads(run("-j", "doctor", check=True).stdout)["methods"]
    runners = [AttachRunner(ROOT / "build" / "sysmon.bpf.o"),
               AttachRunner(ROOT / "build" / "hotloop.bpf.o")]
    cwd = tmp_path_factory.mktemp("examples")
    bindir = cwd / "bin"
    bindir.mkdir()
    (bindir / "bpfcost").symlink_to(Path(BIN).resolve())
    agent = cwd / "my-agent"
    agent.write_text(AGENT)
    agent.chmod(0o755)
    env = dict(os.environ, PATH=f"{bindir}:{os.environ['PATH']}")
    try:
        yield {"ids": runners[0].ids, "cwd": cwd, "env": env, "doctor": doctor,
               "outputs": {}, "holder": runners[0].p.pid}
    finally:
        for r in runners:
            r.stop()


@pytest.mark.parametrize("line,owner", all_examples())
def test_example_runs(reference, line, owner):
    cmd = command_of(split_line(line)[0])
    method = METHOD_OF.get(cmd)
    if method and not reference["doctor"][method]["available"]:
        pytest.skip(f"kernel lacks the {method} method: {reference['doctor'][method]['why']}")
    err = line_error(line, reference["ids"], reference["cwd"], reference["env"],
                     reference["outputs"], holder=reference["holder"])
    assert err is None, f"EXAMPLES line of {owner} --help fails: {err}"


def test_every_command_has_examples():
    for cmd in commands():
        assert examples(help_text(cmd)), f"{cmd} --help has no EXAMPLES lines"


def test_a_bad_example_fails(reference):
    """The checker itself can fail: the line that started this test file,
    and an option that does not exist."""
    for bad in ["bpfcost stats name sysmon_count_enter --duration 5",
                "bpfcost load --no-such-option"]:
        assert line_error(bad, reference["ids"], reference["cwd"], reference["env"])


def test_doctor_help_names_each_methods_command(reference):
    """doctor's method table says which command uses each method: the same
    as doctor's own answer (it once said overhead for syscall wrapping)."""
    text = help_text("doctor")
    table = text.split("Methods and the commands that use them:\n", 1)[1].split("\n\n")[0]
    rows = {l.split()[0]: l.split()[-1] for l in table.splitlines()}
    assert rows == {m: v["command"] for m, v in reference["doctor"].items()}


def test_demo_help_states_its_budget(reference):
    """demo's help says its budget per weight (report's --duration, three
    reports), the same in --duration's line and in what three weights
    take; the JSON of the `-j -p demo` example's run (shortened with
    --duration) reports the budget it was given and A/B rounds as the
    reports planned them."""
    text = " ".join(help_text("demo").split())
    m = re.search(r"--duration D the budget of each weight's report \(default (\d+)s; three "
                  r"weights: about (\d+) s\)", text)
    assert m, "demo --help no longer states its budget"
    assert abs(3 * int(m.group(1)) - int(m.group(2))) <= 6, m.group(0)
    line = next(l for l in examples(help_text("demo")) if "-j" in l.split())
    if line not in reference["outputs"]:
        assert line_error(line, reference["ids"], reference["cwd"], reference["env"],
                          reference["outputs"]) is None
    doc = json.loads(reference["outputs"][line])
    given = SHORTEN["demo"][SHORTEN["demo"].index("--duration") + 1]
    assert doc["budget_s"] == float(given.rstrip("s"))
    assert [r["plan"]["budget_s"] for r in doc["reports"]] == [doc["budget_s"]] * 3
    assert doc["ab"]["rounds"] == min(r["plan"]["ab_rounds"] for r in doc["reports"])
