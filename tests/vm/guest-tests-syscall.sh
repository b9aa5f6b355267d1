#!/bin/sh
test_syscall_explore() {
	bc -v syscall --sysmon events --compare --duration 1
	echo "rc=$rc"; cat $OUT
	bc -v syscall --sysmon count --method kprobe --syscalls nanosleep --threads 64 --cpu -1 --duration 2
	echo "rc=$rc"; cat $OUT
	bc -v syscall --sysmon count --method kprobe --syscalls nanosleep --threads 64 --cpu -1 --duration 2 --maxactive 256
	echo "rc=$rc"; cat $OUT
	cat /sys/kernel/tracing/kprobe_events
	fail "explore"
}
