// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Test programs for recursion misses: a raw_tp program on the
 * bpf_trace_printk tracepoint that calls bpf_trace_printk itself, so each
 * of its runs fires its own hook again on the same CPU. The kernel skips
 * that nested run and counts it in the program's recursion_misses
 * (__bpf_trace_run in kernel/trace/bpf_trace.c: prog->active is already 1
 * on this CPU -> bpf_prog_inc_misses_counter). The first run comes from
 * bc_rec_trigger, on sys_enter for getpid by tasks named bc_recwork: every
 * such getpid gives bc_rec_self one run and one miss. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "test_progs.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("raw_tp/sys_enter")
int bc_rec_trigger(struct bpf_raw_tracepoint_args *ctx)
{
	if (ctx->args[1] != NR_GETPID || !COMM_IS("bc_recwork"))
		return 0;
	bpf_printk("bc_rec trigger");
	return 0;
}

SEC("raw_tp/bpf_trace_printk")
int bc_rec_self(void *ctx)
{
	if (!COMM_IS("bc_recwork"))
		return 0;
	bpf_printk("bc_rec self");	/* fires this very hook: a recursion miss */
	return 0;
}
