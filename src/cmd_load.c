// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfcost load: generate a timed syscall workload and report per-call
 * latency per kind. A front end over the timing core in workload.c. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common.h"
#include "cpumask.h"
#include "workload.h"

#define LOAD_DEFAULT_DURATION_S 5.0
#define LOAD_MAX_THREADS 1024

static const char load_help[] =
	"Usage: bpfcost load [OPTIONS]\n\n"
	"Issue syscalls in a tight loop, time every call on its own and report\n"
	"per-kind latency percentiles (ns, timestamp cost subtracted) and rates.\n"
	"Each thread runs the selected kinds round-robin.\n\n"
	"Kinds: getpid, read (/dev/zero, 64 B), write (/dev/null, 64 B),\n"
	"  openat (/dev/null + close: 2 syscalls), fstat,\n"
	"  pipe (1-byte ping-pong with a partner thread on the next CPU: 4 syscalls),\n"
	"  nanosleep (0 s).\n\n"
	"Probes: none.\n\n"
	"Options:\n"
	"  --syscalls LIST   comma-separated kinds, or 'all' (default: all)\n"
	"  --duration D      run for D (10, 10s, 500ms, 2m; default 5s)\n"
	"  --count N         instead: N calls of each kind per thread\n"
	"  --rate R          pace each thread to R calls/s (default 0: full speed)\n"
	"  --threads N       worker threads, 1..1024 (default 1)\n"
	"  --cpu C           pin thread i to the i-th CPU from C among those we may\n"
	"                    use (online and in our CPU set); -1: no pinning\n"
	"                    (default: the first of them)\n"
	"  --hist            also print the latency histogram of each kind\n"
	"  -h, --help        this help\n\n"
	"The clock is rdtscp when the CPU has an invariant TSC, else\n"
	"clock_gettime(CLOCK_MONOTONIC); BPFCOST_CLOCK=clock_gettime forces the latter.\n"
	"Ctrl-C ends the run early and prints what was collected (stopped: yes).\n\n"
	"EXAMPLES:\n"
	"  bpfcost load                              # every kind for 5 s, one CPU\n"
	"  bpfcost load --syscalls getpid,read --duration 10s\n"
	"  bpfcost load --count 100000 --threads 2 --hist\n"
	"  bpfcost -j load --syscalls openat --rate 5000 --duration 3\n";

struct load_opts {
	struct wl_config cfg;
	bool hist;
	bool have_duration;
};

struct load_report {
	const struct load_opts *opts;
	struct wl_result *res;
};

static int parse_opt(int c, const char *arg, void *opts)
{
	struct load_opts *o = opts;

	switch (c) {
	case 'm':
		return wl_parse_mix(arg, &o->cfg.mask);
	case 'd':
		o->have_duration = true;
		return parse_duration("--duration", arg, &o->cfg.duration_s);
	case 'c':
		return parse_u64("--count", arg, 1, 1000000000000ull, &o->cfg.count);
	case 'r':
		return parse_double("--rate", arg, 0, 1e9, &o->cfg.rate);
	case 't':
		return parse_int("--threads", arg, 1, LOAD_MAX_THREADS, &o->cfg.threads);
	case 'C':
		return parse_int("--cpu", arg, WL_CPU_NONE, CPUMASK_MAX - 1, &o->cfg.cpu);
	case 'H':
		o->hist = true;
		return 0;
	}
	return -EINVAL;
}

/* Returns 1 when --help was printed, 0 to run, < 0 on bad input. */
static int parse_args(int argc, char **argv, struct load_opts *o)
{
	static const struct option opts[] = {
		{ "syscalls", required_argument, NULL, 'm' },
		{ "mix", required_argument, NULL, 'm' },	/* old name, not in help */
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'c' },
		{ "rate", required_argument, NULL, 'r' },
		{ "threads", required_argument, NULL, 't' },
		{ "cpu", required_argument, NULL, 'C' },
		{ "hist", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int err;

	*o = (struct load_opts){ .cfg = { .mask = WL_MASK_ALL, .threads = 1, .cpu = WL_CPU_AUTO } };
	err = bc_parse_opts(argc, argv, "h", opts, load_help, parse_opt, o, true);
	if (err)
		return err;
	if (o->have_duration && o->cfg.count) {
		bc_err("--duration and --count are mutually exclusive");
		return -EINVAL;
	}
	if (!o->have_duration && !o->cfg.count)
		o->cfg.duration_s = LOAD_DEFAULT_DURATION_S;
	return wl_cpu_resolve(&o->cfg.cpu);
}

static double per_second(uint64_t n, double secs)
{
	return secs > 0 ? (double)n / secs : 0;
}

static void print_kind_row(FILE *f, enum wl_kind k, const struct wl_kind_result *kr, double secs)
{
	const struct hist *h = &kr->lat;

	fprintf(f, "%-10s %12llu %12llu %12.0f %7llu", wl_kind_name(k),
		(unsigned long long)kr->calls, (unsigned long long)kr->syscalls,
		per_second(kr->calls, secs), (unsigned long long)kr->errors);
	/* No calls, no latency: a dash, never a zero that looks measured. */
	if (!h->count) {
		fprintf(f, " %9s %9s %9s %9s %10s %10s\n", "-", "-", "-", "-", "-", "-");
		return;
	}
	fprintf(f, " %9llu %9llu %9llu %9llu %10llu %10.1f\n",
		(unsigned long long)hist_percentile(h, 50), (unsigned long long)hist_percentile(h, 90),
		(unsigned long long)hist_percentile(h, 99), (unsigned long long)hist_percentile(h, 99.9),
		(unsigned long long)h->max, hist_mean(h));
}

static void print_plain(struct bc_ctx *ctx, const struct load_report *r)
{
	const struct wl_result *res = r->res;
	const struct wl_config *cfg = &r->opts->cfg;
	FILE *f = ctx->out;
	int k;

	fprintf(f, "elapsed:        %.3f s%s\n", res->elapsed_s,
		res->stopped ? " (stopped early: partial results)" : "");
	fprintf(f, "threads:        %d", cfg->threads);
	if (cfg->cpu >= 0)
		fprintf(f, " (pinned from CPU %d)\n", cfg->cpu);
	else
		fprintf(f, " (not pinned)\n");
	fprintf(f, "total calls/s:  %.0f\n", per_second(res->total_calls, res->elapsed_s));
	fprintf(f, "total syscalls: %llu\n", (unsigned long long)res->total_syscalls);
	fprintf(f, "clock:          %s, %.1f ns per timestamp pair (subtracted)\n\n",
		res->clock_name, res->clock_overhead_ns);
	fprintf(f, "%-10s %12s %12s %12s %7s %9s %9s %9s %9s %10s %10s\n", "KIND", "CALLS",
		"SYSCALLS", "CALLS/S", "ERRORS", "P50_NS", "P90_NS", "P99_NS", "P99.9_NS", "MAX_NS",
		"MEAN_NS");
	for (k = 0; k < WL_KIND_COUNT; k++)
		if (cfg->mask & (1u << k))
			print_kind_row(f, k, &res->k[k], res->elapsed_s);
	if (!r->opts->hist)
		return;
	for (k = 0; k < WL_KIND_COUNT; k++)
		if ((cfg->mask & (1u << k)) && res->k[k].lat.count) {
			fprintf(f, "\n%s latency:\n", wl_kind_name(k));
			hist_print(f, &res->k[k].lat, "ns");
		}
}

static json_t *kind_to_json(const struct wl_kind_result *kr, double secs, bool buckets)
{
	return bc_json_pack("{s:I, s:I, s:f, s:I, s:o}", "calls", (json_int_t)kr->calls,
			 "syscalls", (json_int_t)kr->syscalls, "calls_per_s",
			 per_second(kr->calls, secs), "errors", (json_int_t)kr->errors,
			 "latency_ns", kr->lat.count ? hist_to_json(&kr->lat, buckets) : json_null());
}

static int print_json(struct bc_ctx *ctx, const struct load_report *r)
{
	const struct wl_result *res = r->res;
	const struct wl_config *cfg = &r->opts->cfg;
	json_t *kinds = json_object();
	int k;

	for (k = 0; k < WL_KIND_COUNT; k++)
		if (cfg->mask & (1u << k))
			json_object_set_new(kinds, wl_kind_name(k),
					    kind_to_json(&res->k[k], res->elapsed_s, r->opts->hist));
	return bc_json_emit(ctx, bc_json_pack("{s:f, s:i, s:i, s:f, s:b, s:I, s:I, s:f, s:f, "
					   "s:{s:s, s:f}, s:o}",
					   "elapsed_s", res->elapsed_s, "threads", cfg->threads,
					   "cpu", cfg->cpu, "rate", cfg->rate, "stopped", res->stopped,
					   "total_calls", (json_int_t)res->total_calls,
					   "total_syscalls", (json_int_t)res->total_syscalls,
					   "calls_per_s", per_second(res->total_calls, res->elapsed_s),
					   "syscalls_per_s",
					   per_second(res->total_syscalls, res->elapsed_s),
					   "clock", "name", res->clock_name,
					   "overhead_ns", res->clock_overhead_ns, "kinds", kinds));
}

int cmd_load(struct bc_ctx *ctx, int argc, char **argv)
{
	struct load_opts opts;
	struct load_report r = { .opts = &opts };
	int err;

	err = parse_args(argc, argv, &opts);
	if (err)
		return err < 0 ? err : 0;
	r.res = wl_result_new();
	if (!r.res) {
		bc_err("out of memory");
		return -ENOMEM;
	}
	/* A stop request ends the run early; wl_run still returns what was
	 * collected (res->stopped), which we print like any result. */
	err = wl_run(&opts.cfg, r.res);
	if (err)
		goto cleanup;
	if (ctx->json)
		err = print_json(ctx, &r);
	else
		print_plain(ctx, &r);
cleanup:
	wl_result_free(r.res);
	return err;
}
