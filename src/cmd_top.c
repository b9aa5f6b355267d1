// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Placeholder until this command lands; replaced by its implementation. */
#include <errno.h>
#include "common.h"

int cmd_top(struct bc_ctx *ctx, int argc, char **argv)
{
	bc_err("'top' is not built yet");
	return -ENOSYS;
}
