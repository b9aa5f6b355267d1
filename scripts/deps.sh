#!/usr/bin/env bash
# Install the Debian 12 packages bpfcost needs to build, run and test.
# Only installs what is missing; safe to run again.
set -eu
# Plain: build and run (`make`), and `make install` (go-md2man turns the help
# text into man pages: 0.7 MB, so install works after the plain tier too);
# libjs-chart.js is the charting library `report -o FILE.html` inlines.
build="make gcc clang llvm pkg-config bpftool libbpf-dev libelf-dev zlib1g-dev
       libcapstone-dev libjansson-dev libncurses-dev linux-libc-dev go-md2man
       libmicrohttpd-dev libyaml-dev libcrypt-dev libjs-chart.js"
# --test: the unit, e2e and fuzz tiers (`make test`, `make fuzz`; libFuzzer
# is in libclang-rt-14-dev); jq runs the help examples that pipe into it;
# the exporter's tests scrape it with a real Prometheus (and promtool);
# overhead's tests measure tracers we did not write (libbpf-tools' opensnoop);
# report's tests validate its JSON Schema and open its HTML in Chromium.
test="libcmocka-dev python3 python3-pytest bpftrace tmux iproute2 libclang-rt-14-dev jq
      prometheus python3-prometheus-client openssl libbpf-tools chromium python3-jsonschema"
# --all: also the VM tier (QEMU) and CI's fresh-root check (tests/fresh).
vm="qemu-system-x86 busybox-static cpio"
ci="debootstrap"
want="$build"
case "${1:-}" in
	--test) want="$build $test" ;;
	--all) want="$build $test $vm $ci" ;;
esac
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
echo "deps: all present"
