// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Kernel run-time stats on for our lifetime only.
 *
 * BPF_ENABLE_STATS (kernel 5.8, commit d46edd671a14 "bpf: Sharing bpf
 * runtime stats with BPF_ENABLE_STATS") returns an fd; stats stay on while
 * any such fd is open, so the kernel reverts them even if we are killed.
 * The sysctl is the fallback for older kernels: the ledger (ledger.h)
 * records it before we set it and restores it on every exit path the
 * caller routes through bpfstats_restore(), at exit, or at the next start
 * after a crash; concurrent runs share it, and the last one out restores. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "bpfstats.h"
#include "common.h"
#include "ledger.h"

#define STATS_SYSCTL "/proc/sys/kernel/bpf_stats_enabled"

int bpfstats_sysctl_read(int *val)
{
	int v, err = bc_read_int(STATS_SYSCTL, &v);

	if (!err && v != 0 && v != 1)
		err = -EINVAL;
	if (!err)
		*val = v;
	return err;
}

static int enable_via_sysctl(struct bpfstats_enable *se)
{
	int err, id;

	err = bpfstats_sysctl_read(&se->old_sysctl);
	if (err)
		return err;
	se->was_on = se->old_sysctl == 1;
	id = ledger_sysctl_set(STATS_SYSCTL, 1);
	if (id < 0)
		return id;
	se->sysctl_id = id;
	se->via = BPFSTATS_VIA_SYSCTL;
	return 0;
}

int bpfstats_enable(struct bpfstats_enable *se, bool prefer_sysctl)
{
	int on = 0;

	se->via = BPFSTATS_VIA_NONE;
	se->fd = -1;
	se->old_sysctl = -1;
	se->sysctl_id = 0;
	/* On before us: the sysctl set, or another process holding a
	 * BPF_ENABLE_STATS fd (the sysctl does not show those). */
	se->was_on = (bpfstats_sysctl_read(&on) == 0 && on == 1) || bpfstats_fd_holders(NULL, 0) > 0;
	if (!prefer_sysctl) {
		se->fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (se->fd >= 0) {
			se->via = BPFSTATS_VIA_FD;
			return 0;
		}
		se->fd = -1;
	}
	return enable_via_sysctl(se);
}

void bpfstats_restore(struct bpfstats_enable *se)
{
	if (se->via == BPFSTATS_VIA_FD && se->fd >= 0)
		close(se->fd);
	else if (se->via == BPFSTATS_VIA_SYSCTL)
		ledger_undo(se->sysctl_id);	/* says so if it cannot */
	se->sysctl_id = 0;
	se->fd = -1;
	se->via = BPFSTATS_VIA_NONE;
}

const char *bpfstats_via_name(enum bpfstats_via via)
{
	switch (via) {
	case BPFSTATS_VIA_FD:
		return "BPF_ENABLE_STATS";
	case BPFSTATS_VIA_SYSCTL:
		return "sysctl";
	default:
		return "none";
	}
}

/* The kernel names the fd's anonymous inode "bpf-stats". */
static int is_stats_fd(const char *pid, const char *fd, const char *target, void *arg)
{
	return !strcmp(target, "anon_inode:bpf-stats");
}

struct holders {
	pid_t *pids;
	int max, n;
};

static int add_holder(const char *pid, void *arg)
{
	struct holders *h = arg;
	long p = strtol(pid, NULL, 10);

	if (p == getpid() || !bc_for_each_fd(pid, is_stats_fd, NULL))
		return 0;
	if (h->n < h->max)
		h->pids[h->n] = (pid_t)p;
	h->n++;
	return 0;
}

int bpfstats_fd_holders(pid_t *pids, int max)
{
	struct holders h = { pids, max, 0 };
	int err = bc_for_each_process(add_holder, &h);

	return err < 0 ? err : h.n;
}
