// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tracefs kprobe_profile lines (kpe_profile_line, kprobe_events.c): the
 * hits and misses of our kretprobe events, read by the syscall method.
 * Contract: 0 only for a line naming exactly our event, with both counts. */
#include "kprobe_events.h"
#include "fuzz.h"

#define EVENT "bpfcost_4242_enter_ret"

static void line(const char *l, void *arg)
{
	uint64_t hits = 1, missed = 2;
	int err = kpe_profile_line(l, EVENT, &hits, &missed);

	FUZZ_CHECK(err == 0 || err == -ENOENT || err == -EINVAL, l);
	if (!err)
		FUZZ_CHECK(strstr(l, EVENT), l);
	else
		FUZZ_CHECK(hits == 1 && missed == 2, l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_lines(data, size, line, NULL);
	return 0;
}
