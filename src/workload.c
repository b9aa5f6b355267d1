// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The syscall workload generator and its timing core.
 *
 * Every call is timed on its own (two timestamps around it) into a
 * per-thread, per-kind histogram; the threads' results are merged when they
 * end. The hot loop allocates nothing and takes no lock: workers only share
 * the read-only config and the calibrated clock. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define WL_HAVE_RDTSCP 1
#endif
#include "common.h"
#include "workload.h"

#define WL_IO_BYTES 64
/* Rounds (one call of every selected kind) between two looks at the clock
 * and the stop flag: rare enough to cost nothing, frequent enough that a
 * run ends within a few ms of its deadline. */
#define WL_BATCH_ROUNDS 64
/* When pacing, aim for a sleep about every 5 ms. */
#define WL_PACE_SLICE_S 0.005
/* Back-to-back timestamp pairs whose median is the clock overhead. */
#define WL_OVERHEAD_PAIRS 4001

static const char *const kind_names[WL_KIND_COUNT] = {
	[WL_GETPID] = "getpid", [WL_READ] = "read", [WL_WRITE] = "write",
	[WL_OPENAT] = "openat", [WL_FSTAT] = "fstat", [WL_PIPE] = "pipe",
	[WL_NANOSLEEP] = "nanosleep",
};

static const unsigned kind_syscalls[WL_KIND_COUNT] = {
	[WL_GETPID] = 1, [WL_READ] = 1, [WL_WRITE] = 1, [WL_OPENAT] = 2,
	[WL_FSTAT] = 1, [WL_PIPE] = 4, [WL_NANOSLEEP] = 1,
};

const char *wl_kind_name(enum wl_kind k)
{
	return (unsigned)k < WL_KIND_COUNT ? kind_names[k] : "?";
}

unsigned wl_kind_syscalls(enum wl_kind k)
{
	return (unsigned)k < WL_KIND_COUNT ? kind_syscalls[k] : 0;
}

static int kind_by_name(const char *name, size_t len)
{
	int k;

	for (k = 0; k < WL_KIND_COUNT; k++)
		if (strlen(kind_names[k]) == len && !strncmp(kind_names[k], name, len))
			return k;
	return -1;
}

static void mix_error(const char *what, size_t len)
{
	bc_err("unknown workload kind '%.*s' (valid: all, getpid, read, write, openat, fstat, pipe, "
	       "nanosleep)", (int)len, what);
}

int wl_parse_mix(const char *list, unsigned *mask)
{
	const char *p = list;
	unsigned m = 0;

	if (!list || !*list) {
		bc_err("empty workload mix (valid: all, getpid, read, write, openat, fstat, pipe, "
		       "nanosleep)");
		return -EINVAL;
	}
	for (;;) {
		size_t len = strcspn(p, ",");
		int k;

		if (len == 3 && !strncmp(p, "all", 3)) {
			m |= WL_MASK_ALL;
		} else {
			k = kind_by_name(p, len);
			if (k < 0) {
				if (len)
					mix_error(p, len);
				else
					bc_err("empty name in workload mix '%s'", list);
				return -EINVAL;
			}
			m |= 1u << k;
		}
		if (!p[len])
			break;
		p += len + 1;
	}
	*mask = m;
	return 0;
}

/* ---- Clock ---------------------------------------------------------- */

/* Calibrated once per process; read-only afterwards, so workers share it
 * without locking. A process-wide property of the machine, not an output
 * mode, hence a static. */
static struct {
	pthread_once_t once;
	bool tsc;		/* rdtscp; else clock_gettime(CLOCK_MONOTONIC) */
	double ns_per_tick;
	uint64_t overhead_ticks;	/* median cost of a timestamp pair */
} wl_clock = { .once = PTHREAD_ONCE_INIT };

static inline uint64_t clock_ticks(void)
{
#ifdef WL_HAVE_RDTSCP
	if (wl_clock.tsc) {
		unsigned aux;
		uint64_t t = __rdtscp(&aux);

		/* rdtscp waits for earlier instructions; the fence keeps later
		 * ones (the syscall under test) from starting before it. */
		_mm_lfence();
		return t;
	}
#endif
	return bc_now_ns();
}

/* Whole-word match of flag in a "flags : a b c" line. */
static bool has_word(const char *line, const char *flag)
{
	size_t len = strlen(flag);
	const char *hit;

	for (hit = strstr(line, flag); hit; hit = strstr(hit + 1, flag))
		if (hit > line && hit[-1] == ' ' &&
		    (hit[len] == ' ' || hit[len] == '\n' || !hit[len]))
			return true;
	return false;
}

int wl_cpuinfo_flags_line(const char *line, const char *const *flags, size_t n)
{
	size_t i;

	if (strncmp(line, "flags", 5))
		return -1;
	for (i = 0; i < n; i++)
		if (!has_word(line, flags[i]))
			return 0;
	return 1;
}

static bool cpuinfo_has_flags(const char *const *flags, size_t n)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[8192];
	int has = -1;

	if (!f)
		return false;
	while (has < 0 && fgets(line, sizeof(line), f))
		has = wl_cpuinfo_flags_line(line, flags, n);
	fclose(f);
	return has > 0;
}

/* A timestamp is trustworthy for cross-call deltas only when the TSC ticks
 * at a constant rate through frequency and sleep-state changes. */
static bool invariant_tsc(void)
{
	static const char *const need[] = { "constant_tsc", "nonstop_tsc", "rdtscp" };
	const char *force = getenv("BPFCOST_CLOCK");

	/* Escape hatch for machines whose TSC is flagged but misbehaves. */
	if (force && !strcmp(force, "clock_gettime"))
		return false;
	return cpuinfo_has_flags(need, ARRAY_SIZE(need));
}

#ifdef WL_HAVE_RDTSCP
/* One (monotonic ns, tsc) pair with the tightest bracket of a few tries,
 * so a preemption between the two reads does not skew the calibration. */
static void mono_tsc_pair(uint64_t *ns, uint64_t *tsc)
{
	uint64_t best = UINT64_MAX;
	int i;

	for (i = 0; i < 8; i++) {
		unsigned aux;
		uint64_t a = bc_now_ns(), t = __rdtscp(&aux), b = bc_now_ns();

		if (b - a < best) {
			best = b - a;
			*ns = a + (b - a) / 2;
			*tsc = t;
		}
	}
}

static double calibrate_tsc(void)
{
	struct timespec wait = { 0, 20 * 1000 * 1000 };
	uint64_t ns0 = 0, tsc0 = 0, ns1 = 0, tsc1 = 0;

	mono_tsc_pair(&ns0, &tsc0);
	while (nanosleep(&wait, &wait) && errno == EINTR)
		;
	mono_tsc_pair(&ns1, &tsc1);
	if (tsc1 <= tsc0 || ns1 <= ns0)
		return 0;
	return (double)(ns1 - ns0) / (double)(tsc1 - tsc0);
}
#endif

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void measure_overhead(void)
{
	static uint64_t d[WL_OVERHEAD_PAIRS];
	int i;

	for (i = 0; i < WL_OVERHEAD_PAIRS; i++) {
		uint64_t t0 = clock_ticks();
		uint64_t t1 = clock_ticks();

		d[i] = t1 - t0;
	}
	qsort(d, WL_OVERHEAD_PAIRS, sizeof(d[0]), cmp_u64);
	wl_clock.overhead_ticks = d[WL_OVERHEAD_PAIRS / 2];
}

static void clock_init_once(void)
{
	wl_clock.tsc = false;
	wl_clock.ns_per_tick = 1.0;
#ifdef WL_HAVE_RDTSCP
	if (invariant_tsc()) {
		double r = calibrate_tsc();

		/* Sanity: between 10 MHz and 100 GHz, else keep clock_gettime. */
		if (r > 0.01 && r < 100.0) {
			wl_clock.ns_per_tick = r;
			wl_clock.tsc = true;
		}
	}
#endif
	measure_overhead();
}

int wl_clock_init(void)
{
	return -pthread_once(&wl_clock.once, clock_init_once);
}

static inline uint64_t ticks_to_ns(uint64_t dt)
{
	dt = dt > wl_clock.overhead_ticks ? dt - wl_clock.overhead_ticks : 0;
	return wl_clock.tsc ? (uint64_t)((double)dt * wl_clock.ns_per_tick) : dt;
}

/* ---- Workers -------------------------------------------------------- */

/* Start gate: workers set up (fds, pinning, partner) before the clock
 * starts, then wait here so setup is not part of the measured run. End
 * gate: workers done with their timed calls wait there until all are, so
 * that no worker's teardown overlaps another's timed calls (wl_config's
 * window hook runs at both). */
struct wl_gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int ready;		/* workers done with setup */
	int done;		/* workers done with their timed calls */
	bool go, abort;		/* abort: a start or a setup failed */
	bool teardown;		/* every worker is done: tear down */
};

struct wl_worker {
	pthread_t tid;
	int index;
	int cpu;		/* pinned CPU or -1 */
	int partner_cpu;
	const struct wl_config *cfg;
	struct wl_gate *gate;
	uint8_t kinds[WL_KIND_COUNT];	/* selected kinds, round-robin order */
	int nkinds;
	int zero_fd, null_fd;
	int req[2], resp[2];	/* ping-pong pipes: worker -> partner -> worker */
	pthread_t partner;
	bool partner_started;
	bool stopped;
	int err;
	/* Workers do not print: the first failure is reported once by
	 * wl_run, not by each of possibly a thousand threads. */
	char fail[128];
	struct wl_kind_result k[WL_KIND_COUNT];
};

/* Record why this worker failed; returns err for chaining. */
static int worker_fail(struct wl_worker *w, int err, const char *what)
{
	snprintf(w->fail, sizeof(w->fail), "workload thread %d: %s: %s", w->index, what,
		 strerror(-err));
	return err;
}

static int pin_thread(struct wl_worker *w, pthread_t t, int cpu)
{
	cpu_set_t set;
	char what[48];
	int err;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	err = pthread_setaffinity_np(t, sizeof(set), &set);
	if (!err)
		return 0;
	snprintf(what, sizeof(what), "cannot pin to CPU %d", cpu);
	return worker_fail(w, -err, what);
}

static bool gate_go(struct wl_gate *g);

/* Echo every byte back until the worker closes its end. */
static void partner_echo(struct wl_worker *w)
{
	char c;

	for (;;) {
		ssize_t n = read(w->req[0], &c, 1);

		if (n == 0)
			break;		/* worker closed its end: run over */
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(w->resp[1], &c, 1) != 1)
			break;
	}
}

/* Partner side of the pipe ping-pong. It owns req[0] and resp[1] and
 * closes them when it leaves, so the worker sees EOF instead of blocking
 * forever if the partner fails. It starts reading at the start gate, as
 * the worker starts its calls: its first read is one of the timed calls,
 * not setup. */
static void *partner_main(void *arg)
{
	struct wl_worker *w = arg;

	if (gate_go(w->gate))
		partner_echo(w);
	close(w->req[0]);
	close(w->resp[1]);
	w->req[0] = w->resp[1] = -1;
	return NULL;
}

static int open_fds(struct wl_worker *w)
{
	w->zero_fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	w->null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (w->zero_fd < 0 || w->null_fd < 0)
		return worker_fail(w, -errno, "cannot open /dev/zero or /dev/null");
	return 0;
}

static int start_partner(struct wl_worker *w)
{
	int err;

	if (pipe2(w->req, O_CLOEXEC) || pipe2(w->resp, O_CLOEXEC))
		return worker_fail(w, -errno, "cannot create the ping-pong pipes");
	err = pthread_create(&w->partner, NULL, partner_main, w);
	if (err)
		return worker_fail(w, -err, "cannot start the ping-pong partner thread");
	w->partner_started = true;
	return pin_thread(w, w->partner, w->partner_cpu);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void worker_teardown(struct wl_worker *w)
{
	/* Closing our write end ends the partner's read loop. */
	close_fd(&w->req[1]);
	if (w->partner_started) {
		pthread_join(w->partner, NULL);
		w->partner_started = false;
	}
	/* Partner never started (it clears its ends when it leaves): ours to close. */
	close_fd(&w->req[0]);
	close_fd(&w->resp[1]);
	close_fd(&w->resp[0]);
	close_fd(&w->zero_fd);
	close_fd(&w->null_fd);
}

static int worker_setup(struct wl_worker *w)
{
	int err;

	err = pin_thread(w, pthread_self(), w->cpu);
	if (!err)
		err = open_fds(w);
	if (!err && (w->cfg->mask & (1u << WL_PIPE)))
		err = start_partner(w);
	return err;
}

/* Wait for the start signal; false when the run was aborted. */
static bool gate_go(struct wl_gate *g)
{
	bool go;

	pthread_mutex_lock(&g->lock);
	while (!g->go && !g->abort)
		pthread_cond_wait(&g->cond, &g->lock);
	go = g->go && !g->abort;
	pthread_mutex_unlock(&g->lock);
	return go;
}

/* Report setup done and wait for the start signal; false when the run
 * was aborted. A failed setup aborts everyone: no point measuring a run
 * whose result will be thrown away. */
static bool gate_wait(struct wl_gate *g, bool setup_ok)
{
	pthread_mutex_lock(&g->lock);
	g->ready++;
	if (!setup_ok)
		g->abort = true;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
	return gate_go(g);
}

/* Report the timed calls over and wait until every worker's are. */
static void gate_done(struct wl_gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->done++;
	pthread_cond_broadcast(&g->cond);
	while (!g->teardown)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

/* One call of a kind: < 0 when its syscall failed. The pipe kind's
 * failures are fatal (the ping-pong would lose step): -EPIPE. */
static inline int do_call(struct wl_worker *w, unsigned kind, char *buf)
{
	struct timespec zero = { 0, 0 };
	struct stat st;
	int fd;

	switch (kind) {
	case WL_GETPID:
		/* syscall() directly: glibc versions have cached getpid(). */
		return syscall(SYS_getpid) > 0 ? 0 : -1;
	case WL_READ:
		return read(w->zero_fd, buf, WL_IO_BYTES) == WL_IO_BYTES ? 0 : -1;
	case WL_WRITE:
		return write(w->null_fd, buf, WL_IO_BYTES) == WL_IO_BYTES ? 0 : -1;
	case WL_OPENAT:
		fd = openat(AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		close(fd);
		return 0;
	case WL_FSTAT:
		return fstat(w->null_fd, &st);
	case WL_PIPE:
		if (write(w->req[1], buf, 1) != 1 || read(w->resp[0], buf, 1) != 1)
			return -EPIPE;
		return 0;
	case WL_NANOSLEEP:
		/* The nanosleep syscall itself: glibc maps nanosleep() onto
		 * clock_nanosleep. */
		return (int)syscall(SYS_nanosleep, &zero, NULL);
	}
	return -1;
}

/* One round: one timed call of each selected kind. */
static inline int run_round(struct wl_worker *w, char *buf)
{
	int i;

	for (i = 0; i < w->nkinds; i++) {
		unsigned kind = w->kinds[i];
		struct wl_kind_result *kr = &w->k[kind];
		uint64_t t0, t1;
		int r;

		t0 = clock_ticks();
		r = do_call(w, kind, buf);
		t1 = clock_ticks();
		if (r == -EPIPE)
			return worker_fail(w, r, "the pipe ping-pong partner went away");
		hist_add(&kr->lat, ticks_to_ns(t1 - t0));
		kr->calls++;
		if (r < 0)
			kr->errors++;
	}
	return 0;
}

/* Rounds per batch: whole batches when running flat out, ~5 ms worth of
 * calls when pacing so the rate stays smooth at low rates. */
static uint64_t batch_rounds(const struct wl_worker *w)
{
	double r;

	if (w->cfg->rate <= 0)
		return WL_BATCH_ROUNDS;
	r = w->cfg->rate * WL_PACE_SLICE_S / w->nkinds;
	if (r < 1)
		return 1;
	return r > WL_BATCH_ROUNDS ? WL_BATCH_ROUNDS : (uint64_t)r;
}

/* Sleep until the absolute time at which `calls` calls are due, in short
 * slices so a stop request is seen quickly. Absolute deadlines keep the
 * pace from drifting by the loop's own cost. */
static void pace(const struct wl_worker *w, uint64_t start, uint64_t calls, uint64_t end)
{
	uint64_t due = start + (uint64_t)((double)calls * 1e9 / w->cfg->rate);

	if (end && due > end)
		due = end;
	while (!bc_stop_requested()) {
		uint64_t now = bc_now_ns(), until = due;
		struct timespec ts;

		if (now >= due)
			return;
		if (until - now > 50000000ull)
			until = now + 50000000ull;
		ts.tv_sec = (time_t)(until / 1000000000ull);
		ts.tv_nsec = (long)(until % 1000000000ull);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
}

static int worker_loop(struct wl_worker *w)
{
	const struct wl_config *cfg = w->cfg;
	uint64_t per_batch = batch_rounds(w), rounds = 0, start = bc_now_ns(), end = 0;
	char buf[WL_IO_BYTES] = { 0 };

	if (cfg->duration_s > 0)
		end = start + (uint64_t)(cfg->duration_s * 1e9);
	for (;;) {
		uint64_t n = per_batch, i;
		int err;

		if (cfg->count && cfg->count - rounds < n)
			n = cfg->count - rounds;
		for (i = 0; i < n; i++) {
			err = run_round(w, buf);
			if (err)
				return err;
		}
		rounds += n;
		if (cfg->count && rounds >= cfg->count)
			return 0;
		if (cfg->rate > 0)
			pace(w, start, rounds * w->nkinds, end);
		if (bc_stop_requested()) {
			w->stopped = true;
			return 0;
		}
		if (end && bc_now_ns() >= end)
			return 0;
	}
}

static void *worker_main(void *arg)
{
	struct wl_worker *w = arg;
	int err = worker_setup(w);

	/* Always pass the gate, even after a failed setup, so the starter
	 * never waits for a worker that is gone. */
	if (!gate_wait(w->gate, !err) && !err)
		err = -ECANCELED;
	if (!err)
		err = worker_loop(w);
	gate_done(w->gate);
	worker_teardown(w);
	w->err = err;
	return NULL;
}

static void worker_init(struct wl_worker *w, const struct wl_config *cfg, struct wl_gate *g,
			int index, int ncpu)
{
	int k;

	w->index = index;
	w->cfg = cfg;
	w->gate = g;
	w->cpu = cfg->cpu >= 0 ? (cfg->cpu + index) % ncpu : -1;
	/* The partner goes on the next CPU: a ping-pong across CPUs pays for
	 * the cross-CPU wakeup (IPI) that real producer/consumer pairs pay;
	 * on one CPU it would measure two context switches instead. */
	w->partner_cpu = w->cpu >= 0 && ncpu > 1 ? (w->cpu + 1) % ncpu : w->cpu;
	w->zero_fd = w->null_fd = -1;
	w->req[0] = w->req[1] = w->resp[0] = w->resp[1] = -1;
	for (k = 0; k < WL_KIND_COUNT; k++)
		if (cfg->mask & (1u << k)) {
			w->kinds[w->nkinds++] = (uint8_t)k;
			hist_init(&w->k[k].lat);
		}
}

static int check_config(const struct wl_config *cfg, int ncpu)
{
	if (!cfg->mask || (cfg->mask & ~WL_MASK_ALL)) {
		bc_err("no valid workload kinds selected");
		return -EINVAL;
	}
	if (cfg->threads < 1) {
		bc_err("workload needs at least one thread");
		return -EINVAL;
	}
	if (!(cfg->duration_s > 0) && !cfg->count) {
		bc_err("workload needs a duration or a count");
		return -EINVAL;
	}
	if (cfg->rate < 0) {
		bc_err("workload rate must not be negative");
		return -EINVAL;
	}
	if (cfg->cpu >= ncpu) {
		bc_err("CPU %d does not exist (this machine has %d)", cfg->cpu, ncpu);
		return -EINVAL;
	}
	return 0;
}

static void result_reset(struct wl_result *res)
{
	int k;

	for (k = 0; k < WL_KIND_COUNT; k++) {
		res->k[k].calls = res->k[k].syscalls = res->k[k].errors = 0;
		hist_init(&res->k[k].lat);
	}
	res->elapsed_s = 0;
	res->total_calls = res->total_syscalls = 0;
	res->clock_name = wl_clock.tsc ? "rdtscp" : "clock_gettime";
	res->clock_overhead_ns = (double)wl_clock.overhead_ticks * wl_clock.ns_per_tick;
	res->stopped = false;
}

static void result_merge(struct wl_result *res, const struct wl_worker *w)
{
	int i;

	for (i = 0; i < w->nkinds; i++) {
		unsigned k = w->kinds[i];
		struct wl_kind_result *dst = &res->k[k];

		dst->calls += w->k[k].calls;
		dst->syscalls += w->k[k].calls * kind_syscalls[k];
		dst->errors += w->k[k].errors;
		hist_merge(&dst->lat, &w->k[k].lat);
		res->total_calls += w->k[k].calls;
		res->total_syscalls += w->k[k].calls * kind_syscalls[k];
	}
	if (w->stopped)
		res->stopped = true;
}

/* Start workers with the stop signals blocked (they inherit the mask): the
 * signal then lands on the waiting thread and never interrupts a timed
 * syscall; workers see the flag between batches. SIGPIPE too, so a dead
 * partner shows up as EPIPE rather than killing the process. */
static int start_workers(struct wl_worker *ws, int n, int *started)
{
	sigset_t block, old;
	int i, err = 0;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (i = 0; i < n; i++) {
		err = -pthread_create(&ws[i].tid, NULL, worker_main, &ws[i]);
		if (err) {
			bc_err("cannot start workload thread %d: %s", i, strerror(-err));
			break;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	*started = i;
	return err;
}

static void gate_open(struct wl_gate *g, int nstarted, bool abort, const struct wl_config *cfg)
{
	pthread_mutex_lock(&g->lock);
	while (!abort && !g->abort && g->ready < nstarted)
		pthread_cond_wait(&g->cond, &g->lock);
	if (abort)
		g->abort = true;
	g->go = !g->abort;
	if (g->go && cfg->window)
		cfg->window(true, cfg->window_arg);
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

/* Every started worker is past its timed calls (or never began them):
 * close the window, then let them tear down. */
static void gate_close(struct wl_gate *g, int nstarted, const struct wl_config *cfg)
{
	pthread_mutex_lock(&g->lock);
	while (g->done < nstarted)
		pthread_cond_wait(&g->cond, &g->lock);
	if (g->go && cfg->window)
		cfg->window(false, cfg->window_arg);
	g->teardown = true;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

/* Each worker holds up to 6 fds (two devices, two pipes, the openat one):
 * lift the soft limit toward the hard one so many threads fit. If we
 * can't, opening fails later with a clear EMFILE error. */
static void raise_fd_limit(int threads)
{
	rlim_t need = (rlim_t)threads * 6 + 64;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= need)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

int wl_run(const struct wl_config *cfg, struct wl_result *res)
{
	struct wl_gate gate = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };
	int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	struct wl_worker *ws = NULL;
	int i, nstarted = 0, err;
	uint64_t t0;

	if (ncpu < 1)
		ncpu = 1;
	err = wl_clock_init();
	if (!err)
		err = check_config(cfg, ncpu);
	if (err)
		return err;
	raise_fd_limit(cfg->threads);
	result_reset(res);
	ws = calloc((size_t)cfg->threads, sizeof(*ws));
	if (!ws) {
		bc_err("out of memory for %d workload threads", cfg->threads);
		return -ENOMEM;
	}
	for (i = 0; i < cfg->threads; i++)
		worker_init(&ws[i], cfg, &gate, i, ncpu);
	err = start_workers(ws, cfg->threads, &nstarted);
	gate_open(&gate, nstarted, err != 0, cfg);
	t0 = bc_now_ns();
	gate_close(&gate, nstarted, cfg);
	for (i = 0; i < nstarted; i++) {
		pthread_join(ws[i].tid, NULL);
		if (!err && ws[i].err && ws[i].err != -ECANCELED) {
			err = ws[i].err;
			bc_err("%s", ws[i].fail);
		}
	}
	res->elapsed_s = (double)(bc_now_ns() - t0) / 1e9;
	for (i = 0; i < nstarted && !err; i++)
		result_merge(res, &ws[i]);
	if (bc_stop_requested())
		res->stopped = true;
	free(ws);
	return err;
}

struct wl_result *wl_result_new(void)
{
	struct wl_result *r = calloc(1, sizeof(*r));
	int k;

	if (!r)
		return NULL;
	for (k = 0; k < WL_KIND_COUNT; k++)
		hist_init(&r->k[k].lat);
	return r;
}

void wl_result_free(struct wl_result *r)
{
	free(r);
}
