// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The reference syscall monitor, in three weights that cost more on purpose:
 *   count:  sys_enter only, one per-CPU array increment;
 *   proc:   count + enter/exit pairing through a per-thread hash and a
 *           per-process hash (calls, in-syscall time);
 *   events: proc + the arguments saved at enter and a ring-buffer record
 *           (pid, tid, comm, nr, args, ret, latency) at exit.
 * User space loads one weight's pair via autoload. Each heavier weight does
 * all the work of the lighter ones, so costs are ordered by construction. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "sysmon_types.h"

/* libbpf 1.1 stops at the fifth syscall argument. */
#ifndef PT_REGS_PARM6_CORE_SYSCALL
#if defined(__TARGET_ARCH_x86)
#define PT_REGS_PARM6_CORE_SYSCALL(x) BPF_CORE_READ(x, r9)
#elif defined(__TARGET_ARCH_arm64)
#define PT_REGS_PARM6_CORE_SYSCALL(x) BPF_CORE_READ((const struct user_pt_regs *)(x), regs[5])
#else
#define PT_REGS_PARM6_CORE_SYSCALL(x) 0
#endif
#endif

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 filter_tgid;	/* 0 = all */
const volatile __u32 skip_tgid;		/* the standalone monitor itself */
const volatile char filter_comm[SYSMON_COMM_LEN];
/* The in-process drain thread, set once it runs: like any agent, sysmon
 * does not report its own event reading (each read would be an event). */
__u32 skip_tid;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SYSMON_MAX_SYSCALLS);
	__type(key, __u32);
	__type(value, __u64);
} syscall_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);	/* threads that die mid-syscall age out */
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct sysmon_inflight);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct sysmon_proc_val);
} procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

static __always_inline bool wanted(__u64 id)
{
	__u32 tgid = id >> 32;
	char comm[SYSMON_COMM_LEN];

	if (skip_tid && (__u32)id == skip_tid)
		return false;
	if (skip_tgid && tgid == skip_tgid)
		return false;
	if (filter_tgid && tgid != filter_tgid)
		return false;
	if (!filter_comm[0])
		return true;
	bpf_get_current_comm(comm, sizeof(comm));
	for (int i = 0; i < SYSMON_COMM_LEN; i++) {
		if (comm[i] != filter_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

static __always_inline void count_syscall(long nr)
{
	__u32 key = (__u32)nr;
	__u64 *cnt;

	if (nr < 0 || nr >= SYSMON_MAX_SYSCALLS)
		return;
	cnt = bpf_map_lookup_elem(&syscall_counts, &key);
	if (cnt)
		*cnt += 1;
}

static __always_inline void save_args(struct sysmon_inflight *in, struct pt_regs *regs)
{
	in->args[0] = PT_REGS_PARM1_CORE_SYSCALL(regs);
	in->args[1] = PT_REGS_PARM2_CORE_SYSCALL(regs);
	in->args[2] = PT_REGS_PARM3_CORE_SYSCALL(regs);
	in->args[3] = PT_REGS_PARM4_CORE_SYSCALL(regs);
	in->args[4] = PT_REGS_PARM5_CORE_SYSCALL(regs);
	in->args[5] = PT_REGS_PARM6_CORE_SYSCALL(regs);
}

static __always_inline int enter(struct bpf_raw_tracepoint_args *ctx, bool with_args)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct sysmon_inflight in = {};
	__u32 tid = (__u32)id;
	long nr = (long)ctx->args[1];

	if (!wanted(id))
		return 0;
	count_syscall(nr);
	in.nr = (__u32)nr;
	if (with_args)
		save_args(&in, (struct pt_regs *)ctx->args[0]);
	in.start_ns = bpf_ktime_get_ns();
	bpf_map_update_elem(&inflight, &tid, &in, BPF_ANY);
	return 0;
}

static __always_inline void account_proc(__u32 tgid, __u64 lat)
{
	struct sysmon_proc_val *p, fresh = {};

	p = bpf_map_lookup_elem(&procs, &tgid);
	if (!p) {
		bpf_get_current_comm(fresh.comm, sizeof(fresh.comm));
		bpf_map_update_elem(&procs, &tgid, &fresh, BPF_NOEXIST);
		p = bpf_map_lookup_elem(&procs, &tgid);
		if (!p)
			return;
	}
	__sync_fetch_and_add(&p->calls, 1);
	__sync_fetch_and_add(&p->time_ns, lat);
}

static __always_inline void emit_event(__u64 id, struct sysmon_inflight *in, long ret, __u64 lat)
{
	struct sysmon_event *e;
	__u32 zero = 0;
	__u64 *n;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		n = bpf_map_lookup_elem(&lost, &zero);
		if (n)
			*n += 1;
		return;
	}
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->nr = in->nr;
	e->pad = 0;
	e->ret = ret;
	e->lat_ns = lat;
	__builtin_memcpy(e->args, in->args, sizeof(e->args));
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	/* No wake-up per event: the reader drains on a short timer, as
	 * batching agents do, instead of a syscall per handful of events. */
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
}

static __always_inline int leave(struct bpf_raw_tracepoint_args *ctx, bool with_event)
{
	__u64 id = bpf_get_current_pid_tgid(), now = bpf_ktime_get_ns(), lat;
	struct sysmon_inflight *in;
	__u32 tid = (__u32)id;

	in = bpf_map_lookup_elem(&inflight, &tid);
	if (!in)
		return 0;	/* entered before we attached, or filtered out */
	lat = now - in->start_ns;
	account_proc(id >> 32, lat);
	if (with_event)
		emit_event(id, in, (long)ctx->args[1], lat);
	bpf_map_delete_elem(&inflight, &tid);
	return 0;
}

SEC("raw_tp/sys_enter")
int sysmon_cnt_enter(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();

	if (wanted(id))
		count_syscall((long)ctx->args[1]);
	return 0;
}

SEC("raw_tp/sys_enter")
int sysmon_proc_enter(struct bpf_raw_tracepoint_args *ctx)
{
	return enter(ctx, false);
}

SEC("raw_tp/sys_exit")
int sysmon_proc_exit(struct bpf_raw_tracepoint_args *ctx)
{
	return leave(ctx, false);
}

SEC("raw_tp/sys_enter")
int sysmon_ev_enter(struct bpf_raw_tracepoint_args *ctx)
{
	return enter(ctx, true);
}

SEC("raw_tp/sys_exit")
int sysmon_ev_exit(struct bpf_raw_tracepoint_args *ctx)
{
	return leave(ctx, true);
}
