/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Shared by the programs only tests load (tailcall_test, recurse_test):
 * the getpid number, and a filter that lets a program do its work only for
 * the test's own workload task. Include after vmlinux.h and bpf_helpers.h.
 * hotloop.bpf.c keeps its own copy: annotate's tests read its listing as
 * one source file, by line number. */
#ifndef BPFCOST_TEST_PROGS_H
#define BPFCOST_TEST_PROGS_H

#if defined(__TARGET_ARCH_arm64)
#define NR_GETPID 172
#else
#define NR_GETPID 39
#endif

/* The current task's comm is exactly want (a string literal, at most 15
 * characters). */
#define COMM_IS(want) comm_is(want, sizeof(want))

static __always_inline bool comm_is(const char *want, int n)
{
	char comm[16];
	int i;

	if (bpf_get_current_comm(comm, sizeof(comm)))
		return false;
#pragma unroll
	for (i = 0; i < n && i < (int)sizeof(comm); i++)
		if (comm[i] != want[i])
			return false;
	return true;
}

#endif
