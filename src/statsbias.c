// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The run-time stats' own share of run_time_ns (see statsbias.h for what
 * is measured, how, and why that hook). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <sys/prctl.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "stats.h"
#include "statsbias.h"
#include "empty.skel.h"

#define SB_HOOK "task_rename"
#define CLOCKSOURCE "/sys/devices/system/clocksource/clocksource0/current_clocksource"

int sb_from_batches(struct sb_bias *b, const double *batch_ns, unsigned n)
{
	double mean, sd, half;

	if (n < 2)
		return -EINVAL;
	mean = stats_mean(batch_ns, n);
	sd = stats_stddev(batch_ns, n);
	if (!isfinite(mean) || !isfinite(sd))
		return -EINVAL;
	half = stats_t_quantile(0.5 + SB_LEVEL / 2, n - 1) * sd / sqrt(n);
	b->ns_per_run = mean;
	b->lo = mean - half;
	b->hi = mean + half;
	b->batches = n;
	return 0;
}

bool sb_applies(uint32_t prog_type, bool raw_tp_link)
{
	switch (prog_type) {
	case BPF_PROG_TYPE_TRACING:
		/* tp_btf attaches through a raw tracepoint link and runs from
		 * bpf_trace_run; fentry/fexit/fmod_ret/iter do not. */
		return raw_tp_link;
	case BPF_PROG_TYPE_LSM:
	case BPF_PROG_TYPE_EXT:
	case BPF_PROG_TYPE_STRUCT_OPS:
		return false;
	default:
		return true;
	}
}

void sb_correct(const struct sb_bias *b, bool applies, uint64_t runs, uint64_t time_ns,
		double wall_s, struct sb_corrected *out)
{
	double raw, to_pct;

	memset(out, 0, sizeof(*out));
	if (!b || !b->valid || !applies || !runs || wall_s <= 0)
		return;
	out->applies = true;
	raw = (double)time_ns / (double)runs;
	/* % of one CPU per ns of cost per run. */
	to_pct = 100.0 * (double)runs / (wall_s * 1e9);
	out->hi = fmax(raw - b->lo, 0);
	out->lo = fmax(raw - b->hi, 0);
	out->resolved = raw - b->hi > 0;
	out->ns_per_run = out->resolved ? raw - b->ns_per_run : 0;
	out->cpu_pct = out->ns_per_run * to_pct;
	out->cpu_pct_lo = out->lo * to_pct;
	out->cpu_pct_hi = out->hi * to_pct;
}

static void read_clocksource(char *buf, size_t len)
{
	ssize_t n;
	int fd;

	snprintf(buf, len, "unknown");
	fd = open(CLOCKSOURCE, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0) {
		snprintf(buf, len, "unknown");
		return;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

static int prog_counts(int fd, uint64_t *cnt, uint64_t *ns)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*cnt = info.run_cnt;
	*ns = info.run_time_ns;
	return 0;
}

/* One batch: fire the hook n times from this thread. */
static int run_batch(int fd, unsigned n, double *ns_per_run, uint64_t *runs)
{
	uint64_t c0, t0, c1, t1;
	unsigned i;
	int err;

	err = prog_counts(fd, &c0, &t0);
	if (err)
		return err;
	for (i = 0; i < n; i++)
		if (prctl(PR_SET_NAME, i & 1 ? "bpfcost-bias" : "bpfcost-biaz", 0, 0, 0))
			return -errno;
	err = prog_counts(fd, &c1, &t1);
	if (err)
		return err;
	if (c1 <= c0)
		return -ENODATA;
	*runs += c1 - c0;
	*ns_per_run = (double)(t1 - t0) / (double)(c1 - c0);
	return 0;
}

static int measure_batches(struct empty_bpf *skel, struct sb_bias *b, unsigned batches,
			   unsigned runs, double *batch_ns)
{
	int fd = bpf_program__fd(skel->progs.bc_empty);
	struct bpf_link *link;
	unsigned i;
	int err = 0;

	link = bpf_program__attach_raw_tracepoint(skel->progs.bc_empty, SB_HOOK);
	if (!link) {
		err = -errno;
		snprintf(b->why, sizeof(b->why), "cannot attach an empty raw_tp program to %s: %s",
			 SB_HOOK, strerror(-err));
		return err;
	}
	/* The first batch warms caches and the hook; it is not kept. */
	for (i = 0; i <= batches && !err; i++)
		err = run_batch(fd, runs, &batch_ns[i ? i - 1 : 0], &b->runs);
	bpf_link__destroy(link);
	if (err == -ENODATA)
		snprintf(b->why, sizeof(b->why),
			 "run-time stats are off: the empty program's runs were not counted");
	else if (err)
		snprintf(b->why, sizeof(b->why), "prctl/bpf failed while measuring: %s",
			 strerror(-err));
	return err;
}

int sb_measure(struct sb_bias *b, unsigned batches, unsigned runs_per_batch)
{
	double batch_ns[64];
	char comm[17] = "";
	struct empty_bpf *skel;
	uint64_t t0 = bc_now_ns();
	int err;

	memset(b, 0, sizeof(*b));
	snprintf(b->hook, sizeof(b->hook), "raw_tp:%s", SB_HOOK);
	read_clocksource(b->clocksource, sizeof(b->clocksource));
	if (batches < 2 || batches > ARRAY_SIZE(batch_ns) || !runs_per_batch)
		return -EINVAL;
	skel = empty_bpf__open_and_load();
	if (!skel) {
		err = -errno;
		snprintf(b->why, sizeof(b->why), "cannot load an empty raw_tp program: %s",
			 strerror(-err));
		return err;
	}
	prctl(PR_GET_NAME, comm, 0, 0, 0);
	err = measure_batches(skel, b, batches, runs_per_batch, batch_ns);
	prctl(PR_SET_NAME, comm, 0, 0, 0);
	empty_bpf__destroy(skel);
	if (!err)
		err = sb_from_batches(b, batch_ns, batches);
	b->elapsed_s = (double)(bc_now_ns() - t0) / 1e9;
	b->valid = !err;
	return err;
}
