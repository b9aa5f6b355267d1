// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* parse_duration (util.c): every --duration, --interval, --round-time,
 * --grace ... value. Contract (common.h): "10", "10s", "250ms", "2m",
 * "1h"; greater than zero; at most a week; the whole string, no blanks. */
#include <math.h>
#include "common.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	double secs = -1;

	if (!parse_duration("--duration", s, &secs)) {
		FUZZ_CHECK(isfinite(secs) && secs > 0 && secs <= 7 * 86400.0, s);
		FUZZ_CHECK(!fuzz_has_space(s), s);
	}
	free(s);
	return 0;
}
