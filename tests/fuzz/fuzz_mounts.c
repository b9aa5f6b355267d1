// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* /proc/mounts lines (kpe_mounts_line_tracefs, kprobe_events.c): where
 * tracefs is mounted, for kprobe_events. Contract: 0 only for a tracefs
 * line, with a non-empty mount point that fits and holds no blank. */
#include "kprobe_events.h"
#include "fuzz.h"

static void line(const char *l, void *arg)
{
	char dir[256];
	int err;

	memset(dir, 'X', sizeof(dir));
	err = kpe_mounts_line_tracefs(l, dir, sizeof(dir));
	FUZZ_CHECK(err == 0 || err == -ENOENT || err == -ENAMETOOLONG, l);
	if (err)
		return;
	FUZZ_CHECK(memchr(dir, '\0', sizeof(dir)) && dir[0], l);
	FUZZ_CHECK(!strpbrk(dir, " \n"), l);
	FUZZ_CHECK(strstr(l, " tracefs"), l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_lines(data, size, line, NULL);
	return 0;
}
