// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The run-time stats' own share of run_time_ns (see statsbias.h for what
 * is measured, how, and why that hook). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/filter.h>
#include "common.h"
#include "machine.h"
#include "stats.h"
#include "statsbias.h"

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
	b->nparts = 1;
	b->part_ns[0] = mean;
	return 0;
}

void sb_combine(struct sb_bias *b, const struct sb_bias *more)
{
	unsigned n;

	if (!more->valid)
		return;
	if (!b->valid) {
		*b = *more;
		return;
	}
	n = b->batches + more->batches;
	b->ns_per_run = (b->ns_per_run * b->batches + more->ns_per_run * more->batches) / n;
	b->lo = fmin(b->lo, more->lo);
	b->hi = fmax(b->hi, more->hi);
	b->batches = n;
	b->runs += more->runs;
	b->elapsed_s += more->elapsed_s;
	for (unsigned i = 0; i < more->nparts && b->nparts < SB_MAX_PARTS; i++)
		b->part_ns[b->nparts++] = more->part_ns[i];
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
	/* never above the raw figure: the bias is not below 0 */
	out->hi = fmax(raw - fmax(b->lo, 0), 0);
	out->lo = fmax(raw - b->hi, 0);
	out->resolved = raw - b->hi > 0;
	out->ns_per_run = out->resolved ? raw - b->ns_per_run : 0;
	out->cpu_pct = out->ns_per_run * to_pct;
	out->cpu_pct_lo = out->lo * to_pct;
	out->cpu_pct_hi = out->hi * to_pct;
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

/* One batch: run the empty program n times. A raw_tp program's test run
 * (bpf_prog_test_run_raw_tp, net/bpf/test_run.c) calls bpf_prog_run(), the
 * same __bpf_prog_run a tracepoint's bpf_trace_run() uses, with the same
 * two clock reads when stats are on; one run per bpf() call. */
static int run_batch(int fd, unsigned n, double *ns_per_run, uint64_t *runs)
{
	uint64_t c0 = 0, t0 = 0, c1 = 0, t1 = 0;
	unsigned i;
	int err;

	err = prog_counts(fd, &c0, &t0);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o);

		if (bpf_prog_test_run_opts(fd, &o))
			return -errno;
	}
	err = prog_counts(fd, &c1, &t1);
	if (err)
		return err;
	if (c1 <= c0)
		return -ENODATA;
	*runs += c1 - c0;
	*ns_per_run = (double)(t1 - t0) / (double)(c1 - c0);
	return 0;
}

/* "r0 = 0; exit" as a raw_tp program, loaded with the bpf() syscall itself:
 * libbpf's loaders first load feature probes of their own (prog names,
 * memcg accounting), which would be two more programs on the host. -errno. */
static int load_empty(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = ARRAY_SIZE(insns);
	attr.license = (uint64_t)(uintptr_t)"GPL";
	snprintf(attr.prog_name, sizeof(attr.prog_name), "bc_stats_bias");
	fd = (int)syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	return fd < 0 ? -errno : fd;
}

static int measure_batches(int fd, struct sb_bias *b, unsigned batches, unsigned runs,
			   double *batch_ns)
{
	unsigned i;
	int err = 0;

	/* The first batch warms caches; it is not kept. */
	for (i = 0; i <= batches && !err; i++)
		err = run_batch(fd, runs, &batch_ns[i ? i - 1 : 0], &b->runs);
	if (err == -ENODATA)
		snprintf(b->why, sizeof(b->why),
			 "run-time stats are off: the empty program's runs were not counted");
	else if (err)
		snprintf(b->why, sizeof(b->why), "BPF_PROG_TEST_RUN of an empty program failed: %s",
			 strerror(-err));
	return err;
}

int sb_measure(struct sb_bias *b, unsigned batches, unsigned runs_per_batch)
{
	double batch_ns[64];
	uint64_t t0 = bc_now_ns();
	int fd, err;

	memset(b, 0, sizeof(*b));
	snprintf(b->hook, sizeof(b->hook), "raw_tp test run");
	machine_clocksource(b->clocksource, sizeof(b->clocksource));
	if (batches < 2 || batches > ARRAY_SIZE(batch_ns) || !runs_per_batch)
		return -EINVAL;
	fd = load_empty();
	if (fd < 0) {
		snprintf(b->why, sizeof(b->why), "cannot load an empty raw_tp program: %s",
			 strerror(-fd));
		return fd;
	}
	err = measure_batches(fd, b, batches, runs_per_batch, batch_ns);
	close(fd);
	if (!err)
		err = sb_from_batches(b, batch_ns, batches);
	b->elapsed_s = (double)(bc_now_ns() - t0) / 1e9;
	b->valid = !err;
	return err;
}
