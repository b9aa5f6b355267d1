// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Per-CPU kernel sampling with perf_event_open and mmap rings. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include "common.h"
#include "cpumask.h"
#include "sample.h"

#define MAX_SAMPLE_RATE "/proc/sys/kernel/perf_event_max_sample_rate"

/* 64 data pages per CPU: 256 KiB holds ~1500 samples with call chains,
 * 0.4 s at 4 kHz, while we drain every 50 ms. */
#define SMP_DATA_PAGES 64

const char *smp_event_name(enum smp_event e)
{
	switch (e) {
	case SMP_EVENT_AUTO:
		return "auto";
	case SMP_EVENT_CPU_CLOCK:
		return "cpu-clock";
	case SMP_EVENT_CYCLES:
		return "cycles";
	}
	return "?";
}

int smp_event_parse(const char *s, enum smp_event *e)
{
	if (!strcmp(s, "auto"))
		*e = SMP_EVENT_AUTO;
	else if (!strcmp(s, "cpu-clock"))
		*e = SMP_EVENT_CPU_CLOCK;
	else if (!strcmp(s, "cycles"))
		*e = SMP_EVENT_CYCLES;
	else {
		bc_err("unknown --event '%s' (expected auto, cpu-clock or cycles)", s);
		return -EINVAL;
	}
	return 0;
}

static void attr_init(struct perf_event_attr *a, enum smp_event event, unsigned freq)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	if (event == SMP_EVENT_CYCLES) {
		a->type = PERF_TYPE_HARDWARE;
		a->config = PERF_COUNT_HW_CPU_CYCLES;
	} else {
		a->type = PERF_TYPE_SOFTWARE;
		a->config = PERF_COUNT_SW_CPU_CLOCK;
	}
	a->freq = 1;
	a->sample_freq = freq;
	/* The call chain attributes time spent in helpers to the program
	 * that called them, as run-time stats do. The time, on samples and
	 * (sample_id_all) on the side-band records, puts the records of every
	 * CPU in one order. */
	a->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU |
			 PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN;
	a->sample_id_all = 1;
	a->exclude_callchain_user = 1;
	a->sample_max_stack = SMP_MAX_STACK;
	a->exclude_user = 1;	/* BPF runs in the kernel; user samples are noise */
	a->exclude_hv = 1;
	a->disabled = 1;
	/* Side-band records: programs loaded or unloaded during the run. */
	a->ksymbol = 1;
	a->bpf_event = 1;
	a->wakeup_events = 0;
}

static int cpu_open(struct smp_cpu *c, struct perf_event_attr *attr)
{
	long page = sysconf(_SC_PAGESIZE);

	c->fd = bc_perf_event_open(attr, -1, c->cpu);
	if (c->fd < 0)
		return c->fd;
	c->ring_len = (size_t)page * (1 + SMP_DATA_PAGES);
	c->ring = mmap(NULL, c->ring_len, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (c->ring == MAP_FAILED) {
		int err = -errno;

		c->ring = NULL;
		return err;
	}
	return 0;
}

void smp_open_why(int err, unsigned freq, char *buf, size_t len)
{
	int max;

	/* perf_event_open's EINVAL says nothing; a frequency above the limit
	 * (which the kernel lowers by itself when samples take too long) is
	 * the usual cause. */
	if (err == -EINVAL && !bc_read_int(MAX_SAMPLE_RATE, &max) && max >= 0 &&
	    freq > (unsigned)max)
		snprintf(buf, len, "sampling at %u Hz is above kernel.perf_event_max_sample_rate "
			 "(%d)", freq, max);
	else
		snprintf(buf, len, "%s", strerror(-err));
}

/* Every online CPU: BPF programs run wherever the kernel runs them, not
 * only in our own cpuset. */
int smp_open(struct smp_session *s, enum smp_event event, unsigned freq)
{
	struct perf_event_attr attr;
	struct cpumask online;
	int n, i, cpu, err;

	memset(s, 0, sizeof(*s));
	err = cpus_online(&online);
	if (err)
		return err;
	n = cpumask_count(&online);
	s->cpus = calloc((size_t)n, sizeof(*s->cpus));
	if (!s->cpus)
		return -ENOMEM;
	s->event = event;
	s->freq = freq;
	attr_init(&attr, event, freq);
	for (i = 0, cpu = cpumask_next(&online, 0); cpu >= 0;
	     i++, cpu = cpumask_next(&online, cpu + 1)) {
		s->cpus[i] = (struct smp_cpu){ .cpu = cpu, .fd = -1 };
		s->ncpu = i + 1;
		err = cpu_open(&s->cpus[i], &attr);
		if (err) {
			char why[160];

			smp_open_why(err, freq, why, sizeof(why));
			bc_err("perf_event_open %s sampling on CPU %d: %s", smp_event_name(event),
			       cpu, why);
			smp_close(s);
			return err;
		}
	}
	/* Enable only once every CPU is open, so all start together. */
	for (i = 0; i < s->ncpu; i++)
		ioctl(s->cpus[i].fd, PERF_EVENT_IOC_ENABLE, 0);
	return 0;
}

void smp_ring_copy(const uint8_t *data, uint64_t data_size, uint64_t off, void *dst, size_t len)
{
	uint64_t pos = off & (data_size - 1);
	size_t first = len;

	if (pos + len > data_size)
		first = (size_t)(data_size - pos);
	memcpy(dst, data + pos, first);
	if (first < len)
		memcpy((uint8_t *)dst + first, data, len - first);
}

/* PERF_RECORD_SAMPLE for the sample_type attr_init sets, in its order. */
struct smp_sample_rec {
	uint64_t ip;
	uint32_t pid, tid;
	uint64_t time;
	uint32_t cpu, res;
	uint64_t period;
	uint64_t nr;		/* call chain: nr entries follow */
};

/* What sample_id_all appends to every other record: TID, TIME, CPU. */
struct smp_sample_id {
	uint32_t pid, tid;
	uint64_t time;
	uint32_t cpu, res;
};

struct smp_bpf_rec {
	uint16_t type, flags;
	uint32_t id;
};

struct smp_ksym_rec {
	uint64_t addr;
	uint32_t len;
	uint16_t ksym_type, flags;
	/* NUL-terminated name follows, padded to 8 bytes */
};

uint64_t smp_record_time(const uint8_t *rec, size_t len)
{
	const struct perf_event_header *h = (const void *)rec;
	size_t at;
	uint64_t t;

	if (len < sizeof(*h))
		return 0;
	if (h->type == PERF_RECORD_SAMPLE)
		at = sizeof(*h) + offsetof(struct smp_sample_rec, time);
	else if (len >= sizeof(*h) + sizeof(struct smp_sample_id))
		at = len - sizeof(struct smp_sample_id) + offsetof(struct smp_sample_id, time);
	else
		return 0;
	if (at + sizeof(t) > len)
		return 0;
	memcpy(&t, rec + at, sizeof(t));
	return t;
}

static void handle_ksymbol(const uint8_t *body, size_t blen, const struct smp_callbacks *cb)
{
	const struct smp_ksym_rec *r = (const void *)body;
	size_t room;
	char name[256];

	if (!cb->ksymbol || blen < sizeof(*r) + sizeof(struct smp_sample_id) ||
	    r->ksym_type != PERF_RECORD_KSYMBOL_TYPE_BPF)
		return;
	room = blen - sizeof(*r) - sizeof(struct smp_sample_id);
	if (room >= sizeof(name))
		room = sizeof(name) - 1;
	memcpy(name, body + sizeof(*r), room);
	name[room] = '\0';
	cb->ksymbol(cb->arg, r->addr, r->len, r->flags & PERF_RECORD_KSYMBOL_FLAGS_UNREGISTER, name);
}

static void handle_record(struct smp_session *s, const struct perf_event_header *h,
			  const uint8_t *body, const struct smp_callbacks *cb)
{
	size_t blen = h->size - sizeof(*h);

	if (h->type == PERF_RECORD_SAMPLE && blen >= sizeof(struct smp_sample_rec)) {
		const struct smp_sample_rec *r = (const void *)body;
		const uint64_t *ips = (const uint64_t *)(body + sizeof(*r));
		uint64_t chain[SMP_MAX_STACK];
		uint32_t n = 0;
		uint64_t i;

		s->samples++;
		for (i = 0; i < r->nr && sizeof(*r) + (i + 1) * 8 <= blen; i++) {
			if (ips[i] >= PERF_CONTEXT_MAX)
				continue;	/* PERF_CONTEXT_KERNEL and friends */
			if (i < 2 && ips[i] == r->ip)
				continue;	/* the chain starts with the ip */
			if (n < SMP_MAX_STACK)
				chain[n++] = ips[i];
		}
		if (cb->sample)
			cb->sample(cb->arg, r->ip, r->cpu, r->period, chain, n);
	} else if (h->type == PERF_RECORD_LOST && blen >= 16) {
		uint64_t lost;

		memcpy(&lost, body + 8, sizeof(lost));
		s->lost += lost;
	} else if (h->type == PERF_RECORD_THROTTLE) {
		s->throttled++;
	} else if (h->type == PERF_RECORD_BPF_EVENT && blen >= sizeof(struct smp_bpf_rec)) {
		const struct smp_bpf_rec *r = (const void *)body;

		if (cb->bpf_event && (r->type == PERF_BPF_EVENT_PROG_LOAD ||
				      r->type == PERF_BPF_EVENT_PROG_UNLOAD))
			cb->bpf_event(cb->arg, r->type == PERF_BPF_EVENT_PROG_LOAD, r->id);
	} else if (h->type == PERF_RECORD_KSYMBOL) {
		handle_ksymbol(body, blen, cb);
	}
}

static int rec_cmp(const void *a, const void *b)
{
	const struct smp_rec *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

void smp_sort_records(struct smp_rec *recs, size_t n)
{
	if (n > 1)	/* qsort's array may not be NULL, even for n = 0 */
		qsort(recs, n, sizeof(*recs), rec_cmp);
}

/* Room for one more record of len bytes in the drain's buffer. */
static int rec_reserve(struct smp_session *s, size_t len)
{
	if (s->buflen + len > s->bufcap) {
		size_t cap = s->bufcap ? s->bufcap : 64 * 1024;
		uint8_t *b;

		while (cap < s->buflen + len)
			cap *= 2;
		b = realloc(s->buf, cap);
		if (!b)
			return -ENOMEM;
		s->buf = b;
		s->bufcap = cap;
	}
	if (s->nrecs == s->reccap) {
		size_t cap = s->reccap ? s->reccap * 2 : 1024;
		struct smp_rec *r = realloc(s->recs, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		s->recs = r;
		s->reccap = cap;
	}
	return 0;
}

/* Copy one CPU's records out (they can straddle the end of the ring) and
 * free their room in it. Out of memory, the rest stays in the ring for the
 * next drain. */
static void cpu_collect(struct smp_session *s, struct smp_cpu *c)
{
	struct perf_event_mmap_page *meta = c->ring;
	uint64_t size = meta->data_size, head, tail = meta->data_tail;
	const uint8_t *data = (const uint8_t *)c->ring + meta->data_offset;

	head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
	while (tail + sizeof(struct perf_event_header) <= head) {
		struct perf_event_header h;
		struct smp_rec *r;

		smp_ring_copy(data, size, tail, &h, sizeof(h));
		if (h.size < sizeof(h) || tail + h.size > head)
			break;	/* torn or bogus: stop; the tail stays consistent */
		if (rec_reserve(s, h.size))
			break;
		r = &s->recs[s->nrecs++];
		*r = (struct smp_rec){ .seq = s->records++, .off = s->buflen, .len = h.size };
		smp_ring_copy(data, size, tail, s->buf + s->buflen, h.size);
		r->time = smp_record_time(s->buf + s->buflen, h.size);
		s->buflen += h.size;
		tail += h.size;
	}
	__atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
}

void smp_drain(struct smp_session *s, const struct smp_callbacks *cb)
{
	size_t k;
	int i;

	s->buflen = s->nrecs = 0;
	for (i = 0; i < s->ncpu; i++)
		if (s->cpus[i].ring)
			cpu_collect(s, &s->cpus[i]);
	smp_sort_records(s->recs, s->nrecs);
	for (k = 0; k < s->nrecs; k++) {
		const uint8_t *rec = s->buf + s->recs[k].off;

		handle_record(s, (const struct perf_event_header *)rec,
			      rec + sizeof(struct perf_event_header), cb);
	}
}

void smp_close(struct smp_session *s)
{
	int i;

	for (i = 0; i < s->ncpu; i++) {
		struct smp_cpu *c = &s->cpus[i];

		if (c->fd >= 0)
			ioctl(c->fd, PERF_EVENT_IOC_DISABLE, 0);
		if (c->ring)
			munmap(c->ring, c->ring_len);
		if (c->fd >= 0)
			close(c->fd);
		c->ring = NULL;
		c->fd = -1;
	}
	free(s->cpus);
	free(s->buf);
	free(s->recs);
	s->cpus = NULL;
	s->buf = NULL;
	s->recs = NULL;
	s->buflen = s->bufcap = s->nrecs = s->reccap = 0;
	s->ncpu = 0;
}
