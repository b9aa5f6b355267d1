// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Bench helper: load N copies of a trivial socket filter (r0 = 0; exit),
 * named bc_fleet_NNNN, print "ready N" on stdout, hold them until SIGTERM
 * or SIGINT, then close them. Socket filters are never attached here, so
 * the fleet costs nothing at run time: it only makes the program list long,
 * which is what the stats/top listing benchmark needs. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <bpf/bpf.h>

#define MAX_FLEET 100000

/* One fd per program: lift the soft fd limit to the hard one. */
static int raise_nofile(int n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -errno;
	if (rl.rlim_cur >= (rlim_t)n + 64)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)n + 64)
		return -EMFILE;
	rl.rlim_cur = (rlim_t)n + 64;
	return setrlimit(RLIMIT_NOFILE, &rl) ? -errno : 0;
}

static int load_one(int i)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char name[16];
	int fd;

	snprintf(name, sizeof(name), "bc_fleet_%04d", i);
	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, name, "GPL", insns, 2, NULL);
	return fd < 0 ? -errno : fd;
}

static void close_all(int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++)
		close(fds[i]);
}

int main(int argc, char **argv)
{
	int *fds = NULL, n, loaded = 0, err = 0, sig;
	char *end;
	sigset_t set;

	if (argc != 2 || (n = (int)strtol(argv[1], &end, 10)) < 1 || *end || n > MAX_FLEET) {
		fprintf(stderr, "usage: fleet_loader N   (1..%d)\n", MAX_FLEET);
		return 2;
	}
	/* Block the stop signals before loading: sigwait takes them later and
	 * a signal during loading still ends in the cleanup below. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	err = raise_nofile(n);
	if (err) {
		fprintf(stderr, "fleet_loader: cannot raise RLIMIT_NOFILE to %d: %s\n", n + 64,
			strerror(-err));
		return 1;
	}
	fds = calloc(n, sizeof(*fds));
	if (!fds) {
		fprintf(stderr, "fleet_loader: out of memory\n");
		return 1;
	}
	for (loaded = 0; loaded < n; loaded++) {
		int fd = load_one(loaded);

		if (fd < 0) {
			err = fd;
			fprintf(stderr, "fleet_loader: load #%d: %s\n", loaded, strerror(-err));
			goto cleanup;
		}
		fds[loaded] = fd;
	}
	printf("ready %d\n", n);
	fflush(stdout);
	sigwait(&set, &sig);
cleanup:
	close_all(fds, loaded);
	free(fds);
	return err ? 1 : 0;
}
