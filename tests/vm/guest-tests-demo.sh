#!/bin/sh
# demo in the guest, where every method works: each column is measured.

test_demo_runs_every_method() {
	bc_ok -j demo --duration 5 --syscalls getpid
	# the summary only: the three full reports follow it under "reports"
	tr -d '\n ' <"$OUT" >/tmp/demo-full.json
	grep -q ',"reports":\[{"schema_version":1,' /tmp/demo-full.json || fail "no reports"
	sed 's/,"reports":\[.*$//' /tmp/demo-full.json >/tmp/demo.json
	grep -q '"other_methods":\[\]' /tmp/demo.json ||
		fail "some method was skipped in the guest"
	for k in profile_ns_per_syscall cpu_pct_sampled; do
		n=$(grep -o "\"$k\":[0-9.eE+-]*" /tmp/demo.json | wc -l)
		[ "$n" -eq 3 ] || fail "$k measured for $n weights, want 3"
	done
	n=$(grep -o '"syscall_wrapped_getpid_added_ns":{"mean":[0-9.eE+-]*' /tmp/demo.json | wc -l)
	[ "$n" -eq 3 ] || fail "syscall column measured for $n weights, want 3"
	# What the window holds, and why the column has no interval (the
	# file has no blanks).
	n=$(grep -o '"method":"fentry","inside":\["sys_enter_probes","dispatch","syscall","sys_exit_probes"\],' \
		/tmp/demo.json | wc -l)
	[ "$n" -eq 3 ] || fail "syscall column: what the window holds is missing ($n of 3)"
	n=$(grep -o '"interval":null,"no_interval":"onerunperphase' /tmp/demo.json | wc -l)
	[ "$n" -eq 3 ] || fail "syscall column: no-interval note missing ($n of 3)"
	# Heavier weights cost more by every method; TCG timings are not real
	# time, but the order holds (the profile figure of 'events' is above
	# that of 'count'). The figure is a mean, which a host preemption of
	# the emulator inflates; but a run is preempted in proportion to its
	# length, so that only widens the gap (events was ~15x count with
	# both host cores busy).
	p=$(grep -o '"profile_ns_per_syscall":[0-9.eE+-]*' /tmp/demo.json | cut -d: -f2)
	first=$(echo "$p" | sed -n 1p)
	last=$(echo "$p" | sed -n 3p)
	awk -v a="$first" -v b="$last" 'BEGIN { exit !(b > a) }' ||
		fail "profile: events ($last) not above count ($first)"
}
