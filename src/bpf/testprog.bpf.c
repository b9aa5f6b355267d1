// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Programs used only by tests, loaded with bpftool: a function name longer
 * than the kernel's 15-character program name, to check that selectors
 * match both the BTF name and the truncated kernel name. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

__u64 hits;

SEC("raw_tp/sys_enter")
int bc_test_long_function_name(void *ctx)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}
