/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* One record per BPF-holding fd of a process, written by the iter/task_file
 * program in owners.bpf.c and parsed by src/owners.c. Fixed size, only
 * __u32 and byte arrays: the same layout on both sides. */
#ifndef BPFCOST_OWNERS_REC_H
#define BPFCOST_OWNERS_REC_H

#define OWNERS_COMM_LEN 16	/* TASK_COMM_LEN */

/* How a process holds a program (a bit each, so merged holds can say all). */
enum owner_via {
	OWNER_VIA_PROG = 1,	/* a program fd ("bpf-prog") */
	OWNER_VIA_LINK = 2,	/* a link fd ("bpf_link"/"bpf-link"): the link's program */
	OWNER_VIA_PERF = 4,	/* a perf event fd with a program attached */
};

struct owners_rec {
	__u32 pid;			/* the process (tgid) */
	__u32 fd;
	__u32 via;			/* one enum owner_via bit */
	__u32 prog_id;
	__u32 link_id;			/* OWNER_VIA_LINK, else 0 */
	char comm[OWNERS_COMM_LEN];	/* the process's (its group leader's) comm */
};

#endif
