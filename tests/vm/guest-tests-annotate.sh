#!/bin/sh
# annotate in the guest: sampling beside a running monitor and workload.

test_annotate_top_beside_sysmon() {
	# Wait for sysmon to attach and the workload to start: on a slow TCG
	# host a fixed sleep was too short, and the window saw no BPF samples.
	sysmon_bg sysmon -w count -d 60
	"$BPFCOST" load --mix getpid --duration 6 >/dev/null &
	ldpid=$!
	sleep 1
	bc -j annotate --top --duration 2 --freq 1000
	rc=$?
	wait $ldpid
	kill -INT $smpid
	wait $smpid
	[ $rc -eq 0 ] || fail "annotate --top exited $rc"
	has '"sysmon_cnt_ente'
}
