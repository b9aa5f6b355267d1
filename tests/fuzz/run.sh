#!/usr/bin/env bash
# Run every libFuzzer harness (or the NAMEs given) for a bounded time each:
#   tests/fuzz/run.sh [-t SECONDS] [-j JOBS] [NAME...]
# NAME is a harness without its fuzz_ prefix (duration, selectors, ...).
# Harnesses come from `make fuzz` ($BUILD/fuzz/fuzz_*). Each starts from its
# seeds (tests/fuzz/corpus/NAME/, optional) plus what earlier runs found
# ($BUILD/fuzz/corpus/NAME/, kept between runs); a crash leaves its input
# in $BUILD/fuzz/crashes/. Ends with one line per harness (runs, coverage)
# and exits non-zero when any harness crashed or did not run.
set -u
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
secs=10 jobs=1
while getopts "t:j:h" o; do
	case $o in
	t) secs=$OPTARG ;;
	j) jobs=$OPTARG ;;
	*) sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for b in "$build"/fuzz/fuzz_*; do
		[ -x "$b" ] && names+=("${b##*/fuzz_}")
	done
fi
if [ ${#names[@]} -eq 0 ]; then
	echo "fuzz: no harnesses in $build/fuzz (run make fuzz)" >&2
	exit 1
fi
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
mkdir -p "$build/fuzz/crashes"

# One harness: its seeds are read-only; new inputs go to the work corpus.
run_one() {
	local name=$1 bin=$build/fuzz/fuzz_$1 work=$build/fuzz/corpus/$1
	local seeds=tests/fuzz/corpus/$1 dict=tests/fuzz/$1.dict
	local args=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048
		    -print_final_stats=1
		    -artifact_prefix="$build/fuzz/crashes/$1-")
	[ -f "$dict" ] && args+=(-dict="$dict")
	mkdir -p "$work"
	if [ ! -x "$bin" ]; then
		echo "no harness $bin" >"$logs/$name.log"
		return 1
	fi
	[ -d "$seeds" ] || seeds=
	"$bin" "${args[@]}" "$work" $seeds >"$logs/$name.log" 2>&1
}
export -f run_one
export build secs logs

printf '%s\n' "${names[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one {}; echo $? >"$logs/{}.rc"'

failed=0
for n in "${names[@]}"; do
	rc=$(cat "$logs/$n.rc" 2>/dev/null || echo 1)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$n.log" | tail -n1)
	cov=$(grep -o 'cov: [0-9]*' "$logs/$n.log" | tail -n1)
	if [ "$rc" -ne 0 ]; then
		failed=$((failed + 1))
		echo "== fuzz_$n FAILED (exit $rc)"
		grep -v '^#[0-9]' "$logs/$n.log" | tail -n 40
	fi
	printf 'fuzz %-16s %s  %s runs in %ss  %s\n' "$n" "$([ "$rc" -eq 0 ] && echo ok || echo CRASH)" \
		"${runs:-0}" "$secs" "${cov:-cov: ?}"
done
echo "fuzz: ${#names[@]} harnesses, $failed failed"
[ "$failed" -eq 0 ]
