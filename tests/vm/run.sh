#!/usr/bin/env bash
# VM test suite: boot Debian's stock kernel (6.1, which allows trampolines
# and kprobes) under QEMU/TCG with an initramfs holding bpfcost and the guest
# tests, and report them like the host suite, ending with one line
#   "N passed, N failed, N skipped"
# The guest writes TAP on its second serial port between markers carrying a
# per-run nonce. A kernel panic or oops, a missing end marker, a guest
# failure or the timeout makes this exit non-zero and show the console log.
# Skipped (exit 0, saying why) only when QEMU cannot run at all.
#
#   VMTEST_SUITE         Debian release whose kernel to boot: empty for the
#                        host's (bookworm, 6.1; tests guest-tests*.sh), or
#                        bullseye (5.10; tests guest-bullseye-tests*.sh)
#   VMTEST_FILTER        run only guest tests whose name contains this
#   VMTEST_TIMEOUT       seconds for the whole VM run (default 1800)
#   VMTEST_TEST_TIMEOUT  seconds per guest test (default 300: a hang, not a
#                        slow host; with both host cores busy the longest
#                        test, profile_repeated_attach_under_load, took 108 s)
#   VMTEST_MEM / VMTEST_SMP  guest memory in MiB (1024) / CPUs (2)
#   BPFCOST_VM_CACHE     kernel cache dir (default /var/cache/bpfcost-vm)
#   BPFCOST_BIN, BUILD   binary and build dir to test (./bpfcost, build)
set -u
cd "$(dirname "$0")/../.." || exit 1
build=${BUILD:-build}
suite=${VMTEST_SUITE:-}
work=$build/vmtest${suite:+-$suite}
qemu=${QEMU:-qemu-system-x86_64}
vm_timeout=${VMTEST_TIMEOUT:-1800}
test_timeout=${VMTEST_TEST_TIMEOUT:-300}
filter=${VMTEST_FILTER:-}

echo "== vm tests (qemu/tcg, Debian ${suite:-host release} stock kernel) =="
if ! command -v "$qemu" >/dev/null; then
	echo "vm tests skipped: $qemu not found (bash scripts/deps.sh --all)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
if ! "$qemu" -accel help 2>/dev/null | grep -qx tcg; then
	echo "vm tests skipped: $qemu has no TCG accelerator"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi

# From here on, anything that goes wrong is a failure, not a skip.
harness_fail() {
	echo "vm: $*"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
}
t0=$(date +%s)
kernel=$(BPFCOST_VM_SUITE=$suite bash tests/vm/fetch-kernel.sh) || harness_fail "no kernel image"
mkdir -p "$work" || harness_fail "cannot create $work"
rm -f "$work"/initrd.gz "$work"/console.log "$work"/results.log "$work"/qemu.log
BUILD=$build bash tests/vm/build-initramfs.sh "$work/initrd.gz" ||
	harness_fail "initramfs build failed"
t1=$(date +%s)
echo "# kernel $kernel, initramfs $(du -k "$work/initrd.gz" | cut -f1) KiB (prepared in $((t1 - t0))s)"

nonce="$$-$RANDOM$RANDOM"
append="console=ttyS0,115200 panic=-1 oops=panic loglevel=6 rdinit=/init"
append="$append bpfcost.nonce=$nonce bpfcost.test_timeout=$test_timeout"
[ -z "$filter" ] || append="$append bpfcost.filter=$filter"
[ -z "$suite" ] || append="$append bpfcost.suite=$suite"
: >"$work/results.log"
# -no-reboot with panic=-1: a panic ends QEMU at once instead of rebooting.
# One host thread runs both vCPUs in turn (thread=single). With a thread
# per vCPU, jump-label patching (e.g. BPF_ENABLE_STATS flipping the stats
# static key) while the other vCPU runs the patched code at full rate can
# live-lock both vCPUs in TCG (seen: both stuck at the key's site in
# bpf_trace_run2 for minutes). KVM and real CPUs do not do this.
timeout -k 10 "$vm_timeout" "$qemu" -accel "${VMTEST_ACCEL:-tcg,thread=single}" -cpu max \
	-smp "${VMTEST_SMP:-2}" -m "${VMTEST_MEM:-1024}" \
	-nodefaults -no-reboot -display none -monitor none -nic none \
	-kernel "$kernel" -initrd "$work/initrd.gz" -append "$append" \
	-serial "file:$work/console.log" -serial "file:$work/results.log" \
	</dev/null >"$work/qemu.log" 2>&1 &
qpid=$!
trap 'kill $qpid 2>/dev/null; exit 130' INT TERM
# Stream the guest's TAP as it comes; markers are for the parser below.
tail -n +1 -s 0.5 -f --pid=$qpid "$work/results.log" 2>/dev/null |
	tr -d '\r' | grep --line-buffered -v '^BPFCOST-VMTEST-'
wait $qpid
qrc=$?
trap - INT TERM
t2=$(date +%s)

res=$(tr -d '\r' <"$work/results.log")
problems=""
[ $qrc -ne 124 ] && [ $qrc -ne 137 ] || problems="$problems; timed out after ${vm_timeout}s"
[ $qrc -eq 0 ] || [ $qrc -eq 124 ] || [ $qrc -eq 137 ] || problems="$problems; qemu exited $qrc"
grep -qx "BPFCOST-VMTEST-BEGIN $nonce" <<<"$res" || problems="$problems; guest never started the suite"
end=$(grep "^BPFCOST-VMTEST-END $nonce rc=" <<<"$res")
[ -n "$end" ] || problems="$problems; no end marker (guest hung, crashed or was cut off)"
panic=$(tr -d '\r' <"$work/console.log" | grep -E -m3 'Kernel panic|Oops:|BUG:|general protection fault')
[ -z "$panic" ] || problems="$problems; kernel: $(echo "$panic" | head -n1)"

# Counts from the TAP lines themselves; the guest's own summary must agree.
passed=$(grep -Ec '^ok [0-9]+ ' <<<"$res")
skipped=$(grep -Ec '^ok [0-9]+ .*# SKIP' <<<"$res")
passed=$((passed - skipped))
failed=$(grep -Ec '^not ok [0-9]+ ' <<<"$res")
summary=$(grep -Ex '[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' <<<"$res" | tail -n1)
if [ -n "$end" ] && [ "$summary" != "$passed passed, $failed failed, $skipped skipped" ]; then
	problems="$problems; guest summary '$summary' disagrees with its TAP"
fi
plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' <<<"$res")
if [ -n "$end" ] && [ "${plan:-0}" -ne $((passed + failed + skipped)) ]; then
	problems="$problems; planned ${plan:-?} tests, saw $((passed + failed + skipped))"
fi
[ -z "$end" ] || [ "${end##*rc=}" = 0 ] || [ "$failed" -gt 0 ] ||
	problems="$problems; guest runner exited ${end##*rc=}"

echo "# vm run: $((t2 - t1))s in qemu, $((t2 - t0))s total; logs in $work/"
if [ -n "$problems" ]; then
	echo "vm: FAILED:${problems#;}"
	echo "---- console log tail ($work/console.log) ----"
	tr -d '\r' <"$work/console.log" | tail -n 60
	[ ! -s "$work/qemu.log" ] || { echo "---- qemu ----"; tail -n 20 "$work/qemu.log"; }
	echo "----"
	failed=$((failed + 1))
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$failed" -eq 0 ]
