#!/bin/sh
# bpfcost report in the guest, where trampolines and kprobes work: the
# profile (fentry/fexit) and syscall-path wrapping sections are measured,
# not skipped. TCG timings are not real: checks are on counts, ordering
# and what each figure says it is, not on absolute ns.

# rp_compact: $OUT without newlines or blanks, into /tmp/rp.json.
rp_compact() { tr -d '\n ' <"$OUT" >/tmp/rp.json; }

# rp_method_ran NAME: methods.NAME has state "ran" in /tmp/rp.json.
rp_method_ran() {
	grep -q "\"$1\":{\"works_here\":true,\"state\":\"ran\"" /tmp/rp.json ||
		fail "method $1 did not run: $(grep -o "\"$1\":{\"works_here\"[^}]*}" /tmp/rp.json)"
}

# Profile: every program of the agent profiled with runs, its corrected
# p50 <= p90 <= p99 (a figure below the calibration is 0, which keeps the
# order); syscall_wrap: each wrapped syscall of both kinds has windows
# with the agent off and on, a non-negative p50 and on-minus-off, and the
# method and functions named.
test_report_profile_and_syswrap_json() {
	bc_ok -j report --duration 6 --sysmon count --syscalls getpid,openat
	rp_compact
	rp_method_ran profile
	rp_method_ran syscall_wrap
	grep -q '"profile":{"method":"fentry/fexit","wall_s":[0-9.eE+-]*,"calibrated":true' \
		/tmp/rp.json || fail "no calibrated profile section"
	nprogs=$(grep -o '"has_stats":' /tmp/rp.json | wc -l)
	figs=$(grep -o '"profiled":true,"runs":[0-9]*,"runs_per_s":[0-9.eE+-]*,"corrected":true,"ns_per_run":{"mean":[0-9.eE+-]*,"p50":[0-9]*,"p90":[0-9]*,"p99":[0-9]*' \
		/tmp/rp.json)
	echo "profile figures:"; echo "$figs"
	n=$(echo "$figs" | grep -c profiled)
	[ "$nprogs" -gt 0 ] && [ "$n" -eq "$nprogs" ] ||
		fail "$n of $nprogs programs profiled with figures"
	echo "$figs" | sed 's/.*"runs":\([0-9]*\),.*"p50":\([0-9]*\),"p90":\([0-9]*\),"p99":\([0-9]*\)/\1 \2 \3 \4/' |
		while read -r runs p50 p90 p99; do
			[ "$runs" -gt 0 ] || fail "a profiled program had no runs"
			[ "$p50" -le "$p90" ] && [ "$p90" -le "$p99" ] ||
				fail "p50 $p50, p90 $p90, p99 $p99 out of order"
		done || exit 1
	grep -q '"syscall_wrap":{"method":"\(fentry\|kprobe\)","functions":"[^"][^"]*","includes":"[^"][^"]*"' \
		/tmp/rp.json || fail "syscall_wrap does not name its method, functions and window"
	# getpid: getpid; openat: openat and close
	for k in getpid openat; do
		grep -q "\"kind\":\"$k\",\"ab\":[a-z]*,\"syscall_wrap\":\[{" /tmp/rp.json ||
			fail "kind $k has no syscall_wrap figures"
	done
	on=$(grep -o '"with_agent":{"windows":[0-9]*,"lost":[0-9]*,"slow":[0-9]*,"complete":[a-z]*,"latency_ns":{"p50":[0-9.eE+]*' /tmp/rp.json)
	off=$(grep -o '"without_agent":{"windows":[1-9][0-9]*,' /tmp/rp.json | wc -l)
	added=$(grep -o '"added":{"p50_ns":[0-9.eE+]*,"mean_ns":[0-9.eE+]*' /tmp/rp.json | wc -l)
	echo "with agent:"; echo "$on"
	n=$(echo "$on" | grep -c '"windows":[1-9]')
	[ "$n" -eq 3 ] || fail "$n wrapped syscalls with windows and a p50 with the agent on, want 3"
	[ "$off" -eq 3 ] || fail "$off wrapped syscalls with windows with the agent off, want 3"
	[ "$added" -eq 3 ] || fail "$added non-negative on-minus-off figures, want 3"
	sc_left=$(bpftool prog show 2>/dev/null | grep -c 'name bc_\(sw_\|prof_\)')
	[ "$sc_left" = 0 ] || fail "$sc_left profile or wrapping programs left"
	# the verdict uses both where they ran (blanks are gone in /tmp/rp.json)
	verdict=$(grep -o '"verdict":\[[^]]*\]' /tmp/rp.json)
	echo "verdict: $verdict"
	echo "$verdict" | grep -q 'Profile(fentry/fexit)' || fail "the verdict does not use profile"
	echo "$verdict" | grep -q 'Syscall-pathwrapping(\(fentry\|kprobe\)on' ||
		fail "the verdict does not use syscall-path wrapping"
}

# The plain report shows both sections with their methods named.
test_report_profile_and_syswrap_plain() {
	bc_ok report --duration 4 --sysmon count --syscalls getpid
	has '^PROFILE \(fentry/fexit, [0-9.]+ s, workload running; corrected: minus'
	has '^SYSCALL PATH, WRAPPED \((fentry|kprobe) on '
	has '^  inside the window: '
	# ID NAME RUNS/S P50 P90 P99 MEAN RAW_P50, within the PROFILE section
	sed -n '/^PROFILE (/,/^  ns per run/p' "$OUT" |
		grep -Eq '^  [0-9]+ +sysmon_cnt_enter +[0-9]+ +([0-9]+|<calib) +([0-9]+|<calib) +([0-9]+|<calib) +([0-9.]+|<calib) +[0-9]+$' ||
		fail "no profile row for sysmon_cnt_enter"
	# KIND SYSCALL OFF_P50 ON_P50 ON_P90 ON_P99 ON_MEAN ADDED_P50 AB_ADDED WINDOWS LOST
	sed -n '/^SYSCALL PATH, WRAPPED/,/^  ns per window/p' "$OUT" |
		grep -Eq '^  getpid +getpid +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +([0-9]+|<=0) +([0-9-]+) +[1-9][0-9]* +[0-9]+$' ||
		fail "no wrapped row for getpid"
	has '^  profile +ran '
	has '^  syscall_wrap +ran '
	grep -q 'not part of the report yet' "$OUT" && fail "a method is still left out"
	true
}

# Ctrl-C while profile's observers are attached: a partial report with
# profile interrupted, and nothing of ours left (programs, links, the
# agent, kprobe events).
test_report_sigint_in_profile() {
	bg_run /tmp/vmt.rp.out /tmp/vmt.rp.err "$BPFCOST" -j report --duration 12 --sysmon count \
		--syscalls getpid
	pid=$bgpid
	i=0
	until bpftool prog show 2>/dev/null | grep -q 'name bc_prof_entry'; do
		kill -0 $pid 2>/dev/null || { cat /tmp/vmt.rp.err; fail "report ended before profile"; }
		[ $i -lt 600 ] || { kill -KILL $pid; fail "profile never attached"; }
		sleep 0.1
		i=$((i + 1))
	done
	kill -INT $pid
	wait $pid
	rc=$?
	sed 's/^/stderr: /' /tmp/vmt.rp.err | head -n 20
	cp /tmp/vmt.rp.out "$OUT"
	[ $rc -eq 1 ] || fail "report exited $rc after SIGINT, want 1 with a partial report"
	rp_compact
	grep -q '"partial":true' /tmp/rp.json || fail "report not marked partial"
	grep -q '"profile":{"works_here":true,"state":"interrupted"' /tmp/rp.json ||
		fail "profile not marked interrupted"
	grep -q '"syscall_wrap":{"works_here":true,"state":"notrun"' /tmp/rp.json ||
		fail "syscall_wrap ran after the stop request"
	l=$(bpftool link show 2>/dev/null | grep -c 'bc_\|sysmon_')
	p=$(bpftool prog show 2>/dev/null | grep -c 'name bc_\|name sysmon_')
	[ "$l" = 0 ] || fail "$l links left"
	[ "$p" = 0 ] || fail "$p programs left"
	! grep -q bpfcost /sys/kernel/tracing/kprobe_events 2>/dev/null || fail "kprobe events left"
}

# An agent that runs already, one of its programs a tp_btf program: on a
# kernel before 6.8 fentry/fexit refuse it, so profile measures the other
# program and gives the tp_btf one the reason; wrapping measures with the
# agent on only (no off phase: it is not ours to stop); A/B skipped.
# Run from the 5.10 suite (guest-bullseye-tests.sh).
rp_running_tp_btf() {
	start_runner tpbtf
	set -- $runids
	tp=$1
	sysmon_bg sysmon -w count -i 60s
	bc -j report --duration 4 --syscalls getpid id "$tp" name sysmon_cnt_enter
	rc=$?
	kill -INT $smpid
	wait $smpid
	stop_runner
	[ $rc -eq 0 ] || fail "report exited $rc"
	rp_compact
	rp_method_ran profile
	rp_method_ran syscall_wrap
	grep -q '"ab":{"works_here":true,"state":"skipped","why":"theagentrunsalready' /tmp/rp.json ||
		fail "A/B not skipped for a running agent"
	grep -q '"profile":{"profiled":false,"why":"atracingprogram' /tmp/rp.json ||
		fail "the tp_btf program's refusal is not its profile reason"
	grep -q '"profile":{"profiled":true,"runs":[1-9]' /tmp/rp.json ||
		fail "sysmon_cnt_enter not profiled with runs"
	grep -q '"without_agent":null,"with_agent":{"windows":[1-9][0-9]*,"lost":[0-9]*,"slow":[0-9]*,"complete":[a-z]*,"latency_ns":{"p50":[0-9]' \
		/tmp/rp.json || fail "wrapping: no with-agent-only figures for getpid"
	grep -q '"added":null' /tmp/rp.json || fail "an on-minus-off figure without an off phase"
}
