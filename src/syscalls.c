// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Syscall name table, generated at build time from <asm/unistd.h>. */
#include <errno.h>
#include <string.h>
#include "common.h"
#include "syscalls.h"

static const char *const names[] = {
#include "syscall_names.h"
};

const char *syscall_name(unsigned nr)
{
	return nr < ARRAY_SIZE(names) ? names[nr] : NULL;
}

int syscall_lookup(const char *name)
{
	for (unsigned i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i] && !strcmp(names[i], name))
			return (int)i;
	return -ENOENT;
}
