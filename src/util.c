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
#include "common.h"

void bc_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bpfcost: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void bc_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bpfcost: note: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int parse_u64(const char *what, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	/* strtoull accepts "-1" and wraps it; reject signs outright. */
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ') {
		bc_err("invalid %s '%s': expected a non-negative integer", what, s ? s : "");
		return -EINVAL;
	}
	errno = 0;
	v = strtoull(s, &end, 0);
	if (*end) {
		bc_err("invalid %s '%s': expected a non-negative integer", what, s);
		return -EINVAL;
	}
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
	char *end;

	if (!s || !*s || *s == ' ') {
		bc_err("invalid %s '%s': expected an integer", what, s ? s : "");
		return -EINVAL;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end) {
		bc_err("invalid %s '%s': expected an integer", what, s);
		return -EINVAL;
	}
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

	if (!s || !*s || *s == ' ') {
		bc_err("invalid %s '%s': expected a number", what, s ? s : "");
		return -EINVAL;
	}
	errno = 0;
	v = strtod(s, &end);
	if (*end || !isfinite(v)) {
		bc_err("invalid %s '%s': expected a number", what, s);
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
		errno = 0;
		v = strtod(num, &end);
		if (*end || errno || !isfinite(v) || num[0] == ' ')
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

bool bc_sleep_interruptible(double secs)
{
	uint64_t deadline = bc_now_ns() + (uint64_t)(secs * 1e9);

	while (!bc_stop_requested()) {
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
	return err ? -EIO : 0;
}

int bc_help(const char *text)
{
	fputs(text, stdout);
	return 0;
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
		if (c == '?')
			return -EINVAL;	/* getopt already said what was wrong */
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

int bc_proc_stat(int pid, long *pgrp, unsigned long long *start)
{
	char path[64], buf[1024], *p;
	unsigned long long st;
	long pg;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	n = bc_read_str(path, buf, sizeof(buf));
	if (n <= 0)
		return n < 0 ? n : -ESRCH;
	/* comm may hold spaces and parens: fields resume after the last ')'. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*d %ld %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
			 "%*s %*s %*s %*s %llu", &pg, &st) != 2)
		return -EINVAL;
	if (pgrp)
		*pgrp = pg;
	if (start)
		*start = st;
	return 0;
}
