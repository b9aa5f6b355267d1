#!/bin/sh
# stats readers on the 6.1 guest: the iter/bpf_prog reader (doctor's trial
# cross-checks its per-CPU sums against bpf_prog_info) and the syscall one
# must both see a running sysmon program, and the iterator must not be
# listed or left behind.

test_stats_doctor_prog_iter() {
	bc_ok -j doctor
	o=$(json_obj prog_iter)
	echo "prog_iter: {$o}"
	echo "$o" | grep -Eq '"ok": *true' || fail "doctor says the iterator reader does not work"
	echo "$o" | grep -q 'match bpf_prog_info' || fail "per-CPU sums not cross-checked"
}

# start_sysmon: sysmon count in the background (raw_tp/sys_enter: runs on
# every syscall of the guest); stop_sysmon ends it.
start_sysmon() {
	sysmon_bg sysmon -w count -i 60s
}
stop_sysmon() { kill -INT $smpid; wait $smpid; }

# sysmon_runs: total runs of the sysmon_cnt_enter program in $OUT's summary.
sysmon_runs() {
	tail -n1 "$OUT" | sed 's/{ *"id"/\n&/g' | grep '"sysmon_cnt_ente' |
		grep -Eo '"total": *\{ *"runs": *[0-9]+' | grep -Eo '[0-9]+$' | head -n1
}

stats_reader_sees_sysmon() {
	start_sysmon
	trap 'kill -INT $smpid 2>/dev/null' EXIT
	bc_ok -j stats --reader "$1" --count 2 --interval 0.5
	stop_sysmon
	trap - EXIT
	tail -n1 "$OUT" | grep -q "\"reader\": *\"$1\"" || fail "summary does not say reader $1"
	grep -q '"bc_progstats"' "$OUT" && fail "the iterator program is listed"
	r=$(sysmon_runs)
	echo "sysmon_cnt_enter runs with reader $1: $r"
	positive "$r" || fail "reader $1: sysmon runs '$r' not > 0"
	bpftool prog show | grep -q bc_progstats && fail "bc_progstats left loaded"
	return 0
}
test_stats_reader_iter() { stats_reader_sees_sysmon iter; }
test_stats_reader_syscall() { stats_reader_sees_sysmon syscall; }
