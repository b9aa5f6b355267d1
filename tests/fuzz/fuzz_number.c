// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The strict number parsers (util.c): parse_u64, parse_int, parse_double,
 * each over a full and a narrow range like the options use them.
 * Contract (common.h): the whole string, in range, else an error; no
 * blanks; parse_u64 takes no sign. */
#include <limits.h>
#include <math.h>
#include "common.h"
#include "fuzz.h"

static void u64_in(const char *s, uint64_t min, uint64_t max)
{
	uint64_t v;

	if (parse_u64("n", s, min, max, &v))
		return;
	FUZZ_CHECK(v >= min && v <= max, s);
	FUZZ_CHECK(!fuzz_has_space(s) && !strpbrk(s, "+-"), s);
}

static void int_in(const char *s, int min, int max)
{
	int v;

	if (parse_int("n", s, min, max, &v))
		return;
	FUZZ_CHECK(v >= min && v <= max, s);
	FUZZ_CHECK(!fuzz_has_space(s), s);
}

static void double_in(const char *s, double min, double max)
{
	double v;

	if (parse_double("n", s, min, max, &v))
		return;
	FUZZ_CHECK(isfinite(v) && v >= min && v <= max, s);
	FUZZ_CHECK(!fuzz_has_space(s), s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);

	u64_in(s, 0, UINT64_MAX);
	u64_in(s, 1, UINT32_MAX);	/* program ids */
	int_in(s, INT_MIN, INT_MAX);
	int_in(s, -1, 1023);		/* --cpu */
	double_in(s, -1e300, 1e300);
	double_in(s, 0, 100);
	free(s);
	return 0;
}
