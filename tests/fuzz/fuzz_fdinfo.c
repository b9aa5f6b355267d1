// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* /proc/PID/fdinfo/FD of a BPF program fd (tracer_fdinfo_prog_id,
 * tracer.c): which programs a tracer command holds. Contract: the id of a
 * "prog_id:" line, else 0. */
#include "tracer.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	uint32_t id = tracer_fdinfo_prog_id(s);

	FUZZ_CHECK(id == 0 || strstr(s, "prog_id:"), s);
	free(s);
	return 0;
}
