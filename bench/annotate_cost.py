#!/usr/bin/python3
"""Cost of `bpfcost annotate` sampling vs the per-run cost of run-time stats.

Subject: sysmon's count weight on raw_syscalls sys_enter, running all along.
Workload: `bpfcost load --syscalls getpid --duration D` on CPU 0 (calls/s).
Conditions, interleaved round-robin for ROUNDS rounds:
  base       nothing else running
  stats      `bpfcost stats` running (BPF_ENABLE_STATS: two clock reads per run)
  ann1k/4k/10k  `bpfcost annotate --top --freq F` running (sampling every CPU)
Reports median calls/s per condition and the slowdown vs base
(base_rate / rate - 1), each round's ratio against the base of the same round.
Usage: bench/annotate_cost.py [ROUNDS] [DURATION_S]
"""
import json
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = str(ROOT / "bpfcost")
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 4
DUR = float(sys.argv[2]) if len(sys.argv) > 2 else 3

CONDS = {
    "base": None,
    "stats": [BIN, "stats", "--duration", "60", "--interval", "5"],
    "ann1k": [BIN, "annotate", "--top", "--freq", "1000", "--duration", "60"],
    "ann4k": [BIN, "annotate", "--top", "--freq", "4000", "--duration", "60"],
    "ann10k": [BIN, "annotate", "--top", "--freq", "10000", "--duration", "60"],
}


def load_rate():
    out = subprocess.run([BIN, "-j", "load", "--syscalls", "getpid", "--duration", str(DUR)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["calls_per_s"]


def one(cmd):
    bg = None
    if cmd:
        bg = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.7)  # let it open its events / enable stats
    try:
        return load_rate()
    finally:
        if bg:
            bg.send_signal(signal.SIGINT)
            bg.wait(timeout=30)


def main():
    sm = subprocess.Popen([BIN, "sysmon", "-w", "count", "-d", "3600"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rates = {c: [] for c in CONDS}
    ratios = {c: [] for c in CONDS}
    try:
        time.sleep(1)
        for r in range(ROUNDS):
            order = list(CONDS) if r % 2 == 0 else list(reversed(CONDS))
            got = {c: one(CONDS[c]) for c in order}
            for c in CONDS:
                rates[c].append(got[c])
                ratios[c].append(got["base"] / got[c] - 1)
            print(f"round {r + 1}: " + "  ".join(f"{c}={got[c]:.0f}/s" for c in CONDS),
                  flush=True)
    finally:
        sm.send_signal(signal.SIGINT)
        sm.wait(timeout=30)
    print(f"\n{'condition':10} {'median calls/s':>15} {'median slowdown':>16} {'min':>8} {'max':>8}")
    for c in CONDS:
        sl = ratios[c]
        print(f"{c:10} {statistics.median(rates[c]):15.0f} {100 * statistics.median(sl):15.2f}% "
              f"{100 * min(sl):7.2f}% {100 * max(sl):7.2f}%")


if __name__ == "__main__":
    main()
