/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Every loaded program's identity and run-time counters with one BPF
 * iterator read (src/bpf/progstats.bpf.c explains the kernel side). The
 * iterator program and its link live only while a progiter is open and
 * are fd-owned, never pinned: they go away with the process on every exit
 * path, and hold no reference to any other program between reads. */
#ifndef BPFCOST_PROGITER_H
#define BPFCOST_PROGITER_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "bpf/progstats.h"

struct progstats_bpf;
struct bpf_link;

struct progiter {
	struct progstats_bpf *skel;
	struct bpf_link *link;
	uint32_t self_id;	/* our iterator program: never reported */
	struct progstats_rec self;	/* ...but its last record kept (doctor's check) */
	unsigned char *buf;
	size_t cap;
};

/* Load and attach. On failure why says which step failed and how
 * (-E2BIG: more possible CPUs than PROGSTATS_MAX_CPUS). */
int progiter_open(struct progiter *it, char *why, size_t len);
/* One pass: *recs points into it (valid until the next read or close),
 * ids ascending, our own program left out. */
int progiter_read(struct progiter *it, const struct progstats_rec **recs, size_t *n);
/* Doctor's trial (FEAT_PROG_ITER), also run by stats and top on the
 * iterator they then keep: read twice with run-time stats on and check
 * the per-CPU sums for our own program against bpf_prog_info (read after,
 * so it may only be larger). That proves the per-cpu offset arithmetic on
 * this kernel, not just that the verifier took the program. detail gets a
 * one-line result either way. */
int progiter_selftest(struct progiter *it, char *detail, size_t len);
/* Open and self-test: the whole trial, as doctor and stats/top run it.
 * On failure the iterator is closed again and why says what failed. */
int progiter_trial(struct progiter *it, char *why, size_t len);
/* Read a new iterator of the attached iterator link link_fd to its end
 * into *buf (grown as needed; *cap its size, both kept across calls):
 * *len bytes. For every iterator reader (this one, owners.c). 0 or a
 * negative errno (*len then holds what was read). */
int bpf_iter_read_all(int link_fd, unsigned char **buf, size_t *cap, size_t *len);
/* Safe on a zeroed or already closed progiter. */
void progiter_close(struct progiter *it);

/* Pure, for tests: check a buffer of len bytes is whole records and drop
 * the one with id skip_id (0: none) in place, copying it to *skipped when
 * skipped is not NULL (left alone when absent). The record count, or
 * -EPROTO for a torn buffer. */
long progiter_parse(void *buf, size_t len, uint32_t skip_id, struct progstats_rec *skipped);

#endif
