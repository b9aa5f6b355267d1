#!/bin/sh
# Guest tests on Debian 11's stock 5.10 kernel (VMTEST_SUITE=bullseye): an
# older kernel that has trampolines and kprobes but lacks what some of our
# newer paths use:
#   - bpf_map_lookup_percpu_elem (5.19): no iter/bpf_prog stats reader, so
#     stats and top fall back to bpf() syscalls;
#   - a traceable syscall dispatcher: do_syscall_64 is noinstr since 5.9 and
#     x64_sys_call came with 6.9 (not backported to 5.10), so the
#     syscall-path method cannot run and must say so;
#   - bpf_get_func_arg and bpf_loop (5.17), which profile and the profile
#     test targets do without.
# Shared tests are re-run from the 6.1 files, sourced here (the runner only
# runs the test_ functions defined in this file).
. "$ROOT/tests/vm/guest-tests.sh"
. "$ROOT/tests/vm/guest-tests-profile.sh"
. "$ROOT/tests/vm/guest-tests-annotate.sh"

test_kernel_is_5_10() {
	r=$(uname -r)
	echo "uname -r: $r"
	case "$r" in 5.10.*) ;; *) fail "guest kernel is $r, want 5.10.x" ;; esac
}

# doctor: every answer here comes from a trial on this kernel.
test_doctor_on_5_10() {
	bc_ok -j doctor
	o=$(json_obj prog_iter)
	echo "prog_iter: {$o}"
	echo "$o" | grep -Eq '"ok": *false' || fail "doctor says the iterator reader works on 5.10"
	o=$(json_obj syscall_dispatch)
	echo "syscall_dispatch: {$o}"
	echo "$o" | grep -Eq '"ok": *false' || fail "doctor found a syscall dispatcher on 5.10"
	echo "$o" | grep -q 'no traceable syscall dispatcher: .*do_syscall_64' ||
		fail "no reason naming do_syscall_64"
	for f in fentry_prog fentry_kfunc kprobe_tracefs stats_fd; do
		json_obj "$f" | grep -Eq '"ok": *true' || fail "doctor says $f does not work on 5.10"
	done
	o=$(json_obj syscall_wrap)
	echo "syscall_wrap: {$o}"
	echo "$o" | grep -Eq '"available": *false' || fail "syscall_wrap called available"
	echo "$o" | grep -q 'works here: stats, overhead, profile, annotate' ||
		fail "the reason does not name the methods that work"
	json_obj profile | grep -Eq '"available": *true' || fail "profile not available"
}

# The syscall command refuses in one line, naming what works instead.
test_syscall_refused_on_5_10() {
	bc syscall --sysmon count --duration 1 && fail "syscall ran without a dispatcher"
	cat "$ERR"
	[ "$(wc -l <"$ERR")" -eq 1 ] || fail "not a one-line error"
	grep -q 'syscall dispatcher' "$ERR" || fail "error does not say why"
	grep -q 'works here: .*profile' "$ERR" || fail "error does not name what works"
}

# stats: auto falls back to the syscall reader, says so, and sees sysmon.
test_stats_fallback_reader() {
	sysmon_bg sysmon -w count -i 60s
	bc -j stats --count 2 --interval 0.5
	r=$rc
	kill -INT $smpid
	wait $smpid
	[ $r -eq 0 ] || fail "stats exited $r"
	tail -n1 "$OUT" | grep -q '"reader": *"syscall"' || fail "summary does not say reader syscall"
	runs=$(tail -n1 "$OUT" | sed 's/{ *"id"/\n&/g' | grep '"sysmon_cnt_ente' |
		grep -Eo '"total": *\{ *"runs": *[0-9]+' | grep -Eo '[0-9]+$' | head -n1)
	echo "sysmon_cnt_enter runs: $runs"
	positive "$runs" || fail "sysmon runs '$runs' not > 0"
}

test_stats_reader_iter_refused() {
	bc stats --reader iter --count 2 --interval 0.2 && fail "--reader iter ran on 5.10"
	cat "$ERR"
	[ "$(wc -l <"$ERR")" -eq 1 ] || fail "not a one-line error"
	grep -q 'iter/bpf_prog' "$ERR" || fail "error does not name the iterator"
}

test_top_batch_on_5_10() {
	bc_ok top -b --count 2 --interval 0.5
	has 'reader syscall'
}

# The main job on an old kernel: every method that runs here, the syscall
# column reported as skipped with its reason.
test_demo_on_5_10() {
	bc_ok -j demo --round-time 0.5 --mix getpid
	tr -d '\n ' <"$OUT" >/tmp/demo.json
	grep -q '"method":"syscall_wrap","command":"syscall","available":false' /tmp/demo.json ||
		fail "syscall_wrap not reported as unavailable"
	grep -q '"syscall_wrapped_getpid_added_ns":null' /tmp/demo.json ||
		fail "a syscall column was printed without the method"
	n=$(grep -o '"profile_ns_per_syscall":[0-9.eE+-]*' /tmp/demo.json | wc -l)
	[ "$n" -eq 3 ] || fail "profile measured for $n weights, want 3"
}

# Re-runs from the 6.1 files: profile (fentry on BPF programs, its run
# matching and the calibration targets), sampling, and sysmon itself.
test_profile_linearity_5_10() { test_profile_linearity; }
test_profile_several_targets_5_10() { test_profile_several_targets_match_alone; }
test_profile_sigterm_cleans_up_5_10() { test_profile_sigterm_cleans_up; }
test_annotate_top_beside_sysmon_5_10() { test_annotate_top_beside_sysmon; }
test_sysmon_count_sees_workload_5_10() { test_sysmon_count_sees_workload; }
test_sysmon_events_sees_workload_5_10() { test_sysmon_events_sees_workload; }
