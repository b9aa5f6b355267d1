// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A tracing program for tests (attach_runner loads and attaches it): a
 * tp_btf program on sys_enter, a BPF_PROG_TYPE_TRACING target that
 * fentry/fexit may not attach to before Linux 6.8 (profile refuses it
 * there and names what still measures it). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

__u64 hits;

SEC("tp_btf/sys_enter")
int BPF_PROG(bc_test_tp_btf, struct pt_regs *regs, long id)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}
