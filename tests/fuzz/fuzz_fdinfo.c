// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* /proc/PID/fdinfo/FD of a BPF program or link fd (owners_parse_fdinfo,
 * owners.c): which program a process holds, for the owners of prog,
 * stats, top and the exporter, the pid and comm selectors and the tracer's
 * readiness scan. Contract: each id is 0 unless a line starts with its key
 * ("prog_id:", "link_id:") followed by the number. */
#include "owners.h"
#include "fuzz.h"

/* A line of s starting with key, then blanks and a digit. */
static int has_key_line(const char *s, const char *key)
{
	size_t k = strlen(key);

	for (const char *l = s; l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		const char *v = l + k;

		if (strncmp(l, key, k))
			continue;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v >= '1' && *v <= '9')
			return 1;
		if (*v == '0')	/* "0", "007": a number whose value may still be non-zero */
			return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	uint32_t prog_id = 1, link_id = 1;

	owners_parse_fdinfo(s, &prog_id, &link_id);
	FUZZ_CHECK(prog_id == 0 || has_key_line(s, "prog_id:"), s);
	FUZZ_CHECK(link_id == 0 || has_key_line(s, "link_id:"), s);
	free(s);
	return 0;
}
