// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* /proc/cpuinfo lines (wl_cpuinfo_flags_line, workload.c): whether the
 * TSC can time syscalls (constant_tsc, nonstop_tsc, rdtscp). Contract: -1
 * for lines other than "flags", 1 only when every flag is a whole word. */
#include "workload.h"
#include "fuzz.h"

static const char *const need[] = { "constant_tsc", "nonstop_tsc", "rdtscp" };

static void line(const char *l, void *arg)
{
	int r = wl_cpuinfo_flags_line(l, need, 3);

	FUZZ_CHECK(r == -1 || r == 0 || r == 1, l);
	FUZZ_CHECK((r == -1) == (strncmp(l, "flags", 5) != 0), l);
	if (r == 1)
		FUZZ_CHECK(strstr(l, " constant_tsc") && strstr(l, " nonstop_tsc") &&
			   strstr(l, " rdtscp"), l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_lines(data, size, line, NULL);
	return 0;
}
