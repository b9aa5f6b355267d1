/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Who holds each BPF program: the processes with a program fd, a link fd
 * (the link's program) or a perf-event fd with a program attached, and the
 * bpffs pins (a pinned program, or a pinned link's program).
 *
 * Two ways to find the processes, chosen by trying, like the stats reader:
 *   - iter: a BPF iter/task_file iterator (src/bpf/owners.bpf.c) reads
 *     every process's files in one read(); its trial (FEAT_OWNER_ITER,
 *     which doctor lists) loads it, reads it, and checks that it finds our
 *     own iterator's program and link fds;
 *   - proc: /proc/PID/fd and fdinfo (program and link fds name their
 *     program's id there) and BPF_TASK_FD_QUERY for perf-event fds (their
 *     fdinfo does not show the program). It cannot name a perf_event-type
 *     program attached to a perf event with the ioctl (the kernel refuses
 *     them in bpf_get_perf_event_info); those are counted, not named.
 * A scan is one pass over the processes and the pins, kept until the next
 * scan: commands that refresh (stats, top, the exporter) scan once per
 * pass and look every program up in it. */
#ifndef BPFCOST_OWNERS_H
#define BPFCOST_OWNERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include <linux/types.h>
#include "bpf/owners_rec.h"
#include "progs.h"

struct bc_ctx;
struct owners_bpf;
struct bpf_link;

struct owner_ref {
	uint32_t prog_id;		/* first, as in owner_pin: owners.c searches both */
	int32_t pid;
	uint32_t via;			/* enum owner_via bits */
	char comm[OWNERS_COMM_LEN];
};

struct owner_pin {
	uint32_t prog_id;		/* first */
	char path[PROG_OWNER_PIN_LEN];
};

struct owners {
	bool iter;			/* the iterator, else /proc */
	struct owners_bpf *skel;
	struct bpf_link *link;
	uint32_t self_prog_id;		/* our iterator program */
	unsigned char *buf;		/* iterator read buffer */
	size_t buf_cap;
	struct owner_ref *refs;		/* sorted by prog_id, pid; one per pair */
	size_t n, cap;
	struct owner_pin *pins;		/* sorted by prog_id */
	size_t npins, pins_cap;
	uint64_t perf_unnamed;		/* proc: perf events whose program it cannot name */
};

/* try_iter: run the iterator's trial (recorded in ctx as FEAT_OWNER_ITER)
 * and use the iterator when it passes, else /proc, saying why on stderr.
 * Without try_iter, /proc (a one-off scan: loading the iterator costs more
 * than it saves; ctx may then be NULL). 0 or -ENOMEM. */
int owners_open(struct bc_ctx *ctx, struct owners *o, bool try_iter);
/* One scan: every process's holds and every pin, replacing the last.
 * Our own process is left out (its only holds are our iterators). */
int owners_scan(struct owners *o);
/* The owners of one program as the last scan saw them. */
void owners_lookup(const struct owners *o, uint32_t prog_id, struct prog_owners *out);
/* "iter" or "proc". */
const char *owners_via_name(const struct owners *o);
/* Safe on a zeroed or closed struct. */
void owners_close(struct owners *o);
/* Register the iterator's trial (FEAT_OWNER_ITER) with the feature layer. */
void owners_feature_provide(void);

/* One BPF fd of a process, as /proc shows it: via (one enum owner_via
 * bit), the program (0 for a perf event whose perf_event-type program
 * BPF_TASK_FD_QUERY will not name) and, for a link, its id. Perf events
 * without a program are not reported. */
struct owner_fd {
	uint32_t via;
	uint32_t prog_id;
	uint32_t link_id;
};
/* A non-zero return stops the walk and is returned. */
typedef int (*owner_fd_fn)(int pid, const struct owner_fd *f, void *arg);
/* The BPF fds process pid holds (the selectors pid and comm, the tracer's
 * readiness scan). 0 when it holds none or is gone. */
int owners_proc_fds(int pid, owner_fd_fn fn, void *arg);
/* The comm of process pid, from /proc/PID/comm without its newline: 0 or
 * a negative errno (-ENOENT when it is gone). */
int owners_proc_comm(int pid, char comm[OWNERS_COMM_LEN]);

/* For the printers: "PID/COMM,PID/COMM,+N more" (the processes), else
 * "pinned: PATH", else "none"; "" when not looked up. Not escaped: plain
 * printers pass it through BC_ESC. */
void owners_format(const struct prog_owners *ow, char *buf, size_t len);
/* The distinct comms, "a,b" (the exporter's owner_comm), "" for none. */
void owners_comms(const struct prog_owners *ow, char *buf, size_t len);
/* Adds "owners" ([{pid, comm, via: ["prog"|"link"|"perf"...]}]),
 * "owners_total" (processes, all of them) and "pinned" (a path or null)
 * to obj, unless not looked up. */
int owners_json_add(json_t *obj, const struct prog_owners *ow);

/* Pure, fuzzed (tests/fuzz/fuzz_fdinfo.c): the "prog_id:" and "link_id:"
 * values of a /proc/PID/fdinfo/FD text (kernel/bpf/syscall.c,
 * bpf_prog_show_fdinfo and bpf_link_show_fdinfo), 0 where a line is
 * absent or not a number that fits. */
void owners_parse_fdinfo(const char *text, uint32_t *prog_id, uint32_t *link_id);

#endif
