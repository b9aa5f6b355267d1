#!/bin/sh
# Guest tests for `bpfcost syscall` (syscall-path wrapping): needs the 6.1
# kernel's fentry/fexit and kprobes. Timings under TCG are not real, so the
# tests check orderings and counts, not sizes.

# No kprobe event, perf event, link or BPF program of ours remains.
sc_nothing_left() {
	if grep -q bpfcost /sys/kernel/tracing/kprobe_events; then
		cat /sys/kernel/tracing/kprobe_events
		fail "kprobe events left behind"
	fi
	l=$(bpftool link show 2>/dev/null | grep -c 'bc_sw_')
	p=$(bpftool prog show 2>/dev/null | grep -c 'name bc_sw_')
	[ "$l" = 0 ] || fail "$l links of bc_sw_ programs left"
	[ "$p" = 0 ] || fail "$p bc_sw_ programs left"
	for d in /proc/[0-9]*; do
		[ "$(cat $d/comm 2>/dev/null)" = bpfcost ] || continue
		fail "a bpfcost process is still running: $d"
	done
}

# sc_phase_obj SYSCALL PHASE: the phase object of a syscall in $OUT (flat
# keys up to its latency object); sc_num OBJ KEY: a number from it.
sc_phase_obj() {
	tr -d '\n ' <"$OUT" | sed 's/"probes":.*//' | sed -n "s/.*\"$1\":{\"nr\":[0-9]*,\(.*\)/\1/p" |
		sed -n "s/.*\"$2\":{\([^}]*\)}.*/\1/p" | head -n1
}
sc_num() { echo "$1" | sed -n "s/.*\"$2\":\(-\{0,1\}[0-9][0-9.eE+-]*\).*/\1/p" | head -n1; }

# sc_getpid_ordering: in $OUT (syscall -j --compare with a tracer), getpid
# has windows in both phases, slow-path windows only with the tracer, and a
# higher mean with it.
sc_getpid_ordering() {
	off=$(sc_phase_obj getpid without_tracer)
	on=$(sc_phase_obj getpid with_tracer)
	echo "without: $off"
	echo "with: $on"
	m0=$(sc_num "$off" mean) m1=$(sc_num "$on" mean)
	n0=$(sc_num "$off" windows) n1=$(sc_num "$on" windows)
	s1=$(sc_num "$on" slow) e1=$(sc_num "$on" enter_ns)
	echo "mean without $m0 ns ($n0 windows), with $m1 ns ($n1 windows, $s1 slow, enter $e1 ns)"
	positive "$n0" && positive "$n1" || fail "no windows recorded"
	positive "$s1" || fail "no window went through the enter/exit parts with the tracer"
	awk -v a="$m0" -v b="$m1" 'BEGIN { exit !(b > a) }' ||
		fail "wrapped getpid with sysmon events ($m1 ns) is not slower than without ($m0 ns)"
	s0=$(sc_num "$off" slow)
	[ "$s0" = 0 ] || fail "$s0 slow-path windows without a tracer"
}

# sc_windows_are_issued SYSCALL...: in $OUT, in each phase that ran, every
# listed syscall has exactly as many windows (plus lost ones) as the
# workload issued in the measured window: none of bpfcost's own setup and
# teardown syscalls (its writes to kprobe_events, the opens and closes of
# tracefs files, the tracer's start and stop, the workload threads' own
# opens and closes) is recorded.
sc_windows_are_issued() {
	for sys in "$@"; do
		for ph in without_tracer with_tracer; do
			o=$(sc_phase_obj "$sys" $ph)
			[ -n "$o" ] || fail "no $ph object for $sys"
			i=$(sc_num "$o" issued) w=$(sc_num "$o" windows) l=$(sc_num "$o" lost)
			echo "$sys $ph: issued $i, windows $w, lost $l"
			positive "$i" || fail "$sys $ph: no issued count"
			[ $((w + l)) -eq "$i" ] ||
				fail "$sys $ph: $w windows + $l lost, but the workload issued $i"
		done
	done
}

# Our own setup writes kprobe_events (a write and an openat/close per
# probe, with the body probes already attached) and tears the tracer down
# (closes of link fds) right after the workload: none of it is a window.
sc_own_setup_not_recorded() {
	bc_ok -j syscall --sysmon count --compare --duration 1 --syscalls write,read,openat "$@"
	sc_windows_are_issued write read openat close
	sc_nothing_left
}
test_syscall_own_setup_not_recorded_kprobe() { sc_own_setup_not_recorded --method kprobe; }
test_syscall_own_setup_not_recorded_fentry() { sc_own_setup_not_recorded --method fentry; }

# sc_window_ids ROLE: the ids of the syscall-path elements that the window
# part of that role (enter, body, exit) holds in $OUT, or with "outside" of
# those outside it; space-separated, in path order.
sc_window_ids() {
	w=$(tr -d '\n' <"$OUT" | sed 's/.*"window": *{//; s/"single":.*//; s/\] *}/]}/g')
	if [ "$1" = outside ]; then
		w=$(echo "$w" | sed 's/.*"outside"://')
	else
		w=$(echo "$w" | sed -n "s/.*\"role\": *\"$1\"//p" | sed 's/\]}.*//')
	fi
	echo "$w" | grep -o '"id": *"[a-z_]*"' | sed 's/.*"\([a-z_]*\)"$/\1/' | tr '\n' ' ' |
		sed 's/ $//'
}

# sc_window_is ROLE IDS: the window part (or "outside") holds exactly IDS.
sc_window_is() {
	got=$(sc_window_ids "$1")
	echo "window $1: $got"
	[ "$got" = "$2" ] || fail "window $1 holds '$got', want '$2'"
}

# What the window holds on 6.1, exactly: x64_sys_call between the two
# tracepoint iterators; the slow path's seccomp/audit/ptrace work, the
# tracepoints' own call and the entry/exit code are outside (issue 12).
sc_window_6_1() {
	sc_window_is enter sys_enter_probes
	sc_window_is body "dispatch syscall"
	sc_window_is exit sys_exit_probes
	sc_window_is outside "entry_asm enter_from_user_mode enter_work sys_enter_call exit_work sys_exit_call exit_to_user_mode"
}

test_syscall_window_described() {
	for m in fentry kprobe; do
		bc_ok -j syscall --sysmon count --duration 0.3 --method $m
		grep -q '"summed_parts": *true' "$OUT" || fail "$m: not a window in parts"
		sc_window_6_1
	done
	bc_ok syscall --sysmon count --duration 0.3
	has '^  Inside the window:'
	has '^    enter +__traceiter_sys_enter +the sys_enter probes'
	has '^    body +x64_sys_call +dispatch to the syscall'
	has '^ +the syscall.s own function'
	has '^  Outside it \(not timed; between the parts too\):'
	has '^    the entry work a syscall tracepoint turns on .*seccomp'
	sc_nothing_left
}

test_syscall_fentry_getpid_ordering() {
	bc_ok -j syscall --sysmon events --compare --duration 2
	grep -q '"method": *"fentry"' "$OUT" || fail "auto did not pick fentry"
	grep -q '"body": *"x64_sys_call"' "$OUT" || fail "body is not x64_sys_call"
	# One run per phase: the added figures say they have no interval.
	tr -d '\n' <"$OUT" | grep -Eq '"added": *\{[^}]*"interval": *null, *"no_interval": *"one run per phase' ||
		fail "the added figures do not say why they have no interval"
	sc_getpid_ordering
	sc_nothing_left
}

# A report that cannot be written: exit 1, one line, probes and tracer gone.
test_syscall_full_disk() {
	bc_full_disk syscall --sysmon count --duration 0.5 --syscalls getpid
	bc_full_disk -j syscall --sysmon count --duration 0.5 --syscalls getpid --method kprobe
	sc_nothing_left
}

test_syscall_plain_output() {
	bc_ok syscall --sysmon count --compare --duration 1 --method kprobe
	has '^Method: kprobe/kretprobe; window = __traceiter_sys_enter \+ x64_sys_call \+ __traceiter_sys_exit'
	has 'do_syscall_64 +no'
	has '^getpid +no tracer +[0-9]+'
	has '^getpid +tracer +[0-9]+'
	has '^ +added +p50 [+-][0-9]+ ns, mean [+-][0-9.]+ ns$'
	has '^added: no interval, one run per phase: too few values for an interval'
	has 'body_ret +x64_sys_call'
	sc_nothing_left
}

# 64 threads blocking in nanosleep hold more kretprobe instances on
# x64_sys_call than the default maxactive (max(10, 2 x CPUs)) provides.
sc_maxactive() {
	bc_ok -j syscall --sysmon count --method kprobe --syscalls nanosleep --threads 64 --cpu -1 \
		--duration 3 "$@"
	missed=$(tr -d '\n ' <"$OUT" | sed -n 's/.*"with_tracer":{"elapsed_s":[0-9.eE+-]*,"missed":\([0-9]*\).*/\1/p')
	on=$(sc_phase_obj nanosleep with_tracer)
	echo "missed: $missed; nanosleep: $on"
}

test_syscall_maxactive_default_misses() {
	sc_maxactive
	positive "$missed" || fail "no missed kretprobe returns reported with the default maxactive"
	echo "$on" | grep -q '"complete":false' || fail "percentiles not marked incomplete"
	bc_ok syscall --sysmon count --method kprobe --syscalls nanosleep --threads 64 --cpu -1 --duration 2
	has 'INCOMPLETE'
	has 'raise --maxactive'
	sc_nothing_left
}

test_syscall_maxactive_raised_no_misses() {
	sc_maxactive --maxactive 256
	[ "$missed" = 0 ] || fail "$missed missed returns with --maxactive 256"
	echo "$on" | grep -q '"complete":true' || fail "not marked complete"
	positive "$(sc_num "$on" windows)" || fail "no nanosleep windows"
	sc_nothing_left
}

sc_sigterm() {
	rm -f /tmp/vmt.progs
	bg_run /tmp/vmt.sc.out /tmp/vmt.sc.err "$BPFCOST" syscall --sysmon events --duration 60 "$@"
	pid=$bgpid
	i=0
	until grep -q "bc_sw_fx_body\|bc_sw_kr_body" /tmp/vmt.progs 2>/dev/null; do
		bpftool prog show >/tmp/vmt.progs 2>/dev/null
		[ $i -lt 150 ] || { kill -KILL $pid; fail "probes never attached"; }
		sleep 0.2
		i=$((i + 1))
	done
	sleep 1
	grep -c bpfcost /sys/kernel/tracing/kprobe_events
	kill -TERM $pid
	wait $pid
	rc=$?
	cat /tmp/vmt.sc.err
	[ $rc -ne 0 ] || fail "exit status 0 after SIGTERM mid-run"
	grep -q 'interrupted by signal 15' /tmp/vmt.sc.err || fail "no interruption message"
	sc_nothing_left
}
test_syscall_cleanup_sigterm_kprobe() { sc_sigterm --method kprobe --maxactive 64; }
test_syscall_cleanup_sigterm_fentry() { sc_sigterm --method fentry; }

# sc_kill9_kprobe CLEANUP: start syscall in kprobe mode in the background,
# wait until its last kprobe event exists, kill -9 it; its pid in $k9.
# CLEANUP runs before failing.
sc_kill9_kprobe() {
	bg_run /tmp/vmt.k9.out /tmp/vmt.k9.err "$BPFCOST" syscall --sysmon count --method kprobe \
		--duration 120
	k9=$bgpid
	i=0
	until grep -q "bpfcost_${k9}_exit_ret" /sys/kernel/tracing/kprobe_events 2>/dev/null; do
		[ $i -lt 300 ] || { kill -KILL $k9; cat /tmp/vmt.k9.err; $1; fail "probes never created"; }
		sleep 0.2
		i=$((i + 1))
	done
	sleep 1
	kill -KILL $k9
	wait $k9
}

# kill -9 in kprobe mode leaves its bpfcost_<pid>_* events in kprobe_events.
# The next start removes them and says so; here that run gets the same pid
# (ns_last_pid), which used to fail creating its events with EEXIST.
test_syscall_kprobe_kill9_next_start_cleans() {
	sc_kill9_kprobe true
	left=$(grep -c "bpfcost_${k9}_" /sys/kernel/tracing/kprobe_events)
	echo "kprobe events left by the killed run: $left"
	[ "$left" -gt 0 ] || fail "the killed run left no event: nothing for the next start to do"
	rm -f /tmp/vmt.sc.out /tmp/vmt.sc.err
	# No other fork between these two lines (bg_run's rm would be one).
	echo $((k9 - 1)) >/proc/sys/kernel/ns_last_pid
	"$BPFCOST" -j syscall --sysmon count --method kprobe --duration 1 \
		>/tmp/vmt.sc.out 2>/tmp/vmt.sc.err &
	again=$!
	wait $again
	rc=$?
	cat /tmp/vmt.sc.err
	[ "$again" = "$k9" ] || fail "the next run got pid $again, not $k9 (something else forked)"
	[ $rc -eq 0 ] || fail "the next run with the same pid exited $rc"
	n=$(grep -c "bpfcost $k9 is gone: removed kprobe event bpfcost_${k9}_" /tmp/vmt.sc.err)
	[ "$n" -eq "$left" ] || fail "it said it removed $n events, not $left"
	grep -q '"method": *"kprobe"' /tmp/vmt.sc.out || fail "no kprobe result"
	sc_nothing_left
}

# With no tracefs mounted, kprobe mode mounts one (recorded in the ledger)
# and unmounts it on exit; after kill -9 the next start removes the events
# through it and then unmounts it, saying both.
tracefs_mounts() { grep -c ' tracefs ' /proc/mounts; }
tracefs_back() { mount -t tracefs tracefs /sys/kernel/tracing; }	# as init.sh left it
test_syscall_kprobe_own_tracefs_mount_undone() {
	umount /sys/kernel/debug/tracing 2>/dev/null
	umount /sys/kernel/tracing || fail "cannot unmount tracefs to start from none"
	[ "$(tracefs_mounts)" = 0 ] || { tracefs_back; fail "a tracefs is still mounted"; }
	bc syscall --sysmon count --method kprobe --duration 1 || { tracefs_back; fail "exited $rc"; }
	m=$(tracefs_mounts)
	[ "$m" = 0 ] || { tracefs_back; fail "$m tracefs mounts left after a normal exit"; }
	sc_kill9_kprobe tracefs_back
	m=$(tracefs_mounts)
	bc prog
	after=$(tracefs_mounts)
	tracefs_back
	[ "$m" = 1 ] || fail "the killed run left $m tracefs mounts, not its 1"
	grep -q "bpfcost $k9 is gone: unmounted the tracefs mounted on /sys/kernel/tracing" "$ERR" ||
		fail "no word of the unmount"
	n=$(grep -c "bpfcost $k9 is gone: removed kprobe event" "$ERR")
	[ "$n" = 6 ] || fail "removed $n kprobe events, not 6"
	[ "$after" = 0 ] || fail "$after tracefs mounts left after the sweep"
	sc_nothing_left
}

# An event of ours without a record (an older bpfcost, killed), whose pid is
# gone: removed at the next start.
test_syscall_unrecorded_stale_event_removed() {
	true &
	gone=$!
	wait $gone
	echo "p:bpfcost_${gone}_enter do_sys_openat2" >>/sys/kernel/tracing/kprobe_events ||
		fail "cannot create a kprobe event"
	bc_ok prog
	grep -q "removed kprobe event bpfcost_${gone}_enter: process $gone is no live bpfcost" "$ERR" ||
		fail "the stale event was not reported"
	sc_nothing_left
}

test_syscall_pid_mode() {
	sh -c 'while :; do cat /proc/self/stat >/dev/null; done' &
	busy=$!
	bc -j syscall --pid $busy --syscalls read,openat --duration 2 --method kprobe --sysmon proc
	r=$rc
	kill $busy
	[ $r = 0 ] || fail "exit $r"
	grep -q '"mode": *"pid"' "$OUT" || fail "not pid mode"
	# The shell opens /dev/null for every redirection.
	on=$(sc_phase_obj openat with_tracer)
	echo "openat: $on"
	positive "$(sc_num "$on" windows)" || fail "no openat windows from pid $busy"
	sc_nothing_left
}

test_syscall_bad_maxactive_with_fentry() {
	bc syscall --sysmon count --method fentry --maxactive 5 && fail "accepted --maxactive with fentry"
	grep -q 'maxactive' "$ERR" || fail "error does not name --maxactive"
}
