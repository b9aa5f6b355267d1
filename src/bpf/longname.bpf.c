// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A test program whose name is longer than the kernel keeps (BPF_OBJ_NAME_LEN
 * 16: "bc_test_program" there, the whole name in its BTF) and than the
 * plain tables' default NAME width: tests check that every table sizes its
 * columns from such names instead of shifting or silently cutting them. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

__u64 hits;

SEC("tp_btf/sys_enter")
int BPF_PROG(bc_test_program_with_a_name_longer_than_columns, struct pt_regs *regs, long id)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}
