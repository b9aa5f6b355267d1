// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for the workload generator: mix parsing, syscall counts, exact
 * call accounting of short runs, clock sanity, stop requests, and no fd or
 * thread left behind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "common.h"
#include "workload.h"

static void test_parse_mix_valid(void **state)
{
	unsigned m = 0;

	assert_int_equal(wl_parse_mix("getpid", &m), 0);
	assert_int_equal(m, 1u << WL_GETPID);
	assert_int_equal(wl_parse_mix("getpid,read,pipe", &m), 0);
	assert_int_equal(m, (1u << WL_GETPID) | (1u << WL_READ) | (1u << WL_PIPE));
	assert_int_equal(wl_parse_mix("write,openat,fstat,nanosleep", &m), 0);
	assert_int_equal(m, (1u << WL_WRITE) | (1u << WL_OPENAT) | (1u << WL_FSTAT) |
			    (1u << WL_NANOSLEEP));
	assert_int_equal(wl_parse_mix("all", &m), 0);
	assert_int_equal(m, WL_MASK_ALL);
	/* Duplicates fold into the set. */
	assert_int_equal(wl_parse_mix("read,read,getpid,read", &m), 0);
	assert_int_equal(m, (1u << WL_READ) | (1u << WL_GETPID));
	assert_int_equal(wl_parse_mix("getpid,all", &m), 0);
	assert_int_equal(m, WL_MASK_ALL);
}

static void test_parse_mix_invalid(void **state)
{
	unsigned m = 0xdead;

	assert_int_equal(wl_parse_mix("bogus", &m), -EINVAL);
	assert_int_equal(wl_parse_mix("getpid,bogus", &m), -EINVAL);
	assert_int_equal(wl_parse_mix("", &m), -EINVAL);
	assert_int_equal(wl_parse_mix(NULL, &m), -EINVAL);
	assert_int_equal(wl_parse_mix("getpid,", &m), -EINVAL);
	assert_int_equal(wl_parse_mix(",getpid", &m), -EINVAL);
	assert_int_equal(wl_parse_mix("getpid,,read", &m), -EINVAL);
	assert_int_equal(wl_parse_mix("GETPID", &m), -EINVAL);
	assert_int_equal(wl_parse_mix("getpidx", &m), -EINVAL);
	assert_int_equal(wl_parse_mix("getpi", &m), -EINVAL);
	/* The mask is untouched on error. */
	assert_int_equal(m, 0xdead);
}

static void test_kind_syscalls_and_names(void **state)
{
	static const char *const names[WL_KIND_COUNT] = {
		"getpid", "read", "write", "openat", "fstat", "pipe", "nanosleep",
	};
	static const unsigned calls[WL_KIND_COUNT] = { 1, 1, 1, 2, 1, 4, 1 };
	int k;

	for (k = 0; k < WL_KIND_COUNT; k++) {
		unsigned m = 0;

		assert_string_equal(wl_kind_name(k), names[k]);
		assert_int_equal(wl_kind_syscalls(k), calls[k]);
		/* Every name round-trips through the parser. */
		assert_int_equal(wl_parse_mix(names[k], &m), 0);
		assert_int_equal(m, 1u << k);
	}
	assert_int_equal(wl_kind_syscalls(WL_KIND_COUNT), 0);
}

static int count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void check_exact_run(unsigned mask, int threads, int cpu, uint64_t count)
{
	struct wl_config cfg = { .mask = mask, .threads = threads, .cpu = cpu, .count = count };
	struct wl_result *res = wl_result_new();
	uint64_t total = 0, total_sc = 0;
	int k;

	assert_non_null(res);
	assert_int_equal(wl_run(&cfg, res), 0);
	for (k = 0; k < WL_KIND_COUNT; k++) {
		const struct wl_kind_result *kr = &res->k[k];
		uint64_t want = (mask & (1u << k)) ? count * (uint64_t)threads : 0;

		assert_int_equal(kr->calls, want);
		assert_int_equal(kr->syscalls, want * wl_kind_syscalls(k));
		assert_int_equal(kr->lat.count, kr->calls);
		assert_int_equal(kr->errors, 0);
		if (want) {
			/* A syscall takes time: the mean survives overhead removal. */
			assert_true(hist_mean(&kr->lat) > 0);
			assert_true(kr->lat.max >= hist_percentile(&kr->lat, 50));
		}
		total += kr->calls;
		total_sc += kr->syscalls;
	}
	assert_int_equal(res->total_calls, total);
	assert_int_equal(res->total_syscalls, total_sc);
	assert_false(res->stopped);
	assert_true(res->elapsed_s > 0);
	assert_true(isfinite(res->clock_overhead_ns));
	assert_true(res->clock_overhead_ns >= 0);
	/* A timestamp pair costs well under 10 us on anything we'd run on. */
	assert_true(res->clock_overhead_ns < 10000);
	assert_non_null(res->clock_name);
	assert_true(!strcmp(res->clock_name, "rdtscp") || !strcmp(res->clock_name, "clock_gettime"));
	wl_result_free(res);
}

static void test_run_each_kind_exact(void **state)
{
	int k;

	for (k = 0; k < WL_KIND_COUNT; k++)
		check_exact_run(1u << k, 1, -1, 100);
}

static void test_run_all_threads_pinned(void **state)
{
	check_exact_run(WL_MASK_ALL, 2, 0, 100);
}

/* fds and threads after a run equal those before: nothing leaks. */
static void test_run_leaves_nothing(void **state)
{
	int fds = count_dir("/proc/self/fd"), tasks = count_dir("/proc/self/task");
	int i;

	for (i = 0; i < 3; i++)
		check_exact_run(WL_MASK_ALL, 3, -1, 20);
	assert_int_equal(count_dir("/proc/self/fd"), fds);
	assert_int_equal(count_dir("/proc/self/task"), tasks);
}

/* What wl_config's window hook sees at its two edges. */
struct window_seen {
	int edges, fds[2], tasks[2];
	uint64_t ns[2];
	bool in_order;
};

static void window_hook(bool on, void *arg)
{
	struct window_seen *w = arg;

	w->in_order = w->edges == (on ? 0 : 1) && (on || w->in_order);
	w->fds[!on] = count_dir("/proc/self/fd");
	w->tasks[!on] = count_dir("/proc/self/task");
	w->ns[!on] = bc_now_ns();
	w->edges++;
}

/* The window opens once every worker is set up and closes before any
 * tears down: at both edges each worker holds its six fds (two devices,
 * two pipes) and it and its pipe partner are alive, and the openat kind's
 * own fd is closed (no timed call is in flight); it stays open for the
 * workers' whole duration. */
static void test_window_hook_brackets_timed_calls(void **state)
{
	struct window_seen w = { 0 };
	struct wl_config cfg = { .mask = WL_MASK_ALL, .threads = 3, .cpu = -1, .duration_s = 0.2,
				 .window = window_hook, .window_arg = &w };
	struct wl_result *res = wl_result_new();
	int fds = count_dir("/proc/self/fd"), tasks = count_dir("/proc/self/task");

	assert_int_equal(wl_run(&cfg, res), 0);
	assert_int_equal(w.edges, 2);
	assert_true(w.in_order);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(w.fds[i], fds + 3 * 6);
		assert_int_equal(w.tasks[i], tasks + 3 * 2);
	}
	assert_true(w.ns[1] - w.ns[0] >= 200000000ull);
	assert_true(res->k[WL_PIPE].calls > 0);
	assert_int_equal(count_dir("/proc/self/fd"), fds);
	wl_result_free(res);
}

static void test_run_rejects_bad_config(void **state)
{
	struct wl_result *res = wl_result_new();
	struct wl_config ok = { .mask = 1u << WL_GETPID, .threads = 1, .cpu = -1, .count = 1 };
	struct wl_config c;
	int fds = count_dir("/proc/self/fd");

	c = ok, c.mask = 0;
	assert_int_equal(wl_run(&c, res), -EINVAL);
	c = ok, c.mask = 1u << WL_KIND_COUNT;
	assert_int_equal(wl_run(&c, res), -EINVAL);
	c = ok, c.threads = 0;
	assert_int_equal(wl_run(&c, res), -EINVAL);
	c = ok, c.count = 0;
	assert_int_equal(wl_run(&c, res), -EINVAL);
	c = ok, c.rate = -1;
	assert_int_equal(wl_run(&c, res), -EINVAL);
	c = ok, c.cpu = 100000;
	assert_int_equal(wl_run(&c, res), -EINVAL);
	assert_int_equal(count_dir("/proc/self/fd"), fds);
	wl_result_free(res);
}

static void test_duration_and_rate(void **state)
{
	struct wl_config cfg = { .mask = 1u << WL_GETPID, .threads = 1, .cpu = -1,
				 .duration_s = 0.3, .rate = 1000 };
	struct wl_result *res = wl_result_new();
	double rate;

	assert_int_equal(wl_run(&cfg, res), 0);
	/* Ends near its deadline (generous: the machine is shared). */
	assert_true(res->elapsed_s >= 0.29 && res->elapsed_s < 2.0);
	rate = (double)res->k[WL_GETPID].calls / res->elapsed_s;
	assert_true(rate > 600 && rate < 1400);
	assert_int_equal(res->k[WL_GETPID].lat.count, res->k[WL_GETPID].calls);
	wl_result_free(res);
}

static void *send_sigint_later(void *arg)
{
	struct timespec ts = { 0, 200 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	kill(getpid(), SIGINT);
	return NULL;
}

static void test_stop_request_ends_run(void **state)
{
	struct wl_config cfg = { .mask = WL_MASK_ALL, .threads = 2, .cpu = -1, .duration_s = 60 };
	struct wl_result *res = wl_result_new();
	pthread_t t;

	bc_signals_install();
	assert_int_equal(pthread_create(&t, NULL, send_sigint_later, NULL), 0);
	assert_int_equal(wl_run(&cfg, res), 0);
	pthread_join(t, NULL);
	assert_true(res->stopped);
	assert_true(res->elapsed_s < 5.0);
	assert_true(res->total_calls > 0);
	assert_int_equal(res->k[WL_PIPE].lat.count, res->k[WL_PIPE].calls);
	bc_stop_reset();
	signal(SIGINT, SIG_DFL);
	wl_result_free(res);
}

/* A setup failure (here: out of fds) fails the whole run with the first
 * error and still leaves no fd or thread behind. Runs last: lowering the
 * hard limit may not be undoable without privilege. */
static void test_setup_failure_cleans_up(void **state)
{
	struct window_seen w = { 0 };
	struct wl_config cfg = { .mask = WL_MASK_ALL, .threads = 8, .cpu = -1, .count = 10,
				 .window = window_hook, .window_arg = &w };
	struct wl_result *res = wl_result_new();
	int fds = count_dir("/proc/self/fd"), tasks = count_dir("/proc/self/task");
	struct rlimit old, tight;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	/* Room for a few workers' fds, not for eight. */
	tight.rlim_cur = tight.rlim_max = (rlim_t)fds + 16;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &tight), 0);
	assert_int_equal(wl_run(&cfg, res), -EMFILE);
	setrlimit(RLIMIT_NOFILE, &old);
	assert_int_equal(w.edges, 0);	/* an aborted run never opens the window */
	assert_int_equal(count_dir("/proc/self/fd"), fds);
	assert_int_equal(count_dir("/proc/self/task"), tasks);
	wl_result_free(res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_mix_valid),
		cmocka_unit_test(test_parse_mix_invalid),
		cmocka_unit_test(test_kind_syscalls_and_names),
		cmocka_unit_test(test_run_each_kind_exact),
		cmocka_unit_test(test_run_all_threads_pinned),
		cmocka_unit_test(test_run_leaves_nothing),
		cmocka_unit_test(test_window_hook_brackets_timed_calls),
		cmocka_unit_test(test_run_rejects_bad_config),
		cmocka_unit_test(test_duration_and_rate),
		cmocka_unit_test(test_stop_request_ends_run),
		cmocka_unit_test(test_setup_failure_cleans_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
