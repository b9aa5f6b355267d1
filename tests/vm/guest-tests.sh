#!/bin/sh
# Guest tests: what needs the stock 6.1 kernel (trampolines, kprobes) or is
# worth re-running on a second kernel version. Each function test_NAME is one
# test, run by guest-run.sh; add a function here (or a new file
# tests/vm/guest-tests-TOPIC.sh) to add tests. Helpers: guest-lib.sh.
# Run a subset: VMTEST_FILTER=NAME make vmtest.

test_kernel_is_6_1() {
	r=$(uname -r)
	echo "uname -r: $r"
	case "$r" in 6.1.*) ;; *) fail "guest kernel is $r, want 6.1.x" ;; esac
}

test_version() {
	bc_ok --version
	has '^bpfcost [0-9]+\.[0-9]+\.[0-9]+'
}

test_prog_lists_loaded_programs() {
	d=/sys/fs/bpf/vmt_prog
	trap 'unpin_all $d' EXIT
	load_pinned testprog $d/t
	load_pinned empty $d/e
	bc_ok prog
	has '^ *ID +TYPE +NAME +TAG'
	has 'bc_test_long_function_name'
	has 'bc_empty'
}

test_prog_json() {
	d=/sys/fs/bpf/vmt_progj
	trap 'unpin_all $d' EXIT
	load_pinned empty $d/e
	bc_ok -j prog
	has '^\{'
	has '"programs": *\['
	has '"full_name": *"bc_empty"'
}

test_load_reports_positive_rate() {
	bc_ok -j load --duration 1
	r=$(json_num calls_per_s)
	echo "calls_per_s: $r"
	positive "$r" || fail "calls_per_s '$r' not > 0"
}

# doctor: what the previous manual probe of this guest found to work.
doctor_feature_ok() {
	bc_ok -j doctor
	o=$(json_obj "$1")
	[ -n "$o" ] || fail "doctor -j has no \"$1\" object"
	echo "$1: {$o}"
	echo "$o" | grep -Eq '"ok": *true' || fail "doctor says $1 does not work"
}
test_doctor_fentry_prog() { doctor_feature_ok fentry_prog; }
test_doctor_fentry_kfunc() { doctor_feature_ok fentry_kfunc; }
test_doctor_kprobe_pmu() { doctor_feature_ok kprobe_pmu; }
test_doctor_syscall_dispatch() {
	doctor_feature_ok syscall_dispatch
	json_obj syscall_dispatch | grep -q 'fentry on x64_sys_call works' ||
		fail "the 6.1 guest's dispatcher is x64_sys_call (backport), by fentry"
}

test_doctor_profile_method_available() {
	bc_ok -j doctor
	o=$(json_obj profile)
	echo "profile: {$o}"
	echo "$o" | grep -Eq '"available": *true' || fail "doctor says the profile method is unavailable"
}

# sysmon, re-run on the 6.1 kernel: every weight sees every getpid of a
# known workload (a few more come from the workload's own start-up).
SYSMON_N=20000
sysmon_sees_workload() {
	sysmon_workload "$1" $SYSMON_N "$2"
	got=$(syscall_count 39)
	echo "getpid count: $got (want $SYSMON_N..$((SYSMON_N + 50)))"
	[ -n "$got" ] && [ "$got" -ge $SYSMON_N ] && [ "$got" -le $((SYSMON_N + 50)) ] ||
		fail "getpid count '$got' outside $SYSMON_N..$((SYSMON_N + 50))"
}
test_sysmon_count_sees_workload() { sysmon_sees_workload count INT; }
test_sysmon_proc_sees_workload() {
	sysmon_sees_workload proc INT
	# The busiest bcwl process is the workload (a sanitizer build adds another).
	calls=$(grep -Eo '\{[^}]*"comm": *"bcwl"[^}]*\}' "$OUT" |
		sed -n 's/.*"calls": *\([0-9]*\).*/\1/p' | sort -n | tail -n1)
	[ -n "$calls" ] && [ "$calls" -ge $SYSMON_N ] || fail "bcwl calls '$calls' < $SYSMON_N"
}
test_sysmon_events_sees_workload() {
	sysmon_sees_workload events INT
	ev=$(json_num events) lost=$(json_num lost)
	[ $((ev + lost)) -ge $SYSMON_N ] || fail "events $ev + lost $lost < $SYSMON_N"
}
# SIGTERM ends sysmon cleanly too; the runner fails the test if its
# programs or links outlive it.
test_sysmon_sigterm_detaches() { sysmon_sees_workload proc TERM; }
