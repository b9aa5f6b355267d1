/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Kernel-side sampling on every online CPU through perf_event_open and
 * per-CPU mmap rings. Collection only: samples are handed to callbacks as
 * they are drained; nothing here formats or attributes them. */
#ifndef BPFCOST_SAMPLE_H
#define BPFCOST_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum smp_event {
	SMP_EVENT_AUTO,		/* cycles when the PMU has them, else cpu-clock */
	SMP_EVENT_CPU_CLOCK,
	SMP_EVENT_CYCLES,
};

#define SMP_FREQ_MIN 1
#define SMP_FREQ_MAX 100000
/* Frames kept per sample: enough to climb from a helper's inner
 * functions back to the BPF program that called it. */
#define SMP_MAX_STACK 32

struct smp_callbacks {
	/* One kernel sample: ip, cpu, period (ns for cpu-clock, cycles for
	 * cycles) and the kernel call chain (return addresses, innermost
	 * first; context markers removed; the ip itself left out). */
	void (*sample)(void *arg, uint64_t ip, uint32_t cpu, uint64_t period,
		       const uint64_t *chain, uint32_t nchain);
	/* PERF_RECORD_BPF_EVENT: load (true) or unload of program id. */
	void (*bpf_event)(void *arg, bool load, uint32_t id);
	/* PERF_RECORD_KSYMBOL of BPF code: [addr, addr + len) named name
	 * ("bpf_prog_<tag>_<name>") registered, or unregistered. The kernel
	 * emits them around the BPF_EVENT of a load and of an unload. */
	void (*ksymbol)(void *arg, uint64_t addr, uint32_t len, bool unregister, const char *name);
	void *arg;
};

struct smp_cpu {
	int cpu;
	int fd;
	void *ring;		/* mmap: header page + data pages */
	size_t ring_len;
};

/* One record copied out of a ring, to be handed on in time order. */
struct smp_rec {
	uint64_t time;		/* perf clock of the record */
	uint64_t seq;		/* order read, to keep it for equal times */
	size_t off;		/* in smp_session.buf */
	uint16_t len;
};

struct smp_session {
	struct smp_cpu *cpus;
	int ncpu;
	/* Records of one drain, every CPU's ring, sorted by time before they
	 * are handed on: a program's unload on one CPU must be seen before the
	 * samples another CPU took after it (in memory the JIT gave a new
	 * program), and its load before its samples. */
	uint8_t *buf;
	size_t buflen, bufcap;
	struct smp_rec *recs;
	size_t nrecs, reccap;
	enum smp_event event;	/* resolved: CPU_CLOCK or CYCLES */
	unsigned freq;
	uint64_t lost;		/* samples the kernel dropped (ring full) */
	uint64_t samples;	/* sample records read */
	uint64_t records;	/* all records read */
	uint64_t throttled;	/* PERF_RECORD_THROTTLE seen */
};

const char *smp_event_name(enum smp_event e);
/* "auto" | "cpu-clock" | "cycles"; else one-line error and -EINVAL. */
int smp_event_parse(const char *s, enum smp_event *e);

/* Open and enable a sampling event on every online CPU. event must be
 * resolved (not AUTO). On error (said in one line on stderr) everything
 * opened so far is closed. */
int smp_open(struct smp_session *s, enum smp_event event, unsigned freq);
/* Why smp_open failed with err at freq, in words for a message: names
 * kernel.perf_event_max_sample_rate when freq is above it. */
void smp_open_why(int err, unsigned freq, char *buf, size_t len);
/* Read every record the rings hold now, all CPUs merged in time order. */
void smp_drain(struct smp_session *s, const struct smp_callbacks *cb);
/* Disable, unmap and close everything (safe on a zeroed or closed session). */
void smp_close(struct smp_session *s);

/* Exposed for unit tests: copy len bytes at logical offset off out of a
 * ring of size data_size (a power of two), handling wrap-around. */
void smp_ring_copy(const uint8_t *data, uint64_t data_size, uint64_t off, void *dst, size_t len);
/* The perf clock time of one record (header included) as we open the
 * events: a sample's own field, else the sample_id after the body
 * (sample_id_all); 0 when the record is too short to hold one. */
uint64_t smp_record_time(const uint8_t *rec, size_t len);
/* Sort recs[0..n) by time, keeping read order for equal times. */
void smp_sort_records(struct smp_rec *recs, size_t n);

#endif
