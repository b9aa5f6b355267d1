/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* bpfcost report's printers: all three read struct rp_report only. */
#ifndef BPFCOST_REPORT_PRINT_H
#define BPFCOST_REPORT_PRINT_H

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
/* Where Debian's libjs-chart.js puts the library. */
#define RP_CHART_JS "/usr/share/javascript/chart.js/chart.min.js"

#endif
