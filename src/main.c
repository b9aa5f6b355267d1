// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfcost: what do your BPF programs cost? Command dispatch lives here;
 * each subcommand has its own cmd_*.c file. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "kfeatures.h"
#include "ledger.h"
#include "owners.h"
#include "profile.h"
#include "runstats.h"
#include "syscallwrap.h"

static const struct bc_cmd commands[] = {
	{ "report", "what an agent costs, by every method this kernel allows (text, JSON, HTML)", cmd_report },
	{ "demo",   "measure the reference service with every method this kernel allows", cmd_demo },
	{ "doctor", "say which measuring methods work on this kernel, and why not", cmd_doctor },
	{ "prog",   "list loaded BPF programs with attach points and run-time stats", cmd_prog },
	{ "stats",  "sample per-program run-time stats (run_cnt, run_time_ns)", cmd_stats },
	{ "top",    "live per-program cost view (ncurses; batch frames with -b)", cmd_top },
	{ "profile", "fentry/fexit around BPF programs: ns per run, counters, calibrated", cmd_profile },
	{ "overhead", "A/B: how much slower syscalls get while a tracer runs", cmd_overhead },
	{ "compare", "A/B/off: is tracer version B slower than version A, per syscall", cmd_compare },
	{ "diff",   "the compare verdicts from two saved -j results of report, overhead, compare or stats", cmd_diff },
	{ "syscall", "per-syscall kernel latency with the tracer's probes inside (fentry/kprobe)", cmd_syscall },
	{ "annotate", "sampling profile of JITed BPF code per source line/insn (--top: CPU share)", cmd_annotate },
	{ "sysmon", "run the reference syscall monitor (count|proc|events)", cmd_sysmon },
	{ "load",   "generate a timed syscall workload", cmd_load },
	{ "exporter", "per-program cost as Prometheus metrics over HTTP (stats|sampling|both)", cmd_exporter },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: bpfcost [-j|--json] [-p|--pretty] [-v|--verbose] COMMAND [ARGS...]\n"
		"       bpfcost COMMAND --help\n"
		"       bpfcost --version\n\n"
		"Tells what BPF programs cost: ns per run, CPU share, syscall slowdown.\n\n"
		"Commands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
		"\nGlobal options:\n"
		"  -j, --json      JSON output\n"
		"  -p, --pretty    JSON output, indented\n"
		"  -v, --verbose   libbpf's debug output and extra notes\n"
		"  -h, --help      this help; 'bpfcost COMMAND --help' for a command\n"
		"  -V, --version   bpfcost's and libbpf's versions\n");
	fprintf(f,
		"\nProgram selectors (any command taking PROG): id N | tag HEX | name NAME | pinned PATH | pid N | comm NAME\n"
		"\nEXAMPLES:\n"
		"  bpfcost doctor                 # which methods work here\n"
		"  bpfcost demo                   # measure the reference service\n"
		"  bpfcost -j prog                # loaded programs as JSON\n"
		"  bpfcost stats name sysmon_cnt_enter --duration 5\n"
		"  bpfcost overhead --sysmon events\n");
}

/* libbpf's print hook has no user pointer, so verbosity picks the hook
 * itself instead of living in a global. */
static int libbpf_print_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static int libbpf_print_verbose(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return vfprintf(stderr, fmt, ap);
}

/* Global options count only before the command word: after it every word
 * is the command's (sysmon -p PID, a tracer command's own -v). Returns the
 * index of the command word, or -EINVAL for an unknown option there. */
static int take_global_opts(struct bc_ctx *ctx, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-j") || !strcmp(a, "--json"))
			ctx->json = true;
		else if (!strcmp(a, "-p") || !strcmp(a, "--pretty"))
			ctx->json = ctx->pretty = true;
		else if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
			ctx->verbose++;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "-V") ||
			 !strcmp(a, "--version"))
			break;	/* main's own words, as a command word */
		else {
			bc_err("unknown option '%s' before the command (try 'bpfcost --help')", a);
			return -EINVAL;
		}
	}
	return i;
}

/* Exit code: a failed write of the results is an error whatever the
 * command returned; a reader that went away (head, a pager quit early) is
 * no surprise and gets no message, like a SIGPIPE death. */
static int exit_code(struct bc_ctx *ctx, int err)
{
	int werr = bc_out_close(ctx);

	if (werr) {
		if (werr != -EPIPE)
			bc_err("cannot write the output: %s", strerror(-werr));
		return ctx->gate ? 2 : 1;
	}
	if (ctx->gate)
		return err ? 2 : ctx->gate_failed ? 1 : 0;
	if (err == -EINVAL || err == -ERANGE)
		return 2;
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct bc_ctx ctx = { .out_fd = -1 };
	const struct bc_cmd *cmd = NULL;
	char cmd_name[32];
	size_t i;
	int first, err;

	first = take_global_opts(&ctx, argc, argv);
	if (first < 0)
		return 2;
	argc -= first - 1;
	argv += first - 1;	/* argv[1]: the command word */
	if (argc < 2 && first > 1) {	/* "bpfcost -j": options, no command */
		bc_err("a command goes after '%s' (try 'bpfcost --help')", argv[0]);
		return 2;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (argc > 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
			 !strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
		bc_err("'%s' takes no arguments (got '%s')", argv[1], argv[2]);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return exit_code(&ctx, 0);
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("bpfcost %s (libbpf %s)\n", BPFCOST_VERSION, libbpf_version_string());
		return exit_code(&ctx, 0);
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			cmd = &commands[i];
	if (!cmd) {
		bc_err("unknown command '%s' (try 'bpfcost --help')", argv[1]);
		return 2;
	}

	libbpf_set_print(ctx.verbose ? libbpf_print_verbose : libbpf_print_quiet);
	/* Methods' own feature trials, which the feature layer calls by id. */
	rs_feature_provide();
	owners_feature_provide();
	sw_feature_provide();
	prof_feature_provide();
	bc_signals_install();
	ledger_sweep();		/* undo what a crashed run left (says what) */
	if (bc_out_open(&ctx, STDOUT_FILENO)) {
		bc_err("out of memory");
		return 1;
	}
	/* Commands see argv[0] as their own name, getopt-style, so getopt's
	 * own messages read "bpfcost prog: unrecognized option". */
	snprintf(cmd_name, sizeof(cmd_name), "bpfcost %s", cmd->name);
	argv[1] = cmd_name;
	err = cmd->run(&ctx, argc - 1, argv + 1);
	features_free(ctx.features);
	return exit_code(&ctx, err);
}
