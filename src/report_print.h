/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* bpfcost report's printers: all three read struct rp_report only. */
#ifndef BPFCOST_REPORT_PRINT_H
#define BPFCOST_REPORT_PRINT_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>
#include "report.h"

/* The report as the JSON document docs/report.schema.json describes: a
 * new reference, or NULL on allocation failure. */
json_t *rp_json(const struct rp_report *r);
/* The terminal text. */
void rp_print_text(FILE *f, const struct rp_report *r);
/* One self-contained HTML file: tables that read without JavaScript, and
 * Chart.js (chart_js: the library's text, inlined; NULL leaves the charts
 * out, said on the page) drawing from doc, the same JSON as -j. 0 or
 * -EIO. */
int rp_print_html(FILE *f, const struct rp_report *r, json_t *doc, const char *chart_js);
/* A kind's REST for a table cell: "120" resolved; "<X" where its interval
 * reaches 0, "<X^" where that bound is above ADDED's point
 * (rp_rest_above_whole), "~0" where IN_BPF reaches ADDED's upper end. */
void rp_rest_str(char *buf, size_t len, const struct rp_kind *rk);
bool rp_rest_above_whole(const struct rp_kind *rk);
/* IN_BPF's marks: "#" the window and A/B disagree, ">" above ADDED's
 * interval, "" neither. Static text. */
const char *rp_bpf_mark(const struct rp_kind *rk);

/* Progress on stderr (rp_config's progress and planned, arg a struct
 * rp_progress): the plan in one line; what runs, rewritten in place, only
 * when tty. */
struct rp_progress {
	bool tty;
	uint64_t start_ns;	/* bc_now_ns() at the start, for "report at N s" */
};
void rp_on_progress(const char *what, double elapsed_s, double expected_s, void *arg);
void rp_on_planned(const struct rp_plan *p, void *arg);

/* -o's file, opened (rp_html_open) before measuring so that a path that
 * cannot be written costs no measuring time: 0 or a negative errno, said
 * in one line. Not truncated until the report is written (rp_html_write:
 * 0 or a negative errno, said; Chart.js read from RP_CHART_JS). Closed by
 * rp_html_close, which removes a file we created when nothing was
 * written. Start with fd -1. */
struct rp_html_out {
	const char *path;
	int fd;
	bool created;
};
int rp_html_open(struct rp_html_out *h, const char *path);
int rp_html_write(struct rp_html_out *h, const struct rp_report *r, json_t *doc);
void rp_html_close(struct rp_html_out *h, bool written);

/* Where Debian's libjs-chart.js puts the library. */
#define RP_CHART_JS "/usr/share/javascript/chart.js/chart.min.js"

#endif
