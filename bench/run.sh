#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Run every benchmark, one after the other (never concurrently: they would
# disturb each other). Figures go to stdout and, as JSON, to $BUILD/bench/.
# BENCH_ONLY=name runs just that one.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD BPFCOST_BIN=${BPFCOST_BIN:-bpfcost}
mkdir -p "$BUILD/bench"
for b in stats_fleet overhead_precision overhead_accuracy exporter_fleet statsbias compare; do
	[[ -n "${BENCH_ONLY:-}" && "$BENCH_ONLY" != "$b" ]] && continue
	echo "=== $b ($(date +%T))"
	/usr/bin/python3 "bench/$b" --json "$BUILD/bench/$b.json"
done
