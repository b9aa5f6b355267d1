// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* /proc/cpuinfo lines (wl_cpuinfo_flags_line, workload.c): whether the
 * TSC can time syscalls (constant_tsc, nonstop_tsc, rdtscp). Contract: -1
 * for lines other than "flags", 1 only when every flag is a whole word.
 * And the CPU model a report names (machine_cpuinfo_model, machine.c): 1
 * only for "model name" lines, the value NUL-terminated within its buffer,
 * without a newline or blanks at either end. */
#include "machine.h"
#include "workload.h"
#include "fuzz.h"

static const char *const need[] = { "constant_tsc", "nonstop_tsc", "rdtscp" };

static void model(const char *l)
{
	char out[16];
	size_t n;
	int r;

	memset(out, 'x', sizeof(out));
	r = machine_cpuinfo_model(l, out, sizeof(out));
	FUZZ_CHECK(r == 0 || r == 1, l);
	FUZZ_CHECK(r == 0 || strncmp(l, "model name", 10) == 0, l);
	if (!r)
		return;
	n = strnlen(out, sizeof(out));
	FUZZ_CHECK(n < sizeof(out), l);
	FUZZ_CHECK(!strchr(out, '\n'), l);
	FUZZ_CHECK(!n || (out[0] != ' ' && out[0] != '\t' && out[n - 1] != ' ' &&
			  out[n - 1] != '\t'), l);
}

static void line(const char *l, void *arg)
{
	int r = wl_cpuinfo_flags_line(l, need, 3);

	FUZZ_CHECK(r == -1 || r == 0 || r == 1, l);
	FUZZ_CHECK((r == -1) == (strncmp(l, "flags", 5) != 0), l);
	if (r == 1)
		FUZZ_CHECK(strstr(l, " constant_tsc") && strstr(l, " nonstop_tsc") &&
			   strstr(l, " rdtscp"), l);
	model(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_lines(data, size, line, NULL);
	return 0;
}
