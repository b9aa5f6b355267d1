// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Every loaded program's identity and run-time counters in one read().
 *
 * An iter/bpf_prog program (Linux 5.9, a228a64fc1e4 "bpf: Add bpf_prog
 * iterator") is run by the kernel once per loaded program whenever user
 * space reads the iterator fd; each run appends one struct progstats_rec to
 * the read buffer with bpf_seq_write. That replaces four syscalls per
 * program per pass (get_next_id, get_fd_by_id, obj_get_info_by_fd, close)
 * with a handful of reads for the whole fleet, and holds no program
 * reference between passes: the kernel takes and drops one per visit.
 *
 * The counters are what bpf_prog_info reports (kernel/bpf/syscall.c,
 * bpf_prog_get_stats): struct bpf_prog_stats is per CPU, and run_cnt,
 * run_time_ns, recursion_misses are the sums over the possible CPUs of its
 * cnt, nsecs and misses. Summing per-CPU data from BPF needs each CPU's
 * per-cpu offset, and the direct ways are closed here:
 *   - bpf_per_cpu_ptr(p->stats, cpu) is refused: the kernel BTF carries no
 *     __percpu type tag on bpf_prog.stats, so the verifier does not see a
 *     per-cpu pointer;
 *   - the per-cpu ksyms that would give the offsets (__per_cpu_offset,
 *     runqueues) do not resolve without CONFIG_KALLSYMS_ALL.
 * So we derive the offsets from a per-cpu map of our own: for a 1-entry
 * PERCPU_ARRAY, bpf_map_lookup_percpu_elem(map, 0, cpu) (Linux 5.19,
 * 07343110b293 "bpf: add bpf_map_lookup_percpu_elem for percpu map")
 * returns per_cpu_ptr(pptr, cpu), where pptr is the array's raw per-cpu
 * pointer struct bpf_array.pptrs[0]. Their difference is exactly that
 * CPU's per-cpu offset, which added to the raw p->stats pointer gives the
 * CPU's struct bpf_prog_stats; bpf_probe_read_kernel reads it safely.
 *
 * The verifier forbids arithmetic on map-value and BTF pointers, so every
 * address we compute with is first turned into a plain scalar by copying
 * the pointer's value through bpf_probe_read_kernel (addr_of). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "progstats.h"

char LICENSE[] SEC("license") = "GPL";

/* Possible CPUs (libbpf_num_possible_cpus), set before load. */
const volatile __u32 ncpu = 1;

/* Only its per-cpu addresses are used; the value is never written. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bc_pcpu_probe SEC(".maps");

/* The value of a pointer as a scalar the verifier lets us add to. */
static __always_inline __u64 addr_of(const void *p)
{
	__u64 a = 0;

	bpf_probe_read_kernel(&a, sizeof(a), &p);
	return a;
}

static __always_inline __u64 read_u64(__u64 addr)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (const void *)addr);
	return v;
}

/* Sum the per-CPU bpf_prog_stats at raw per-cpu pointer stats. */
static __always_inline void sum_stats(__u64 stats, struct progstats_rec *r)
{
	__u64 pptr, off_cnt, off_ns, off_miss = 0;
	bool has_miss;
	__u32 k = 0, i;

	/* The raw per-cpu pointer behind our map's only element. */
	pptr = read_u64(addr_of(&bc_pcpu_probe) + bpf_core_field_offset(struct bpf_array, pptrs));
	off_cnt = bpf_core_field_offset(struct bpf_prog_stats, cnt);
	off_ns = bpf_core_field_offset(struct bpf_prog_stats, nsecs);
	/* recursion misses: Linux 5.12 and later */
	has_miss = bpf_core_field_exists(struct bpf_prog_stats, misses);
	if (has_miss)
		off_miss = bpf_core_field_offset(struct bpf_prog_stats, misses);
	for (i = 0; i < PROGSTATS_MAX_CPUS && i < ncpu; i++) {
		void *e = bpf_map_lookup_percpu_elem(&bc_pcpu_probe, &k, i);
		__u64 st;

		if (!e)
			continue;	/* beyond nr_cpu_ids */
		st = stats + (addr_of(e) - pptr);
		r->run_cnt += read_u64(st + off_cnt);
		r->run_time_ns += read_u64(st + off_ns);
		if (has_miss)
			r->recursion_misses += read_u64(st + off_miss);
	}
}

SEC("iter/bpf_prog")
int bc_progstats(struct bpf_iter__bpf_prog *ctx)
{
	struct bpf_prog *p = ctx->prog;
	struct progstats_rec r = {};

	if (!p)
		return 0;	/* the end-of-iteration call */
	r.id = p->aux->id;
	r.type = p->type;
	r.load_time = p->aux->load_time;
	bpf_probe_read_kernel(r.tag, sizeof(r.tag), p->tag);
	bpf_probe_read_kernel(r.name, sizeof(r.name), p->aux->name);
	sum_stats(addr_of(p->stats), &r);
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}
