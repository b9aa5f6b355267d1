#!/usr/bin/env bash
# Print the path of a Debian stock kernel image (bzImage) for the VM tests,
# fetching it into the cache on first use. Nothing is installed: the .deb is
# downloaded with `apt-get download` and unpacked with `dpkg-deb -x`.
#
#   BPFCOST_VM_CACHE   cache dir (default /var/cache/bpfcost-vm)
#   BPFCOST_VM_KERNEL  use this bzImage instead (no fetching)
#   BPFCOST_VM_KPKG    kernel package to use (default: what linux-image-amd64
#                      depends on, e.g. linux-image-6.1.0-56-amd64)
#   BPFCOST_VM_SUITE   Debian release to take the kernel from: empty for the
#                      host's own apt sources (bookworm: 6.1), or another
#                      release's codename (bullseye: 5.10), read through a
#                      private apt state under the cache; the host's apt
#                      configuration is not touched.
#
# The cache keeps boot/ and the modules tree of each unpacked package under
# $cache/<package>_<version>/; the .deb itself is deleted after unpacking.
# With no network (or no apt lists) the newest cached kernel is used.
set -euo pipefail

cache=${BPFCOST_VM_CACHE:-/var/cache/bpfcost-vm}
suite=${BPFCOST_VM_SUITE:-}
log() { echo "vm: $*" >&2; }

# apt options: none for the host's sources; for another release, a private
# sources list, lists and archive cache under $cache/apt-$suite.
apt_opts=()
case "$suite" in
"") ;;
*[!a-z]*) log "BPFCOST_VM_SUITE='$suite': expected a Debian codename"; exit 1 ;;
*)
	a=$cache/apt-$suite
	mkdir -p "$a/lists/partial" "$a/archives/partial"
	printf 'deb http://deb.debian.org/debian %s main\ndeb http://deb.debian.org/debian-security %s-security main\n' \
		"$suite" "$suite" >"$a/sources.list"
	apt_opts=(-o "Dir::Etc::SourceList=$a/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$a/lists" -o "Dir::Cache::Archives=$a/archives"
		-o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" -o APT::Sandbox::User=root)
	# Lists older than a day are refreshed; a failed refresh keeps the old ones.
	if [ -z "$(find "$a/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null)" ]; then
		apt-get "${apt_opts[@]}" update -q >/dev/null 2>&1 || log "apt-get update for $suite failed"
	fi
	;;
esac

if [ -n "${BPFCOST_VM_KERNEL:-}" ]; then
	[ -r "$BPFCOST_VM_KERNEL" ] || { log "BPFCOST_VM_KERNEL=$BPFCOST_VM_KERNEL: not readable"; exit 1; }
	echo "$BPFCOST_VM_KERNEL"
	exit 0
fi

# The concrete image package behind the linux-image-amd64 metapackage.
resolve_pkg() {
	if [ -n "${BPFCOST_VM_KPKG:-}" ]; then
		echo "$BPFCOST_VM_KPKG"
		return
	fi
	apt-cache "${apt_opts[@]}" depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n1
}

# Newest kernel already in the cache (by version sort of the dir name).
# Each unpacked kernel records the suite it came from in a file "suite"
# ("host" for the host's sources; kernels cached before this had none).
cached_any() {
	local d found=
	for d in $(find "$cache" -mindepth 1 -maxdepth 1 -type d -name 'linux-image-*' \
		2>/dev/null | sort -V); do
		[ "$(cat "$d/suite" 2>/dev/null || echo host)" = "${suite:-host}" ] && found=$d
	done
	[ -n "$found" ] && ls "$found"/boot/vmlinuz-* 2>/dev/null | head -n1
}

# Runs under `if !`, where set -e is off: every step checks itself.
fetch() {
	local pkg=$1 ver=$2 dir=$3 tmp deb
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
	trap 'rm -rf "$tmp"' RETURN
	log "downloading $pkg $ver (first run only; cached in $cache)"
	# The sandbox user _apt cannot write into our private temp dir.
	(cd "$tmp" && apt-get "${apt_opts[@]}" download -q -o APT::Sandbox::User=root "$pkg=$ver" >/dev/null) || return 1
	deb=$(ls "$tmp"/*.deb) || return 1
	dpkg-deb -x "$deb" "$tmp/x" || return 1
	rm -f "$deb"
	mkdir "$tmp/k"
	mv "$tmp/x/boot" "$tmp/k/boot" || return 1
	# Modules stay available for tests that need one (the VM needs none to boot:
	# everything runs from the initramfs and talks over the serial ports).
	if [ -d "$tmp/x/lib/modules" ]; then mv "$tmp/x/lib/modules" "$tmp/k/modules"; fi
	echo "${suite:-host}" >"$tmp/k/suite" || return 1
	# Atomic publish; if a concurrent run got there first, keep its copy.
	mv -T "$tmp/k" "$dir" 2>/dev/null || [ -d "$dir/boot" ]
}

pkg=$(resolve_pkg || true)
if [ -z "$pkg" ]; then
	img=$(cached_any || true)
	[ -n "$img" ] || { log "cannot resolve linux-image-amd64 (apt lists missing? run apt-get update) and no cached kernel in $cache"; exit 1; }
	log "apt cannot resolve linux-image-amd64; using cached $img"
	echo "$img"
	exit 0
fi
ver=$(apt-cache "${apt_opts[@]}" policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p')
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	img=$(cached_any || true)
	[ -n "$img" ] || { log "no candidate version for $pkg and no cached kernel in $cache"; exit 1; }
	log "no candidate for $pkg; using cached $img"
	echo "$img"
	exit 0
fi
dir="$cache/${pkg}_$ver"
if ! ls "$dir"/boot/vmlinuz-* >/dev/null 2>&1; then
	if ! fetch "$pkg" "$ver" "$dir"; then
		img=$(cached_any || true)
		[ -n "$img" ] || { log "download of $pkg $ver failed and no cached kernel in $cache"; exit 1; }
		log "download failed; using cached $img"
		echo "$img"
		exit 0
	fi
fi
ls "$dir"/boot/vmlinuz-* | head -n1
