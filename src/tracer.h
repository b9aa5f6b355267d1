/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The tracer under test for A/B measurements: the built-in reference
 * service (attached and detached in-process, cheap), or any command
 * (started, waited for until its BPF programs are attached, stopped). */
#ifndef BPFCOST_TRACER_H
#define BPFCOST_TRACER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include "sysmon.h"

#define TRACER_MAX_PROGS 64

struct tracer_opts {
	bool is_command;
	enum sysmon_weight weight;	/* !is_command */
	char **argv;			/* is_command: NULL-terminated */
	double ready_after_s;		/* >0: skip detection, wait this long */
	double ready_timeout_s;		/* give up detecting after this long */
	double grace_s;			/* SIGTERM, then SIGKILL after this */
	const char *log_path;		/* command output goes here, or /dev/null;
					 * never through a symlink */
	/* !is_command: load the sysmon programs afresh at every tracer_on and
	 * unload them at tracer_off, as a command is restarted. Two loads of
	 * the same programs can differ by a few ns per syscall for as long as
	 * they stay loaded (where their JIT images and maps land): compare
	 * needs that drawn anew each round, or it reads as a difference. */
	bool reload_each_on;
};

/* The options of every command that starts a tracer command (overhead,
 * compare, report, syscall): entries for its getopt_long table, their
 * help lines (for a help text whose option column is 23 wide), the
 * defaults, and one parser. */
#define TRACER_LONGOPTS							\
	{ "ready-after", required_argument, NULL, TRACER_OPT_READY_AFTER },	\
	{ "ready-timeout", required_argument, NULL, TRACER_OPT_READY_TIMEOUT },	\
	{ "grace", required_argument, NULL, TRACER_OPT_GRACE },		\
	{ "tracer-log", required_argument, NULL, TRACER_OPT_LOG }
enum {
	TRACER_OPT_READY_AFTER = 0x1000,	/* above every short option */
	TRACER_OPT_READY_TIMEOUT,
	TRACER_OPT_GRACE,
	TRACER_OPT_LOG,
};
#define TRACER_OPTS_HELP \
	"  --ready-after D        command: measure D after start, no detection\n"		\
	"  --ready-timeout D      command: give up waiting for attach after D (default 30s)\n" \
	"  --grace D              command: SIGKILL this long after SIGTERM (default 5s)\n"	\
	"  --tracer-log FILE      command: append its output here (default: discarded)\n"

/* After getopt with "+" (it stops at the first word that is not an
 * option; first is its optind): 0 when no word is left or the words came
 * after "--", else
 * -EINVAL, said in one line naming what goes there and the form of the
 * command (usage), so a
 * stray word such as a selector is never run as the tracer command. */
int tracer_argv_after_separator(int argc, char **argv, int first, const char *what,
				const char *usage);

/* Ready timeout 30 s, grace 5 s, the rest zero (detect readiness, no log). */
void tracer_opts_defaults(struct tracer_opts *o);
/* One of TRACER_LONGOPTS into o: 0, a negative errno for a bad value (said
 * in one line), or 1 when c is not a tracer option. */
int tracer_opt_parse(int c, const char *arg, struct tracer_opts *o);

struct tracer {
	struct tracer_opts o;
	struct sysmon *sm;
	pid_t pid;			/* running command, or 0 */
	int ledger_id;			/* its ledger entry (ledger.h) */
	struct rlimit nofile;		/* RLIMIT_NOFILE the command gets: ours at
					 * tracer_init, before the workload raises it */
	int log_fd;
	uint32_t prog_ids[TRACER_MAX_PROGS];	/* held by program or link fds */
	int nprogs;
	uint32_t id_floor;		/* highest program id before the last start */
	unsigned starts;		/* how many times it was switched on */
};

/* For a command, opens the log (O_NOFOLLOW: a symlink is refused in one
 * line) so a bad path fails before any measuring. */
int tracer_init(struct tracer *t, const struct tracer_opts *o);
/* Switch on: attach sysmon, or start the command and wait until its BPF
 * programs are attached. Fills prog_ids. The command runs in its own
 * process group with nothing of ours: default SIGPIPE, an empty signal
 * mask, our original fd limit, no fd of ours but the log on 1 and 2. It is
 * SIGKILLed if we die (PR_SET_PDEATHSIG, which follows the calling thread:
 * call from the main thread), and recorded in the ledger so the next start
 * kills what is left of its group after a crash. */
int tracer_on(struct tracer *t);
/* Switch off: detach, or stop the command (SIGTERM, then SIGKILL) and
 * wait until its programs are freed. -EBUSY, said in one line, when they
 * stay attached (pinned links): an off round would not be off. */
int tracer_off(struct tracer *t);
void tracer_fini(struct tracer *t);
/* "sysmon count" or the command line, for reports. */
void tracer_describe(const struct tracer *t, char *buf, size_t len);

/* The tracer's own CPU time (user + system), read before and after a
 * window, for its cost on other CPUs. A command: every live process of its
 * group, from /proc/PID/stat (utime + stime, in clock ticks: 10 ms at
 * USER_HZ 100); the reference service: its ring-buffer drain thread
 * (CLOCK_THREAD_CPUTIME_ID, ns). */
#define TRACER_CPU_MAX_PROCS 64

struct tracer_cpu {
	int n;
	int pid[TRACER_CPU_MAX_PROCS];
	unsigned long long start[TRACER_CPU_MAX_PROCS];	/* with pid, one process */
	uint64_t ns[TRACER_CPU_MAX_PROCS];
};

/* -ENOENT when the tracer has no user-space work to read: the reference
 * service at a weight without a drain thread (its CPU is none); -E2BIG
 * when its group has more than TRACER_CPU_MAX_PROCS processes. */
int tracer_cpu_read(const struct tracer *t, struct tracer_cpu *c);
/* Pure: CPU ns used between two readings, per process: one present at both
 * ends counts its difference, one born in between all of its time, one
 * that exited in between none (its last part is lost, never negative). */
uint64_t tracer_cpu_delta(const struct tracer_cpu *before, const struct tracer_cpu *after);
/* How tracer_cpu_read reads, in a few words, for reports. */
const char *tracer_cpu_method(const struct tracer *t);
/* Its resolution in ns (a clock tick for a command; 1 otherwise). */
uint64_t tracer_cpu_resolution_ns(const struct tracer *t);

#endif
