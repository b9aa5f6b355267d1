// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfcost sysmon: run the reference syscall monitor on its own and print a
 * live summary. It is the subject the measuring commands measure. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common.h"
#include "sysmon.h"

static const char sysmon_help[] =
	"Usage: bpfcost sysmon [OPTIONS]\n\n"
	"The reference syscall monitor: BPF programs on raw_syscalls sys_enter and\n"
	"sys_exit, in three weights that cost more on purpose:\n"
	"  count   per-syscall counters in a per-CPU array (sys_enter only)\n"
	"  proc    + per-process calls and in-syscall time (enter/exit pairing)\n"
	"  events  + every syscall as an event (pid, tid, comm, nr, args, return,\n"
	"          latency) through a ring buffer drained here; lost events counted\n\n"
	"Prints top syscalls, top processes and rates every interval, and a final\n"
	"summary. Runs until Ctrl-C, SIGTERM or --duration. Its own syscalls are\n"
	"left out.\n\n"
	"Probes: none.\n\n"
	"Options:\n"
	"  -w, --weight W     count, proc or events (default proc)\n"
	"  -d, --duration D   stop after D (10, 10s, 500ms, 2m)\n"
	"  -i, --interval D   summary every D (default 1s)\n"
	"  -p, --pid PID      only this process (tgid)\n"
	"  -c, --comm NAME    only tasks with this comm (max 15 chars)\n"
	"      --print        events weight: print every event, strace-like\n"
	"  -h, --help         this help\n\n"
	"EXAMPLES:\n"
	"  bpfcost sysmon                          # proc weight, until Ctrl-C\n"
	"  bpfcost sysmon -w events -d 10s\n"
	"  bpfcost sysmon -w count --comm nginx\n"
	"  bpfcost -j sysmon -w events -i 500ms -d 5  # JSON lines\n";

struct sysmon_cmd_opts {
	struct sysmon_opts sm;
	double duration_s;	/* 0: until stopped */
	double interval_s;
	bool print_events;
};

struct sysmon_sample {
	struct sysmon_summary sum;
	double elapsed_s;	/* since attach */
	double dt_s;		/* since the previous sample */
	uint64_t d_syscalls, d_events;
	bool final;
};

static int parse_comm(const char *arg, char *comm, size_t len)
{
	if (!*arg || strlen(arg) >= len) {
		bc_err("--comm must be 1 to %zu characters, got '%s'", len - 1, arg);
		return -EINVAL;
	}
	strcpy(comm, arg);
	return 0;
}

static int parse_opt(int c, const char *arg, void *opts)
{
	struct sysmon_cmd_opts *o = opts;

	switch (c) {
	case 'w':
		return sysmon_weight_parse(arg, &o->sm.weight);
	case 'd':
		return parse_duration("--duration", arg, &o->duration_s);
	case 'i':
		return parse_duration("--interval", arg, &o->interval_s);
	case 'p':
		return parse_int("--pid", arg, 1, 0x3fffffff, &o->sm.pid);
	case 'c':
		return parse_comm(arg, o->sm.comm, sizeof(o->sm.comm));
	case 'P':
		o->print_events = true;
		return 0;
	}
	return -EINVAL;
}

/* Returns 1 when --help was printed, 0 to run, < 0 on bad input. */
static int parse_args(int argc, char **argv, struct sysmon_cmd_opts *o)
{
	static const struct option opts[] = {
		{ "weight", required_argument, NULL, 'w' },
		{ "duration", required_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'i' },
		{ "pid", required_argument, NULL, 'p' },
		{ "comm", required_argument, NULL, 'c' },
		{ "print", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int err;

	*o = (struct sysmon_cmd_opts){ .sm.weight = SYSMON_PROC, .sm.exclude_self = true,
				       .interval_s = 1.0 };
	err = bc_parse_opts(argc, argv, "w:d:i:p:c:h", opts, sysmon_help, parse_opt, o, true);
	if (err)
		return err;
	if (o->print_events && o->sm.weight != SYSMON_EVENTS) {
		bc_err("--print needs --weight events");
		return -EINVAL;
	}
	return 0;
}

static double rate(uint64_t n, double secs)
{
	return secs > 0 ? (double)n / secs : 0;
}

static void print_event_json(FILE *f, const struct sysmon_event_view *ev)
{
	json_t *args = json_array(), *o;

	for (int i = 0; i < 6; i++)
		json_array_append_new(args, json_integer((json_int_t)ev->args[i]));
	o = bc_json_pack("{s:s, s:i, s:i, s:s, s:i, s:s?, s:o, s:I, s:I}", "type", "event", "pid",
		      ev->pid, "tid", ev->tid, "comm", ev->comm, "nr", ev->nr, "syscall",
		      ev->name, "args", args, "ret", (json_int_t)ev->ret, "latency_ns",
		      (json_int_t)ev->lat_ns);
	if (!o)
		return;
	/* One locked write per line, so lines from the two threads never mix. */
	char *line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);

	if (line)
		fprintf(f, "%s\n", line);
	free(line);
	json_decref(o);
}

static void print_event(const struct sysmon_event_view *ev, void *arg)
{
	struct bc_ctx *ctx = arg;
	FILE *f = ctx->out;

	/* Runs on the drain thread; one fprintf per event keeps lines whole. */
	if (ctx->json)
		print_event_json(f, ev);
	else if (ev->name)
		fprintf(f, "%-7u %-7u %-16s %s(0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64
			") = %" PRId64 " <%" PRIu64 " ns>\n", ev->pid, ev->tid, BC_ESC(ev->comm), ev->name,
			ev->args[0], ev->args[1], ev->args[2], ev->ret, ev->lat_ns);
	else
		fprintf(f, "%-7u %-7u %-16s syscall_%u(0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64
			") = %" PRId64 " <%" PRIu64 " ns>\n", ev->pid, ev->tid, BC_ESC(ev->comm), ev->nr,
			ev->args[0], ev->args[1], ev->args[2], ev->ret, ev->lat_ns);
}

static void print_plain(FILE *f, const struct sysmon_sample *s)
{
	const struct sysmon_summary *sum = &s->sum;

	fprintf(f, "%s sysmon (%s) at %.1f s: %.0f syscalls/s", s->final ? "==" : "--",
		sysmon_weight_name(sum->weight), s->elapsed_s, rate(s->d_syscalls, s->dt_s));
	if (sum->weight == SYSMON_EVENTS)
		fprintf(f, ", %.0f events/s, %" PRIu64 " events, %" PRIu64 " lost",
			rate(s->d_events, s->dt_s), sum->events, sum->lost);
	fprintf(f, ", %" PRIu64 " syscalls in all%s\n", sum->syscalls,
		s->final ? " (final)" : "");
	fprintf(f, "  %-20s %12s\n", "SYSCALL", "COUNT");
	for (int i = 0; i < sum->ntop_sys; i++) {
		const struct sysmon_top_sys *t = &sum->top_sys[i];
		char nm[24];

		if (t->name)
			snprintf(nm, sizeof(nm), "%s", t->name);
		else
			snprintf(nm, sizeof(nm), "syscall_%u", t->nr);
		fprintf(f, "  %-20s %12" PRIu64 "\n", nm, t->count);
	}
	if (sum->weight == SYSMON_COUNT) {
		fprintf(f, "  (per-process figures need --weight proc or events)\n");
		return;
	}
	fprintf(f, "  %-8s %-16s %12s %14s\n", "PID", "COMM", "CALLS", "IN_SYSCALL_MS");
	for (int i = 0; i < sum->ntop_proc; i++) {
		const struct sysmon_top_proc *p = &sum->top_proc[i];

		fprintf(f, "  %-8u %-16s %12" PRIu64 " %14.3f\n", p->pid, BC_ESC(p->comm), p->calls,
			(double)p->time_ns / 1e6);
	}
}

static json_t *sample_to_json(const struct sysmon_sample *s)
{
	const struct sysmon_summary *sum = &s->sum;
	json_t *sys = json_array(), *procs = json_null();

	for (int i = 0; i < sum->ntop_sys; i++)
		json_array_append_new(sys, bc_json_pack("{s:i, s:s?, s:I}", "nr", sum->top_sys[i].nr,
						     "name", sum->top_sys[i].name, "count",
						     (json_int_t)sum->top_sys[i].count));
	if (sum->weight != SYSMON_COUNT)
		procs = json_array();
	for (int i = 0; i < sum->ntop_proc; i++)
		json_array_append_new(procs, bc_json_pack("{s:i, s:s, s:I, s:I}", "pid",
						       sum->top_proc[i].pid, "comm",
						       sum->top_proc[i].comm, "calls",
						       (json_int_t)sum->top_proc[i].calls, "time_ns",
						       (json_int_t)sum->top_proc[i].time_ns));
	return bc_json_pack("{s:s, s:b, s:f, s:I, s:f, s:I, s:f, s:I, s:o, s:o}", "weight",
			 sysmon_weight_name(sum->weight), "final", s->final, "elapsed_s",
			 s->elapsed_s, "syscalls", (json_int_t)sum->syscalls, "syscalls_per_s",
			 rate(s->d_syscalls, s->dt_s), "events", (json_int_t)sum->events,
			 "events_per_s", rate(s->d_events, s->dt_s), "lost",
			 (json_int_t)sum->lost, "top_syscalls", sys, "top_processes",
			 procs);
}

static int emit(struct bc_ctx *ctx, const struct sysmon_sample *s)
{
	int err = 0;

	if (ctx->json)
		err = bc_json_emit(ctx, sample_to_json(s));
	else
		print_plain(ctx->out, s);
	fflush(ctx->out);
	return err ? err : bc_out_error(ctx);
}

static void announce(struct sysmon *sm)
{
	uint32_t ids[4];
	int n = sysmon_prog_ids(sm, ids, 4);
	char buf[64] = "";
	size_t len = 0;

	for (int i = 0; i < n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, " %u", ids[i]);
	bc_note("sysmon attached, program ids%s", buf);
}

struct monitor_state {
	struct bc_ctx *ctx;
	struct sysmon *sm;
	struct sysmon_sample s;
	uint64_t start, last, prev_sys, prev_ev;
};

/* One summary: the last interval's, or with final the whole run's. */
static int monitor_emit(struct monitor_state *m, bool final)
{
	struct sysmon_sample *s = &m->s;
	uint64_t now = bc_now_ns();
	int err;

	s->final = final;
	if (final)
		sysmon_detach(m->sm);	/* drains what is left */
	err = sysmon_read_summary(m->sm, &s->sum);
	if (err)
		return err;
	s->elapsed_s = (double)(now - m->start) / 1e9;
	s->dt_s = final ? s->elapsed_s : (double)(now - m->last) / 1e9;
	s->d_syscalls = final ? s->sum.syscalls : s->sum.syscalls - m->prev_sys;
	s->d_events = final ? s->sum.events : s->sum.events - m->prev_ev;
	m->prev_sys = s->sum.syscalls;
	m->prev_ev = s->sum.events;
	m->last = now;
	return emit(m->ctx, s);
}

/* The run's last interval is reported by the final summary instead. */
static int monitor_tick(void *arg, bool last)
{
	return last ? 0 : monitor_emit(arg, false);
}

/* Sample every interval until stopped or the duration is up. */
static int monitor(struct bc_ctx *ctx, struct sysmon *sm, const struct sysmon_cmd_opts *o)
{
	struct monitor_state m = { .ctx = ctx, .sm = sm, .start = bc_now_ns() };
	struct bc_interval iv = { .interval_s = o->interval_s, .duration_s = o->duration_s,
				  .start_ns = m.start };
	int err;

	m.last = m.start;
	err = bc_interval_loop(ctx, &iv, monitor_tick, &m, NULL);
	return err ? err : monitor_emit(&m, true);
}

int cmd_sysmon(struct bc_ctx *ctx, int argc, char **argv)
{
	struct sysmon_cmd_opts o;
	struct sysmon *sm = NULL;
	int err;

	err = parse_args(argc, argv, &o);
	if (err)
		return err < 0 ? err : 0;
	if (o.print_events) {
		o.sm.on_event = print_event;
		o.sm.on_event_arg = ctx;
	}
	err = sysmon_open(&o.sm, &sm);
	if (err)
		goto cleanup;
	err = sysmon_attach(sm);
	if (err)
		goto cleanup;
	announce(sm);
	err = monitor(ctx, sm, &o);
cleanup:
	sysmon_close(sm);
	return err;
}
