// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Test helper: program churn, as on a host that loads and unloads BPF
 * programs all day. Keeps WINDOW trivial socket filters (r0 = 0; exit,
 * named bc_churn, never attached, so they cost nothing at run time)
 * loaded and replaces the oldest with a new one RATE times a second: each
 * program lives WINDOW / RATE seconds. Prints "ready" once the first
 * window is loaded; on SIGTERM or SIGINT unloads everything and prints
 * "lifetimes N" (programs loaded and unloaded again), exit 0.
 *
 *   churn_loader WINDOW RATE */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#define MAX_WINDOW 10000

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static int load_one(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "bc_churn", "GPL", insns, 2, NULL);

	return fd < 0 ? -errno : fd;
}

static int parse_pos(const char *s, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return !*s || *end || errno || *out < 1 || *out > max ? -EINVAL : 0;
}

/* Sleep until the absolute CLOCK_MONOTONIC time t (ns); a signal cuts it. */
static void sleep_until(unsigned long long t)
{
	struct timespec ts = { .tv_sec = (time_t)(t / 1000000000ull),
			       .tv_nsec = (long)(t % 1000000000ull) };

	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */
	unsigned long long start, lifetimes = 0, i;
	long window, rate;
	int *fds, n, err = 0;

	if (argc != 3 || parse_pos(argv[1], MAX_WINDOW, &window) ||
	    parse_pos(argv[2], 1000000, &rate)) {
		fprintf(stderr, "usage: churn_loader WINDOW RATE   (1..%d programs, loads/s)\n",
			MAX_WINDOW);
		return 2;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	fds = calloc((size_t)window, sizeof(*fds));
	if (!fds)
		return 1;
	for (n = 0; n < window && !err; n++) {
		fds[n] = load_one();
		err = fds[n] < 0 ? fds[n] : 0;
	}
	if (err) {
		fprintf(stderr, "churn_loader: load: %s\n", strerror(-err));
		n--;
		goto out;
	}
	printf("ready\n");
	fflush(stdout);
	start = now_ns();
	for (i = 0; !stop; i++) {
		int fd;

		sleep_until(start + i * 1000000000ull / (unsigned long long)rate);
		if (stop)
			break;
		fd = load_one();
		if (fd < 0) {
			fprintf(stderr, "churn_loader: load: %s\n", strerror(-fd));
			err = fd;
			break;
		}
		close(fds[i % (unsigned long long)window]);	/* the oldest goes */
		fds[i % (unsigned long long)window] = fd;
		lifetimes++;
	}
out:
	while (n-- > 0)
		close(fds[n]);
	free(fds);
	printf("lifetimes %llu\n", lifetimes);
	return err ? 1 : 0;
}
