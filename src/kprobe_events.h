/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Kprobe events through tracefs kprobe_events: the one way to set a
 * kretprobe's maxactive (libbpf cannot). Events are named
 * bpfcost_<pid>_<suffix> in the "kprobes" group, so a leftover is easy to
 * spot and never collides with another process. Every event and a mount
 * of ours is recorded in the ledger (ledger.h) before it is made, and
 * removed through it: kpe_close removes every event we created and unmounts
 * tracefs if we mounted it; after a crash, the next bpfcost start does. */
#ifndef BPFCOST_KPROBE_EVENTS_H
#define BPFCOST_KPROBE_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The syscall wrapper's most: enter and exit pairs plus a body pair for each
 * of 16 syscalls (per-syscall bodies), and one for a trial. */
#define KPE_MAX 40

struct kpe {
	char dir[256];		/* tracefs mount point */
	int mount_id;		/* ledger entry of our mount of it, or -1 */
	int pid;
	int n;
	char names[KPE_MAX][48];
	int ids[KPE_MAX];	/* their ledger entries */
};

/* The first mounted tracefs in /proc/mounts; never mounts one. -ENOENT
 * when none is mounted. */
int kpe_find_tracefs(char *dir, size_t len);
/* One /proc/mounts line: 0 with its mount point in dir when its file system
 * type is tracefs; -ENOENT for any other line; -ENAMETOOLONG when the mount
 * point does not fit in len. Pure parsing (fuzzed: tests/fuzz). */
int kpe_mounts_line_tracefs(const char *line, char *dir, size_t len);
/* Find tracefs (or mount it at /sys/kernel/tracing) and check that
 * kprobe_events exists. */
int kpe_open(struct kpe *k);
/* Create "p:" (ret = false) or "r[maxactive]:" event on func; maxactive 0
 * leaves the kernel default. Returns the event's perf tracepoint id in *id. */
int kpe_add(struct kpe *k, bool ret, int maxactive, const char *suffix, const char *func,
	    int *id);
/* Can a kprobe be put on func? Creates and deletes a trial event. */
int kpe_try(struct kpe *k, const char *func);
/* Hits and misses of our event from kprobe_profile. For a kretprobe the
 * misses include returns lost for want of a free instance (maxactive). */
int kpe_profile(const struct kpe *k, const char *suffix, uint64_t *hits, uint64_t *missed);
/* One kprobe_profile line "  EVENT  HITS  MISSES": 0 with the two counts
 * when EVENT is event; -ENOENT for another event; -EINVAL when the line is
 * not of that form. Pure parsing (fuzzed: tests/fuzz). */
int kpe_profile_line(const char *line, const char *event, uint64_t *hits, uint64_t *missed);
/* Remove every event we created; unmount if we mounted. Safe to repeat. */
void kpe_close(struct kpe *k);

#endif
