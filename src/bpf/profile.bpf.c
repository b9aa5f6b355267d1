// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fentry/fexit around one BPF program. User space opens this object once
 * per target and points both programs at it with
 * bpf_program__set_attach_target() before loading: one code path for every
 * target. Per run: exclusive elapsed ns into a per-CPU log-linear histogram
 * (hist_layout.h), run count, sum, max, and counter deltas read with
 * bpf_perf_event_read_value (enabled/running kept for scaling). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "hist_layout.h"
#include "profile_types.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 nr_events = 0;	/* counters in use, <= PROF_MAX_EVENTS */
const volatile __u32 nr_cpus = 1;	/* events[] index = cpu + event * nr_cpus */
/* Set by user space for the measuring window only, so our figures and the
 * kernel's run-time stats read at the window's edges cover the same runs
 * (attaching and detaching trampolines take a while). */
volatile __u32 active;

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 1);	/* user space sets nr_cpus * nr_events */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HIST_NBUCKETS);
	__type(key, __u32);
	__type(value, __u64);
} hist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct prof_stats);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct prof_stack);
} stack SEC(".maps");

/* 1 when every counter was read. */
static __always_inline __u64 read_counters(struct prof_ev_val *v)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u64 ok = 1;
	__u32 i;

	for (i = 0; i < PROF_MAX_EVENTS; i++) {
		if (i >= nr_events)
			break;
		if (bpf_perf_event_read_value(&events, cpu + i * nr_cpus, (void *)&v[i], sizeof(v[i])))
			ok = 0;
	}
	return ok;
}

/* The target program's own argument (its ctx pointer): which run an
 * entry and an exit belong to. Read through the trampoline's argument array
 * with a probe read: a plain ctx[0] load is refused before 5.17 for a
 * target whose argument is not a known context struct (btf_ctx_access),
 * and bpf_get_func_arg is 5.17+ (kernel commit f92c1e183604). */
static __always_inline __u64 target_ctx(void *ctx)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), ctx);
	return v;
}

SEC("fentry")
int BPF_PROG(bc_prof_entry)
{
	__u32 zero = 0;
	struct prof_stack *s = bpf_map_lookup_elem(&stack, &zero);
	struct prof_stats *st = bpf_map_lookup_elem(&stats, &zero);
	struct prof_frame *f;
	__u64 key = 0;

	if (!s || !st || !active)
		return 0;
	key = target_ctx(ctx);
	if (s->top - s->base >= PROF_DEPTH) {
		s->base++;
		st->dropped++;
	}
	if (s->top > s->base)
		st->nested++;
	f = &s->f[s->top & (PROF_DEPTH - 1)];
	f->key = key;
	f->child_ns = 0;
	__builtin_memset(f->child_ev, 0, sizeof(f->child_ev));
	f->ev_ok = read_counters(f->ev);
	s->top++;
	/* Last, so our own bookkeeping above stays out of the timed window. */
	f->ts = bpf_ktime_get_ns();
	return 0;
}

/* Add the run's counter deltas (minus nested runs) to st and to the
 * parent frame, if any. */
static __always_inline void account_counters(struct prof_stats *st, struct prof_frame *f,
					     struct prof_frame *parent, struct prof_ev_val *now)
{
	__u32 i;

	for (i = 0; i < PROF_MAX_EVENTS; i++) {
		__u64 d;

		if (i >= nr_events)
			break;
		d = now[i].counter - f->ev[i].counter;
		if (parent)
			parent->child_ev[i] += d;
		st->ev[i].counter += d > f->child_ev[i] ? d - f->child_ev[i] : 0;
		st->ev[i].enabled += now[i].enabled - f->ev[i].enabled;
		st->ev[i].running += now[i].running - f->ev[i].running;
	}
}

/* Index of the frame whose key matches, searching down from the top;
 * -1 when none does. */
static __always_inline long find_frame(struct prof_stack *s, __u64 key)
{
	__u32 i;

	for (i = 0; i < PROF_DEPTH; i++) {
		__u64 idx = s->top - 1 - i;

		if (s->top < i + 1 || idx < s->base)
			break;
		if (s->f[idx & (PROF_DEPTH - 1)].key == key)
			return (long)idx;
	}
	return -1;
}

SEC("fexit")
int BPF_PROG(bc_prof_exit)
{
	__u64 now = bpf_ktime_get_ns();
	struct prof_ev_val ev[PROF_MAX_EVENTS] = {};
	struct prof_frame *f, *parent = NULL;
	struct prof_stack *s;
	struct prof_stats *st;
	__u64 key = 0, d, ex, ev_ok;
	__u32 zero = 0, b;
	__u64 *bucket;
	long idx;

	if (!active)
		return 0;
	ev_ok = read_counters(ev);
	s = bpf_map_lookup_elem(&stack, &zero);
	st = bpf_map_lookup_elem(&stats, &zero);
	if (!s || !st)
		return 0;
	key = target_ctx(ctx);
	idx = find_frame(s, key);
	if (idx < 0) {
		st->unmatched++;
		return 0;
	}
	/* Frames above ours are runs whose exit we never saw. */
	st->dropped += s->top - 1 - (__u64)idx;
	s->top = (__u64)idx;
	f = &s->f[idx & (PROF_DEPTH - 1)];
	d = now - f->ts;
	ex = d > f->child_ns ? d - f->child_ns : 0;
	if (s->top > s->base) {
		parent = &s->f[(s->top - 1) & (PROF_DEPTH - 1)];
		parent->child_ns += d;
	}
	st->runs++;
	st->sum_ns += ex;
	if (ex > st->max_ns)
		st->max_ns = ex;
	b = hist_layout_index(ex);
	bucket = bpf_map_lookup_elem(&hist, &b);
	if (bucket)
		(*bucket)++;
	if (ev_ok && f->ev_ok)
		account_counters(st, f, parent, ev);
	else if (nr_events)
		st->ev_failed++;
	return 0;
}
