// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Integer sysctl and sysfs values (kf_parse_int, kfeatures.c):
 * net.core.bpf_jit_enable, kernel.perf_event_paranoid, a PMU's type.
 * Contract (kfeatures.h): the leading decimal int, or -EINVAL when there
 * is none or it does not fit an int (never a silently wrapped value). */
#include <errno.h>
#include "kfeatures.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	int v;

	if (!kf_parse_int(s, &v)) {
		long l;

		errno = 0;
		l = strtol(s, NULL, 10);
		FUZZ_CHECK(!errno && l == (long)v, s);
	}
	free(s);
	return 0;
}
