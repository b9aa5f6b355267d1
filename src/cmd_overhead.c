// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfcost overhead: what a tracer adds to every syscall, by A/B timing. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common.h"
#include "tracer.h"
#include "cpumask.h"
#include "kfeatures.h"
#include "overhead.h"

#define OH_CMD_ROUNDS 10
#define OH_CMD_ROUND_S 1.0
/* What the A/B figure holds beyond the programs' own time. */
#define OH_REST_CONTAINS "what the tracer adds outside its programs, in the syscall's own " \
	"context: tracepoint dispatch; the syscall slow path, which a per-syscall tracepoint " \
	"switches on for every thread, so kinds the programs never run on pay it too; " \
	"ring-buffer or perf-buffer wake-ups of the agent made inside the syscall; cache and " \
	"TLB effects of the programs on the syscall itself. Not the agent's own user-space " \
	"work, which runs on other CPUs (agent CPU), unless it shares the workload's."
/* What the agent CPU figure holds, and why it is apart from ADDED. */
#define OH_CPU_INCLUDES "It includes the agent's work for every other process's events " \
	"too. It is not in ADDED: the workload runs pinned, the agent wherever the scheduler " \
	"puts it, so it costs the machine CPU time rather than latency to each syscall."

static const char overhead_help[] =
	"Usage: bpfcost overhead [OPTIONS] (--sysmon WEIGHT | -- COMMAND [ARGS...])\n\n"
	"Time the same syscall workload with a tracer off and on, in interleaved\n"
	"rounds (off, on, off, on, ... after a warm-up), pinned to one CPU. This is\n"
	"the one method that sees everything a tracer adds to a syscall: its BPF\n"
	"programs, the tracepoint dispatch, the syscall slow path that syscall\n"
	"tracepoints switch on, wake-ups made in the syscall. The agent's own\n"
	"user-space work runs on other CPUs (unless it shares the workload's): it\n"
	"costs the machine CPU time, not latency. That is a second figure, AGENT\n"
	"CPU: the user + system time of every process in a command's process group\n"
	"(/proc/PID/stat, clock ticks), or of the reference service's ring-buffer\n"
	"drain thread, during the on-rounds' workload windows, as ns per workload\n"
	"syscall and % of one CPU, with t-intervals over the rounds.\n\n"
	"The tracer is the built-in reference service (attached and detached\n"
	"in-process between rounds), or any command: bpfcost starts it, waits until\n"
	"its BPF programs are loaded and attached, measures, then stops it (SIGTERM,\n"
	"then SIGKILL after --grace). A command is restarted for every on-round.\n"
	"Its programs are found through its program, link and perf event fds; a\n"
	"command whose programs stay attached once stopped (pinned links) is\n"
	"refused, since every off-round would be traced too.\n\n"
	"Per syscall it reports latency off and on (p50, p90, p99, mean), the added\n"
	"ns with a 95% confidence interval, the slowdown, and an A/A control (off\n"
	"against off) as the noise floor. Each round's figure is the interquartile\n"
	"mean of its calls (p25..p75: robust to preempted calls, so ADDED leaves out\n"
	"a cost that hits fewer than about a quarter of the calls, such as a\n"
	"wake-up every Nth event: compare the mean columns for those); each on-round is\n"
	"compared with the mean of the off-rounds either side of it, so slow drift\n"
	"of the machine cancels, and short rounds leave it little time to drift.\n"
	"The A/A control does the same for every other off-round against its\n"
	"neighbours. Neighbouring comparisons share an off-round, so the intervals\n"
	"allow for correlated neighbours: from 60 values on, a circular block\n"
	"bootstrap over rounds; below, a t-interval widened for the strongest\n"
	"correlation of neighbours (conservative). JSON names the method.\n"
	"The interval is this run's: the same command run again later moves by\n"
	"more (three 60 s runs of --sysmon count on a shared 2-CPU VM: 127, 142\n"
	"and 208 ns added, half-widths 1.1 to 1.5 ns, while the off latency itself\n"
	"moved from 979 to 1095 ns; and each load of the programs lands its code\n"
	"elsewhere). To compare two tracers or two versions, run them side by\n"
	"side with bpfcost compare.\n\n"
	"Extra on-rounds with run-time stats split the added time of each syscall\n"
	"kind into IN_BPF, the time inside the tracer's BPF programs per call, and\n"
	"REST. In those rounds each kind runs alone, the others off, so a kind the\n"
	"programs never run on shows no program time, and its added time shows as\n"
	"what it is. IN_BPF is corrected for the stats' own cost per run, measured\n"
	"when those rounds start with an empty program (the report says when it\n"
	"could not be, and gives the raw figure). REST = ADDED - IN_BPF: what the\n"
	"tracer adds outside its programs, in the syscall's own context: tracepoint\n"
	"dispatch; the syscall slow path, which a per-syscall tracepoint switches on\n"
	"for every thread; wake-ups of the agent made inside the syscall; cache\n"
	"effects. Not the agent's user-space work (AGENT CPU), unless it runs on\n"
	"the workload's CPU. Neither part is ever shown as a negative figure: an interval that\n"
	"reaches 0 shows as \"< X\". The extra rounds are not part of the A/B\n"
	"figures, since the stats add two clock reads per program run. For the same\n"
	"reason the report warns, naming the process, when another process held\n"
	"run-time stats on during the A/B rounds.\n\n"
	"Probes: raw_tp (--sysmon); stats_fd, else stats_sysctl (unless\n"
	"--decomp-rounds 0); a refusal also probes what the other methods need,\n"
	"to name what works here.\n\n"
	"Options:\n"
	"  --sysmon WEIGHT        the reference service: count, proc or events\n"
	"  --syscalls LIST        workload kinds (default " WL_DEFAULT_KINDS "; see\n"
	"                         bpfcost load --help)\n"
	"  --rounds N             off/on pairs, 4..10000 (default 500; 10 for a command)\n"
	"  --round-time D         workload time per round (default 0.02s; 1s for a command)\n"
	"  --cpu C                pin the workload to CPU C; -1: no pinning (default:\n"
	"                         the first CPU we may use: online, in our CPU set)\n"
	"  --threads N            workload threads (default 1)\n"
	"  --decomp-rounds N      extra on-rounds with run-time stats, each running every\n"
	"                         kind alone for the round time (at least 0.25s)\n"
	"                         (default: a quarter of the on-rounds' time, at least\n"
	"                         3; 0 turns the decomposition off)\n"
	TRACER_OPTS_HELP
	"  -h, --help             this help\n\n"
	"EXAMPLES:\n"
	"  bpfcost overhead --sysmon events\n"
	"  bpfcost overhead --sysmon count --syscalls getpid --rounds 1500\n"
	"  bpfcost overhead -- bpftrace -e 'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }'\n"
	"  bpfcost -j overhead --tracer-log agent.log -- ./my-agent --config prod.yaml\n";

struct overhead_opts {
	struct oh_config cfg;
	struct tracer_opts t;
	bool have_sysmon, have_rounds, have_round_time, have_decomp;
};

static int parse_opt(int c, const char *arg, void *opts)
{
	struct overhead_opts *o = opts;

	int terr = tracer_opt_parse(c, arg, &o->t);

	if (terr <= 0)
		return terr;
	switch (c) {
	case 'S':
		o->have_sysmon = true;
		return sysmon_weight_parse(arg, &o->t.weight);
	case 's':
		return wl_parse_mix(arg, &o->cfg.wl.mask);
	case 'r':
		o->have_rounds = true;
		return parse_int("--rounds", arg, 4, 10000, &o->cfg.rounds);
	case 'R':
		o->have_round_time = true;
		return parse_duration("--round-time", arg, &o->cfg.wl.duration_s);
	case 'c':
		return parse_int("--cpu", arg, WL_CPU_NONE, CPUMASK_MAX - 1, &o->cfg.wl.cpu);
	case 't':
		return parse_int("--threads", arg, 1, 1024, &o->cfg.wl.threads);
	case 'D':
		o->have_decomp = true;
		return parse_int("--decomp-rounds", arg, 0, 10000, &o->cfg.decomp_rounds);
	}
	return -EINVAL;
}

static void apply_defaults(struct overhead_opts *o)
{
	bool cmd = o->t.is_command;

	/* A command's rounds are slow (a restart each), but below 10 the A/A
	 * control has 4 values or fewer: an interval from the t-interval
	 * with a lag-1 bound, wide enough to mean little. */
	if (!o->have_rounds)
		o->cfg.rounds = cmd ? OH_CMD_ROUNDS : 500;
	/* In-process toggling is cheap, so sysmon gets many short rounds:
	 * the shorter the rounds, the less the machine drifts between an
	 * on-round and the off-rounds around it (bench/overhead_precision:
	 * +-2 ns at 20 s with 0.02 s rounds against +-19 ns with 0.5 s). */
	if (!o->have_round_time)
		o->cfg.wl.duration_s = cmd ? OH_CMD_ROUND_S : 0.02;
	if (!o->have_decomp)
		o->cfg.decomp_rounds = oh_default_decomp_rounds(&o->cfg);
}

/* Returns 1 when --help was printed, 0 to run, < 0 on bad input. */
static int parse_args(int argc, char **argv, struct overhead_opts *o)
{
	static const struct option opts[] = {
		{ "sysmon", required_argument, NULL, 'S' },
		{ "syscalls", required_argument, NULL, 's' },
		{ "mix", required_argument, NULL, 's' },	/* load's old name, not in help */
		{ "rounds", required_argument, NULL, 'r' },
		{ "round-time", required_argument, NULL, 'R' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "threads", required_argument, NULL, 't' },
		{ "decomp-rounds", required_argument, NULL, 'D' },
		TRACER_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int err;

	memset(o, 0, sizeof(*o));
	o->cfg.wl.threads = 1;
	o->cfg.wl.cpu = WL_CPU_AUTO;
	tracer_opts_defaults(&o->t);
	err = wl_parse_mix(WL_DEFAULT_KINDS, &o->cfg.wl.mask);
	/* '+': stop at the first non-option, the tracer command. */
	if (!err)
		err = bc_parse_opts(argc, argv, "+h", opts, overhead_help, parse_opt, o, false);
	if (err)
		return err;
	err = tracer_argv_after_separator(argc, argv, optind, "a tracer command",
					  "bpfcost overhead [OPTIONS] -- COMMAND ARGS");
	if (err)
		return err;
	o->t.is_command = optind < argc;
	o->t.argv = argv + optind;
	if (o->t.is_command == o->have_sysmon) {
		bc_err("give exactly one tracer: --sysmon WEIGHT or -- COMMAND ARGS");
		return -EINVAL;
	}
	apply_defaults(o);
	return wl_cpu_resolve(&o->cfg.wl.cpu);
}

static void print_progress(int i, int total, const char *what, void *arg)
{
	fprintf(stderr, "\r\033[Kbpfcost: round %d/%d: %s", i, total, what);
	fflush(stderr);
}

/* "point [lo, hi]", or the point and why there is no interval. */
static void fmt_ci(char *buf, size_t len, const struct stats_ci *ci)
{
	if (stats_ci_has_interval(ci))
		snprintf(buf, len, "%.1f [%.1f, %.1f]", ci->point, ci->lo, ci->hi);
	else
		snprintf(buf, len, "%.1f (too few rounds for an interval)", ci->point);
}

static const char *flags_of(const struct oh_kind *k, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", oh_ci_includes_zero(&k->delta) ? " ci-includes-0" : "",
		 oh_aa_exceeds_effect(k) ? " a/a-drift>=effect" : "");
	return buf[0] ? buf + 1 : "-";
}

static void print_latency_table(FILE *f, const struct oh_result *r)
{
	char flags[64];

	fprintf(f, "%-10s %8s %8s %8s %9s %8s %8s %8s %9s %22s %8s %22s  %s\n", "SYSCALL",
		"OFF_P50", "OFF_P90", "OFF_P99", "OFF_MEAN", "ON_P50", "ON_P90", "ON_P99",
		"ON_MEAN", "ADDED_NS [95% CI]", "SLOWDOWN", "A/A_NS [95% CI]", "FLAGS");
	for (int i = 0; i < WL_KIND_COUNT; i++) {
		const struct oh_kind *k = &r->k[i];
		char added[40], aa[40], rel[24];

		if (!(r->mask & (1u << i)))
			continue;
		fmt_ci(added, sizeof(added), &k->delta);
		fmt_ci(aa, sizeof(aa), &k->aa);
		/* Undefined when the off rounds' mean is 0 (a clock too coarse). */
		if (isfinite(oh_relative(k)))
			snprintf(rel, sizeof(rel), "%.1f%%", oh_relative(k) * 100);
		else
			snprintf(rel, sizeof(rel), "-");
		fprintf(f, "%-10s %8llu %8llu %8llu %9.1f %8llu %8llu %8llu %9.1f %22s %8s %22s  %s\n",
			wl_kind_name(i), (unsigned long long)hist_percentile(&k->off, 50),
			(unsigned long long)hist_percentile(&k->off, 90),
			(unsigned long long)hist_percentile(&k->off, 99), hist_mean(&k->off),
			(unsigned long long)hist_percentile(&k->on, 50),
			(unsigned long long)hist_percentile(&k->on, 90),
			(unsigned long long)hist_percentile(&k->on, 99), hist_mean(&k->on), added,
			rel, aa, flags_of(k, flags, sizeof(flags)));
	}
}

/* A part of the added time (IN_BPF, REST), never as a negative figure.
 * whole: ADDED, for a bound "< X" above its point, marked "^" (NULL: the
 * figure is no part of it). */
static void fmt_part(char *buf, size_t len, const struct stats_ci *ci,
		     const struct stats_ci *whole)
{
	switch (oh_nonneg(ci)) {
	case OH_NN_VALUE:
		snprintf(buf, len, "%.1f [%.1f, %.1f]", ci->point, ci->lo, ci->hi);
		break;
	case OH_NN_BELOW:
		snprintf(buf, len, "< %.1f%s", ci->hi,
			 whole && ci->hi > whole->point ? " ^" : "");
		break;
	case OH_NN_NONE:
		snprintf(buf, len, "0 (no run)");
		break;
	case OH_NN_NEGATIVE:
		snprintf(buf, len, "inconsistent");
		break;
	case OH_NN_NO_CI:
		if (ci->point >= 0)
			snprintf(buf, len, "%.1f (no interval)", ci->point);
		else
			snprintf(buf, len, "<= 0 (no interval)");
		break;
	}
}

static void print_bias_line(FILE *f, const struct oh_result *r)
{
	const struct sb_bias *b = &r->bias;

	if (b->valid)
		fprintf(f, "  IN_BPF is corrected for the run-time stats' own cost: %.1f ns per run "
			"[%.1f, %.1f], measured now with an empty program (%s, clock %s)%s\n",
			b->ns_per_run, b->lo, b->hi, b->hook, BC_ESC(b->clocksource),
			r->unbiased_runs ? "; trampoline-run programs are not corrected" : "");
	else
		fprintf(f, "  IN_BPF is raw run-time stats, their own cost included (it could not "
			"be measured: %s)\n", BC_ESC(b->why));
}

/* text folded at spaces into lines of at most 80 columns, each after
 * indent spaces. */
static void print_folded(FILE *f, int indent, const char *text)
{
	const char *p = text;

	while (*p) {
		int room = 80 - indent, n = (int)strlen(p);

		if (n > room) {
			n = room;
			while (n > 0 && p[n] != ' ')
				n--;
			if (!n)
				n = room;
		}
		fprintf(f, "%*s%.*s\n", indent, "", n, p);
		p += n;
		while (*p == ' ')
			p++;
	}
}

static void print_decomposition(FILE *f, const struct oh_result *r)
{
	bool below = false, above = false, negative = false, no_ci = false;

	if (!r->have_decomp) {
		fprintf(f, "\nDecomposition: not available: %s\n", r->decomp_why);
		return;
	}
	fprintf(f, "\nDecomposition (%d extra on-rounds with run-time stats via %s, each syscall "
		"kind alone, the others off%s):\n", r->decomp_rounds,
		bpfstats_via_name(r->stats_via),
		r->stats_were_on ? "; stats were already on, so the A/B rounds include their cost" :
		"");
	print_bias_line(f, r);
	fprintf(f, "  %.0f program runs/s seen with no workload (other processes) are taken out of "
		"each window\n", r->bg_runs_per_s);
	fprintf(f, "%-10s %9s %28s %28s %28s\n", "SYSCALL", "RUNS/CALL", "ADDED_NS [95% CI]",
		"IN_BPF_NS [95% CI]", "REST_NS [95% CI]");
	for (int i = 0; i < WL_KIND_COUNT; i++) {
		const struct oh_kind *k = &r->k[i];
		char added[48], in_bpf[48], rest[48];

		if (!(r->mask & (1u << i)))
			continue;
		fmt_ci(added, sizeof(added), &k->delta);
		fmt_part(in_bpf, sizeof(in_bpf), &k->in_bpf, &k->delta);
		fmt_part(rest, sizeof(rest), &k->rest, &k->delta);
		fprintf(f, "%-10s %9.2f %28s %28s %28s\n", wl_kind_name(i),
			fmax(k->runs_per_call.point, 0), added, in_bpf, rest);
		below |= oh_nonneg(&k->in_bpf) == OH_NN_BELOW || oh_nonneg(&k->rest) == OH_NN_BELOW;
		above |= (oh_nonneg(&k->in_bpf) == OH_NN_BELOW && k->in_bpf.hi > k->delta.point) ||
			 (oh_nonneg(&k->rest) == OH_NN_BELOW && k->rest.hi > k->delta.point);
		negative |= oh_nonneg(&k->in_bpf) == OH_NN_NEGATIVE ||
			    oh_nonneg(&k->rest) == OH_NN_NEGATIVE;
		no_ci |= oh_nonneg(&k->in_bpf) == OH_NN_NO_CI;
	}
	print_folded(f, 2, "RUNS/CALL: program runs per call of that kind (openat's call is "
		     "openat + close). IN_BPF: ns per call inside the tracer's programs, from "
		     "run-time stats in rounds of that kind alone; t-interval over the rounds. "
		     "REST = ADDED - IN_BPF: " OH_REST_CONTAINS);
	if (below)
		fprintf(f, "  < X: the interval reaches 0; the part is below X.\n");
	if (above)
		fprintf(f, "  ^: X is above ADDED's point: the part's interval, from its own\n"
			"  rounds (and for REST, ADDED's too), reaches further than the whole's\n"
			"  point; the part is not resolved, not larger than the whole.\n");
	if (negative)
		fprintf(f, "  inconsistent: the interval lies wholly below 0 (IN_BPF above ADDED, or\n"
			"  the stats bias above the raw figure): no figure is given.\n");
	if (no_ci)
		fprintf(f, "  no interval: too few rounds for an interval (--decomp-rounds 2 or more).\n");
}

static void print_agent_cpu(FILE *f, const struct tracer *t, const struct oh_result *r)
{
	char desc[256], per[48], pct[48], how[512];

	fprintf(f, "\nAgent CPU (the tracer's own processes or threads: a second cost, on other "
		"CPUs):\n");
	tracer_describe(t, desc, sizeof(desc));
	if (r->cpu_none) {
		fprintf(f, "  none: %s has no user-space work while attached\n", BC_ESC(desc));
		return;
	}
	if (!r->n_cpu) {
		fprintf(f, "  not available: %s\n", r->cpu_why);
		return;
	}
	fmt_part(per, sizeof(per), &r->cpu_per_syscall, NULL);
	fmt_part(pct, sizeof(pct), &r->cpu_pct, NULL);
	fprintf(f, "  %-24s %s\n  %-24s %s\n", "ns per workload syscall", per, "% of one CPU", pct);
	snprintf(how, sizeof(how), "From the %s, resolution %.3g %s, in the workload windows of "
		 "%d on-rounds; t-interval over the rounds. " OH_CPU_INCLUDES, r->cpu_method,
		 r->cpu_resolution_ns >= 1000000 ? (double)r->cpu_resolution_ns / 1e6 :
		 (double)r->cpu_resolution_ns, r->cpu_resolution_ns >= 1000000 ? "ms" : "ns",
		 r->n_cpu);
	print_folded(f, 2, how);
}

static void read_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(buf, len, "?");
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* Stats held on by someone else during the A/B rounds: say who. */
static void print_stats_warning(FILE *f, const struct oh_result *r)
{
	char comm[32];

	if (!r->ab_counted_runs)
		return;
	fprintf(f, "Warning: run-time stats were on during the A/B rounds (%llu runs counted",
		(unsigned long long)r->ab_counted_runs);
	if (r->stats_sysctl_on)
		fprintf(f, "; kernel.bpf_stats_enabled=1");
	for (int i = 0; i < r->n_stats_holders && i < OH_MAX_HOLDERS; i++) {
		read_comm(r->stats_holders[i], comm, sizeof(comm));
		fprintf(f, "%s pid %d (%s)", i ? "," : "; held by", (int)r->stats_holders[i],
			BC_ESC(comm));
	}
	fprintf(f, "): every run of the tracer's programs paid their two clock reads, so ADDED "
		"includes them.\n");
}

static json_t *stats_during_ab_json(const struct oh_result *r)
{
	json_t *holders = json_array();
	char comm[32];

	for (int i = 0; i < r->n_stats_holders && i < OH_MAX_HOLDERS; i++) {
		read_comm(r->stats_holders[i], comm, sizeof(comm));
		json_array_append_new(holders, bc_json_pack("{s:i, s:s}", "pid",
							 (int)r->stats_holders[i], "comm", comm));
	}
	return bc_json_pack("{s:b, s:I, s:b, s:o}", "on", r->ab_counted_runs > 0, "counted_runs",
			 (json_int_t)r->ab_counted_runs, "sysctl", r->stats_sysctl_on,
			 "holders", holders);
}

static void print_plain(FILE *f, const struct tracer *t, const struct oh_result *r,
			const struct oh_config *cfg)
{
	char desc[256];

	tracer_describe(t, desc, sizeof(desc));
	fprintf(f, "Tracer: %s (%s; %d BPF programs)\n", BC_ESC(desc),
		t->o.is_command ? "restarted for every on-round" : "attached/detached in-process",
		r->tracer_progs);
	fprintf(f, "Rounds: %d off + %d on after a warm-up, %.2f s each; workload: %d thread(s)%s",
		r->rounds + 1, r->rounds, r->round_s, cfg->wl.threads,
		cfg->wl.cpu >= 0 ? " pinned from CPU " : " unpinned");
	if (cfg->wl.cpu >= 0)
		fprintf(f, "%d", cfg->wl.cpu);
	fprintf(f, "\n");
	print_stats_warning(f, r);
	fprintf(f, "Latency in ns per call. Round figure: interquartile mean of the calls. ADDED: each "
		"on-round minus the mean of the off-rounds either side.\nA/A: every other "
		"off-round minus its neighbours (the noise floor).\n\n");
	print_latency_table(f, r);
	print_decomposition(f, r);
	print_agent_cpu(f, t, r);
}

/* lo, hi and method are null when there were too few rounds for an
 * interval. */
static json_t *ci_json(const struct stats_ci *ci)
{
	bool have = stats_ci_has_interval(ci);

	return bc_json_pack("{s:o, s:o, s:o, s:f, s:o, s:I}", "point", bc_json_real(ci->point),
			 "lo", bc_json_real(have ? ci->lo : NAN), "hi",
			 bc_json_real(have ? ci->hi : NAN), "level", ci->level, "method",
			 have ? json_string(ci->method) : json_null(), "n", (json_int_t)ci->n);
}

static const char *const nn_names[] = {
	[OH_NN_VALUE] = "value", [OH_NN_BELOW] = "below", [OH_NN_NONE] = "none",
	[OH_NN_NEGATIVE] = "inconsistent", [OH_NN_NO_CI] = "no_interval",
};

/* A part of the added time, never a negative figure: "value" gives point,
 * lo, hi; "below" only hi (the interval reaches 0); "none" 0 (no run);
 * "inconsistent" nothing (its interval lies below 0); "no_interval" the
 * point when it is not negative. */
static json_t *part_json(const struct stats_ci *ci)
{
	enum oh_nn nn = oh_nonneg(ci);
	double point = NAN, lo = NAN, hi = NAN;

	switch (nn) {
	case OH_NN_VALUE:
		point = ci->point, lo = ci->lo, hi = ci->hi;
		break;
	case OH_NN_BELOW:
		lo = 0, hi = ci->hi;
		break;
	case OH_NN_NONE:
		point = lo = hi = 0;
		break;
	case OH_NN_NEGATIVE:
		break;
	case OH_NN_NO_CI:
		point = ci->point >= 0 ? ci->point : NAN;
		break;
	}
	return bc_json_pack("{s:s, s:o, s:o, s:o, s:f, s:o, s:I}", "shown", nn_names[nn], "point",
			 bc_json_real(point), "lo", bc_json_real(lo), "hi", bc_json_real(hi),
			 "level", ci->level, "method",
			 ci->method ? json_string(ci->method) : json_null(), "n", (json_int_t)ci->n);
}

static json_t *kind_json(const struct oh_result *r, const struct oh_kind *k)
{
	json_t *o = bc_json_pack("{s:o, s:o, s:o, s:o, s:b, s:o, s:b}", "off",
			      hist_to_json(&k->off, false), "on", hist_to_json(&k->on, false),
			      "added_ns", ci_json(&k->delta), "relative", bc_json_real(oh_relative(k)),
			      "ci_includes_zero", oh_ci_includes_zero(&k->delta), "aa_ns",
			      ci_json(&k->aa), "aa_exceeds_effect", oh_aa_exceeds_effect(k));

	if (r->have_decomp)
		json_object_set_new(o, "decomposition",
				    bc_json_pack("{s:o, s:o, s:o}", "runs_per_call",
					      ci_json(&k->runs_per_call), "in_bpf_ns",
					      part_json(&k->in_bpf), "rest_ns", part_json(&k->rest)));
	return o;
}

static json_t *agent_cpu_json(const struct oh_result *r)
{
	if (r->cpu_none)
		return bc_json_pack("{s:b, s:s}", "none", true, "why", "no user-space work while "
				 "attached");
	if (!r->n_cpu)
		return bc_json_pack("{s:s}", "unavailable", r->cpu_why);
	return bc_json_pack("{s:o, s:o, s:i, s:s, s:I, s:s}", "ns_per_syscall",
			 part_json(&r->cpu_per_syscall), "cpu_pct", part_json(&r->cpu_pct),
			 "rounds", r->n_cpu, "method", r->cpu_method, "resolution_ns",
			 (json_int_t)r->cpu_resolution_ns, "includes", OH_CPU_INCLUDES);
}

static json_t *bias_json(const struct oh_result *r)
{
	const struct sb_bias *b = &r->bias;

	if (!b->valid)
		return bc_json_pack("{s:b, s:s}", "corrected", false, "why", b->why);
	return bc_json_pack("{s:b, s:f, s:f, s:f, s:f, s:i, s:I, s:s, s:s, s:f, s:I}", "corrected",
			 true, "ns_per_run", b->ns_per_run, "lo", b->lo, "hi", b->hi, "level",
			 SB_LEVEL, "batches", (int)b->batches, "runs", (json_int_t)b->runs, "hook",
			 b->hook, "clocksource", b->clocksource, "elapsed_s", b->elapsed_s,
			 "uncorrected_runs", (json_int_t)r->unbiased_runs);
}

static int print_json(struct bc_ctx *ctx, const struct tracer *t, const struct oh_result *r,
		      const struct oh_config *cfg)
{
	json_t *kinds = json_object(), *decomp;
	char desc[256];

	tracer_describe(t, desc, sizeof(desc));
	for (int i = 0; i < WL_KIND_COUNT; i++)
		if (r->mask & (1u << i))
			json_object_set_new(kinds, wl_kind_name(i), kind_json(r, &r->k[i]));
	if (r->have_decomp)
		decomp = bc_json_pack("{s:i, s:s, s:b, s:o, s:I, s:I, s:f, s:f, s:I, s:s, s:s}",
				   "rounds", r->decomp_rounds, "stats_via",
				   bpfstats_via_name(r->stats_via), "stats_were_on", r->stats_were_on,
				   "stats_bias", bias_json(r), "bpf_runs", (json_int_t)r->bpf_runs,
				   "bpf_time_ns", (json_int_t)r->bpf_time_ns, "workload_runs",
				   r->bpf_wl_runs, "background_runs_per_s", r->bg_runs_per_s,
				   "workload_syscalls", (json_int_t)r->wl_syscalls, "how",
				   "each kind alone in each round, the others off; in_bpf = "
				   "(run_time_ns - background rate x time - stats bias x runs) / "
				   "calls of that kind, t-interval over rounds; rest = added - in_bpf",
				   "rest_contains", OH_REST_CONTAINS);
	else
		decomp = bc_json_pack("{s:s}", "unavailable", r->decomp_why);
	return bc_json_emit(ctx, bc_json_pack("{s:{s:s, s:s, s:i, s:i}, s:i, s:f, s:i, s:i, "
					   "s:s, s:o, s:o, s:o, s:o}",
					   "tracer", "kind", t->o.is_command ? "command" : "sysmon",
					   "describe", desc, "programs", r->tracer_progs, "starts",
					   (int)r->tracer_starts, "rounds", r->rounds, "round_s",
					   r->round_s, "cpu", cfg->wl.cpu, "threads", cfg->wl.threads,
					   "round_statistic", "interquartile mean of the calls; added = on-round "
					   "minus the mean of the off-rounds either side",
					   "syscalls", kinds, "decomposition", decomp,
					   "agent_cpu", agent_cpu_json(r),
					   "stats_during_ab", stats_during_ab_json(r)));
}

int cmd_overhead(struct bc_ctx *ctx, int argc, char **argv)
{
	struct overhead_opts o;
	struct oh_result res = { 0 };
	struct tracer t = { .log_fd = -1 };
	char why[256];
	int err;

	err = parse_args(argc, argv, &o);
	if (err)
		return err < 0 ? err : 0;
	if (!o.t.is_command && !method_available(ctx, METHOD_AB, why, sizeof(why))) {
		bc_err("the reference service cannot run here: %s", why);
		return -EOPNOTSUPP;
	}
	/* Only the decomposition uses run-time stats: no question without it. */
	o.cfg.stats_ok = o.cfg.decomp_rounds && method_available(ctx, METHOD_STATS, NULL, 0);
	if (!ctx->json && isatty(STDERR_FILENO))
		o.cfg.progress = print_progress;
	err = tracer_init(&t, &o.t);
	if (!err)
		err = oh_run(&o.cfg, &t, &res);
	if (o.cfg.progress)
		fprintf(stderr, "\r\033[K");
	if (err == -EINTR)
		bc_err("interrupted by signal %d; tracer stopped", bc_stop_signal());
	else if (!err && ctx->json)
		err = print_json(ctx, &t, &res, &o.cfg);
	else if (!err)
		print_plain(ctx->out, &t, &res, &o.cfg);
	tracer_fini(&t);
	oh_result_free(&res);
	return err;
}
