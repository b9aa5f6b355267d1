#!/bin/sh
# Guest tests on 5.10: what each command probes where there is no syscall
# dispatcher (fentry cannot wrap one, so the trial asks about kprobes) and
# no iterator reader. Helpers from the 6.1 file.
. "$ROOT/tests/vm/guest-tests-probing.sh"

test_probing_syscall_5_10() {
	trials_are "fentry_kfunc kprobe_tracefs syscall_dispatch" \
		-j syscall --sysmon count --duration 1
}

test_probing_stats_5_10() {
	trials_are "prog_iter" stats --count 2 --interval 0.2
}

test_probing_overhead_5_10() { test_probing_overhead; }
