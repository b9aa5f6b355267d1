// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfcost prog: list loaded BPF programs with attach points and stats. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "biasfmt.h"
#include "bpfstats.h"
#include "common.h"
#include "owners.h"
#include "progs.h"
#include "statsbias.h"
#include "tailcall.h"

static const char prog_help[] =
	"Usage: bpfcost prog [PROG...]\n\n"
	"List loaded BPF programs: id, type, name (BTF function name when known),\n"
	"tag, attach points (from links), BTF, JIT size, run-time stats, tail-call\n"
	"relations (TAIL_CALL: which program a tail-called one runs inside, and\n"
	"which programs an entry's run time includes) and owners.\n"
	"PROG is a selector: id N | tag HEX | name NAME | pinned PATH | pid N |\n"
	"comm NAME (repeatable). pid and comm select the programs a process holds.\n\n"
	"OWNER: the processes (PID/COMM) holding the program through a program fd,\n"
	"a link fd or a perf event fd with it attached, found by walking /proc;\n"
	"where none does, 'pinned: PATH' for a bpffs pin of it or of its link, else\n"
	"'none' (held by the kernel only: an attachment without a link, a\n"
	"program array).\n\n"
	"run_cnt and run_time_ns only grow while run-time stats are enabled\n"
	"(bpfcost stats turns them on for as long as it runs). The sysctl shows\n"
	"only the sysctl path: BPF_ENABLE_STATS holders are not visible to it.\n"
	"NS/RUN is run_time_ns / run_cnt since the program was loaded; CORR_NS\n"
	"subtracts the stats' own share of each run (see 'bpfcost stats --help'),\n"
	"measured only while run-time stats are on already (prog never turns\n"
	"them on): an empty program is loaded and fired for ~0.1 s.\n"
	"A program reached only by tail calls keeps run_cnt 0: its runs and time\n"
	"are counted in the program that was entered. MISSES (recursion_misses)\n"
	"counts runs the kernel skipped because the program was already running\n"
	"on that CPU (counted whether or not stats are on); they are not runs.\n\n"
	"Probes: none.\n\n"
	"Options:\n"
	"  --no-correction   do not measure the stats bias (nothing is loaded)\n"
	"  -h, --help        this help\n\n"
	"EXAMPLES:\n"
	"  bpfcost prog                       # every loaded program\n"
	"  bpfcost prog name sysmon_cnt_enter # by kernel or BTF name\n"
	"  bpfcost prog comm my-agent         # the programs my-agent's processes hold\n"
	"  bpfcost -j prog id 42 id 43        # JSON for two programs\n";

struct prog_report {
	struct prog_list progs;
	int stats_sysctl;	/* -1 when unreadable */
	struct sb_bias bias;	/* valid when measured */
	struct tc_collector tc;	/* tail-call relations of every program */
	bool tc_ok;
};

static bool any_counted(const struct prog_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].run_cnt)
			return true;
	return false;
}

/* The stats bias, measured only while run-time stats are on already: a
 * listing never switches them on for the host. */
static void measure_bias(struct prog_report *r)
{
	if (!any_counted(&r->progs)) {
		snprintf(r->bias.why, sizeof(r->bias.why), "no program has counted runs");
		return;
	}
	if (r->stats_sysctl != 1 && bpfstats_fd_holders(NULL, 0) == 0) {
		snprintf(r->bias.why, sizeof(r->bias.why),
			 "run-time stats are off ('bpfcost stats' corrects while it holds them on)");
		return;
	}
	if (sb_measure(&r->bias, SB_DEFAULT_BATCHES, SB_DEFAULT_RUNS))
		bc_note("stats bias not measured: %s", r->bias.why);
}

static void prog_corrected(const struct prog_report *r, const struct prog_desc *d,
			   struct sb_corrected *c)
{
	/* A tp_btf program is held by a raw tracepoint link (progs.c names
	 * those "raw_tp:..."). No wall time here: the CPU share is unused. */
	sb_correct(&r->bias, sb_applies(d->type, strstr(d->attach, "raw_tp") != NULL),
		   d->run_cnt, d->run_time_ns, 1.0, c);
}

/* Keep only the selected ids, in scan order. */
static void keep_selected(struct prog_list *l, const uint32_t *ids, size_t nids)
{
	size_t i, j, n = 0;

	for (i = 0; i < l->n; i++)
		for (j = 0; j < nids; j++)
			if (l->v[i].id == ids[j]) {
				l->v[n++] = l->v[i];
				break;
			}
	l->n = n;
}

/* The relation is read over every program (a selected callee's caller
 * may not be selected). Without it the listing still stands, and says so. */
static int fill_tail_calls(struct prog_report *r)
{
	size_t i;
	int err = tc_refresh(&r->tc);

	if (err == -ENOMEM)
		return err;
	if (err) {
		bc_note("tail-call relations not read: %s", strerror(-err));
		return 0;
	}
	r->tc_ok = true;
	for (i = 0; i < r->progs.n; i++) {
		err = tc_role(&r->tc.g, r->progs.v[i].id, &r->progs.v[i].tail);
		if (err)
			return err;
	}
	return 0;
}

/* One /proc walk (a single listing cannot pay back loading the iterator). */
static int fill_owners(struct bc_ctx *ctx, struct prog_list *l)
{
	struct owners o;
	size_t i;
	int err;

	err = owners_open(ctx, &o, false);
	if (!err)
		err = owners_scan(&o);
	for (i = 0; !err && i < l->n; i++)
		owners_lookup(&o, l->v[i].id, &l->v[i].owners);
	if (!err && o.perf_unnamed)
		bc_note("%llu perf event%s hold a perf_event program that /proc cannot name "
			"(BPF_TASK_FD_QUERY refuses that type); 'bpfcost stats' finds them with "
			"its iterator", (unsigned long long)o.perf_unnamed,
			o.perf_unnamed == 1 ? "" : "s");
	owners_close(&o);
	return err;
}

static int collect(struct bc_ctx *ctx, struct prog_report *r, int argc, char **argv,
		   bool correct)
{
	uint32_t *ids = NULL;
	size_t nids = 0;
	int err;

	err = selectors_resolve_words(argc, argv, &ids, &nids);
	if (err)
		return err;
	err = progs_scan(&r->progs, PROGS_WITH_ATTACH);
	if (err)
		goto cleanup;
	if (argc)
		keep_selected(&r->progs, ids, nids);
	err = fill_owners(ctx, &r->progs);
	if (err)
		goto cleanup;
	if (bpfstats_sysctl_read(&r->stats_sysctl))
		r->stats_sysctl = -1;
	if (correct)
		measure_bias(r);
	else
		snprintf(r->bias.why, sizeof(r->bias.why), "--no-correction");
	err = fill_tail_calls(r);
cleanup:
	free(ids);
	return err;
}

static void print_plain(struct bc_ctx *ctx, const struct prog_report *r)
{
	int wname = 4, wtype = 4, watt = 6;
	size_t i;

	for (i = 0; i < r->progs.n; i++) {
		const struct prog_desc *d = &r->progs.v[i];
		int l;

		if ((l = (int)strlen(BC_ESC(d->full_name))) > wname)
			wname = l;
		if ((l = (int)strlen(prog_type_name(d->type))) > wtype)
			wtype = l;
		if ((l = (int)strlen(BC_ESC(d->attach))) > watt)
			watt = l;
	}
	fprintf(ctx->out,
		"%6s  %-*s  %-*s  %-16s  %-*s  %3s  %6s  %12s  %14s  %8s  %8s  %8s  %-12s  %s\n",
		"ID", wtype, "TYPE", wname, "NAME", "TAG", watt, "ATTACH", "BTF", "JITED", "RUN_CNT",
		"RUN_TIME_NS", "NS/RUN", "CORR_NS", "MISSES", "TAIL_CALL", "OWNER");
	for (i = 0; i < r->progs.n; i++) {
		const struct prog_desc *d = &r->progs.v[i];
		char cnt[24] = "-", tim[24] = "-", nsr[24] = "-", corr[24] = "-", tail[160];
		char owner[512];
		struct sb_corrected c;

		/* Zero counters mean "not counted", not "free": show a dash. */
		if (d->run_cnt || d->run_time_ns) {
			snprintf(cnt, sizeof(cnt), "%llu", (unsigned long long)d->run_cnt);
			snprintf(tim, sizeof(tim), "%llu", (unsigned long long)d->run_time_ns);
		}
		if (d->run_cnt) {
			snprintf(nsr, sizeof(nsr), "%.1f", (double)d->run_time_ns / d->run_cnt);
			prog_corrected(r, d, &c);
			bf_corrected_str(corr, sizeof(corr), 1, &c, false);
		}
		tc_note(&d->tail, tail, sizeof(tail));
		owners_format(&d->owners, owner, sizeof(owner));
		fprintf(ctx->out,
			"%6u  %-*s  %-*s  %-16s  %-*s  %3s  %6u  %12s  %14s  %8s  %8s  %8llu  %-12s  %s\n",
			d->id, wtype, prog_type_name(d->type), wname, BC_ESC(d->full_name), d->tag,
			watt, *d->attach ? BC_ESC(d->attach) : "-", d->has_btf ? "yes" : "no",
			d->jited_len, cnt, tim, nsr, corr, (unsigned long long)d->recursion_misses,
			!r->tc_ok ? "?" : *tail ? tail : "-", BC_ESC(owner));
	}
	fprintf(ctx->out, "%zu program%s; kernel.bpf_stats_enabled=%d%s\n", r->progs.n,
		r->progs.n == 1 ? "" : "s", r->stats_sysctl,
		r->stats_sysctl == 1 ? " (run-time stats on)" : "");
	if (r->bias.valid)
		bf_bias_legend(ctx->out, &r->bias);
}

static json_t *prog_to_json(const struct prog_report *r, const struct prog_desc *d)
{
	struct sb_corrected c;
	json_t *j;

	prog_corrected(r, d, &c);
	j = bc_json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:I, s:I, s:b, s:I, s:I, s:I, "
			 "s:o, s:o, s:o}",
			 "id", (json_int_t)d->id, "type", prog_type_name(d->type), "name", d->name,
			 "full_name", d->full_name, "tag", d->tag, "attach", d->attach,
			 "btf", d->has_btf, "btf_id", (json_int_t)d->btf_id,
			 "jited_bytes", (json_int_t)d->jited_len, "xlated_bytes", (json_int_t)d->xlated_len,
			 "stats_counted", d->run_cnt || d->run_time_ns,
			 "run_cnt", (json_int_t)d->run_cnt, "run_time_ns", (json_int_t)d->run_time_ns,
			 "recursion_misses", (json_int_t)d->recursion_misses, "ns_per_run",
			 d->run_cnt ? bc_json_real((double)d->run_time_ns / d->run_cnt) : json_null(),
			 "corrected", bf_corrected_json(&c),
			 "tail_call", r->tc_ok ? tc_json(&r->tc.g, d->id) : json_null());
	if (j && owners_json_add(j, &d->owners)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static int print_json(struct bc_ctx *ctx, const struct prog_report *r)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < r->progs.n; i++)
		json_array_append_new(arr, prog_to_json(r, &r->progs.v[i]));
	return bc_json_emit(ctx, bc_json_pack("{s:o, s:i, s:o, s:b}", "programs", arr,
					   "bpf_stats_enabled_sysctl", r->stats_sysctl,
					   "stats_bias", bf_bias_json(&r->bias),
					   "tail_calls_read", r->tc_ok));
}

/* --no-correction: raw figures only; opts is the 'correct' flag. */
static int parse_opt(int c, const char *arg, void *opts)
{
	(void)arg;
	if (c != 'N')
		return -EINVAL;
	*(bool *)opts = false;
	return 0;
}

int cmd_prog(struct bc_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "no-correction", no_argument, NULL, 'N' },
		{ 0 },
	};
	struct prog_report r = {};
	bool correct = true;
	int err;

	err = bc_parse_opts(argc, argv, "h", opts, prog_help, parse_opt, &correct, false);
	if (err)
		return err > 0 ? 0 : err;
	/* "bpfcost prog show ..." reads like bpftool; accept it. */
	if (optind < argc && !strcmp(argv[optind], "show"))
		optind++;
	err = collect(ctx, &r, argc - optind, argv + optind, correct);
	if (!err && ctx->json)
		err = print_json(ctx, &r);
	else if (!err)
		print_plain(ctx, &r);
	prog_list_free(&r.progs);
	tc_collector_free(&r.tc);
	return err;
}
