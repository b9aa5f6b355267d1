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
struct perf_event_attr;

/* Passed to every command instead of globals: output mode and verbosity. */
struct bc_ctx {
	bool json;		/* -j/--json: machine-readable output */
	bool pretty;		/* -p/--pretty: indented JSON */
	int verbose;		/* -v: libbpf debug output and extra notes */
	FILE *out;		/* where results go (stdout, see bc_out_open) */
	int out_fd;		/* the descriptor under out */
	int out_errno;		/* first failed write to out_fd, 0 while all went out */
	struct features *features;	/* probed once, on first use */
	/* Gate commands (compare, diff): every error exits 2, and exit 1
	 * means gate_failed (B slower than the threshold allows). */
	bool gate;
	bool gate_failed;
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
 * what names the option in the error message printed on failure. Decimal
 * only, as the options document: no blanks, no '+', no 0x (hex, or a hex
 * float), no octal ("010" is ten); a '-' only where the type is signed. */
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

/* Results: every printer writes to ctx->out, a stream over fd (stdout)
 * that latches the first failed write (EPIPE when the reader went away,
 * ENOSPC, EIO, ...) in ctx->out_errno, from whichever thread wrote. Writes
 * after a failure are dropped at once. Long-running loops test
 * bc_should_stop() and return bc_out_error(); main closes the stream and
 * makes the exit code. bc_out_open: 0 or -ENOMEM. */
int bc_out_open(struct bc_ctx *ctx, int fd);
/* 0, or the first failed write's -errno. */
int bc_out_error(const struct bc_ctx *ctx);
/* A stop signal arrived or the output cannot be written: either way there
 * is no point going on. */
bool bc_should_stop(const struct bc_ctx *ctx);
/* Flush and close the stream bc_out_open made, then flush stdout (help and
 * usage text go there): 0 or the first write error as -errno. */
int bc_out_close(struct bc_ctx *ctx);

/* Text from outside (a comm, a BTF source line, a program name, a path, a
 * command line) made safe for a terminal: C0 controls, DEL, C1 controls,
 * malformed UTF-8 and the invisible Unicode characters that reorder or hide
 * text (bidi controls, zero-width ones, BOM, tags) become escapes: \n, \r,
 * \t, else \xNN per byte. Printable ASCII and printable UTF-8 pass as they
 * are; a backslash stays one backslash (display, not a reversible
 * encoding). JSON output needs none of this: it escapes (JSON_ENSURE_ASCII).
 *
 * bc_esc writes into dst (size >= 4) and returns dst, or s itself when s
 * needs no change and fits; what does not fit is cut at a whole character
 * or escape and ends in "..."; NULL shows as "(null)", as with printf's
 * %s. BC_ESC(s) does it in a block-scoped buffer, for a printf argument:
 * fprintf(f, "%-16s", BC_ESC(comm)). */
const char *bc_esc(char *dst, size_t size, const char *s);
#define BC_ESC_MAX 1024
#define BC_ESC(s) bc_esc((char[BC_ESC_MAX]){ 0 }, BC_ESC_MAX, (s))
/* argv[0..argc) (argc < 0: up to argv's NULL) as one POSIX shell line a
 * user can paste back: words with anything but letters, digits and
 * @%+=:,./-_ in single quotes, a ' inside as '\''; an empty word as ''.
 * Whole words only: what does not fit in len ends in " ..." (the
 * string is then len - 1 bytes at most). Returns buf. Control bytes stay
 * raw: print it through BC_ESC. */
char *bc_shell_join(char *buf, size_t len, int argc, char *const *argv);
/* The same escaping, unbounded, written to f: 0 or -EIO. */
int bc_fputs_esc(const char *s, FILE *f);
/* A plain table's text column sized from its content: the larger of w and
 * s's length as BC_ESC prints it (bytes, as printf's %-*s pads), so that a
 * long name or attach point never shifts the columns after it. */
int bc_col_width(int w, const char *s);

/* Monotonic time in ns. */
uint64_t bc_now_ns(void);
/* Sleep up to secs, waking early when a stop was requested. Returns
 * true when woken by a stop request. */
bool bc_sleep_interruptible(double secs);
/* The same, also waking when a write to ctx->out failed (bc_should_stop):
 * for loops whose output is written by another thread as well. */
bool bc_sleep_ctx(const struct bc_ctx *ctx, double secs);

/* The interval loop of stats, top -b, sysmon, annotate and profile. */
struct bc_interval {
	double interval_s;	/* sleep before each tick, > 0 */
	double duration_s;	/* end this long after start_ns; 0: no time limit */
	uint64_t count;		/* end after this many ticks; 0: no limit */
	uint64_t start_ns;	/* bc_now_ns() that the duration counts from */
};
/* One tick. last: the loop ends after it (duration or count reached, or a
 * stop requested during the sleep). 0 goes on, > 0 ends the loop here, a
 * negative errno ends it and is returned. */
typedef int (*bc_tick_fn)(void *arg, bool last);
/* Sleep to each tick (the last sleep cut short to end on time) and call
 * fn, at least once. The loop also ends, without another tick, when a stop
 * is requested or the time is up during a tick; a caller with a final
 * step does it after the loop. Its one stop test is bc_should_stop(ctx) (a
 * stop signal or a failed write of the output); ctx NULL, for loops that
 * only collect: stop signals alone. *stopped (may be NULL): a stop ended
 * it. Returns fn's negative errno, else the output's (bc_out_error), or 0. */
int bc_interval_loop(const struct bc_ctx *ctx, const struct bc_interval *iv, bc_tick_fn fn,
		     void *arg, bool *stopped);

/* perf_event_open(2), the one wrapper: no group, close-on-exec. pid -1
 * with a cpu counts that CPU; pid 0 with cpu -1 this process anywhere.
 * The fd, or a negative errno. */
int bc_perf_event_open(struct perf_event_attr *attr, int pid, int cpu);

/* JSON: emit one document (pretty or compact per ctx), steals the ref.
 * A NULL doc (a failed build) is -EINVAL; a failed write its -errno
 * (bc_out_error). */
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
/* After getopt_long(shortopts) returned '?': when the word it refused is a
 * global option the command does not have (-j, --json, -p, --pretty, -v,
 * --verbose), say that it goes before the command word. Returns -EINVAL,
 * for the caller to return. */
int bc_opt_refused(int argc, char **argv, const char *shortopts);

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
/* The same from the text of a stat file (pure; fuzzed): -EINVAL when the
 * fields after comm cannot be read. */
int bc_parse_proc_stat(const char *stat, long *pgrp, unsigned long long *start);
/* Every field of /proc/PID/stat bpfcost reads (the same parser). */
struct bc_proc_stat_fields {
	long pgrp;			/* field 5 */
	unsigned long long utime;	/* field 14: user time, clock ticks
					 * (sysconf(_SC_CLK_TCK)), all threads */
	unsigned long long stime;	/* field 15: system time, the same */
	unsigned long long start;	/* field 22: start, ticks since boot */
};
int bc_parse_proc_stat_fields(const char *stat, struct bc_proc_stat_fields *f);
int bc_proc_stat_fields(int pid, struct bc_proc_stat_fields *f);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The command table entries (one source file per command). */
int cmd_prog(struct bc_ctx *ctx, int argc, char **argv);
int cmd_doctor(struct bc_ctx *ctx, int argc, char **argv);
int cmd_sysmon(struct bc_ctx *ctx, int argc, char **argv);
int cmd_load(struct bc_ctx *ctx, int argc, char **argv);
int cmd_demo(struct bc_ctx *ctx, int argc, char **argv);
int cmd_report(struct bc_ctx *ctx, int argc, char **argv);
int cmd_stats(struct bc_ctx *ctx, int argc, char **argv);
int cmd_top(struct bc_ctx *ctx, int argc, char **argv);
int cmd_overhead(struct bc_ctx *ctx, int argc, char **argv);
int cmd_compare(struct bc_ctx *ctx, int argc, char **argv);
int cmd_diff(struct bc_ctx *ctx, int argc, char **argv);
int cmd_annotate(struct bc_ctx *ctx, int argc, char **argv);
int cmd_syscall(struct bc_ctx *ctx, int argc, char **argv);
int cmd_profile(struct bc_ctx *ctx, int argc, char **argv);
int cmd_exporter(struct bc_ctx *ctx, int argc, char **argv);

#endif
