// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The reference syscall monitor, user-space side: load one weight, attach
 * and detach it between rounds, drain its ring buffer, read its maps. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "syscalls.h"
#include "sysmon.h"
#include "bpf/sysmon_types.h"
#include "sysmon.skel.h"

#define SYSMON_MAX_PROGS 2
#define SYSMON_SMALL_RINGBUF 4096	/* weights that never write to it */
/* The programs submit without wake-ups; the reader drains every 2 ms. At
 * 88 bytes an event, 4 MiB holds 2 ms of 20 million events/s. */
#define SYSMON_DRAIN_PERIOD_US 2000

struct sysmon {
	struct sysmon_bpf *skel;
	struct sysmon_opts opts;
	struct bpf_program *progs[SYSMON_MAX_PROGS];
	struct bpf_link *links[SYSMON_MAX_PROGS];
	int nprogs;
	struct ring_buffer *rb;
	pthread_t drain;
	bool draining;
	int drain_stop;		/* atomic: ask the drain thread to finish */
	uint64_t events;	/* atomic: events drained */
	int ncpus;
};

static const char *const weight_names[SYSMON_WEIGHT_COUNT] = {
	[SYSMON_COUNT] = "count",
	[SYSMON_PROC] = "proc",
	[SYSMON_EVENTS] = "events",
};

const char *sysmon_weight_name(enum sysmon_weight w)
{
	return w < SYSMON_WEIGHT_COUNT ? weight_names[w] : "?";
}

int sysmon_weight_parse(const char *s, enum sysmon_weight *w)
{
	for (int i = 0; i < SYSMON_WEIGHT_COUNT; i++) {
		if (!strcmp(s, weight_names[i])) {
			*w = (enum sysmon_weight)i;
			return 0;
		}
	}
	bc_err("unknown sysmon weight '%s' (expected count, proc or events)", s);
	return -EINVAL;
}

static void pick_programs(struct sysmon *sm)
{
	struct sysmon_bpf *s = sm->skel;

	switch (sm->opts.weight) {
	case SYSMON_COUNT:
		sm->progs[sm->nprogs++] = s->progs.sysmon_cnt_enter;
		break;
	case SYSMON_PROC:
		sm->progs[sm->nprogs++] = s->progs.sysmon_proc_enter;
		sm->progs[sm->nprogs++] = s->progs.sysmon_proc_exit;
		break;
	default:
		sm->progs[sm->nprogs++] = s->progs.sysmon_ev_enter;
		sm->progs[sm->nprogs++] = s->progs.sysmon_ev_exit;
		break;
	}
}

static void set_autoload(struct sysmon *sm)
{
	struct bpf_program *p;

	bpf_object__for_each_program(p, sm->skel->obj) {
		bool want = false;

		for (int i = 0; i < sm->nprogs; i++)
			want |= sm->progs[i] == p;
		bpf_program__set_autoload(p, want);
	}
}

static int on_ringbuf_event(void *ctx, void *data, size_t len)
{
	const struct sysmon_event *e = data;
	struct sysmon *sm = ctx;
	struct sysmon_event_view v;

	if (len < sizeof(*e))
		return 0;
	__atomic_fetch_add(&sm->events, 1, __ATOMIC_RELAXED);
	if (!sm->opts.on_event)
		return 0;
	v = (struct sysmon_event_view){
		.pid = e->pid, .tid = e->tid, .nr = e->nr, .name = syscall_name(e->nr),
		.ret = e->ret, .lat_ns = e->lat_ns, .args = (const uint64_t *)e->args,
		.comm = e->comm,
	};
	sm->opts.on_event(&v, sm->opts.on_event_arg);
	return 0;
}

static void configure(struct sysmon *sm)
{
	struct sysmon_bpf__rodata *ro = sm->skel->rodata;

	ro->filter_tgid = (__u32)sm->opts.pid;
	ro->skip_tgid = sm->opts.exclude_self ? (__u32)getpid() : 0;
	memcpy((char *)ro->filter_comm, sm->opts.comm, sizeof(ro->filter_comm));
	if (sm->opts.weight != SYSMON_EVENTS)
		bpf_map__set_max_entries(sm->skel->maps.events, SYSMON_SMALL_RINGBUF);
	pick_programs(sm);
	set_autoload(sm);
}

int sysmon_open(const struct sysmon_opts *opts, struct sysmon **out)
{
	struct sysmon *sm;
	int err;

	if (opts->weight >= SYSMON_WEIGHT_COUNT || opts->pid < 0)
		return -EINVAL;
	sm = calloc(1, sizeof(*sm));
	if (!sm)
		return -ENOMEM;
	sm->opts = *opts;
	sm->opts.comm[sizeof(sm->opts.comm) - 1] = '\0';
	sm->ncpus = libbpf_num_possible_cpus();
	sm->skel = sysmon_bpf__open();
	if (!sm->skel) {
		err = -errno;
		goto fail;
	}
	configure(sm);
	err = sysmon_bpf__load(sm->skel);
	if (err) {
		bc_err("loading the sysmon programs failed: %s", strerror(-err));
		goto fail;
	}
	if (opts->weight == SYSMON_EVENTS) {
		sm->rb = ring_buffer__new(bpf_map__fd(sm->skel->maps.events), on_ringbuf_event,
					  sm, NULL);
		if (!sm->rb) {
			err = -errno;
			goto fail;
		}
	}
	*out = sm;
	return 0;
fail:
	sysmon_close(sm);
	return err;
}

static void *drain_main(void *arg)
{
	struct sysmon *sm = arg;

	__atomic_store_n(&sm->skel->bss->skip_tid, (__u32)gettid(), __ATOMIC_RELEASE);
	while (!__atomic_load_n(&sm->drain_stop, __ATOMIC_ACQUIRE)) {
		int n = ring_buffer__consume(sm->rb);

		if (n < 0 && n != -EINTR)
			break;
		usleep(SYSMON_DRAIN_PERIOD_US);
	}
	ring_buffer__consume(sm->rb);	/* what arrived before the detach */
	__atomic_store_n(&sm->skel->bss->skip_tid, 0, __ATOMIC_RELEASE);
	return NULL;
}

static int start_drain(struct sysmon *sm)
{
	int err;

	if (!sm->rb || sm->draining)
		return 0;
	__atomic_store_n(&sm->drain_stop, 0, __ATOMIC_RELEASE);
	err = -pthread_create(&sm->drain, NULL, drain_main, sm);
	if (!err)
		sm->draining = true;
	return err;
}

static void stop_drain(struct sysmon *sm)
{
	if (!sm->draining)
		return;
	__atomic_store_n(&sm->drain_stop, 1, __ATOMIC_RELEASE);
	pthread_join(sm->drain, NULL);
	sm->draining = false;
}

int sysmon_attach(struct sysmon *sm)
{
	int err;

	if (sysmon_attached(sm))
		return 0;
	for (int i = 0; i < sm->nprogs; i++) {
		sm->links[i] = bpf_program__attach(sm->progs[i]);
		if (!sm->links[i]) {
			err = -errno;
			bc_err("attaching %s failed: %s", bpf_program__name(sm->progs[i]),
			       strerror(-err));
			goto fail;
		}
	}
	err = start_drain(sm);
	if (err)
		goto fail;
	return 0;
fail:
	sysmon_detach(sm);
	return err;
}

void sysmon_detach(struct sysmon *sm)
{
	for (int i = 0; i < sm->nprogs; i++) {
		bpf_link__destroy(sm->links[i]);
		sm->links[i] = NULL;
	}
	stop_drain(sm);
}

bool sysmon_attached(const struct sysmon *sm)
{
	return sm->nprogs && sm->links[0];
}

int sysmon_drain_cpu_ns(const struct sysmon *sm, uint64_t *ns)
{
	struct timespec ts;
	clockid_t clk;
	int err;

	if (!sm->draining)
		return -ENOENT;
	err = pthread_getcpuclockid(sm->drain, &clk);
	if (err)
		return -err;
	if (clock_gettime(clk, &ts))
		return -errno;
	*ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	return 0;
}

int sysmon_prog_ids(const struct sysmon *sm, uint32_t *ids, int max)
{
	int n = 0;

	for (int i = 0; i < sm->nprogs && n < max; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (bpf_obj_get_info_by_fd(bpf_program__fd(sm->progs[i]), &info, &len))
			return -errno;
		ids[n++] = info.id;
	}
	return n;
}

/* Sum of a per-CPU u64 slot. */
static int percpu_sum(int map_fd, __u32 key, int ncpus, uint64_t *sum)
{
	uint64_t vals[ncpus];

	if (bpf_map_lookup_elem(map_fd, &key, vals))
		return -errno;
	*sum = 0;
	for (int c = 0; c < ncpus; c++)
		*sum += vals[c];
	return 0;
}

static int cmp_sys(const void *a, const void *b)
{
	const struct sysmon_top_sys *x = a, *y = b;

	return (x->count < y->count) - (x->count > y->count);
}

static int cmp_proc(const void *a, const void *b)
{
	const struct sysmon_top_proc *x = a, *y = b;

	return (x->calls < y->calls) - (x->calls > y->calls);
}

static int read_syscalls(struct sysmon *sm, struct sysmon_summary *s)
{
	int fd = bpf_map__fd(sm->skel->maps.syscall_counts), err;
	struct sysmon_top_sys all[SYSMON_MAX_SYSCALLS];
	int n = 0;

	for (__u32 nr = 0; nr < SYSMON_MAX_SYSCALLS; nr++) {
		uint64_t c;

		err = percpu_sum(fd, nr, sm->ncpus, &c);
		if (err)
			return err;
		if (!c)
			continue;
		s->syscalls += c;
		all[n++] = (struct sysmon_top_sys){ .nr = nr, .name = syscall_name(nr), .count = c };
	}
	qsort(all, (size_t)n, sizeof(all[0]), cmp_sys);
	s->ntop_sys = n < SYSMON_TOP ? n : SYSMON_TOP;
	memcpy(s->top_sys, all, (size_t)s->ntop_sys * sizeof(all[0]));
	return 0;
}

/* Keep the SYSMON_TOP busiest processes: insertion into a short sorted list. */
static void top_proc_insert(struct sysmon_summary *s, const struct sysmon_top_proc *p)
{
	int n = s->ntop_proc;

	if (n == SYSMON_TOP && p->calls <= s->top_proc[n - 1].calls)
		return;
	if (n < SYSMON_TOP)
		s->ntop_proc++;
	s->top_proc[s->ntop_proc - 1] = *p;
	qsort(s->top_proc, (size_t)s->ntop_proc, sizeof(*p), cmp_proc);
}

static int read_procs(struct sysmon *sm, struct sysmon_summary *s)
{
	int fd = bpf_map__fd(sm->skel->maps.procs);
	__u32 key, next, *prev = NULL;
	struct sysmon_proc_val v;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &v))
			continue;	/* evicted meanwhile */
		struct sysmon_top_proc p = { .pid = key, .calls = v.calls, .time_ns = v.time_ns };

		memcpy(p.comm, v.comm, sizeof(p.comm));
		p.comm[sizeof(p.comm) - 1] = '\0';
		top_proc_insert(s, &p);
	}
	return errno == ENOENT ? 0 : -errno;
}

int sysmon_read_summary(struct sysmon *sm, struct sysmon_summary *s)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->weight = sm->opts.weight;
	s->events = __atomic_load_n(&sm->events, __ATOMIC_RELAXED);
	err = percpu_sum(bpf_map__fd(sm->skel->maps.lost), 0, sm->ncpus, &s->lost);
	if (!err)
		err = read_syscalls(sm, s);
	if (!err && sm->opts.weight != SYSMON_COUNT)
		err = read_procs(sm, s);
	return err;
}

static int clear_percpu(int fd, __u32 nkeys, int ncpus)
{
	uint64_t zero[ncpus];

	memset(zero, 0, sizeof(zero));
	for (__u32 k = 0; k < nkeys; k++)
		if (bpf_map_update_elem(fd, &k, zero, BPF_ANY))
			return -errno;
	return 0;
}

static void clear_hash(int fd)
{
	__u32 key;

	while (!bpf_map_get_next_key(fd, NULL, &key))
		if (bpf_map_delete_elem(fd, &key))
			break;
}

int sysmon_reset(struct sysmon *sm)
{
	int err;

	err = clear_percpu(bpf_map__fd(sm->skel->maps.syscall_counts), SYSMON_MAX_SYSCALLS,
			   sm->ncpus);
	if (!err)
		err = clear_percpu(bpf_map__fd(sm->skel->maps.lost), 1, sm->ncpus);
	if (err)
		return err;
	clear_hash(bpf_map__fd(sm->skel->maps.procs));
	__atomic_store_n(&sm->events, 0, __ATOMIC_RELAXED);
	return 0;
}

void sysmon_close(struct sysmon *sm)
{
	if (!sm)
		return;
	sysmon_detach(sm);
	ring_buffer__free(sm->rb);
	sysmon_bpf__destroy(sm->skel);
	free(sm);
}
