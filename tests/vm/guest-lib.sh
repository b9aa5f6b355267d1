#!/bin/sh
# Helpers for guest tests (sourced by guest-run.sh before each test file).
# Each test runs in its own shell with cwd /tmp; output is shown on failure.
ROOT=${ROOT:-/repo}
BPFCOST=${BPFCOST:-$ROOT/bpfcost}
OUT=/tmp/vmt.out	# stdout of the last run/run_ok
ERR=/tmp/vmt.err	# stderr of the last run/run_ok

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "$*"; exit 77; }

# bc ARGS: run bpfcost, stdout to $OUT and stderr to $ERR, return its status.
bc() {
	echo "+ bpfcost $*"
	"$BPFCOST" "$@" >"$OUT" 2>"$ERR"
	rc=$?
	head -c 2000 "$OUT"
	sed 's/^/stderr: /' "$ERR" | head -n 20
	return $rc
}

# bc_ok ARGS: as bc, and fail the test unless it exits 0.
bc_ok() {
	bc "$@" || fail "bpfcost $* exited $rc"
}

# bc_full_disk ARGS: bpfcost ARGS with stdout on /dev/full must exit 1 with
# the write error as its last stderr line (issue 11: a report that cannot
# be written is an error, said once, after the command's own cleanup).
bc_full_disk() {
	echo "+ bpfcost $* >/dev/full"
	"$BPFCOST" "$@" >/dev/full 2>"$ERR"
	rc=$?
	sed 's/^/stderr: /' "$ERR" | head -n 20
	[ $rc -eq 1 ] || fail "bpfcost $* into /dev/full exited $rc, not 1"
	[ "$(grep -c 'cannot write' "$ERR")" -eq 1 ] &&
		[ "$(tail -n1 "$ERR")" = "bpfcost: cannot write the output: No space left on device" ] ||
		fail "no single write-error line at the end of stderr"
}

# has REGEX: $OUT matches the extended regex.
has() { grep -Eq -- "$1" "$OUT" || fail "output lacks /$1/"; }

# json_num KEY: first numeric value of "KEY": in $OUT (compact or spaced JSON).
json_num() {
	sed -n "s/.*\"$1\": *\(-\{0,1\}[0-9][0-9.eE+-]*\).*/\1/p" "$OUT" | head -n1
}

# json_obj KEY: the flat object that "KEY": opens in $OUT, without braces.
json_obj() {
	tr -d '\n' <"$OUT" | sed -n "s/.*\"$1\": *{\([^}]*\)}.*/\1/p"
}

# positive X: X is a number > 0.
positive() { awk -v x="$1" 'BEGIN { exit !(x + 0 > 0) }'; }

# load_pinned OBJ DIR: load every program of build/OBJ.bpf.o with bpftool,
# pinned under DIR in bpffs; unpin_all DIR removes them (and so unloads).
load_pinned() {
	mkdir -p "$(dirname "$2")"
	bpftool prog loadall "$ROOT/build/$1.bpf.o" "$2" || fail "bpftool loadall $1 failed"
}
unpin_all() { rm -rf "$1"; }

# bg_run OUT ERR CMD...: start CMD in the background, stdout in OUT and
# stderr in ERR, pid in $bgpid. Both files are removed first: a wait for a
# line in them must not read an earlier test's output before the shell's
# redirection has truncated the file.
bg_run() {
	bg_out=$1 bg_err=$2
	shift 2
	rm -f "$bg_out" "$bg_err"
	"$@" >"$bg_out" 2>"$bg_err" &
	bgpid=$!
}

# sysmon_bg ARGS...: start `bpfcost ARGS` (a sysmon command line) in the
# background, pid in $smpid, output in /tmp/vmt.sm.out and .err, and wait
# until it has attached.
sysmon_bg() {
	bg_run /tmp/vmt.sm.out /tmp/vmt.sm.err "$BPFCOST" "$@"
	smpid=$bgpid
	i=0
	until grep -q 'sysmon attached' /tmp/vmt.sm.err; do
		kill -0 $smpid 2>/dev/null || { cat /tmp/vmt.sm.err; fail "sysmon died before attaching"; }
		[ $i -lt 300 ] || { kill -KILL $smpid; fail "sysmon did not attach in 60 s"; }
		sleep 0.2
		i=$((i + 1))
	done
}

# sysmon_workload WEIGHT N SIGNAL: run `bpfcost -j sysmon -w WEIGHT` limited to
# comm bcwl, run N getpid calls as bcwl (a symlink to bpfcost), stop sysmon
# with SIGNAL and leave its final JSON line in $OUT.
sysmon_workload() {
	ln -sf "$BPFCOST" /tmp/bcwl
	sysmon_bg -j sysmon -w "$1" --comm bcwl -i 60s
	/tmp/bcwl load --syscalls getpid --count "$2" >/dev/null || { kill -INT $smpid; fail "workload failed"; }
	kill -"$3" $smpid
	wait $smpid
	smrc=$?
	cat /tmp/vmt.sm.err
	[ $smrc -eq 0 ] || fail "sysmon exited $smrc on SIG$3"
	tail -n1 /tmp/vmt.sm.out >"$OUT"
	head -c 1500 "$OUT"; echo
	grep -q '"final": *true' "$OUT" || fail "last sysmon line is not the final summary"
}

# syscall_count NR: the count of syscall NR in $OUT's top_syscalls.
syscall_count() {
	grep -Eo "\{\"nr\": *$1,[^}]*\}" "$OUT" | sed -n 's/.*"count": *\([0-9]*\).*/\1/p' | head -n1
}
