#!/usr/bin/env bash
# Build the VM test initramfs (gzip'd newc cpio) at $1 from a built tree.
# It holds static busybox, bpftool, bpfcost and every shared library they
# load, the BPF objects in build/, and tests/vm as /repo/tests/vm; /init is
# tests/vm/init.sh. Nothing outside the repo is written except $1.
#
#   BPFCOST_BIN  binary to test (default ./bpfcost; the SAN build works too)
#   BUILD        build dir holding *.bpf.o (default build)
set -euo pipefail

out=${1:?usage: build-initramfs.sh OUT.cpio.gz}
cd "$(dirname "$0")/../.." || exit 1
bin=${BPFCOST_BIN:-./bpfcost}
build=${BUILD:-build}
busybox=${BUSYBOX:-/bin/busybox}
bpftool=$(command -v bpftool || true)

die() { echo "vm: $*" >&2; exit 1; }
[ -x "$bin" ] || die "$bin not built (run make)"
[ -x "$busybox" ] || die "$busybox missing (apt-get install busybox-static)"
# A dynamic busybox would need its libs too; the static package is expected.
if ldd "$busybox" >/dev/null 2>&1; then die "$busybox is not static (install busybox-static)"; fi
[ -n "$bpftool" ] || die "bpftool missing"
ls "$build"/*.bpf.o >/dev/null 2>&1 || die "no $build/*.bpf.o (run make)"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,etc,root,repo/build,repo/tests/vm}

cp "$busybox" "$root/bin/busybox"
for a in $("$busybox" --list); do
	[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
done
cp "$bpftool" "$root/usr/sbin/bpftool"
cp "$bin" "$root/repo/bpfcost"
cp "$build"/*.bpf.o "$root/repo/build/"
# Test helpers (attach_runner: load and attach an object, hold it).
if ls "$build"/tests/attach_runner >/dev/null 2>&1; then
	mkdir -p "$root/repo/build/tests"
	cp "$build"/tests/attach_runner "$root/repo/build/tests/"
fi
cp tests/vm/*.sh "$root/repo/tests/vm/"
cp tests/vm/init.sh "$root/init"
chmod 0755 "$root/init" "$root"/repo/tests/vm/*.sh

# Shared libraries (and the dynamic loader) at the paths ldd resolves them to.
for lib in $( (ldd "$bin"; ldd "$bpftool") | grep -o '/[^ ]*' | sort -u); do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done

echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"

(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet -R 0:0) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
