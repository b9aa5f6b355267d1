#!/bin/sh
# Guest tests on Debian 11's stock 5.10 kernel (VMTEST_SUITE=bullseye): an
# older kernel that has trampolines and kprobes but lacks what some of our
# newer paths use:
#   - bpf_map_lookup_percpu_elem (5.19): no iter/bpf_prog stats reader, so
#     stats and top fall back to bpf() syscalls;
#   - a syscall dispatcher to wrap: do_syscall_64 is noinstr since 5.9 and
#     x64_sys_call came with 6.9 (not backported to 5.10), so the
#     syscall-path method wraps each syscall's own function, by kprobe;
#   - bpf_get_func_arg and bpf_loop (5.17), which profile and the profile
#     test targets do without.
# Shared tests are re-run from the 6.1 files, sourced here (the runner only
# runs the test_ functions defined in this file).
. "$ROOT/tests/vm/guest-tests.sh"
. "$ROOT/tests/vm/guest-tests-profile.sh"
. "$ROOT/tests/vm/guest-tests-annotate.sh"
. "$ROOT/tests/vm/guest-tests-syscall.sh"
. "$ROOT/tests/vm/guest-tests-report.sh"

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
	echo "$o" | grep -q 'kprobe on __x64_sys_\* works' ||
		fail "doctor did not settle on per-syscall kprobes"
	for f in fentry_prog fentry_kfunc kprobe_tracefs stats_fd; do
		json_obj "$f" | grep -Eq '"ok": *true' || fail "doctor says $f does not work on 5.10"
	done
	for m in syscall_wrap profile; do
		json_obj $m | grep -Eq '"available": *true' || fail "$m not available"
	done
}

# No dispatcher: the body is each syscall's own function, by kprobe, and the
# tracer's enter/exit work still falls inside the window.
test_syscall_per_syscall_body() {
	bc_ok -j syscall --sysmon events --compare --duration 2
	grep -q '"method": *"kprobe"' "$OUT" || fail "auto did not fall back to kprobe"
	grep -q '"body": *"__x64_sys_\*"' "$OUT" || fail "body is not per-syscall"
	grep -q '"per_syscall_body": *true' "$OUT" || fail "per_syscall_body not set"
	sc_getpid_ordering
	sc_nothing_left
}

# No dispatcher: the body holds the syscall's own function only.
test_syscall_window_per_syscall() {
	bc_ok -j syscall --sysmon count --duration 0.3 --syscalls getpid
	sc_window_is enter sys_enter_probes
	sc_window_is body syscall
	sc_window_is exit sys_exit_probes
	sc_window_is outside "entry_asm enter_from_user_mode enter_work sys_enter_call dispatch exit_work sys_exit_call exit_to_user_mode"
	bc_ok syscall --sysmon count --duration 0.3 --syscalls getpid
	has '^    body +__x64_sys_\* +the syscall.s own function'
	has '^    dispatch to the syscall'
	sc_nothing_left
}

test_syscall_plain_per_syscall() {
	bc_ok syscall --sysmon count --duration 1 --syscalls getpid,fstat
	has 'window = __traceiter_sys_enter \+ __x64_sys_\* \+ __traceiter_sys_exit'
	has "the body is each"
	has '^getpid +tracer +[0-9]+'
	has '^(fstat|newfstatat) +tracer +- +[0-9]+'
	sc_nothing_left
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

# The main job on an old kernel: every method, as on 6.1.
test_demo_on_5_10() {
	bc_ok -j demo --duration 5 --syscalls getpid
	# the summary only: the three full reports follow it under "reports"
	tr -d '\n ' <"$OUT" >/tmp/demo-full.json
	grep -q ',"reports":\[{"schema_version":1,' /tmp/demo-full.json || fail "no reports"
	sed 's/,"reports":\[.*$//' /tmp/demo-full.json >/tmp/demo.json
	grep -q '"other_methods":\[\]' /tmp/demo.json || fail "some method was skipped"
	for k in profile_ns_per_syscall cpu_pct_sampled; do
		n=$(grep -o "\"$k\":[0-9.eE+-]*" /tmp/demo.json | wc -l)
		[ "$n" -eq 3 ] || fail "$k measured for $n weights, want 3"
	done
	n=$(grep -o '"syscall_wrapped_getpid_added_ns":{"mean":[0-9.eE+-]*,"incomplete":[a-z]*,"method":"kprobe"' \
		/tmp/demo.json | wc -l)
	[ "$n" -eq 3 ] || fail "syscall column by kprobe for $n weights, want 3"
}

# Re-runs from the 6.1 files: profile (fentry on BPF programs, its run
# matching and the calibration targets), sampling, and sysmon itself.
test_profile_linearity_5_10() { test_profile_linearity; }
test_profile_several_targets_5_10() { test_profile_several_targets_match_alone; }
test_profile_sigterm_cleans_up_5_10() { test_profile_sigterm_cleans_up; }
test_annotate_top_beside_sysmon_5_10() { test_annotate_top_beside_sysmon; }
test_sysmon_count_sees_workload_5_10() { test_sysmon_count_sees_workload; }
test_sysmon_events_sees_workload_5_10() { test_sysmon_events_sees_workload; }
test_syscall_cleanup_sigterm_kprobe_5_10() { test_syscall_cleanup_sigterm_kprobe; }
test_syscall_maxactive_raised_no_misses_5_10() { test_syscall_maxactive_raised_no_misses; }
test_profile_tp_btf_target_refused_5_10() { test_profile_tp_btf_target_refused; }
test_report_profile_and_syswrap_json_5_10() { test_report_profile_and_syswrap_json; }
test_report_running_tp_btf_5_10() { rp_running_tp_btf; }
test_syscall_own_setup_not_recorded_5_10() { sc_own_setup_not_recorded --method kprobe; }
