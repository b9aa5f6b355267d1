// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* /proc/PID/stat (bc_parse_proc_stat, util.c): the process group and start
 * time of every process, to find a tracer command's processes and to tell
 * a pid from its reuse (the ledger). comm (field 2) is chosen by the
 * process (PR_SET_NAME) and may hold spaces and parens.
 * Contract: 0 with both fields, or -EINVAL for a malformed text; the
 * struct form (with the CPU times) agrees with it. */
#include <errno.h>
#include "common.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	unsigned long long start;
	long pgrp;
	int err = bc_parse_proc_stat(s, &pgrp, &start);
	struct bc_proc_stat_fields f;

	FUZZ_CHECK(err == -EINVAL || (err == 0 && strchr(s, ')')), s);
	FUZZ_CHECK(bc_parse_proc_stat_fields(s, &f) == err, s);
	FUZZ_CHECK(err || (f.pgrp == pgrp && f.start == start), s);
	free(s);
	return 0;
}
