"""Memory under program churn: stats and top on a host that loads and
unloads programs all day must not grow. tests/helpers/churn_loader keeps
200 socket filters (bc_churn) loaded and replaces 1,000 of them a second,
so each lives 0.2 s: two passes of a 0.1 s interval. `bpfcost -j stats` and
`bpfcost top -b` watch it side by side for tens of thousands of program
lifetimes; their resident memory (VmRSS) after a warm-up must stay within
RSS_BOUND_KB of where it was. Each keeps about 350 bytes per program it ever
saw without the bound (top about 2 KB more for its history): over 20,000
lifetimes that is 7 MB and 47 MB."""
import json
import os
import re
import signal
import subprocess
import threading
import time

from conftest import BIN, ROOT

CHURN = str(ROOT / "build" / "tests" / "churn_loader")
WINDOW, RATE = 200, 1000
# Unbounded, stats grew ~0.5 MB and top ~2.3 MB a second here: 10 s is
# several times the bound for both.
WARMUP_S, MEASURE_S = 4, 10
RSS_BOUND_KB = 2048
MIN_LIFETIMES = 6000


def no_quarantine():
    """The environment, with ASan's quarantine off when the binary is a
    sanitizer build (the sanitizer pass): ASan keeps freed memory out of use
    (256 MiB by default) to catch use after free, so a sampler that frees as
    much as it allocates would still grow by what it freed. Leak and error
    checks stay on."""
    env = dict(os.environ)
    if "ASAN_OPTIONS" in env:
        env["ASAN_OPTIONS"] += ":quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
    return env


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))


class Watched:
    """A bpfcost command whose stdout a thread drains (a full pipe would
    stall it, and a stalled sampler grows nothing) and whose VmRSS is
    sampled."""

    def __init__(self, args, ids_of_line):
        self.p = subprocess.Popen([BIN] + args, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, env=no_quarantine())
        self.ids_of_line = ids_of_line
        self.ids = set()
        self.last = None
        self.rss = []
        self.t = threading.Thread(target=self.drain, daemon=True)
        self.t.start()

    def drain(self):
        for line in self.p.stdout:
            self.ids.update(self.ids_of_line(line))
            self.last = line

    def sample(self):
        self.rss.append(rss_kb(self.p.pid))

    def stop(self):
        self.p.send_signal(signal.SIGINT)
        self.p.wait(timeout=30)
        self.t.join(timeout=30)
        return self.p.returncode, self.p.stderr.read()


def stats_ids(line):
    doc = json.loads(line)
    return [p["id"] for p in doc["programs"] if p["name"] == "bc_churn"]


TOP_ROW = re.compile(r"^\s*(\d+) \S+\s+bc_churn\s")


def top_ids(line):
    m = TOP_ROW.match(line)
    return [int(m.group(1))] if m else []


def test_rss_stays_flat_under_program_churn():
    churn = subprocess.Popen([CHURN, str(WINDOW), str(RATE)], stdout=subprocess.PIPE,
                             text=True)
    assert churn.stdout.readline().strip() == "ready"
    stats = top = None
    try:
        stats = Watched(["-j", "stats", "--interval", "0.1"], stats_ids)
        top = Watched(["top", "-b", "--interval", "0.1"], top_ids)
        time.sleep(WARMUP_S)
        seen0 = len(stats.ids)
        end = time.time() + MEASURE_S
        while time.time() < end:
            stats.sample()
            top.sample()
            time.sleep(0.5)
        rc_s, err_s = stats.stop()
        rc_t, err_t = top.stop()
    finally:
        for w in (stats, top):
            if w and w.p.poll() is None:
                w.p.kill()
                w.p.wait()
        churn.send_signal(signal.SIGTERM)
        out, _ = churn.communicate(timeout=30)
    assert churn.returncode == 0
    assert rc_s == 0, err_s
    assert rc_t == 0, err_t
    lifetimes = len(stats.ids) - seen0
    print(f"churn: {out.strip()}; programs seen by stats while measured: {lifetimes}, "
          f"by top in all: {len(top.ids)}")
    print(f"stats VmRSS kB: first {stats.rss[0]}, max {max(stats.rss)}, last {stats.rss[-1]}")
    print(f"top VmRSS kB: first {top.rss[0]}, max {max(top.rss)}, last {top.rss[-1]}")
    # The churn really went through both tools ...
    assert lifetimes >= MIN_LIFETIMES
    assert len(top.ids) >= MIN_LIFETIMES
    # ... neither kept it ...
    assert max(stats.rss) - stats.rss[0] <= RSS_BOUND_KB, stats.rss
    assert max(top.rss) - top.rss[0] <= RSS_BOUND_KB, top.rss
    # ... and the summary still accounts for the programs it let go.
    summary = json.loads(stats.last)
    assert summary["type"] == "summary"
    assert summary["gone_earlier"]["programs"] >= MIN_LIFETIMES
