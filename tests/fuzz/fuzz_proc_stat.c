// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* /proc/PID/stat (tracer_stat_pgrp, tracer.c): the process group of every
 * process, to find a tracer command's processes. comm (field 2) is chosen
 * by the process (PR_SET_NAME) and may hold spaces and parens.
 * Contract: a pgrp, or -1 for a malformed text. */
#include "tracer.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	pid_t pgrp = tracer_stat_pgrp(s);

	FUZZ_CHECK(pgrp == -1 || strchr(s, ')'), s);
	free(s);
	return 0;
}
