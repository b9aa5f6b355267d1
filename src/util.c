// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include "common.h"

/* One line on stderr. Messages quote names, comms, paths and command
 * lines from outside: escaped like every plain printer's text. */
__attribute__((format(printf, 2, 0)))
static void err_line(const char *prefix, const char *fmt, va_list ap)
{
	char *msg = NULL;

	fputs(prefix, stderr);
	if (vasprintf(&msg, fmt, ap) >= 0)
		bc_fputs_esc(msg, stderr);
	else
		fputs("(out of memory formatting a message)", stderr);
	fputc('\n', stderr);
	free(msg);
}

void bc_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_line("bpfcost: ", fmt, ap);
	va_end(ap);
}

void bc_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_line("bpfcost: note: ", fmt, ap);
	va_end(ap);
}

/* strto* take blanks, signs, 0x (and, for base 0, octal), "inf" and "nan":
 * the options document plain decimal numbers, so only these characters
 * may appear, and the first must be a digit (after '-' where allowed). */
static bool decimal_form(const char *s, bool sign, bool real)
{
	if (sign && *s == '-')
		s++;
	if (!isdigit((unsigned char)*s) && !(real && *s == '.'))
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s) &&
		    !(real && (*s == '.' || *s == 'e' || *s == 'E' || *s == '-' || *s == '+')))
			return false;
	return true;
}

int parse_u64(const char *what, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;

	if (!s || !decimal_form(s, false, false)) {
		bc_err("invalid %s '%s': expected a non-negative decimal integer", what, s ? s : "");
		return -EINVAL;
	}
	errno = 0;
	v = strtoull(s, NULL, 10);
	if (errno == ERANGE || v < min || v > max) {
		bc_err("invalid %s '%s': must be between %llu and %llu", what, s,
		       (unsigned long long)min, (unsigned long long)max);
		return -ERANGE;
	}
	*out = v;
	return 0;
}

int parse_int(const char *what, const char *s, int min, int max, int *out)
{
	long v;

	if (!s || !decimal_form(s, true, false)) {
		bc_err("invalid %s '%s': expected a decimal integer", what, s ? s : "");
		return -EINVAL;
	}
	errno = 0;
	v = strtol(s, NULL, 10);
	if (errno == ERANGE || v < min || v > max) {
		bc_err("invalid %s '%s': must be between %d and %d", what, s, min, max);
		return -ERANGE;
	}
	*out = (int)v;
	return 0;
}

int parse_double(const char *what, const char *s, double min, double max, double *out)
{
	double v;
	char *end;

	if (!s || !decimal_form(s, true, true)) {
		bc_err("invalid %s '%s': expected a decimal number", what, s ? s : "");
		return -EINVAL;
	}
	errno = 0;
	v = strtod(s, &end);
	if (*end || !isfinite(v)) {
		bc_err("invalid %s '%s': expected a decimal number", what, s);
		return -EINVAL;
	}
	if (errno == ERANGE || v < min || v > max) {
		bc_err("invalid %s '%s': must be between %g and %g", what, s, min, max);
		return -ERANGE;
	}
	*out = v;
	return 0;
}

int parse_duration(const char *what, const char *s, double *secs)
{
	static const struct { const char *suffix; double mult; } units[] = {
		{ "ms", 1e-3 }, { "s", 1 }, { "m", 60 }, { "h", 3600 }, { "", 1 },
	};
	char num[64];
	size_t len, i;

	if (!s || !*s) {
		bc_err("invalid %s '': expected a duration like 10, 10s or 500ms", what);
		return -EINVAL;
	}
	len = strlen(s);
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		size_t sl = strlen(units[i].suffix);
		double v;
		char *end;

		if (len <= sl || len - sl >= sizeof(num) || strcmp(s + len - sl, units[i].suffix))
			continue;
		memcpy(num, s, len - sl);
		num[len - sl] = '\0';
		if (!decimal_form(num, true, true))
			break;
		errno = 0;
		v = strtod(num, &end);
		if (*end || errno || !isfinite(v))
			break;
		if (v <= 0) {
			bc_err("invalid %s '%s': must be greater than zero", what, s);
			return -ERANGE;
		}
		v *= units[i].mult;
		if (v > 7 * 86400.0) {
			bc_err("invalid %s '%s': at most a week", what, s);
			return -ERANGE;
		}
		*secs = v;
		return 0;
	}
	bc_err("invalid %s '%s': expected a duration like 10, 10s or 500ms", what, s);
	return -EINVAL;
}

/* Written only by the handler; read everywhere through bc_stop_requested(). */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

void bc_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: blocking calls return EINTR so loops see the flag. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

bool bc_stop_requested(void)
{
	return stop_signal != 0;
}

int bc_stop_signal(void)
{
	return stop_signal;
}

void bc_stop_reset(void)
{
	stop_signal = 0;
}

uint64_t bc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int bc_perf_event_open(struct perf_event_attr *attr, int pid, int cpu)
{
	int fd = (int)syscall(SYS_perf_event_open, attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* The one stop test of sleeps and interval loops: bc_should_stop, or with
 * no ctx (a loop that only collects) a stop signal alone. */
static bool stop_now(const struct bc_ctx *ctx)
{
	return ctx ? bc_should_stop(ctx) : bc_stop_requested();
}

/* ctx NULL: wake on a stop signal only; else on bc_should_stop(ctx). */
static bool sleep_until_stop(const struct bc_ctx *ctx, double secs)
{
	uint64_t deadline = bc_now_ns() + (uint64_t)(secs * 1e9);

	while (!stop_now(ctx)) {
		uint64_t now = bc_now_ns();
		uint64_t left;
		struct timespec ts;

		if (now >= deadline)
			return false;
		left = deadline - now;
		/* Short slices so a stop is seen within 50 ms. */
		if (left > 50000000ull)
			left = 50000000ull;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left;
		nanosleep(&ts, NULL);
	}
	return true;
}

bool bc_sleep_interruptible(double secs)
{
	return sleep_until_stop(NULL, secs);
}

bool bc_sleep_ctx(const struct bc_ctx *ctx, double secs)
{
	return sleep_until_stop(ctx, secs);
}

/* Seconds left of iv's duration; +inf without one. */
static double interval_left(const struct bc_interval *iv)
{
	if (iv->duration_s <= 0)
		return INFINITY;
	return iv->duration_s - (double)(bc_now_ns() - iv->start_ns) / 1e9;
}

int bc_interval_loop(const struct bc_ctx *ctx, const struct bc_interval *iv, bc_tick_fn fn,
		     void *arg, bool *stopped)
{
	bool stop = false, last = false;
	uint64_t ticks = 0;
	int ret = 0;

	while (!last && !ret) {
		double left = interval_left(iv);

		if (ticks && (stop_now(ctx) || left <= 1e-3)) {
			stop = stop_now(ctx);	/* came during the tick just run */
			break;
		}
		stop = sleep_until_stop(ctx, left < iv->interval_s ? (left > 0 ? left : 0) :
					iv->interval_s) || stop_now(ctx);
		ticks++;
		last = stop || (iv->count && ticks >= iv->count) || interval_left(iv) <= 1e-3;
		ret = fn(arg, last);
	}
	if (stopped)
		*stopped = stop;
	if (ret < 0)
		return ret;
	return ctx ? bc_out_error(ctx) : 0;
}

/* ---- the output stream ---- */

static void out_latch(struct bc_ctx *ctx, int err)
{
	int none = 0;

	__atomic_compare_exchange_n(&ctx->out_errno, &none, err, false, __ATOMIC_RELAXED,
				    __ATOMIC_RELAXED);
}

/* Why a write to stdout failed (help, --version): stdio keeps only the
 * error flag, and a text longer than its buffer fails at fputs, long
 * before the flush in bc_out_close. */
static int stdout_errno;

/* fopencookie's write hook: all of buf, or 0 (and the latch set) on error.
 * EINTR is retried (our handlers are installed without SA_RESTART) unless
 * a stop was requested: then a reader that does not read cannot hold us. */
static ssize_t out_write(void *cookie, const char *buf, size_t len)
{
	struct bc_ctx *ctx = cookie;
	size_t done = 0;

	while (done < len) {
		ssize_t n;

		if (__atomic_load_n(&ctx->out_errno, __ATOMIC_RELAXED))
			return 0;
		n = write(ctx->out_fd, buf + done, len - done);
		if (n > 0)
			done += (size_t)n;
		else if (n < 0 && errno == EINTR && !bc_stop_requested())
			continue;
		else
			out_latch(ctx, n < 0 ? errno : EIO);
	}
	return (ssize_t)len;
}

int bc_out_open(struct bc_ctx *ctx, int fd)
{
	static const cookie_io_functions_t io = { .write = out_write };
	FILE *f;

	ctx->out_fd = fd;
	ctx->out_errno = 0;
	f = fopencookie(ctx, "w", io);
	if (!f)
		return -ENOMEM;
	/* Buffered as stdout would be: by line to a terminal, else by block. */
	setvbuf(f, NULL, isatty(fd) ? _IOLBF : _IOFBF, BUFSIZ);
	ctx->out = f;
	return 0;
}

/* The latch only, no ferror(): that takes the stream's lock, which the
 * drain thread holds while a write blocks on a reader that does not read. */
int bc_out_error(const struct bc_ctx *ctx)
{
	return -__atomic_load_n(&ctx->out_errno, __ATOMIC_RELAXED);
}

bool bc_should_stop(const struct bc_ctx *ctx)
{
	return bc_stop_requested() || bc_out_error(ctx);
}

int bc_out_close(struct bc_ctx *ctx)
{
	int err;

	if (ctx->out) {
		fflush(ctx->out);
		err = bc_out_error(ctx);
		fclose(ctx->out);
		ctx->out = NULL;
		if (err)
			return err;
	}
	err = bc_out_error(ctx);
	if (err)
		return err;
	errno = 0;
	if (fflush(stdout) == EOF || ferror(stdout))
		return stdout_errno ? -stdout_errno : errno ? -errno : -EIO;
	return 0;
}

/* ---- escaping text from outside ---- */

/* Length (2..4) of the UTF-8 character at s when it is well formed and
 * shows as something, else 0. No locale is set, so iswprint() cannot tell;
 * refused here: C1 controls (U+0080..9F: U+009B is CSI to some terminals),
 * overlong forms, surrogates, and the characters that hide or reorder
 * text: zero-width ones and directional marks (U+200B..200F), line and
 * paragraph separators and bidi embeddings (U+2028..202E), word joiner to
 * bidi isolates (U+2060..206F), BOM, interlinear annotation, tags and
 * noncharacters. */
static size_t utf8_printable_len(const unsigned char *s)
{
	uint32_t cp;
	size_t n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)	/* also stops at the terminating NUL */
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	if (cp <= 0x9f || (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x200b && cp <= 0x200f) ||
	    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff ||
	    (cp >= 0xfff9 && cp <= 0xfffb) || (cp >= 0xfdd0 && cp <= 0xfdef) ||
	    (cp & 0xfffe) == 0xfffe || (cp >= 0xe0000 && cp <= 0xe007f))
		return 0;
	return n;
}

/* The next piece of s as shown: one character as it is, or one escape.
 * Fills piece (not terminated), returns its length; *used: bytes of s. */
static size_t esc_piece(const char *s, char piece[4], size_t *used)
{
	unsigned char c = (unsigned char)*s;
	size_t n;

	*used = 1;
	if (c >= 0x20 && c < 0x7f) {
		piece[0] = (char)c;
		return 1;
	}
	if (c >= 0x80 && (n = utf8_printable_len((const unsigned char *)s))) {
		memcpy(piece, s, n);
		*used = n;
		return n;
	}
	piece[0] = '\\';
	switch (c) {
	case '\n': piece[1] = 'n'; return 2;
	case '\r': piece[1] = 'r'; return 2;
	case '\t': piece[1] = 't'; return 2;
	}
	piece[1] = 'x';
	piece[2] = "0123456789abcdef"[c >> 4];
	piece[3] = "0123456789abcdef"[c & 0xf];
	return 4;
}

static bool sh_plain(const char *w)
{
	if (!*w)
		return false;
	for (; *w; w++)
		if (!isalnum((unsigned char)*w) && !strchr("@%+=:,./-_", *w))
			return false;
	return true;
}

/* w as one shell word into dst (NULL: only counted): its length. */
static size_t sh_quote(char *dst, const char *w)
{
	size_t n = 0;

	if (sh_plain(w)) {
		n = strlen(w);
		if (dst)
			memcpy(dst, w, n);
		return n;
	}
	if (dst)
		dst[n] = '\'';
	n++;
	for (; *w; w++) {
		const char *piece = *w == '\'' ? "'\\''" : NULL;
		size_t k = piece ? strlen(piece) : 1;

		if (dst)
			memcpy(dst + n, piece ? piece : w, k);
		n += k;
	}
	if (dst)
		dst[n] = '\'';
	return n + 1;
}

char *bc_shell_join(char *buf, size_t len, int argc, char *const *argv)
{
	static const char more[] = " ...";
	size_t n = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (int i = 0; argc < 0 ? argv[i] != NULL : i < argc; i++) {
		size_t sep = i ? 1 : 0, q = sh_quote(NULL, argv[i]);
		bool last = argc < 0 ? !argv[i + 1] : i + 1 == argc;

		/* room for this word, and for " ..." unless it is the last */
		if (n + sep + q + (last ? 0 : sizeof(more) - 1) >= len) {
			if (n + sizeof(more) - 1 < len)
				n += (size_t)snprintf(buf + n, len - n, "%s", i ? more : more + 1);
			break;
		}
		if (sep)
			buf[n++] = ' ';
		n += sh_quote(buf + n, argv[i]);
		buf[n] = '\0';
	}
	return buf;
}

const char *bc_esc(char *dst, size_t size, const char *s)
{
	size_t n = 0, keep = 0, cap = size - 1;
	const char *p;

	if (!s)
		return "(null)";	/* as printf's %s shows it */
	for (p = s; *p >= 0x20 && *p < 0x7f; p++)
		;
	if (!*p && (size_t)(p - s) <= cap)
		return s;	/* the usual case: nothing to do */
	for (p = s; *p;) {
		char piece[4];
		size_t used, len = esc_piece(p, piece, &used);

		if (n + len > cap) {	/* cut where "..." still fits */
			memcpy(dst + keep, "...", 3);
			n = keep + 3;
			break;
		}
		memcpy(dst + n, piece, len);
		n += len;
		p += used;
		if (n + 3 <= cap)
			keep = n;
	}
	dst[n] = '\0';
	return dst;
}

int bc_col_width(int w, const char *s)
{
	int l = (int)strlen(BC_ESC(s));

	return l > w ? l : w;
}

int bc_fputs_esc(const char *s, FILE *f)
{
	if (!s)
		s = "(null)";
	while (*s) {
		char piece[4];
		size_t used, len = esc_piece(s, piece, &used);

		if (fwrite(piece, 1, len, f) != len)
			return -EIO;
		s += used;
	}
	return 0;
}

json_t *bc_json_pack(const char *fmt, ...)
{
	json_error_t error;
	json_t *doc;
	va_list ap;

	va_start(ap, fmt);
	doc = json_vpack_ex(&error, 0, fmt, ap);
	va_end(ap);
	if (!doc)
		bc_err("internal error: cannot build JSON: %s (at %s)", error.text, error.source);
	return doc;
}

json_t *bc_json_real(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

int bc_json_emit(struct bc_ctx *ctx, json_t *doc)
{
	size_t flags = JSON_ENSURE_ASCII | JSON_REAL_PRECISION(10);
	char *text;
	int err;

	if (!doc)
		return -EINVAL;

	flags |= ctx->pretty ? JSON_INDENT(2) : JSON_COMPACT;
	/* Into one string, then one write: json_dumpf writes token by token,
	 * which for a 1,000-program stats frame cost more than building it. */
	text = json_dumps(doc, flags);
	json_decref(doc);
	if (!text)
		return -ENOMEM;
	err = fputs(text, ctx->out) < 0 || fputc('\n', ctx->out) == EOF;
	free(text);
	fflush(ctx->out);
	if (bc_out_error(ctx))
		return bc_out_error(ctx);
	return err ? -EIO : 0;
}

int bc_help(const char *text)
{
	errno = 0;
	if (fputs(text, stdout) == EOF || fflush(stdout) == EOF) {
		stdout_errno = errno ? errno : EIO;
		return -stdout_errno;
	}
	return 0;
}

int bc_opt_refused(int argc, char **argv, const char *shortopts)
{
	static const char *const globals[] = { "--json", "--pretty", "--verbose" };
	const char *word = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	/* a short option of the command's own (sysmon -p PID) lacked its value */
	bool global = optopt && strchr("jpv", optopt) && !strchr(shortopts, optopt);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(globals) && !global; i++)
		global = !strcmp(word, globals[i]);
	if (global)
		bc_err("note: -j/--json, -p/--pretty and -v/--verbose are global options: "
		       "put them before the command word ('bpfcost -j %s ...')",
		       strncmp(argv[0], "bpfcost ", 8) ? argv[0] : argv[0] + 8);
	return -EINVAL;
}

int bc_parse_opts(int argc, char **argv, const char *shortopts,
		  const struct option *longopts, const char *help, bc_opt_fn fn,
		  void *opts, bool no_args)
{
	int c, err;

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (c == 'h') {
			bc_help(help);
			return 1;
		}
		if (c == '?')	/* getopt already said what was wrong */
			return bc_opt_refused(argc, argv, shortopts);
		err = fn(c, optarg, opts);
		if (err)
			return err;
	}
	if (no_args && optind < argc) {
		bc_err("unexpected argument '%s' (try '%s --help')", argv[optind], argv[0]);
		return -EINVAL;
	}
	return 0;
}

int bc_for_each_process(bc_proc_fn fn, void *arg)
{
	struct dirent *de;
	int ret = 0;
	DIR *d;

	d = opendir("/proc");
	if (!d)
		return -errno;
	while (!ret && (de = readdir(d)))
		if (isdigit((unsigned char)de->d_name[0]))
			ret = fn(de->d_name, arg);
	closedir(d);
	return ret;
}

int bc_for_each_fd(const char *pid, bc_fd_fn fn, void *arg)
{
	char dir[64], path[340], target[64];
	struct dirent *de;
	int ret = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%s/fd", pid);
	d = opendir(dir);
	if (!d)
		return 0;	/* gone, or not ours to read */
	while (!ret && (de = readdir(d))) {
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		ret = fn(pid, de->d_name, target, arg);
	}
	closedir(d);
	return ret;
}

int bc_read_str(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

int bc_read_int(const char *path, int *val)
{
	char buf[32], *end;
	long v;
	int n = bc_read_str(path, buf, sizeof(buf));

	if (n <= 0)
		return n < 0 ? n : -EIO;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (end == buf || (*end && *end != '\n') || errno || v < INT_MIN || v > INT_MAX)
		return -EINVAL;
	*val = (int)v;
	return 0;
}

int bc_write_str(const char *path, const char *s, int flags)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | flags);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

int bc_parse_proc_stat_fields(const char *stat, struct bc_proc_stat_fields *f)
{
	struct bc_proc_stat_fields v;
	const char *p;

	/* comm may hold spaces and parens: fields resume after the last ')'. */
	p = strrchr(stat, ')');
	if (!p || sscanf(p + 1, " %*c %*d %ld %*s %*s %*s %*s %*s %*s %*s %*s %llu %llu %*s %*s "
			 "%*s %*s %*s %*s %llu", &v.pgrp, &v.utime, &v.stime, &v.start) != 4)
		return -EINVAL;
	*f = v;
	return 0;
}

/* The two fields most callers want, from a reading that gave err. */
static int stat_pgrp_start(int err, const struct bc_proc_stat_fields *f, long *pgrp,
			   unsigned long long *start)
{
	if (err)
		return err;
	if (pgrp)
		*pgrp = f->pgrp;
	if (start)
		*start = f->start;
	return 0;
}

int bc_parse_proc_stat(const char *stat, long *pgrp, unsigned long long *start)
{
	struct bc_proc_stat_fields f;

	return stat_pgrp_start(bc_parse_proc_stat_fields(stat, &f), &f, pgrp, start);
}

int bc_proc_stat_fields(int pid, struct bc_proc_stat_fields *f)
{
	char path[64], buf[1024];
	int n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	n = bc_read_str(path, buf, sizeof(buf));
	if (n <= 0)
		return n < 0 ? n : -ESRCH;
	return bc_parse_proc_stat_fields(buf, f);
}

int bc_proc_stat(int pid, long *pgrp, unsigned long long *start)
{
	struct bc_proc_stat_fields f;

	return stat_pgrp_start(bc_proc_stat_fields(pid, &f), &f, pgrp, start);
}
