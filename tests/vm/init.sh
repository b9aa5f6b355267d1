#!/bin/sh
# /init of the VM test initramfs (busybox sh, PID 1). Mounts what bpfcost
# needs, runs the guest suite and powers off. Results go to the second
# serial port (ttyS1, a clean channel the host reads) framed by markers that
# carry the host's nonce; a copy goes to the console (ttyS0) so kernel
# messages in the console log show which test they came from.
# Kernel command line: bpfcost.nonce=N, bpfcost.filter=SUBSTRING,
# bpfcost.test_timeout=SECONDS, bpfcost.suite=CODENAME (which tests).
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TMPDIR=/tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t bpf bpf /sys/fs/bpf
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
ip link set lo up 2>/dev/null

param() {
	for w in $(cat /proc/cmdline); do
		case "$w" in "bpfcost.$1="*) echo "${w#*=}"; return ;; esac
	done
}
nonce=$(param nonce)
export VMTEST_FILTER="$(param filter)"
export VMTEST_TIMEOUT="$(param test_timeout)"
export VMTEST_SUITE="$(param suite)"

out=/dev/ttyS1
[ -c "$out" ] || out=/dev/console
stty -F "$out" raw -echo 115200 2>/dev/null

{
	echo "BPFCOST-VMTEST-BEGIN $nonce"
	echo "# kernel $(uname -r), $(nproc) CPUs"
	sh /repo/tests/vm/guest-run.sh
	echo "BPFCOST-VMTEST-END $nonce rc=$?"
} 2>&1 | tee /dev/console >"$out"
# Closing the port waits for its output to drain; the pause covers the rest.
sleep 1
poweroff -f
