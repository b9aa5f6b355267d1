// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Used only by tests: a uprobe program that tests/helpers/attach_runner
 * attaches to itself through a perf event with PERF_EVENT_IOC_SET_BPF and
 * then holds only by that perf event fd (no program fd, no link). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

__u64 uprobe_hits;

SEC("uprobe")
int bc_test_uprobe(void *ctx)
{
	__sync_fetch_and_add(&uprobe_hits, 1);
	return 0;
}
