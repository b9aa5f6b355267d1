// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfcost prog: list loaded BPF programs with attach points and stats. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "bpfstats.h"
#include "common.h"
#include "owners.h"
#include "progs.h"

static const char prog_help[] =
	"Usage: bpfcost prog [PROG...]\n\n"
	"List loaded BPF programs: id, type, name (BTF function name when known),\n"
	"tag, attach points (from links), BTF, JIT size, run-time stats and owners.\n"
	"PROG is a selector: id N | tag HEX | name NAME | pinned PATH | pid N |\n"
	"comm NAME (repeatable). pid and comm select the programs a process holds.\n\n"
	"OWNER: the processes (PID/COMM) holding the program through a program fd,\n"
	"a link fd or a perf event fd with it attached, found by walking /proc;\n"
	"where none does, 'pinned: PATH' for a bpffs pin of it or of its link, else\n"
	"'none' (held by the kernel only: an attachment without a link, a\n"
	"program array).\n\n"
	"run_cnt and run_time_ns only grow while run-time stats are enabled\n"
	"(bpfcost stats turns them on for as long as it runs). The sysctl shows\n"
	"only the sysctl path: BPF_ENABLE_STATS holders are not visible to it.\n\n"
	"Probes: none.\n\n"
	"Options:\n"
	"  -h, --help        this help\n\n"
	"EXAMPLES:\n"
	"  bpfcost prog                       # every loaded program\n"
	"  bpfcost prog name sysmon_cnt_enter # by kernel or BTF name\n"
	"  bpfcost prog comm my-agent         # the programs my-agent's processes hold\n"
	"  bpfcost -j prog id 42 id 43        # JSON for two programs\n";

struct prog_report {
	struct prog_list progs;
	int stats_sysctl;	/* -1 when unreadable */
};

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

static int collect(struct bc_ctx *ctx, struct prog_report *r, int argc, char **argv)
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
	if (stats_sysctl_read(&r->stats_sysctl))
		r->stats_sysctl = -1;
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
	fprintf(ctx->out, "%6s  %-*s  %-*s  %-16s  %-*s  %3s  %6s  %12s  %14s  %s\n", "ID", wtype,
		"TYPE", wname, "NAME", "TAG", watt, "ATTACH", "BTF", "JITED", "RUN_CNT", "RUN_TIME_NS",
		"OWNER");
	for (i = 0; i < r->progs.n; i++) {
		const struct prog_desc *d = &r->progs.v[i];
		char cnt[24] = "-", tim[24] = "-", owner[512];

		/* Zero counters mean "not counted", not "free": show a dash. */
		if (d->run_cnt || d->run_time_ns) {
			snprintf(cnt, sizeof(cnt), "%llu", (unsigned long long)d->run_cnt);
			snprintf(tim, sizeof(tim), "%llu", (unsigned long long)d->run_time_ns);
		}
		owners_format(&d->owners, owner, sizeof(owner));
		fprintf(ctx->out, "%6u  %-*s  %-*s  %-16s  %-*s  %3s  %6u  %12s  %14s  %s\n", d->id,
			wtype, prog_type_name(d->type), wname, BC_ESC(d->full_name), d->tag, watt,
			*d->attach ? BC_ESC(d->attach) : "-", d->has_btf ? "yes" : "no", d->jited_len,
			cnt, tim, BC_ESC(owner));
	}
	fprintf(ctx->out, "%zu program%s; kernel.bpf_stats_enabled=%d%s\n", r->progs.n,
		r->progs.n == 1 ? "" : "s", r->stats_sysctl,
		r->stats_sysctl == 1 ? " (run-time stats on)" : "");
}

static json_t *prog_to_json(const struct prog_desc *d)
{
	json_t *j = bc_json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:I, s:I, s:b, s:I, s:I, s:I}",
			 "id", (json_int_t)d->id, "type", prog_type_name(d->type), "name", d->name,
			 "full_name", d->full_name, "tag", d->tag, "attach", d->attach,
			 "btf", d->has_btf, "btf_id", (json_int_t)d->btf_id,
			 "jited_bytes", (json_int_t)d->jited_len, "xlated_bytes", (json_int_t)d->xlated_len,
			 "stats_counted", d->run_cnt || d->run_time_ns,
			 "run_cnt", (json_int_t)d->run_cnt, "run_time_ns", (json_int_t)d->run_time_ns,
			 "recursion_misses", (json_int_t)d->recursion_misses);

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
		json_array_append_new(arr, prog_to_json(&r->progs.v[i]));
	return bc_json_emit(ctx, bc_json_pack("{s:o, s:i}", "programs", arr,
					   "bpf_stats_enabled_sysctl", r->stats_sysctl));
}

int cmd_prog(struct bc_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct prog_report r = {};
	int c, err;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h')
			return bc_help(prog_help);
		return -EINVAL;
	}
	/* "bpfcost prog show ..." reads like bpftool; accept it. */
	if (optind < argc && !strcmp(argv[optind], "show"))
		optind++;
	err = collect(ctx, &r, argc - optind, argv + optind);
	if (err)
		return err;
	if (ctx->json)
		err = print_json(ctx, &r);
	else
		print_plain(ctx, &r);
	prog_list_free(&r.progs);
	return err;
}
