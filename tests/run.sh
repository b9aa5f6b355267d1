#!/usr/bin/env bash
# Runs every host test tier and ends with one summary line CI can read:
#   "N passed, N failed, N skipped"
# Unit tests are cmocka binaries; end-to-end tests are pytest driving the
# real binary against real BPF programs. BPFCOST_BIN and BPFCOST_UNIT_DIR
# point at another build (the sanitizer build in CI).
set -u
cd "$(dirname "$0")/.."
bin=${BPFCOST_BIN:-./bpfcost}
unit_dir=${BPFCOST_UNIT_DIR:-build/tests}
# PYTEST_ARGS is shell words: PYTEST_ARGS="-k 'stats or top'" keeps the quotes.
eval "pytest_args=(${PYTEST_ARGS:-})"
passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== unit tests (cmocka) =="
for t in "$unit_dir"/test_*; do
	[ -x "$t" ] || continue
	"$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	# A crash (sanitizer abort) shows no FAILED line: count it.
	if [ "$rc" -ne 0 ] && [ -z "$f" ]; then failed=$((failed + 1)); fi
done

echo "== end-to-end tests (pytest) =="
junit=$(mktemp --suffix=.xml)
BPFCOST_BIN=$bin /usr/bin/python3 -m pytest tests/e2e -rs -v -p no:cacheprovider \
	--durations=40 --junitxml="$junit" "${pytest_args[@]}"
rc=$?
if [ -s "$junit" ]; then
	read -r p f s < <(/usr/bin/python3 - "$junit" <<'PY'
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
suites = [r] if r.tag == "testsuite" else list(r)
t = sum(int(s.get("tests", 0)) for s in suites)
f = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
s = sum(int(s.get("skipped", 0)) for s in suites)
print(t - f - s, f, s)
PY
)
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
fi
rm -f "$junit"
# pytest exit 5 = no tests collected: that is a failure for us.
if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then failed=$((failed + 1)); fi

# VM tier: the fentry/kprobe paths on Debian's stock kernels under QEMU:
# bookworm's 6.1 (the host's release), then bullseye's 5.10, an older kernel
# without some features the newer paths use. BPFCOST_VM=0 leaves the tier
# out (the sanitizer pass in CI does); BPFCOST_VM_SUITES picks kernels.
if [ "${BPFCOST_VM:-1}" != 0 ]; then
	for suite in ${BPFCOST_VM_SUITES-host bullseye}; do
		[ "$suite" != host ] || suite=
		echo "== VM tests (QEMU, stock Debian ${suite:-bookworm} kernel) =="
		VMTEST_SUITE=$suite BPFCOST_BIN=$bin bash tests/vm/run.sh | tee "$log"
		p=
		read -r p f s < <(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' \
			"$log" | tail -n1)
		if [ -z "${p:-}" ]; then f=1; p=0; s=0; fi
		passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	done
fi

echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$failed" -eq 0 ]
