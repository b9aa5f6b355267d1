// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer harness for the CPU list parser (src/cpumask.c), which reads
 * sysfs and cgroup files: outside input. Checks, besides memory safety,
 * that a list it accepts formats back to a list that parses to the same
 * set and formats identically again (the canonical form), and that a
 * rejected list leaves the set empty.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *       tests/fuzz/fuzz_cpumask.c src/cpumask.c src/util.c -ljansson -lm \
 *       -o build/fuzz_cpumask && build/fuzz_cpumask -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cpumask.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[CPUMASK_LIST_MAX], again[CPUMASK_LIST_MAX];
	struct cpumask m, back;
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (cpumask_parse(s, &m)) {
		if (cpumask_count(&m))
			abort();	/* a rejected list must leave nothing behind */
		free(s);
		return 0;
	}
	if (cpumask_format(&m, text, sizeof(text)) ||
	    cpumask_parse(text, &back) || !cpumask_equal(&m, &back) ||
	    cpumask_format(&back, again, sizeof(again)) || strcmp(text, again))
		abort();
	free(s);
	return 0;
}
