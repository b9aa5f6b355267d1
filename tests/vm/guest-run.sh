#!/bin/sh
# Guest test runner (busybox sh). Runs every function named test_* found in
# tests/vm/guest-tests*.sh (guest-SUITE-tests*.sh when VMTEST_SUITE names
# another kernel's suite), in file and then definition order, each in its own
# shell under a timeout, and prints TAP ("ok N - name", "not ok N - name",
# "# SKIP reason") followed by one line in the host suite's form:
#   "N passed, N failed, N skipped"
# A test passes by returning 0, skips by calling skip (exit 77), fails
# otherwise; a failing test's output is shown as TAP comments.
# After each test, programs named sysmon_*/bc_*, links or a bpf_stats sysctl
# change that it left behind fail it, as the host suite's fixture does.
# Env: VMTEST_FILTER (substring of test names to run), VMTEST_TIMEOUT (s),
# VMTEST_SUITE.
dir=$(cd "$(dirname "$0")" && pwd)
filter=${VMTEST_FILTER:-}
tmo=${VMTEST_TIMEOUT:-300}
[ -n "$tmo" ] || tmo=300

tests=""
for f in "$dir"/guest-${VMTEST_SUITE:+$VMTEST_SUITE-}tests*.sh; do
	for t in $(sed -n 's/^\(test_[A-Za-z0-9_]*\) *().*/\1/p' "$f"); do
		case "$t" in *"$filter"*) tests="$tests $f:$t" ;; esac
	done
done

# Ids of our programs and of all links, to find what a test left behind.
our_progs() {
	bpftool prog show 2>/dev/null |
		sed -n 's/^\([0-9]*\): .* name \(sysmon_\|bc_\)[^ ]* .*/\1/p'
}
all_links() {
	bpftool link show 2>/dev/null | sed -n 's/^\([0-9]*\): .*/\1/p'
}
stats_sysctl() { cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null; }

# Processes a test started and left running (bpfcost, its workload under the
# name bcwl, attach_runner). They would hold programs and tracepoints into
# the next tests, so they are killed, and the test that left them fails.
stray_procs() {
	for d in /proc/[0-9]*; do
		c=$(cat "$d/cmdline" 2>/dev/null | tr '\0' ' ')
		case "$c" in
		*/repo/bpfcost*|*/tmp/bcwl*|*attach_runner*) echo "${d#/proc/}" ;;
		esac
	done
}
kill_strays() {
	p=$(stray_procs | tr '\n' ' ')
	[ -n "$p" ] || return 0
	kill -KILL $p 2>/dev/null
	echo "left processes (killed): $p"
}

# Prints what the test left behind (empty when nothing). Programs are freed
# asynchronously after their last fd closes: allow the kernel 5 s.
leftovers() {
	i=0
	while :; do
		our_progs >/tmp/vmt.progs.after
		all_links >/tmp/vmt.links.after
		p=$(grep -vxF -f /tmp/vmt.progs.before /tmp/vmt.progs.after | tr '\n' ' ')
		l=$(grep -vxF -f /tmp/vmt.links.before /tmp/vmt.links.after | tr '\n' ' ')
		s=""
		[ "$(stats_sysctl)" = "$sysctl_before" ] || s="bpf_stats_enabled $sysctl_before -> $(stats_sysctl)"
		if [ -z "$p$l$s" ] || [ $i -ge 10 ]; then break; fi
		sleep 0.5
		i=$((i + 1))
	done
	[ -z "$p" ] || echo "left programs: $p"
	[ -z "$l" ] || echo "left links: $l"
	[ -z "$s" ] || echo "changed $s"
}

set -- $tests
echo "1..$#"
n=0 passed=0 failed=0 skipped=0
log=/tmp/vmt.log
for ft in "$@"; do
	n=$((n + 1))
	f=${ft%%:*} t=${ft#*:}
	name=${t#test_}
	# busybox grep -f with no patterns matches everything: keep one line in.
	{ echo -; our_progs; } >/tmp/vmt.progs.before
	{ echo -; all_links; } >/tmp/vmt.links.before
	sysctl_before=$(stats_sysctl)
	start=$(date +%s)
	timeout -s KILL "$tmo" sh -c '. "$1"; . "$2"; cd /tmp; "$3"' \
		vmtest "$dir/guest-lib.sh" "$f" "$t" >"$log" 2>&1 </dev/null
	rc=$?
	secs=$(($(date +%s) - start))
	[ $rc -ne 137 ] || echo "timed out after ${tmo}s" >>"$log"
	left=$(kill_strays; leftovers)
	if [ -n "$left" ] && [ $rc -eq 0 ]; then rc=1; fi
	[ -z "$left" ] || echo "$left" >>"$log"
	if [ $rc -eq 0 ]; then
		echo "ok $n - $name (${secs}s)"
		passed=$((passed + 1))
	elif [ $rc -eq 77 ]; then
		echo "ok $n - $name # SKIP $(tail -n1 "$log")"
		skipped=$((skipped + 1))
	else
		echo "not ok $n - $name (${secs}s, exit $rc)"
		sed 's/^/#   /' "$log" | tail -n 40
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ] && [ $n -gt 0 ]
