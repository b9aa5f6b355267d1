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
