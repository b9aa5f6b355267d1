/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The reference syscall monitor: the subject bpfcost measures. Programs on
 * raw_syscalls sys_enter/sys_exit at three weights whose costs differ on
 * purpose. Usable in-process (attach/detach between rounds) by other
 * commands, and as `bpfcost sysmon` in its own process. */
#ifndef BPFCOST_SYSMON_H
#define BPFCOST_SYSMON_H

#include <stdbool.h>
#include <stdint.h>

enum sysmon_weight {
	SYSMON_COUNT,	/* per-syscall counters in a per-CPU array (sys_enter only) */
	SYSMON_PROC,	/* per-process calls and in-syscall time in a hash map */
	SYSMON_EVENTS,	/* full event stream to a ring buffer, drained here */
	SYSMON_WEIGHT_COUNT,
};

const char *sysmon_weight_name(enum sysmon_weight w);
/* "count" | "proc" | "events"; otherwise a one-line error and -EINVAL. */
int sysmon_weight_parse(const char *s, enum sysmon_weight *w);

struct sysmon_event_view {
	uint32_t pid, tid, nr;
	const char *name;	/* syscall name, NULL if unknown */
	int64_t ret;
	uint64_t lat_ns;
	const uint64_t *args;	/* 6 raw argument registers */
	const char *comm;
};

struct sysmon_opts {
	enum sysmon_weight weight;
	int pid;		/* only this tgid; 0 = all */
	char comm[16];		/* only this comm; "" = all */
	/* The standalone monitor leaves out its own syscalls (its ring-buffer
	 * drain would feed itself). In-process users, measuring a workload in
	 * their own threads, keep them: leave this false. */
	bool exclude_self;
	/* events weight: called for every drained event, on the drain thread. */
	void (*on_event)(const struct sysmon_event_view *ev, void *arg);
	void *on_event_arg;
};

#define SYSMON_TOP 10

struct sysmon_top_sys {
	uint32_t nr;
	const char *name;	/* static string, "sys_<nr>" style if unknown */
	uint64_t count;
};

struct sysmon_top_proc {
	uint32_t pid;
	char comm[16];
	uint64_t calls;
	uint64_t time_ns;	/* in-syscall time (proc, events); 0 for count */
};

struct sysmon_summary {
	enum sysmon_weight weight;
	uint64_t syscalls;		/* all syscalls seen */
	uint64_t events;		/* events drained (events weight) */
	uint64_t lost;			/* events dropped: ring buffer full */
	int ntop_sys, ntop_proc;
	struct sysmon_top_sys top_sys[SYSMON_TOP];
	struct sysmon_top_proc top_proc[SYSMON_TOP];
};

struct sysmon;

/* Open and load (not attached). At the events weight, attaching also starts
 * a thread that drains the ring buffer, as a real agent would; detaching
 * stops it after a last drain. */
int sysmon_open(const struct sysmon_opts *opts, struct sysmon **out);
int sysmon_attach(struct sysmon *sm);
void sysmon_detach(struct sysmon *sm);
bool sysmon_attached(const struct sysmon *sm);
/* CPU time (user + system, ns) the ring-buffer drain thread has used since
 * the last attach started it, from its CLOCK_THREAD_CPUTIME_ID clock: the
 * monitor's only user-space work while attached. -ENOENT when no drain
 * thread runs (not attached, or a weight without a ring buffer). */
int sysmon_drain_cpu_ns(const struct sysmon *sm, uint64_t *ns);
/* Kernel ids of the loaded programs of this weight. Returns the count. */
int sysmon_prog_ids(const struct sysmon *sm, uint32_t *ids, int max);
int sysmon_read_summary(struct sysmon *sm, struct sysmon_summary *s);
/* Zero the counters (between measurement rounds). */
int sysmon_reset(struct sysmon *sm);
void sysmon_close(struct sysmon *sm);

#endif
