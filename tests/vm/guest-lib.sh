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
