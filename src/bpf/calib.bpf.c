// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Calibration targets for `bpfcost profile`: the same work, a loop of
 * CALIB_N iterations, done once and four times per run. Profiled side by
 * side, their observer-corrected times should differ by about 4x. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define CALIB_N 1024

/* Something the compiler cannot fold away, in a bounded loop (5.3+) rather
 * than bpf_loop (5.17+), so the targets load on the 5.10 guest too. */
static __always_inline int calib_work(__u32 n)
{
	__u64 acc = 1;

	for (__u32 i = 0; i < n; i++)
		acc = acc * 6364136223846793005ULL + i;
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
