/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Reading a result saved by `bpfcost -j overhead` (or `-j compare`, whose
 * B side is read) back, for `bpfcost diff`. Pure parsing of the text
 * (fuzzed: tests/fuzz/fuzz_savedres.c); the file I/O is the command's. */
#ifndef BPFCOST_SAVEDRES_H
#define BPFCOST_SAVEDRES_H

#include <stdbool.h>
#include <stddef.h>
#include "stats.h"
#include "workload.h"

struct sr_kind {
	struct stats_ci added;	/* ns per call the tracer added */
	bool has_aa;
	struct stats_ci aa;	/* the file's A/A control, ns per call */
	double off_mean_ns;	/* mean latency with the tracer off, or NAN */
};

struct saved_result {
	char source[16];	/* "overhead" or "compare" */
	char describe[256];	/* the tracer as the file names it, or "" */
	unsigned mask;		/* kinds present (bit wl_kind) */
	struct sr_kind k[WL_KIND_COUNT];
};

/* Parse len bytes of text. 0, or -EINVAL with why set to one line: not
 * JSON (jansson's message with line and column), or JSON without what an
 * overhead result has (names the missing or bad field). Every interval is
 * finite with lo <= point <= hi and 0 < level < 1. */
int sr_parse(const char *text, size_t len, struct saved_result *out, char *why, size_t whylen);

#endif
