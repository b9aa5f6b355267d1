/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* One record per loaded BPF program, written by the iter/bpf_prog program
 * in progstats.bpf.c and parsed by src/progiter.c. Fixed size, no padding
 * holes, only __u32/__u64/byte arrays: the same layout on both sides. */
#ifndef BPFCOST_PROGSTATS_H
#define BPFCOST_PROGSTATS_H

#define PROGSTATS_MAX_CPUS 1024	/* possible CPUs the per-CPU sum can cover */
#define PROGSTATS_TAG_SIZE 8	/* BPF_TAG_SIZE */
#define PROGSTATS_NAME_LEN 16	/* BPF_OBJ_NAME_LEN */

struct progstats_rec {
	__u32 id;
	__u32 type;			/* enum bpf_prog_type */
	__u8 tag[PROGSTATS_TAG_SIZE];
	__u64 load_time;		/* boottime ns, as bpf_prog_info.load_time */
	char name[PROGSTATS_NAME_LEN];	/* NUL-padded, as bpf_prog_info.name */
	__u64 run_cnt;			/* summed over possible CPUs */
	__u64 run_time_ns;
	__u64 recursion_misses;
};

#endif
