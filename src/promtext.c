// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Prometheus text 0.0.4 and OpenMetrics 1.0.0 from the exporter's model.
 *
 * The two differ in what we print here only by: OpenMetrics names a
 * counter family without "_total" (the sample keeps it), has an "info"
 * type (text: a gauge named *_info), a "# UNIT" line for families in
 * seconds, escapes '"' in HELP too, and ends with "# EOF". Metric names
 * follow Prometheus' conventions: base units (seconds), "_total" on
 * counters. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "progs.h"
#include "promtext.h"

/* ---- the buffer ---- */

static bool buf_reserve(struct pt_buf *b, size_t more)
{
	size_t cap;
	char *p;

	if (b->over || b->nomem)
		return false;
	if (b->len + more > b->max) {
		b->over = true;
		return false;
	}
	if (b->len + more + 1 <= b->cap)
		return true;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + more + 1)
		cap *= 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	p = realloc(b->p, cap);
	if (!p) {
		b->nomem = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

static void put(struct pt_buf *b, const char *s, size_t n)
{
	if (!buf_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void puts_(struct pt_buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void putf(struct pt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(struct pt_buf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

void pt_buf_free(struct pt_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* ---- escaping ---- */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) ||
	    (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
		return 0;
	return len;
}

void pt_label_value(struct pt_buf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), used = 0, i = 0;

	while (i < n) {
		size_t len = utf8_len(s + i, n - i);

		if (!len || s[i] < 0x20 || s[i] == 0x7f) {
			if (s[i] == '\n' && used + 1 <= PT_MAX_LABEL)
				put(b, "\\n", 2);
			else if (used + 1 <= PT_MAX_LABEL)
				put(b, "?", 1);
			else
				break;
			used++;
			i++;
			continue;
		}
		if (used + len > PT_MAX_LABEL)
			break;
		if (s[i] == '\\' || s[i] == '"')
			put(b, "\\", 1);
		put(b, (const char *)s + i, len);
		used += len;
		i += len;
	}
}

/* HELP text: backslash and newline escaped; '"' too in OpenMetrics. */
static void help_text(struct pt_buf *b, const char *s, enum pt_format f)
{
	for (; *s; s++) {
		if (*s == '\\')
			puts_(b, "\\\\");
		else if (*s == '\n')
			puts_(b, "\\n");
		else if (*s == '"' && f == PT_OPENMETRICS)
			puts_(b, "\\\"");
		else
			put(b, s, 1);
	}
}

/* ---- families ---- */

enum fam_type { FAM_COUNTER, FAM_GAUGE, FAM_INFO };

struct family {
	const char *name;	/* OpenMetrics family name: no _total / _info */
	enum fam_type type;
	bool seconds;		/* unit: seconds (the name ends in _seconds) */
	const char *help;
};

static const char *fam_suffix(const struct family *fm)
{
	return fm->type == FAM_COUNTER ? "_total" : fm->type == FAM_INFO ? "_info" : "";
}

static void family_head(struct pt_buf *b, const struct family *fm, enum pt_format f)
{
	static const char *const om_type[] = { "counter", "gauge", "info" };

	if (f == PT_OPENMETRICS) {
		putf(b, "# TYPE %s %s\n", fm->name, om_type[fm->type]);
		if (fm->seconds)
			putf(b, "# UNIT %s seconds\n", fm->name);
		putf(b, "# HELP %s ", fm->name);
	} else {
		putf(b, "# HELP %s%s ", fm->name, fam_suffix(fm));
	}
	help_text(b, fm->help, f);
	puts_(b, "\n");
	if (f == PT_PROMETHEUS)
		putf(b, "# TYPE %s%s %s\n", fm->name, fam_suffix(fm),
		     fm->type == FAM_COUNTER ? "counter" : "gauge");
}

/* Start a sample line: name with its suffix and the opening brace. */
static void sample_start(struct pt_buf *b, const struct family *fm)
{
	putf(b, "%s%s{", fm->name, fam_suffix(fm));
}

static void label(struct pt_buf *b, bool first, const char *name, const char *value)
{
	putf(b, "%s%s=\"", first ? "" : ",", name);
	pt_label_value(b, value);
	puts_(b, "\"");
}

static void label_u64(struct pt_buf *b, bool first, const char *name, uint64_t v)
{
	putf(b, "%s%s=\"%" PRIu64 "\"", first ? "" : ",", name, v);
}

/* Every per-program series carries id and load_time. The pair is the
 * program's identity: when the kernel hands an id to a new program (ids
 * are allocated cyclically, so only after a wrap) its load time differs,
 * so its counters are a new series rather than a reset or a jump in the
 * old one. A label, unlike exporter-side offsets, needs no memory of
 * programs that are gone, and survives an exporter restart. */
static void prog_labels(struct pt_buf *b, const struct ex_prog *p)
{
	label_u64(b, true, "id", p->id);
	label_u64(b, false, "load_time", p->load_time);
}

static void value_u64(struct pt_buf *b, uint64_t v)
{
	putf(b, "} %" PRIu64 "\n", v);
}

/* ns as exact decimal seconds: no float rounding in a counter. */
static void value_ns_as_s(struct pt_buf *b, uint64_t ns)
{
	putf(b, "} %" PRIu64 ".%09" PRIu64 "\n", ns / 1000000000u, ns % 1000000000u);
}

static const struct family fam_info = {
	"bpf_program", FAM_INFO, false,
	"Loaded BPF program: identity (id, load_time as boot-time ns), tag, name (BTF "
	"function name when known), type, attach points from its links.",
};
static const struct family fam_runs = {
	"bpf_program_runs", FAM_COUNTER, false,
	"Runs counted by the kernel's run-time stats (run_cnt) while stats were on.",
};
static const struct family fam_run_time = {
	"bpf_program_run_time_seconds", FAM_COUNTER, true,
	"Time in the program body by the kernel's run-time stats (run_time_ns): no "
	"dispatch, no trampoline; includes the stats' own clock reads.",
};
static const struct family fam_misses = {
	"bpf_program_recursion_misses", FAM_COUNTER, false,
	"Runs skipped because the program was already running on that CPU.",
};
static const struct family fam_sampled = {
	"bpf_program_sampled_cpu_seconds", FAM_COUNTER, true,
	"CPU time charged to the program by cpu-clock sampling (innermost BPF frame, helpers "
	"included), since the exporter first saw it.",
};
static const struct family fam_samples = {
	"bpf_program_samples", FAM_COUNTER, false,
	"cpu-clock samples charged to the program: its sampled time's resolution.",
};

static void prog_info(struct pt_buf *b, const struct ex_model *m, enum pt_format f)
{
	size_t i;

	family_head(b, &fam_info, f);
	for (i = 0; i < m->nprogs; i++) {
		const struct ex_prog *p = &m->progs[i];

		sample_start(b, &fam_info);
		prog_labels(b, p);
		label(b, false, "tag", p->tag);
		label(b, false, "name", p->name);
		label(b, false, "type", prog_type_name(p->type));
		label(b, false, "attach", p->attach);
		if (p->owner_comm[0])
			label(b, false, "owner_comm", p->owner_comm);
		value_u64(b, 1);
	}
}

enum prog_value { PV_RUNS, PV_RUN_TIME, PV_MISSES, PV_SAMPLED, PV_SAMPLES };

static void prog_counter(struct pt_buf *b, const struct ex_model *m, enum pt_format f,
			 const struct family *fm, enum prog_value v)
{
	bool stats = v == PV_RUNS || v == PV_RUN_TIME || v == PV_MISSES;
	bool head = false;
	size_t i;

	for (i = 0; i < m->nprogs; i++) {
		const struct ex_prog *p = &m->progs[i];

		if (stats ? !p->has_stats : !p->has_samples)
			continue;
		if (!head)
			family_head(b, fm, f);
		head = true;
		sample_start(b, fm);
		prog_labels(b, p);
		switch (v) {
		case PV_RUNS:
			value_u64(b, p->run_cnt);
			break;
		case PV_RUN_TIME:
			value_ns_as_s(b, p->run_time_ns);
			break;
		case PV_MISSES:
			value_u64(b, p->recursion_misses);
			break;
		case PV_SAMPLED:
			value_ns_as_s(b, p->sampled_ns);
			break;
		case PV_SAMPLES:
			value_u64(b, p->samples);
			break;
		}
	}
}

static void tail_calls(struct pt_buf *b, const struct ex_model *m, enum pt_format f)
{
	static const struct family fm = {
		"bpf_program_tail_call", FAM_INFO, false,
		"Tail-call relation: caller_id jumps to callee_id through slot index of PROG_ARRAY "
		"map_id; the callee's time is inside the caller's run time.",
	};
	size_t i;

	if (!m->ntail_calls)
		return;
	family_head(b, &fm, f);
	for (i = 0; i < m->ntail_calls; i++) {
		const struct ex_tail_call *t = &m->tail_calls[i];

		sample_start(b, &fm);
		label_u64(b, true, "caller_id", t->caller_id);
		label_u64(b, false, "callee_id", t->callee_id);
		label_u64(b, false, "map_id", t->map_id);
		label_u64(b, false, "index", t->index);
		value_u64(b, 1);
	}
}

static void bias(struct pt_buf *b, const struct ex_model *m, enum pt_format f)
{
	static const struct family fm = {
		"bpfcost_stats_bias_seconds", FAM_GAUGE, true,
		"Run-time stats' own cost per run, counted inside run_time_ns (estimate: point, "
		"lower and upper end of its 95% interval).",
	};
	const double v[] = { m->bias.per_run_s, m->bias.lo_s, m->bias.hi_s };
	static const char *const est[] = { "point", "lower", "upper" };
	size_t i;

	if (!m->bias.known)
		return;
	family_head(b, &fm, f);
	for (i = 0; i < 3; i++) {
		sample_start(b, &fm);
		label(b, true, "estimate", est[i]);
		putf(b, "} %.6e\n", v[i]);
	}
}

static void scalar_u64(struct pt_buf *b, const struct family *fm, enum pt_format f, uint64_t v)
{
	family_head(b, fm, f);
	putf(b, "%s%s %" PRIu64 "\n", fm->name, fam_suffix(fm), v);
}

static void exporter_self(struct pt_buf *b, const struct ex_model *m, enum pt_format f)
{
	static const struct family info = {
		"bpfcost_exporter", FAM_INFO, false,
		"The exporter: version, mode, how stats were switched on, the program reader, "
		"sampling Hz per CPU (0: no sampling).",
	};
	static const struct family progs = {
		"bpfcost_programs", FAM_GAUGE, false,
		"Programs loaded (or selected) at the last collection, before the series cap.",
	};
	static const struct family left = {
		"bpfcost_programs_left_out", FAM_COUNTER, false,
		"Programs left out of responses by the --max-programs cap (the cheapest), summed "
		"over collections.",
	};
	static const struct family dur = {
		"bpfcost_scrape_duration_seconds", FAM_GAUGE, true,
		"How long the collection behind this response took.",
	};
	static const struct family errs = {
		"bpfcost_errors", FAM_COUNTER, false,
		"Errors: collect (a collection failed, the scrape got a 500), oversize (a "
		"response passed the size cap), connection (a client went away mid-request).",
	};
	static const char *const err_kinds[EX_ERR_COUNT] = { "collect", "oversize", "connection" };
	char freq[16];
	size_t i;

	family_head(b, &info, f);
	sample_start(b, &info);
	snprintf(freq, sizeof(freq), "%u", m->freq);
	label(b, true, "version", BPFCOST_VERSION);
	label(b, false, "mode", ex_mode_name(m->mode));
	label(b, false, "stats_via", m->stats_via ? m->stats_via : "none");
	label(b, false, "reader", m->reader ? m->reader : "");
	label(b, false, "freq", freq);
	value_u64(b, 1);
	scalar_u64(b, &progs, f, m->nloaded);
	scalar_u64(b, &left, f, m->left_out_total);
	family_head(b, &dur, f);
	putf(b, "%s %.9f\n", dur.name, m->collect_s);
	family_head(b, &errs, f);
	for (i = 0; i < EX_ERR_COUNT; i++) {
		sample_start(b, &errs);
		label(b, true, "kind", err_kinds[i]);
		value_u64(b, __atomic_load_n(&m->errors[i], __ATOMIC_RELAXED));
	}
}

static void sampling_self(struct pt_buf *b, const struct ex_model *m, enum pt_format f)
{
	static const struct family all = {
		"bpfcost_samples", FAM_COUNTER, false,
		"Kernel cpu-clock samples read, in BPF programs or not.",
	};
	static const struct family outside = {
		"bpfcost_samples_outside_bpf", FAM_COUNTER, false,
		"Samples with no BPF program on the kernel stack.",
	};
	static const struct family lost = {
		"bpfcost_samples_lost", FAM_COUNTER, false,
		"Samples the kernel dropped (ring full): sampled time is short by about this share.",
	};

	if (!m->freq)
		return;
	scalar_u64(b, &all, f, m->samples);
	scalar_u64(b, &outside, f, m->samples_outside);
	scalar_u64(b, &lost, f, m->samples_lost);
}

int pt_render(const struct ex_model *m, enum pt_format f, struct pt_buf *b)
{
	b->len = 0;
	b->over = b->nomem = false;
	prog_info(b, m, f);
	prog_counter(b, m, f, &fam_runs, PV_RUNS);
	prog_counter(b, m, f, &fam_run_time, PV_RUN_TIME);
	prog_counter(b, m, f, &fam_misses, PV_MISSES);
	prog_counter(b, m, f, &fam_sampled, PV_SAMPLED);
	prog_counter(b, m, f, &fam_samples, PV_SAMPLES);
	tail_calls(b, m, f);
	bias(b, m, f);
	exporter_self(b, m, f);
	sampling_self(b, m, f);
	if (f == PT_OPENMETRICS)
		puts_(b, "# EOF\n");
	if (b->nomem)
		return -ENOMEM;
	return b->over ? -E2BIG : 0;
}

/* ---- content negotiation ---- */

const char *pt_content_type(enum pt_format f)
{
	return f == PT_OPENMETRICS ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
				   : "text/plain; version=0.0.4; charset=utf-8";
}

/* q of one media range "type/sub;a=b;q=0.5" (1 when absent, 0 when bad). */
static double range_q(const char *params)
{
	const char *q = params;

	while ((q = strchr(q, ';'))) {
		char *end;
		double v;

		q++;
		while (*q == ' ' || *q == '\t')
			q++;
		if (strncasecmp(q, "q=", 2))
			continue;
		v = strtod(q + 2, &end);
		return end == q + 2 || v < 0 || v > 1 ? 0 : v;
	}
	return 1;
}

enum pt_format pt_negotiate(const char *accept)
{
	double om = 0, text = 0;
	char range[256];
	const char *s = accept;

	while (s && *s) {
		size_t n = strcspn(s, ",");
		const char *r;

		snprintf(range, sizeof(range), "%.*s", (int)(n < sizeof(range) ? n : sizeof(range) - 1), s);
		r = range + strspn(range, " \t");
		if (!strncasecmp(r, "application/openmetrics-text", 28) && range_q(r) > om)
			om = range_q(r);
		else if ((!strncasecmp(r, "text/plain", 10) || !strncasecmp(r, "*/*", 3)) &&
			 range_q(r) > text)
			text = range_q(r);
		s += n;
		if (*s == ',')
			s++;
	}
	return om > 0 && om >= text ? PT_OPENMETRICS : PT_PROMETHEUS;
}
