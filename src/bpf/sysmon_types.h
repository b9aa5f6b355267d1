/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Types shared by sysmon.bpf.c and the user-space side (sysmon.c). */
#ifndef BPFCOST_SYSMON_TYPES_H
#define BPFCOST_SYSMON_TYPES_H

#define SYSMON_MAX_SYSCALLS 512		/* per-syscall counter slots */
#define SYSMON_COMM_LEN 16

struct sysmon_proc_val {
	__u64 calls;
	__u64 time_ns;		/* time spent inside syscalls */
	char comm[SYSMON_COMM_LEN];
};

/* What sys_enter leaves for sys_exit, per thread. */
struct sysmon_inflight {
	__u64 start_ns;
	__u64 args[6];
	__u32 nr;
	__u32 pad;
};

struct sysmon_event {
	__u32 pid;		/* tgid */
	__u32 tid;
	__u32 nr;
	__u32 pad;
	__s64 ret;
	__u64 lat_ns;
	__u64 args[6];
	char comm[SYSMON_COMM_LEN];
};

#endif
