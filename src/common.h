/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Shared context, error reporting and strict parsing for every subcommand. */
#ifndef BPFCOST_COMMON_H
#define BPFCOST_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <getopt.h>
#include <signal.h>
#include <jansson.h>

struct features;

/* Passed to every command instead of globals: output mode and verbosity. */
struct bc_ctx {
	bool json;		/* -j/--json: machine-readable output */
	bool pretty;		/* -p/--pretty: indented JSON */
	int verbose;		/* -v: libbpf debug output and extra notes */
	FILE *out;		/* where results go (stdout) */
	struct features *features;	/* probed once, on first use */
};

struct bc_cmd {
	const char *name;
	const char *summary;
	int (*run)(struct bc_ctx *ctx, int argc, char **argv);
};

/* Print "bpfcost: <msg>" on stderr as one line. Returns nothing: callers
 * still return their own negative errno. */
void bc_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A note for the user on stderr ("bpfcost: note: ..."). */
void bc_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Strict number parsing: whole string, in range, else -EINVAL/-ERANGE.
 * what names the option in the error message printed on failure. */
int parse_u64(const char *what, const char *s, uint64_t min, uint64_t max, uint64_t *out);
int parse_int(const char *what, const char *s, int min, int max, int *out);
int parse_double(const char *what, const char *s, double min, double max, double *out);
/* Durations: "10", "10s", "250ms", "2m", "1h"; must be > 0. In seconds. */
int parse_duration(const char *what, const char *s, double *secs);

/* Signals: handlers only set a flag, code polls it. */
void bc_signals_install(void);
bool bc_stop_requested(void);
void bc_stop_reset(void);
int bc_stop_signal(void);	/* the signal that asked us to stop, or 0 */

/* Monotonic time in ns. */
uint64_t bc_now_ns(void);
/* Sleep up to secs, waking early when a stop was requested. Returns
 * true when woken by a stop request. */
bool bc_sleep_interruptible(double secs);

/* JSON: emit one document (pretty or compact per ctx), steals the ref.
 * A NULL doc (a failed build) is -EINVAL. */
int bc_json_emit(struct bc_ctx *ctx, json_t *doc);
/* json_pack that says why it failed (jansson's own message) instead of
 * returning a bare NULL, which an array or object would silently drop. */
json_t *bc_json_pack(const char *fmt, ...);
/* A real, or null when v is NaN or infinite (JSON has no such numbers and
 * json_real refuses them). */
json_t *bc_json_real(double v);

/* Usage helper: print help text, return 0 (for --help) */
int bc_help(const char *text);

/* One option of a command: 0 or a negative errno (after a one-line error). */
typedef int (*bc_opt_fn)(int c, const char *arg, void *opts);
/* The getopt_long loop every command shares: -h/--help prints help and
 * returns 1; getopt's own complaints give -EINVAL; every other option goes
 * to fn. With no_args, words left after the options are an error. */
int bc_parse_opts(int argc, char **argv, const char *shortopts,
		  const struct option *longopts, const char *help, bc_opt_fn fn,
		  void *opts, bool no_args);

/* /proc walks. fn gets each process's pid (as the /proc name), or each fd
 * of one process with its link target ("anon_inode:bpf-prog", ...); a
 * non-zero return stops the walk and is returned. Processes and fds that
 * vanish or cannot be read are skipped. */
typedef int (*bc_proc_fn)(const char *pid, void *arg);
typedef int (*bc_fd_fn)(const char *pid, const char *fd, const char *target, void *arg);
int bc_for_each_process(bc_proc_fn fn, void *arg);
int bc_for_each_fd(const char *pid, bc_fd_fn fn, void *arg);
/* Small files (/proc, /sys, tracefs): read up to len - 1 bytes into buf,
 * NUL-terminated, returning how many (0 for an empty file); or write s with
 * one write(2), the file opened O_WRONLY | flags (O_APPEND for
 * kprobe_events). -errno on failure. */
int bc_read_str(const char *path, char *buf, size_t len);
int bc_write_str(const char *path, const char *s, int flags);
/* A file holding one integer, as a sysctl does: -EINVAL if it does not. */
int bc_read_int(const char *path, int *val);
/* From /proc/PID/stat: the process group (field 5) and the start time in
 * clock ticks since boot (field 22; with the pid, it names one process
 * across pid reuse). Either pointer may be NULL. -errno when gone. */
int bc_proc_stat(int pid, long *pgrp, unsigned long long *start);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The command table entries (one source file per command). */
int cmd_prog(struct bc_ctx *ctx, int argc, char **argv);
int cmd_doctor(struct bc_ctx *ctx, int argc, char **argv);
int cmd_sysmon(struct bc_ctx *ctx, int argc, char **argv);
int cmd_load(struct bc_ctx *ctx, int argc, char **argv);
int cmd_demo(struct bc_ctx *ctx, int argc, char **argv);
int cmd_stats(struct bc_ctx *ctx, int argc, char **argv);
int cmd_top(struct bc_ctx *ctx, int argc, char **argv);
int cmd_overhead(struct bc_ctx *ctx, int argc, char **argv);
int cmd_annotate(struct bc_ctx *ctx, int argc, char **argv);
int cmd_syscall(struct bc_ctx *ctx, int argc, char **argv);
int cmd_profile(struct bc_ctx *ctx, int argc, char **argv);

#endif
