/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The exporter's printers: the model (exporter.h) as the Prometheus text
 * exposition format 0.0.4, or as OpenMetrics 1.0.0 when the scraper asks
 * for it (Prometheus does, in its Accept header). Pure: model in, bytes
 * out, into a buffer with a size cap. */
#ifndef BPFCOST_PROMTEXT_H
#define BPFCOST_PROMTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include "exporter.h"

enum pt_format { PT_PROMETHEUS, PT_OPENMETRICS };

/* Longest label value we print, in bytes: longer ones are cut (at a UTF-8
 * character boundary). Program names are at most 127, attach lists 127. */
#define PT_MAX_LABEL 128

struct pt_buf {
	char *p;
	size_t len, cap;
	size_t max;		/* cap on len; past it nothing more is added */
	bool over;		/* something did not fit under max */
	bool nomem;
};

/* The Content-Type header value of a format. */
const char *pt_content_type(enum pt_format f);
/* Pure: the format an Accept header value asks for. OpenMetrics when it
 * names application/openmetrics-text with a q above 0 and not below
 * text/plain's; the text format otherwise (also for NULL or garbage). */
enum pt_format pt_negotiate(const char *accept);

/* Print m into b (b->max set by the caller, b->p may be NULL). 0, or
 * -E2BIG when the output passed b->max, -ENOMEM. */
int pt_render(const struct ex_model *m, enum pt_format f, struct pt_buf *b);
void pt_buf_free(struct pt_buf *b);

/* Pure, for tests: append s as a label value of format f: backslash,
 * double quote and newline escaped; other control bytes and bytes that
 * are not valid UTF-8 replaced by '?'; cut to PT_MAX_LABEL bytes. */
void pt_label_value(struct pt_buf *b, const char *s);

#endif
