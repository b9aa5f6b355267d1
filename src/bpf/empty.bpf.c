// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* An empty raw_tp program: the zero point for calibrations and benchmarks. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("raw_tp/sys_enter")
int bc_empty(void *ctx)
{
	return 0;
}
