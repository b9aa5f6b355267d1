#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Usage: scripts/mkman.sh BIN OUTDIR
# The man pages, made from the help text itself so they cannot drift from
# it: bpfcost(1) from `BIN --help`, bpfcost-CMD(1) from `BIN CMD --help`
# for every command in its command table; NAME lines from that table.
# Help text -> Markdown (scripts/help2md.awk) -> roff (Debian's go-md2man,
# installed by the plain `bash scripts/deps.sh`). Writes OUTDIR/*.1 and the
# Markdown beside them (OUTDIR/*.md). Needs no root: --help touches nothing.
set -eu
bin=$1 out=$2
here=$(dirname "$0")
if ! command -v go-md2man >/dev/null; then
	echo "mkman: go-md2man is missing (bash scripts/deps.sh installs it)" >&2
	exit 1
fi
help=$("$bin" --help)
version=$("$bin" --version | awk '{ print $2 }')
cmds=$(printf '%s\n' "$help" | awk '/^Commands:$/ { on = 1; next }
	on && /^  [a-z]/ { print $1; next } on { exit }')
[ -n "$cmds" ] || { echo "mkman: no commands in '$bin --help'" >&2; exit 1; }
pages=bpfcost
for c in $cmds; do pages="$pages,bpfcost-$c"; done
mkdir -p "$out"
rm -f "$out"/*.1 "$out"/*.md

# page NAME SUMMARY HELP-ARGS...: one page from one help text.
page() {
	name=$1 summary=$2
	shift 2
	others=$(printf '%s\n' "$pages" | tr , '\n' | grep -vx "$name" | paste -sd, -)
	"$bin" "$@" --help | awk -f "$here/help2md.awk" -v page="$name" \
		-v summary="$summary" -v version="$version" -v seealso="$others" \
		>"$out/$name.md"
	go-md2man -in "$out/$name.md" -out "$out/$name.1"
	# roff reads a line that starts with ' as a control line (and drops
	# it): help lines like "'none' (held by ..." need the \& guard.
	sed -i "s/^'/\\\\\&'/" "$out/$name.1"
}

# bpfcost(1): the first description line of the top-level help.
page bpfcost "$(printf '%s\n' "$help" | awk 'NR > 1 && /^[A-Z]/ {
	sub(/\.$/, ""); print tolower(substr($0, 1, 1)) substr($0, 2); exit }')"
for c in $cmds; do
	page "bpfcost-$c" "$(printf '%s\n' "$help" | awk -v c="$c" '$1 == c && /^  / {
		sub(/^  [a-z]+ +/, ""); print; exit }')" "$c"
done
echo "mkman: $(ls "$out"/*.1 | wc -l) pages in $out"
