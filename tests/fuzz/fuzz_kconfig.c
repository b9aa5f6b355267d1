// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* /proc/config.gz lines, decompressed (kf_kconfig_line, kfeatures.c):
 * doctor's reason for a missing kprobe or uprobe PMU. Contract: 'n' for
 * "# SYM is not set", the value of "SYM=...", else 0. */
#include "kfeatures.h"
#include "fuzz.h"

#define SYM "CONFIG_KPROBES"

static void line(const char *l, void *arg)
{
	char v = kf_kconfig_line(l, SYM);

	if (v)
		FUZZ_CHECK(strstr(l, SYM), l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_lines(data, size, line, NULL);
	return 0;
}
