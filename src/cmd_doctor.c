// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfcost doctor: which features this kernel really has (each one tried,
 * not guessed), and so which measuring methods can run here. */
#include <errno.h>
#include <getopt.h>
#include <string.h>
#include <sys/utsname.h>
#include "common.h"
#include "kfeatures.h"

static const char doctor_help[] =
	"Usage: bpfcost doctor\n\n"
	"Try every kernel feature bpfcost relies on (load, attach, open for real,\n"
	"then undo) and say which measuring methods work here, and why the others\n"
	"do not. Nothing is left behind: trial programs are named bc_probe_*,\n"
	"sysctls are only checked for writability, tracefs is never mounted.\n"
	"Exits 0 even when features are missing: reporting them is the job.\n\n"
	"Probes: every feature in the table, in its order (bpfcost -v doctor\n"
	"names each trial).\n\n"
	"Methods and the commands that use them:\n"
	"  stats         kernel run-time stats (run_cnt, run_time_ns)   stats\n"
	"  ab            A/B syscall timing with and without a tracer    overhead\n"
	"  syscall_wrap  fentry or kretprobe around the syscall path     syscall\n"
	"  profile       fentry/fexit on the measured program            profile\n"
	"  annotate      cpu-clock samples attributed to JITed images    annotate\n\n"
	"Options:\n"
	"  -h, --help        this help\n\n"
	"EXAMPLES:\n"
	"  bpfcost doctor                 # feature table and methods\n"
	"  bpfcost -j doctor              # the same as JSON\n"
	"  bpfcost -v doctor              # also show libbpf's logs of refused trials\n";

struct doctor_report {
	struct utsname uts;
	const struct features *f;
	bool avail[METHOD_COUNT];
	char why[METHOD_COUNT][256];
};

static int collect(struct bc_ctx *ctx, struct doctor_report *r)
{
	int m;

	if (uname(&r->uts))
		return -errno;
	r->f = bc_features(ctx);
	if (!r->f)
		return -ENOMEM;
	for (m = 0; m < METHOD_COUNT; m++)
		r->avail[m] = method_available(ctx, m, r->why[m], sizeof(r->why[m]));
	return 0;
}

static void print_plain(struct bc_ctx *ctx, const struct doctor_report *r)
{
	int i, w = 7;

	for (i = 0; i < FEAT_COUNT; i++)
		if ((int)strlen(feature_label(i)) > w)
			w = (int)strlen(feature_label(i));
	fprintf(ctx->out, "Kernel %s\n\n", BC_ESC(r->uts.release));
	fprintf(ctx->out, "%-*s  %-3s  %s\n", w, "FEATURE", "OK", "DETAIL");
	for (i = 0; i < FEAT_COUNT; i++) {
		const struct feature_result *fr = &r->f->r[i];

		fprintf(ctx->out, "%-*s  %-3s  %s\n", w, feature_label(i), fr->ok ? "yes" : "no",
			BC_ESC(fr->detail));
	}
	fprintf(ctx->out, "\nMethods\n%-12s  %-8s  %-9s  %s\n", "METHOD", "COMMAND", "AVAILABLE",
		"WHY NOT");
	for (i = 0; i < METHOD_COUNT; i++)
		fprintf(ctx->out, "%-12s  %-8s  %-9s  %s\n", method_name(i), method_command(i),
			r->avail[i] ? "yes" : "no", r->avail[i] ? "-" : BC_ESC(r->why[i]));
}

static int print_json(struct bc_ctx *ctx, const struct doctor_report *r)
{
	json_t *feats = json_object(), *methods = json_object();
	int i;

	for (i = 0; i < FEAT_COUNT; i++) {
		const struct feature_result *fr = &r->f->r[i];
		const char *en = feature_errname(fr->err);

		json_object_set_new(feats, feature_name(i),
				    bc_json_pack("{s:b, s:o, s:s}", "ok", fr->ok,
					      "error", en ? json_string(en) : json_null(),
					      "detail", fr->detail));
	}
	for (i = 0; i < METHOD_COUNT; i++)
		json_object_set_new(methods, method_name(i),
				    bc_json_pack("{s:b, s:s, s:o}", "available", r->avail[i],
					      "command", method_command(i), "why",
					      r->avail[i] ? json_null() : json_string(r->why[i])));
	return bc_json_emit(ctx, bc_json_pack("{s:s, s:o, s:o}", "kernel", r->uts.release,
					   "features", feats, "methods", methods));
}

/* doctor has no options of its own beyond --help. */
static int no_opt(int c, const char *arg, void *opts)
{
	(void)c, (void)arg, (void)opts;
	return -EINVAL;
}

int cmd_doctor(struct bc_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct doctor_report r = {};
	int err;

	err = bc_parse_opts(argc, argv, "h", opts, doctor_help, no_opt, NULL, true);
	if (err)
		return err > 0 ? 0 : err;
	err = collect(ctx, &r);
	if (err) {
		bc_err("doctor: %s", strerror(-err));
		return err;
	}
	if (ctx->json)
		return print_json(ctx, &r);
	print_plain(ctx, &r);
	return 0;
}
