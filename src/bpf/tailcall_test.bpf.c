// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Test programs for tail-call attribution: bc_tc_entry runs on every
 * sys_enter and, for getpid only, tail-calls bc_tc_callee through slot 0 of
 * the PROG_ARRAY bc_tc_jmp; the callee does bpf_loop(400, ...). The kernel's
 * run-time stats count the callee's time in the entry's run_time_ns and
 * leave the callee's run_cnt at 0 (a tail call does not go through the
 * accounting); sampling sees the time in the callee's image.
 * tests/helpers/attach_runner fills the slot (--tail bc_tc_jmp:0:bc_tc_callee)
 * and attaches only the entry. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "test_progs.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define CALLEE_LOOPS 400

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} bc_tc_jmp SEC(".maps");

__u64 tc_acc;
__u64 tc_entry_runs, tc_callee_runs;

static long loop_body(__u64 i, void *ctx)
{
	tc_acc = (tc_acc * 3 + i) ^ (tc_acc >> 7);
	return 0;
}

SEC("raw_tp")
int bc_tc_callee(struct bpf_raw_tracepoint_args *ctx)
{
	__sync_fetch_and_add(&tc_callee_runs, 1);
	bpf_loop(CALLEE_LOOPS, loop_body, NULL, 0);
	return 0;
}

SEC("raw_tp/sys_enter")
int bc_tc_entry(struct bpf_raw_tracepoint_args *ctx)
{
	if (ctx->args[1] != NR_GETPID)
		return 0;
	__sync_fetch_and_add(&tc_entry_runs, 1);
	bpf_tail_call(ctx, &bc_tc_jmp, 0);
	return 0;	/* slot empty: the tail call fell through */
}
