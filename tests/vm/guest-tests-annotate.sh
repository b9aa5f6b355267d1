#!/bin/sh
# annotate in the guest: sampling beside a running monitor and workload.

test_annotate_top_beside_sysmon() {
	# The events weight, whose programs take a large share of a CPU even
	# under TCG: count's program took ~2% of the guest's kernel time, a few
	# dozen samples, and none at all on a slower CI host.
	sysmon_bg sysmon -w events -d 600
	"$BPFCOST" load --syscalls getpid --duration 600 >/dev/null &
	ldpid=$!
	sleep 1
	bc -j annotate --top --duration 2 --freq 1000
	rc=$?
	kill $ldpid; wait $ldpid
	kill -INT $smpid
	wait $smpid
	[ $rc -eq 0 ] || fail "annotate --top exited $rc"
	has '"sysmon_ev_enter'
}
