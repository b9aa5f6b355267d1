"""bpfcost annotate: sampling attributed to JITed BPF code. The subject is
bc_hotloop (src/bpf/hotloop.bpf.c), held by tests/helpers/attach_runner; it
runs its 2000-iteration loop only for tasks named bc_hotwork, which the
workload below calls itself."""
import json
import re
import shutil
import signal
import subprocess
import time

import pytest

from conftest import BIN, ROOT, AttachRunner, run

HOTLOOP = str(ROOT / "build" / "hotloop.bpf.o")
SRC = (ROOT / "src" / "bpf" / "hotloop.bpf.c").read_text().splitlines()
HOT_LINE = next(i + 1 for i, l in enumerate(SRC) if "/* HOT */" in l)
LOOP_LINE = next(i + 1 for i, l in enumerate(SRC) if "/* LOOP */" in l)
PY = "/usr/bin/python3"
WORKLOAD = (
    "import os, sys, time\n"
    "open('/proc/self/comm', 'w').write('bc_hotwork')\n"
    "end = time.time() + float(sys.argv[1])\n"
    "while time.time() < end:\n"
    "    for _ in range(200):\n"
    "        os.getppid()\n"
)


class Runner(AttachRunner):
    """attach_runner holding the hot-loop program (or another object)."""

    def __init__(self, obj=HOTLOOP):
        super().__init__(obj)


@pytest.fixture
def hotloop():
    r = Runner()
    yield r
    r.stop()


def workload(secs):
    """The workload, returned once it has named itself bc_hotwork (so the
    program runs its loop from then on; python's start-up takes a while on
    a busy host)."""
    p = subprocess.Popen([PY, "-c", WORKLOAD, str(secs)])
    deadline = time.time() + 10
    while time.time() < deadline and p.poll() is None:
        try:
            if open(f"/proc/{p.pid}/comm").read().strip() == "bc_hotwork":
                break
        except OSError:
            pass
        time.sleep(0.01)
    return p


def annotate_json(*args, wl_secs=5):
    wl = workload(wl_secs)
    try:
        time.sleep(0.3)
        return json.loads(run("-j", "annotate", *args, check=True).stdout)
    finally:
        wl.wait(timeout=30)


def test_hot_line_gets_the_samples(hotloop):
    doc = annotate_json("id", hotloop.ids[0], "--duration", "3", "--freq", "1000")
    (p,) = doc["programs"]
    assert p["name"] == "bc_hotloop" and p["line_info"]
    assert p["samples"] >= 200, p["samples"]
    by_line = {l["line"]: l["samples"] for l in p["lines"]}
    hot = by_line.get(HOT_LINE, 0)
    loop = hot + by_line.get(LOOP_LINE, 0)
    # The loop body is one line; the loop control the other.
    assert hot >= 0.8 * p["samples"], (hot, p["samples"], by_line)
    assert loop <= p["samples"]
    assert sum(by_line.values()) + p["unmapped_samples"] == p["samples"]
    assert 0 < p["cpu_pct"] <= 100 * doc["ncpu"]


def test_asm_listing_has_source_and_x86(hotloop):
    wl = workload(4)
    try:
        time.sleep(0.3)
        p = run("annotate", "id", hotloop.ids[0], "--duration", "2", "--asm", "--bpf", check=True)
    finally:
        wl.wait(timeout=30)
    out = p.stdout
    assert SRC[HOT_LINE - 1].strip() in out
    asm = [l.split(": ", 1)[1] for l in out.splitlines() if " asm " in l and ": " in l]
    mnems = {a.split()[0] for a in asm}
    for m in ("mov", "imul", "shr", "xor", "cmp", "push"):
        assert m in mnems, (m, sorted(mnems))
    assert any(m.startswith("j") for m in mnems)
    # BPF instructions of the loop body are listed under it.
    assert re.search(r"\br\d+ >>= 7\b", out) and "exit" in out
    assert "hottest lines:" in out
    hot = [l for l in out.splitlines() if "/* HOT */" in l and "hotloop.bpf.c:%d" % HOT_LINE in l]
    assert hot


def test_folded_output(hotloop):
    wl = workload(4)
    try:
        time.sleep(0.3)
        p = run("annotate", "name", "bc_hotloop", "--duration", "2", "--folded", check=True)
    finally:
        wl.wait(timeout=30)
    rows = [l.rsplit(" ", 1) for l in p.stdout.splitlines()]
    assert rows
    total = 0
    hot = 0
    for stack, count in rows:
        frames = stack.split(";")
        assert len(frames) == 3 and frames[0] == "bc_hotloop", stack
        total += int(count)
        if frames[1].startswith("line %d:" % HOT_LINE):
            hot += int(count)
    assert hot >= 0.8 * total


@pytest.mark.accuracy
def test_top_agrees_with_run_time_stats():
    """Sampled CPU share of sysmon events' programs vs run_time_ns over the
    same window (stats runs alongside: both see the same stats overhead)."""
    sm = subprocess.Popen([BIN, "sysmon", "-w", "events", "-d", "12"], stdout=subprocess.DEVNULL)
    load = subprocess.Popen([BIN, "load", "--syscalls", "getpid", "--duration", "11", "--cpu", "-1"],
                            stdout=subprocess.DEVNULL)
    try:
        time.sleep(2)
        st = subprocess.Popen([BIN, "-j", "stats", "name", "sysmon_ev_enter", "name",
                               "sysmon_ev_exit", "--duration", "5"],
                              stdout=subprocess.PIPE, text=True)
        top = run("-j", "annotate", "--top", "--duration", "5", check=True)
        stats_out = st.communicate(timeout=30)[0]
    finally:
        load.wait(timeout=30)
        sm.send_signal(signal.SIGINT)
        sm.wait(timeout=30)
    sampled = {p["name"]: p["cpu_pct"] for p in json.loads(top.stdout)["programs"]}
    summary = [json.loads(l) for l in stats_out.splitlines()
               if json.loads(l).get("type") == "summary"][0]
    measured = {p["name"]: p["rate"]["cpu_pct"] for p in summary["programs"]}
    corrected = {p["name"]: p["rate"]["corrected"]["cpu_pct"] for p in summary["programs"]}
    names = ("sysmon_ev_enter", "sysmon_ev_exit")
    for name in names:
        assert measured[name] > 5, measured
        assert corrected[name] < measured[name]
    # Sampling charges the programs' own code; the stats' raw share also
    # holds part of two clock reads per run, and the corrected share takes
    # out a bias measured at stats' start on an empty program (statsbias.h).
    # That bias depends on the hook and moves between runs (33.8 to 48.0 ns
    # in reports minutes apart), so the sampled share lies between the corrected
    # and the raw share, not on either. Measured here: sampled/raw 0.90-0.93
    # for the enter program and 0.95-1.07 for the exit one (9 runs), while
    # sampled/corrected reached 1.33 for exit and 1.29 for the pair (a CI
    # run whose bias read high). Checked: the pair and each program within
    # 25% of that band.
    pairs = [(sum(sampled.get(n, 0) for n in names), sum(corrected[n] for n in names),
              sum(measured[n] for n in names), "pair")]
    pairs += [(sampled.get(n, 0), corrected[n], measured[n], n) for n in names]
    for s, c, m, what in pairs:
        assert 0.75 * c <= s <= 1.25 * m, (what, s, c, m, sampled, corrected, measured)


def test_unload_mid_run_is_survived():
    r = Runner()
    wl = workload(3)
    p = subprocess.Popen([BIN, "-j", "annotate", "id", str(r.ids[0]), "--duration", "3"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.2)
    r.stop()
    out, err = p.communicate(timeout=30)
    wl.wait(timeout=30)
    assert p.returncode == 0, err
    (prog,) = json.loads(out)["programs"]
    assert prog["gone"] is True
    assert prog["samples"] > 0


def test_top_survives_churn():
    p = subprocess.Popen([BIN, "-j", "annotate", "--top", "--duration", "3"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    loaded = []
    for _ in range(4):
        r = Runner()
        wl = workload(0.3)
        wl.wait(timeout=30)
        loaded += r.ids
        r.stop()
    out, err = p.communicate(timeout=30)
    assert p.returncode == 0, err
    doc = json.loads(out)
    assert doc["bpf_loads"] >= 4 and doc["bpf_unloads"] >= 4
    seen = {x["id"] for x in doc["programs"]}
    assert seen & set(loaded), "no sample attributed to a program loaded mid-run"


def test_stop_signal_reports_partial():
    p = subprocess.Popen([BIN, "-j", "annotate", "--top", "--duration", "60"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1)
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate(timeout=15)
    assert p.returncode == 0
    doc = json.loads(out)
    assert doc["stopped"] is True and doc["elapsed_s"] < 10 and doc["samples"] > 0


def test_program_without_line_info(tmp_path):
    obj = tmp_path / "noline.bpf.o"
    subprocess.run(["llvm-objcopy" if shutil.which("llvm-objcopy") else "objcopy",
                    "--remove-section=.BTF.ext", HOTLOOP, str(obj)], check=True)
    r = Runner(str(obj))
    wl = workload(3)
    try:
        time.sleep(0.3)
        p = run("annotate", "id", r.ids[0], "--duration", "1", check=True)
    finally:
        wl.wait(timeout=30)
        r.stop()
    assert "no BTF line info" in p.stdout
    assert " asm " in p.stdout and "imul" in p.stdout and "exit" in p.stdout


def test_few_samples_warns(hotloop):
    p = run("annotate", "id", hotloop.ids[0], "--duration", "0.3", "--freq", "100", check=True)
    assert "only" in p.stderr and "samples" in p.stderr


@pytest.mark.parametrize("args,word", [
    (["id", "4294967295"], "no loaded BPF program"),
    (["--top", "--freq", "0"], "--freq"),
    (["--top", "--event", "bogus"], "--event"),
    (["--top", "--duration", "0"], "--duration"),
    ([], "name a program"),
    (["name", "bc_hotloop_nope"], "no loaded BPF program"),
    (["--top", "--asm"], "--top"),
])
def test_bad_input(args, word):
    p = run("annotate", *args)
    assert p.returncode != 0
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and word in lines[0], p.stderr


HOTLOOP_Y = str(ROOT / "build" / "hotloop_y.bpf.o")


def jit_range(prog_id, name):
    """[start, end) of a program's JIT image: /proc/kallsyms and bpftool."""
    size = json.loads(subprocess.run(["bpftool", "-j", "prog", "show", "id", str(prog_id)],
                                     capture_output=True, text=True,
                                     check=True).stdout)["bytes_jited"]
    for line in open("/proc/kallsyms"):
        w = line.split()
        if len(w) >= 3 and w[2].startswith("bpf_prog_") and w[2].endswith("_" + name):
            return int(w[0], 16), int(w[0], 16) + size
    return None


def churn(args, unload_at=1.2, secs=4):
    """annotate ARGS (JSON) while the agent unloads bc_hotloop (X) mid-run
    and then loads bc_hotloop_y (Y: the same code under another name); the
    workload runs throughout. The JIT packs programs into freed memory
    (bpf_prog_pack) once the old image is freed (after an RCU grace
    period), at a random offset in the chunks it takes: Y is reloaded, up
    to 5 times, until its image overlaps X's, the case where a stale range
    would charge Y to X. Returns the document, X's id, Y's id, X's and Y's
    lifetimes inside the window and whether Y took X's memory."""
    x = Runner()
    wl = workload(secs + 2)
    p = subprocess.Popen([BIN, "-j", "annotate"] + [str(a) for a in args(x.ids[0])] +
                         ["--duration", str(secs)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    t0 = time.time()
    time.sleep(unload_at)
    xr = jit_range(x.ids[0], "bc_hotloop")
    x.stop()
    t_x = time.time() - t0
    for _ in range(5):
        time.sleep(0.3)
        y = Runner(HOTLOOP_Y)
        yr = jit_range(y.ids[0], "bc_hotloop_y")
        reused = xr is not None and yr is not None and yr[0] < xr[1] and xr[0] < yr[1]
        if reused:
            break
        y.stop()
    t_y = secs - (time.time() - t0)
    out, err = p.communicate(timeout=60)
    y.stop()
    wl.kill()   # it was started to outlast the window
    wl.wait(timeout=30)
    assert p.returncode == 0, err
    return json.loads(out), x.ids[0], y.ids[0], t_x, t_y, reused


def test_new_program_not_charged_to_the_unloaded_one():
    """annotate id X; X unloaded, Y (another name) loaded after: Y's samples
    are other BPF code, never X's."""
    doc, xid, yid, t_x, t_y, reused = churn(lambda x: ["id", x])
    (prog,) = doc["programs"]
    assert prog["id"] == xid and prog["gone"] is True and prog["samples"] > 0
    other = doc["other_bpf"]["samples"]
    # X ran t_x s, Y t_y s, both at the workload's pace: had Y's samples
    # gone to X, X would hold them and other BPF code would be near 0.
    want = 0.4 * prog["samples"] * t_y / t_x
    print(f"\nX {xid}: {prog['samples']} samples in {t_x:.2f} s; other BPF code (Y {yid}) "
          f"{other} in {t_y:.2f} s; Y in X's freed memory: {reused}")
    assert reused, "the JIT never put Y where X was: the case is not exercised"
    assert other >= want, (other, want, prog["samples"])
    assert doc["bpf_unloads"] >= 1 and doc["bpf_loads"] >= 1


def test_top_follows_a_reload():
    doc, xid, yid, t_x, t_y, reused = churn(lambda x: ["--top"])
    progs = {p["id"]: p for p in doc["programs"]}
    print(f"\nX {xid}: {progs.get(xid, {}).get('samples')}, Y {yid}: "
          f"{progs.get(yid, {}).get('samples')}; Y in X's freed memory: {reused}")
    assert reused, "the JIT never put Y where X was: the case is not exercised"
    assert progs[xid]["gone"] is True and progs[yid]["gone"] is False
    assert progs[yid]["name"] == "bc_hotloop_y"
    assert progs[yid]["samples"] >= 0.4 * progs[xid]["samples"] * t_y / t_x
    assert doc["other_bpf"] is None


def test_lost_samples_are_counted_and_scaled(hotloop):
    """Stopping annotate for 2 s at 4 kHz fills the rings (about 0.4 s at
    that rate): the kernel drops samples, and the output must say how many
    and scale %CPU1 for them."""
    wl = workload(6)
    p = subprocess.Popen([BIN, "-j", "annotate", "--top", "--duration", "4"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(0.8)
        p.send_signal(signal.SIGSTOP)
        time.sleep(2)
        p.send_signal(signal.SIGCONT)
        out, err = p.communicate(timeout=60)
    finally:
        wl.wait(timeout=30)
    assert p.returncode == 0, err
    doc = json.loads(out)
    lost, kept = doc["lost"], doc["samples"]
    assert lost > 0, doc
    assert abs(doc["lost_fraction"] - lost / (lost + kept)) < 1e-9
    assert abs(doc["lost_factor"] - (lost + kept) / kept) < 1e-9
    hot = [x for x in doc["programs"] if x["name"] == "bc_hotloop"][0]
    assert abs(hot["cpu_pct_lost_scaled"] - hot["cpu_pct"] * doc["lost_factor"]) < 1e-6
    print(f"\nlost {lost} of {lost + kept} samples; bc_hotloop {hot['cpu_pct']:.1f}% kept, "
          f"{hot['cpu_pct_lost_scaled']:.1f}% scaled")
    plain = run("annotate", "--top", "--duration", "0.2", check=True).stdout
    assert re.search(r"\d+ lost$", plain.splitlines()[0])
