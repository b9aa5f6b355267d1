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
	void *arg;
};

struct smp_cpu {
	int cpu;
	int fd;
	void *ring;		/* mmap: header page + data pages */
	size_t ring_len;
};

struct smp_session {
	struct smp_cpu *cpus;
	int ncpu;
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
/* Read every record the rings hold now. */
void smp_drain(struct smp_session *s, const struct smp_callbacks *cb);
/* Disable, unmap and close everything (safe on a zeroed or closed session). */
void smp_close(struct smp_session *s);

/* Exposed for unit tests: copy len bytes at logical offset off out of a
 * ring of size data_size (a power of two), handling wrap-around. */
void smp_ring_copy(const uint8_t *data, uint64_t data_size, uint64_t off, void *dst, size_t len);

#endif
