#!/bin/sh
# annotate in the guest: sampling beside a running monitor and workload.

test_annotate_top_beside_sysmon() {
	"$BPFCOST" sysmon -w count -d 20 >/dev/null 2>/tmp/vmt.sm.err &
	smpid=$!
	sleep 2
	"$BPFCOST" load --mix getpid --duration 4 >/dev/null &
	ldpid=$!
	bc -j annotate --top --duration 2 --freq 1000
	rc=$?
	wait $ldpid
	kill -INT $smpid
	wait $smpid
	[ $rc -eq 0 ] || fail "annotate --top exited $rc"
	has '"sysmon_cnt_ente'
}
