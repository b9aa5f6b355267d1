/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Sets of CPU ids, and the three sets every CPU choice must respect:
 * possible (ids the kernel may ever bring up: BPF per-CPU maps hold one
 * value per possible CPU), online (where programs run and perf events can
 * be opened now) and allowed (sched_getaffinity: this process's cpuset and
 * affinity, where our own threads may run). Nothing here assumes the ids
 * are 0..n-1: a container pinned to CPUs 2-3, or a machine with CPU 1
 * offline, has holes. */
#ifndef BPFCOST_CPUMASK_H
#define BPFCOST_CPUMASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Ids 0..CPUMASK_MAX-1: the largest NR_CPUS a kernel is built with (x86
 * CONFIG_MAXSMP). */
#define CPUMASK_MAX 8192
/* A buffer that holds any mask in list format (worst case: every other
 * id, "0,2,4,...,8190"), with its NUL. */
#define CPUMASK_LIST_MAX (CPUMASK_MAX / 2 * 5 + 1)

struct cpumask {
	uint64_t w[CPUMASK_MAX / 64];	/* bit i of w[i / 64]: CPU i */
};

/* The kernel's CPU list format, as sysfs and cgroup files write it:
 * comma-separated ids and ranges "A-B" (A <= B), decimal without sign or
 * leading zeros, one optional trailing newline: "0-3,5\n". "" and "\n" are
 * the empty set (/sys/devices/system/cpu/offline with no CPU offline).
 * Pure: no I/O, no message. -EINVAL for anything else, -ERANGE for an id
 * >= CPUMASK_MAX; *m is then empty. */
int cpumask_parse(const char *s, struct cpumask *m);
/* m in the same format, without newline ("" for the empty set), always
 * NUL-terminated. 0, or -ENOSPC when it did not fit: the text is then cut
 * at an item boundary and ends in "..." (when len >= 4). */
int cpumask_format(const struct cpumask *m, char *buf, size_t len);

void cpumask_clear(struct cpumask *m);
/* Ids outside 0..CPUMASK_MAX-1 are never members and are ignored. */
void cpumask_set(struct cpumask *m, int cpu);
bool cpumask_test(const struct cpumask *m, int cpu);
int cpumask_count(const struct cpumask *m);
/* The first member >= from, or -1. */
int cpumask_next(const struct cpumask *m, int from);
/* The highest member, or -1 for the empty set. */
int cpumask_last(const struct cpumask *m);
void cpumask_and(struct cpumask *dst, const struct cpumask *a, const struct cpumask *b);
bool cpumask_equal(const struct cpumask *a, const struct cpumask *b);

/* The machine's sets, read at one moment (CPUs can go on- and offline
 * while we run: read again rather than keep them). */
struct cpu_sets {
	struct cpumask possible;	/* /sys/devices/system/cpu/possible */
	struct cpumask online;		/* /sys/devices/system/cpu/online */
	struct cpumask allowed;		/* sched_getaffinity(0) */
	struct cpumask usable;		/* online & allowed: where our threads can run */
};

/* Read the sets. On failure a one-line error names the file or call, and
 * a negative errno is returned (-ENODEV when no CPU is usable). */
int cpus_read(struct cpu_sets *c);
/* 0 when cpu is usable; else a one-line error saying why, the first that
 * applies: "CPU 7 does not exist (possible: 0-3)", "CPU 1 is offline
 * (online: 0,2-3)", "CPU 3 is not in this process's CPU set (allowed:
 * 1)"; -EINVAL. what names the option ("--cpu"). */
int cpus_check_usable(const struct cpu_sets *c, const char *what, int cpu);
/* The usable CPU that comes k places after start in the usable set,
 * cycling (k = 0: start itself, which must be usable). -1 for an empty set. */
int cpus_usable_nth(const struct cpu_sets *c, int start, int k);

/* The possible and online sets alone (non-empty), with a one-line error
 * and a negative errno on failure. */
int cpus_possible(struct cpumask *m);
int cpus_online(struct cpumask *m);
/* Values a BPF per-CPU map lookup copies out: one per possible CPU
 * (libbpf_num_possible_cpus() agrees). Negative errno after a one-line
 * error. */
int cpus_possible_count(void);
/* The highest possible id + 1 (the kernel's nr_cpu_ids): the size of an
 * array indexed by CPU id, such as bpf_get_smp_processor_id() or
 * bpf_map_lookup_percpu_elem() take. Equal to cpus_possible_count() unless
 * the possible set has holes. Negative errno after a one-line error. */
int cpus_possible_ids(void);
/* Online CPUs: the "all CPUs" that a share of the machine divides by
 * (BPF programs run on every online CPU, whatever our own cpuset).
 * Negative errno after a one-line error. */
int cpus_online_count(void);
/* The lowest online CPU, for events that need one CPU (a tracepoint perf
 * event carrying a kprobe's program, a feature trial); -errno. */
int cpus_first_online(void);

#endif
