// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A program of known cost for cross-checking the methods (run-time stats
 * corrected for their bias against sampling; compare's detection power):
 * raw_tp on sys_enter doing bpf_loop (Linux 5.17, commit e6f2dd0f8067) of
 * LOOP_N iterations of one dependent step. The Makefile builds it as
 * bpfloop50/200/800.bpf.o, one program named bc_loop in each (two builds
 * of "the same" program, as two versions of an agent would be). It runs
 * for every syscall of the machine while attached. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#ifndef LOOP_N
#define LOOP_N 200
#endif

char LICENSE[] SEC("license") = "Dual BSD/GPL";

static long step(__u64 i, void *ctx)
{
	__u64 *acc = ctx;

	*acc = *acc * 6364136223846793005ULL + i;
	return 0;
}

SEC("raw_tp/sys_enter")
int bc_loop(void *ctx)
{
	__u64 acc = 1;

	bpf_loop(LOOP_N, step, &acc, 0);
	return acc == 42;	/* depends on every step */
}
