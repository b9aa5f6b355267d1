/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Turning kernel run-time stats on for as long as we run, and off again. */
#ifndef BPFCOST_BPFSTATS_H
#define BPFCOST_BPFSTATS_H

#include <stdbool.h>
#include <sys/types.h>

enum bpfstats_via {
	BPFSTATS_VIA_NONE,
	BPFSTATS_VIA_FD,		/* BPF_ENABLE_STATS: reverts when the fd closes */
	BPFSTATS_VIA_SYSCTL,	/* kernel.bpf_stats_enabled, restored by us */
};

struct bpfstats_enable {
	enum bpfstats_via via;
	int fd;
	bool was_on;		/* already on (sysctl or another process's fd):
				 * counters hold history */
	int old_sysctl;
	int sysctl_id;		/* BPFSTATS_VIA_SYSCTL: its ledger entry */
};

/* prefer_sysctl forces the fallback path (tests, and kernels without the
 * fd command). */
int bpfstats_enable(struct bpfstats_enable *se, bool prefer_sysctl);
void bpfstats_restore(struct bpfstats_enable *se);
const char *bpfstats_via_name(enum bpfstats_via via);
/* kernel.bpf_stats_enabled, 0 or 1 in *val; a negative errno when it
 * cannot be read (-EINVAL for any other content). */
int bpfstats_sysctl_read(int *val);

/* Other processes holding run-time stats on through a BPF_ENABLE_STATS fd
 * (the sysctl does not show those): up to max pids (pids may be NULL
 * when max is 0), our own left out.
 * Returns how many were found (possibly more than max). */
int bpfstats_fd_holders(pid_t *pids, int max);

#endif
