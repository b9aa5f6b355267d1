#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The README's first command, exactly as written there, in a fresh clone
# inside a minimal Debian 12 root that has only debootstrap's minbase and
# what that command's `bash scripts/deps.sh` installs. Fails when `make`
# needs a package the plain deps.sh tier does not install (issue 11: the
# unit tests' cmocka.h), when the demo fails or prints no table, or when
# `make install` does not work with the plain tier.
#
# Usage: bash tests/fresh/run.sh [--prepare]
#   root; the demo loads BPF programs (bc-locked). --prepare only makes the
#   cached minbase root.
# The root gets /proc, /sys (with /sys/kernel/btf and /sys/fs/bpf) and /dev
# of the host bound in, and the host's apt sources and resolver (settings,
# not packages). Everything runs in a private mount namespace, so no mount
# outlives it whatever happens; the root is removed afterwards.
# Cache ($BPFCOST_FRESH_CACHE, default /var/cache/bpfcost-fresh): the
# minbase root as a tarball, and the .debs and package lists deps.sh
# fetches, so a rerun downloads nothing it fetched before.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=${BPFCOST_FRESH_CACHE:-/var/cache/bpfcost-fresh}
suite=bookworm
tarball=$cache/$suite-minbase.tar.gz

stamp() { echo "fresh: $(date +%T) $*"; }

host_mirror() {
	local m
	m=$(awk '/^URIs:/ { print $2; exit } /^deb / { print $2; exit }' \
		/etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null || true)
	echo "${BPFCOST_FRESH_MIRROR:-${m:-http://deb.debian.org/debian}}"
}

# The minbase root, made once: debootstrap is the slow part.
make_tarball() {
	local tmp
	command -v debootstrap >/dev/null ||
		{ echo "fresh: debootstrap missing (bash scripts/deps.sh --all)" >&2; exit 1; }
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/debootstrap.XXXXXX")
	stamp "debootstrap --variant=minbase $suite $(host_mirror) (cached in $tarball)"
	debootstrap --variant=minbase "$suite" "$tmp" "$(host_mirror)" >"$tmp.log" 2>&1 ||
		{ tail -n 30 "$tmp.log" >&2; rm -rf --one-file-system "$tmp"; exit 1; }
	tar -C "$tmp" -czf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
	rm -rf --one-file-system "$tmp" "$tmp.log"
}

# Inside the private mount namespace: bind the host's kernel interfaces,
# run the line, check what it printed. Mounts are undone on any exit.
undo() {
	for m in var/lib/apt/lists var/cache/apt/archives dev sys proc; do
		umount -R "$root/$m" 2>/dev/null || true
	done
}
inner() {
	local line=$1 log=$root/root/fresh.log rc=0
	trap undo EXIT
	for m in proc sys dev; do
		mount --rbind "/$m" "$root/$m"
		mount --make-rslave "$root/$m"
	done
	mkdir -p "$cache/archives/partial" "$cache/lists/partial"
	mount --bind "$cache/archives" "$root/var/cache/apt/archives"
	mount --bind "$cache/lists" "$root/var/lib/apt/lists"
	[ -d "$root/sys/kernel/btf" ] && [ -d "$root/sys/fs/bpf" ] ||
		{ echo "fresh: /sys/kernel/btf or /sys/fs/bpf missing in the root" >&2; return 1; }

	stamp "in $root: $line"
	chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/bash -c "cd /root/bpfcost && $line" >"$log" 2>&1 || rc=$?
	grep -v '^\(Get\|Selecting\|Preparing\|Unpacking\|Setting up\|Processing\):* ' "$log" |
		tail -n 40
	[ "$rc" -eq 0 ] || { echo "fresh: the README's first command exited $rc" >&2; return 1; }
	grep -q '^Programs (stats):' "$log" && grep -q '^Cost per syscall' "$log" &&
		[ "$(grep -cE '^(count|proc|events) ' "$log")" -ge 6 ] ||
		{ echo "fresh: demo printed no table" >&2; return 1; }
	if ls "$root"/root/bpfcost/build/tests/* >/dev/null 2>&1; then
		echo "fresh: make built test binaries:" $(ls "$root/root/bpfcost/build/tests") >&2
		return 1
	fi
	stamp "make install with the plain deps only"
	chroot "$root" /bin/bash -c 'cd /root/bpfcost && make -s install DESTDIR=/tmp/staging' \
		>"$log.install" 2>&1 || { cat "$log.install" >&2; return 1; }
	[ -x "$root/tmp/staging/usr/local/bin/bpfcost" ] &&
		[ -f "$root/tmp/staging/usr/local/share/man/man1/bpfcost-demo.1" ] &&
		[ -f "$root/tmp/staging/usr/local/share/bash-completion/completions/bpfcost" ] ||
		{ echo "fresh: make install left out a file" >&2; return 1; }
}

if [ "${1:-}" = --inner ]; then
	root=$2
	inner "$3"
	exit
fi

[ "$(id -u)" -eq 0 ] || { echo "fresh: run as root" >&2; exit 1; }
# --prepare: only make the cached minbase root (no kernel use, no lock).
if [ "${1:-}" = --prepare ]; then
	[ -f "$tarball" ] || make_tarball
	exit
fi
# The README's first command: its first indented line, comment cut.
line=$(awk '/^    [^ ]/ { sub(/^ +/, ""); sub(/ +#.*$/, ""); print; exit }' "$repo/README.md")
[ -n "$line" ] || { echo "fresh: no command in README.md" >&2; exit 1; }
[ -f "$tarball" ] || make_tarball
root=$(mktemp -d /var/tmp/bpfcost-fresh.XXXXXX)
cleanup() {
	if grep -q " $root/" /proc/self/mountinfo; then
		echo "fresh: mounts left under $root" >&2
		grep " $root/" /proc/self/mountinfo >&2
		exit 1
	fi
	rm -rf --one-file-system "$root"
}
trap cleanup EXIT
stamp "unpacking $tarball"
tar -C "$root" -xzf "$tarball"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
# The host's apt sources and Acquire settings (mirror, proxy): configuration.
sources=$(ls /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
	/etc/apt/sources.list.d/*.list 2>/dev/null || true)
if [ -n "$sources" ]; then
	rm -f "$root/etc/apt/sources.list"
	for f in $sources; do cp "$f" "$root$f"; done
fi
for f in $(grep -l '^Acquire::' /etc/apt/apt.conf.d/* 2>/dev/null || true); do
	cp "$f" "$root$f"
done
stamp "cloning $(git -C "$repo" rev-parse --short HEAD) into the root"
git clone -q "$repo" "$root/root/bpfcost"
unshare -m --propagation private bash "$0" --inner "$root" "$line"
stamp "passed: the README's first command works on a minimal Debian 12"
