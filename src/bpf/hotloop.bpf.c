// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Test program for `bpfcost annotate`: a hot loop on a known source line.
 * The hot line carries several dependent multiplies so that it outweighs
 * the loop control clearly (~90% of the loop's samples, not ~80%): skid
 * under a busy host moves a few percent of samples onto the loop line.
 * It runs only for tasks whose comm is "bc_hotwork" (the test workload
 * renames itself), so it costs nothing to the rest of the machine. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define HOT_ITERS 2000

volatile __u64 hot_acc;
__u64 hot_runs;

static __always_inline bool is_workload(void)
{
	static const char want[] = "bc_hotwork";
	char comm[16];
	int i;

	if (bpf_get_current_comm(comm, sizeof(comm)))
		return false;
#pragma unroll
	for (i = 0; i < (int)sizeof(want); i++)
		if (comm[i] != want[i])
			return false;
	return true;
}

SEC("raw_tp/sys_enter")
int bc_hotloop(void *ctx)
{
	int i;

	if (!is_workload())
		return 0;
	__sync_fetch_and_add(&hot_runs, 1);
	for (i = 0; i < HOT_ITERS; i++) { /* LOOP */
		hot_acc = (((hot_acc * 3 + i) ^ (hot_acc >> 7)) * 0x9E3779B97F4A7C15ULL) ^ ((hot_acc >> 11) * 0xBF58476D1CE4E5B9ULL); /* HOT */
	}
	return 0;
}
