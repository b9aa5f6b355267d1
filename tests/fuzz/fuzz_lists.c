// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The list and keyword options: workload/syscall kinds (wl_parse_mix:
 * --syscalls of load, demo, overhead and syscall), profile --events
 * (prof_events_parse), and the one-word choices (sysmon --weight, syscall
 * --method, stats --reader, annotate --event). Contracts (their headers):
 * a mask of known kinds only; at most max distinct known events; a parsed
 * word names itself back. */
#include "profile.h"
#include "runstats.h"
#include "sample.h"
#include "syscallwrap.h"
#include "sysmon.h"
#include "workload.h"
#include "fuzz.h"

static void events(const char *s)
{
	int idx[PROF_MAX_EVENTS], n, i, j;
	size_t table;
	bool is_auto;

	prof_events_table(&table);
	n = prof_events_parse(s, idx, PROF_MAX_EVENTS, &is_auto);
	if (n < 0)
		return;
	FUZZ_CHECK(n <= PROF_MAX_EVENTS, s);
	FUZZ_CHECK(!is_auto || n == 0, s);
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(idx[i] >= 0 && (size_t)idx[i] < table, s);
		for (j = 0; j < i; j++)
			FUZZ_CHECK(idx[i] != idx[j], s);
	}
}

static void words(const char *s)
{
	enum sysmon_weight w;
	enum sw_method m;
	enum rs_reader r;
	enum smp_event e;

	if (!sysmon_weight_parse(s, &w))
		FUZZ_CHECK(!strcmp(sysmon_weight_name(w), s), s);
	if (!sw_method_parse(s, &m))
		FUZZ_CHECK(!strcmp(sw_method_name(m), s), s);
	if (!rs_reader_parse(s, &r))
		FUZZ_CHECK(!strcmp(rs_reader_name(r), s), s);
	if (!smp_event_parse(s, &e))
		FUZZ_CHECK(!strcmp(smp_event_name(e), s), s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	unsigned mask = 0;

	if (!wl_parse_mix(s, &mask))
		FUZZ_CHECK(mask && !(mask & ~WL_MASK_ALL), s);
	events(s);
	words(s);
	free(s);
	return 0;
}
