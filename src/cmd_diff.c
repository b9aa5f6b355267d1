// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfcost diff: compare's verdicts from two saved results. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"
#include "cmpfmt.h"
#include "compare.h"
#include "savedres.h"

#define DIFF_MAX_FILE (64u << 20)

static const char diff_help[] =
	"Usage: bpfcost diff [OPTIONS] BASE.json NEW.json\n\n"
	"The verdicts of bpfcost compare (B = NEW against A = BASE, ns added per\n"
	"call by the tracer, per syscall) from two results saved with\n"
	"`bpfcost -j overhead` (or `bpfcost -j compare`, whose B side is read).\n"
	"The B - A interval is built from the two saved intervals (MOVER: the\n"
	"half-widths added in quadrature, Zou & Donner 2008).\n\n"
	"Runs made at different times on a shared machine are not directly\n"
	"comparable: the machine drifts between them by more than each run's own\n"
	"interval shows. diff says by how much, from the files: each file's A/A\n"
	"control (off against off within that run) and how far the tracer-off\n"
	"latency itself moved between the two runs. For a verdict you can trust,\n"
	"run both versions side by side with bpfcost compare.\n\n"
	"Options:\n"
	"  --fail-if-slower T     exit 1 when NEW is slower than BASE by more than T\n"
	"                         with the whole interval above T: PCT% of BASE's\n"
	"                         added ns, or NS (\"10%\", \"25ns\", \"25\")\n"
	"  --markdown             a Markdown summary (pull-request comment, CI job summary)\n"
	"  -h, --help             this help\n\n"
	"Exit status: 0 when no gate failed, 1 when --fail-if-slower's gate failed for\n"
	"some syscall, 2 on any error (unreadable, malformed, truncated or\n"
	"schema-mismatched file, no syscall in common).\n\n"
	"EXAMPLES:\n"
	"  bpfcost -j overhead --sysmon events > base.json\n"
	"  bpfcost -j overhead --sysmon count > new.json\n"
	"  bpfcost diff base.json new.json\n"
	"  bpfcost diff --fail-if-slower 10% --markdown base.json new.json\n";

struct diff_opts {
	struct cmp_threshold gate;
	bool markdown;
};

static int parse_opt(int c, const char *arg, void *opts)
{
	struct diff_opts *o = opts;

	switch (c) {
	case 'F':
		return cmp_threshold_parse(arg, &o->gate);
	case 'M':
		o->markdown = true;
		return 0;
	}
	return -EINVAL;
}

/* Read and parse one file; one-line error naming it on failure. */
static int load(const char *path, struct saved_result *r)
{
	char why[256], *buf = NULL;
	struct stat st;
	ssize_t n = 0, got;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		err = -errno;
		bc_err("%s: %s", BC_ESC(path), strerror(-err));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > DIFF_MAX_FILE) {
		bc_err("%s: not a regular file of at most %u MiB", BC_ESC(path), DIFF_MAX_FILE >> 20);
		err = -EINVAL;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	while (n < st.st_size && (got = read(fd, buf + n, (size_t)(st.st_size - n))) > 0)
		n += got;
	err = sr_parse(buf, (size_t)n, r, why, sizeof(why));
	if (err)
		bc_err("%s: %s", BC_ESC(path), BC_ESC(why));
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return err;
}

struct diff_row {
	int kind;
	struct stats_ci diff;
	struct cmp_verdict v;
};

/* The widest A/A interval end of either file, and the largest move of the
 * tracer-off latency between them: how much this machine drifted. */
static void drift(const struct saved_result *a, const struct saved_result *b, double *aa_ns,
		  double *off_ns)
{
	unsigned mask = a->mask & b->mask;

	*aa_ns = *off_ns = NAN;
	for (int k = 0; k < WL_KIND_COUNT; k++) {
		double m;

		if (!(mask & (1u << k)))
			continue;
		for (int s = 0; s < 2; s++) {
			const struct sr_kind *sk = s ? &b->k[k] : &a->k[k];

			m = fmax(fabs(sk->aa.lo), fabs(sk->aa.hi));
			if (sk->has_aa && !(m <= *aa_ns))
				*aa_ns = m;
		}
		m = fabs(b->k[k].off_mean_ns - a->k[k].off_mean_ns);
		if (isfinite(m) && !(m <= *off_ns))
			*off_ns = m;
	}
}

static void print_plain(FILE *f, const char *pa, const char *pb, const struct saved_result *a,
			const struct saved_result *b, const struct diff_row *rows, int n)
{
	double aa, off;
	char text[256];

	fprintf(f, "A (base): %s: %s %s\n", BC_ESC(pa), a->source, BC_ESC(a->describe));
	fprintf(f, "B (new):  %s: %s %s\n", BC_ESC(pb), b->source, BC_ESC(b->describe));
	fprintf(f, "Warning: these runs were made at different times; on a shared machine they are "
		"not directly comparable (bpfcost compare runs both side by side).\n");
	drift(a, b, &aa, &off);
	if (isfinite(aa))
		fprintf(f, "  A/A controls in the files reach %.1f ns per call", aa);
	if (isfinite(off))
		fprintf(f, "%s the tracer-off latency moved by %.1f ns per call between the runs",
			isfinite(aa) ? ";" : "  ", off);
	if (isfinite(aa) || isfinite(off))
		fprintf(f, ".\n");
	fprintf(f, "\n%-10s %22s %22s %22s\n", "SYSCALL", "A_ADDED_NS [95% CI]",
		"B_ADDED_NS [95% CI]", "B-A_NS [95% CI]");
	for (int i = 0; i < n; i++) {
		const struct sr_kind *ka = &a->k[rows[i].kind], *kb = &b->k[rows[i].kind];
		char sa[40], sb[40], sd[40];

		snprintf(sa, sizeof(sa), "%.1f [%.1f, %.1f]", ka->added.point, ka->added.lo,
			 ka->added.hi);
		snprintf(sb, sizeof(sb), "%.1f [%.1f, %.1f]", kb->added.point, kb->added.lo,
			 kb->added.hi);
		snprintf(sd, sizeof(sd), "%.1f [%.1f, %.1f]", rows[i].diff.point, rows[i].diff.lo,
			 rows[i].diff.hi);
		fprintf(f, "%-10s %22s %22s %22s\n", wl_kind_name(rows[i].kind), sa, sb, sd);
	}
	fprintf(f, "\n");
	for (int i = 0; i < n; i++)
		fprintf(f, "%s\n", cmp_fmt_verdict(text, sizeof(text), wl_kind_name(rows[i].kind),
						   &rows[i].diff, &rows[i].v));
}

static void print_markdown(FILE *f, const struct saved_result *a, const struct saved_result *b,
			   const struct diff_row *rows, int n)
{
	double aa, off;

	drift(a, b, &aa, &off);
	fprintf(f, "### bpfcost diff\n\nA (base): `%s`  \nB (new): `%s`  \n> **Warning:** runs made "
		"at different times are not directly comparable", BC_ESC(a->describe),
		BC_ESC(b->describe));
	if (isfinite(aa))
		fprintf(f, "; A/A controls reach %.1f ns", aa);
	if (isfinite(off))
		fprintf(f, "; the tracer-off latency moved %.1f ns between them", off);
	fprintf(f, ".\n\n");
	cmp_md_header(f);
	for (int i = 0; i < n; i++)
		cmp_md_row(f, wl_kind_name(rows[i].kind), &a->k[rows[i].kind].added,
			   &b->k[rows[i].kind].added, &rows[i].diff, &rows[i].v);
}

static json_t *drift_json(const struct saved_result *a, const struct saved_result *b)
{
	double aa, off;

	drift(a, b, &aa, &off);
	return bc_json_pack("{s:s, s:o, s:o}", "warning", "runs made at different times are not "
			    "directly comparable", "aa_max_ns", bc_json_real(aa), "off_moved_ns",
			    bc_json_real(off));
}

static int print_json(struct bc_ctx *ctx, const struct saved_result *a,
		      const struct saved_result *b, const struct diff_row *rows, int n)
{
	json_t *kinds = json_object();

	for (int i = 0; i < n; i++) {
		const char *name = wl_kind_name(rows[i].kind);

		json_object_set_new(kinds, name, bc_json_pack("{s:o, s:o, s:o, s:o}", "a_added_ns",
				    cmp_ci_json(&a->k[rows[i].kind].added), "b_added_ns",
				    cmp_ci_json(&b->k[rows[i].kind].added), "diff_ns",
				    cmp_ci_json(&rows[i].diff), "verdict",
				    cmp_verdict_json(name, &rows[i].diff, &rows[i].v)));
	}
	return bc_json_emit(ctx, bc_json_pack("{s:{s:s, s:s}, s:{s:s, s:s}, s:s, s:o, s:o}",
					      "a", "source", a->source, "describe", a->describe,
					      "b", "source", b->source, "describe", b->describe,
					      "method", "B - A from two saved intervals (MOVER)",
					      "drift", drift_json(a, b), "syscalls", kinds));
}

int cmd_diff(struct bc_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fail-if-slower", required_argument, NULL, 'F' },
		{ "markdown", no_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct diff_opts o = { 0 };
	struct saved_result a, b;
	struct diff_row rows[WL_KIND_COUNT];
	int n = 0, err;

	ctx->gate = true;
	err = bc_parse_opts(argc, argv, "h", opts, diff_help, parse_opt, &o, false);
	if (err)
		return err < 0 ? err : 0;
	if (argc - optind != 2) {
		bc_err("give two files: BASE.json NEW.json");
		return -EINVAL;
	}
	err = load(argv[optind], &a);
	if (!err)
		err = load(argv[optind + 1], &b);
	if (err)
		return err;
	for (int k = 0; k < WL_KIND_COUNT; k++) {
		if (!(a.mask & b.mask & (1u << k)))
			continue;
		rows[n].kind = k;
		cmp_diff_independent(&a.k[k].added, &b.k[k].added, &rows[n].diff);
		cmp_verdict_make(&rows[n].diff, a.k[k].added.point, &o.gate, &rows[n].v);
		ctx->gate_failed |= rows[n].v.fails;
		n++;
	}
	if (!n) {
		bc_err("the two files have no syscall in common");
		return -EINVAL;
	}
	if (ctx->json)
		return print_json(ctx, &a, &b, rows, n);
	if (o.markdown)
		print_markdown(ctx->out, &a, &b, rows, n);
	else
		print_plain(ctx->out, argv[optind], argv[optind + 1], &a, &b, rows, n);
	return 0;
}
