// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Calibration targets for `bpfcost profile`: the same work, a loop of
 * CALIB_N iterations, done once and four times per run. Profiled side by
 * side, their observer-corrected times should differ by about 4x. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define CALIB_N 1024

/* Something the compiler cannot fold away. */
static long calib_step(__u32 i, void *data)
{
	__u64 *acc = data;

	*acc = *acc * 6364136223846793005ULL + i;
	return 0;
}

static __always_inline int calib_work(__u32 n)
{
	__u64 acc = 1;

	bpf_loop(n, calib_step, &acc, 0);
	return acc == 42;	/* depends on every step */
}

SEC("raw_tp/sys_enter")
int bc_calib_n(void *ctx)
{
	return calib_work(CALIB_N);
}

SEC("raw_tp/sys_enter")
int bc_calib_4n(void *ctx)
{
	return calib_work(4 * CALIB_N);
}
