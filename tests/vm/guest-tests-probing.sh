#!/bin/sh
# Guest tests: each command probes only the features it needs, on a kernel
# where the fentry and kprobe trials succeed (the host's fail early, so the
# e2e tests there cannot see what a working alternative spares). What a
# command probes is what -v names: "bpfcost: probing: NAME (TRIAL)".

# trials_are "A B ..." ARGS: `bpfcost -v ARGS` succeeds and names exactly
# the trials A B ... (sorted, each once).
trials_are() {
	want=$1
	shift
	bc_ok -v "$@"
	got=$(sed -n 's/^bpfcost: probing: \([a-z0-9_]*\) (.*/\1/p' "$ERR" | sort | tr '\n' ' ')
	all=$(sed -n 's/^bpfcost: probing: \([a-z0-9_]*\) (.*/\1/p' "$ERR" | wc -l)
	echo "trials: $got"
	[ "$got" = "${want:+$want }" ] || fail "bpfcost -v $* probed '$got', want '$want'"
	[ "$all" -eq "$(echo "$got" | wc -w)" ] || fail "a trial ran twice"
}

test_probing_doctor_all() {
	bc_ok -v doctor
	n=$(sed -n 's/^bpfcost: probing: \([a-z0-9_]*\) (.*/\1/p' "$ERR" | sort -u | wc -l)
	[ "$n" -eq 23 ] || fail "doctor probed $n features, want 23"
}

# fentry works here: no kprobe trial, and the dispatcher trial stops at
# fentry on x64_sys_call.
test_probing_syscall() {
	trials_are "fentry_kfunc syscall_dispatch" -j syscall --sysmon count --duration 1
}

test_probing_overhead() {
	trials_are "raw_tp stats_fd" overhead --sysmon count --rounds 4 --round-time 10ms
}

# No hardware PMU under TCG: --events auto asks each counter it would use.
test_probing_profile() {
	d=/sys/fs/bpf/vmt_probing
	trap 'unpin_all $d' EXIT
	load_pinned empty $d/e
	trials_are "fentry_prog perf_cache_misses perf_cycles perf_instructions vmlinux_btf" \
		profile name bc_empty --duration 0.5
}

test_probing_stats_iter() {
	trials_are "prog_iter" stats --count 2 --interval 0.2
}

test_probing_annotate() {
	trials_are "perf_cycles" annotate --top --duration 0.3
	trials_are "" annotate --top --duration 0.3 --event cpu-clock
}
