// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fentry/fexit profiling of loaded BPF programs. One BPF object
 * (profile.bpf.c) is opened once per target and retargeted with
 * bpf_program__set_attach_target(); a second, empty program of ours
 * (empty.bpf.c, raw_tp/sys_enter) is profiled alongside with the same
 * setup so that what the observer itself adds can be measured and
 * subtracted. Counters are shared perf events, one per CPU per event. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cpumask.h"
#include "profile.h"
#include "kfeatures.h"
#include "profile.skel.h"
#include "empty.skel.h"
#include "probe.skel.h"

#define POLL_S 0.25
#define CALIB_TRIM_P 99.0	/* calibration: mean of runs up to this percentile */		/* stop-request and detach polling period */

static const struct prof_event_def event_table[] = {
	{ "cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, FEAT_PERF_CYCLES, true },
	{ "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, FEAT_PERF_INSTRUCTIONS, true },
	{ "cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES, FEAT_PERF_CACHE_MISSES, true },
	{ "cache-references", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES, -1, false },
	{ "branches", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS, -1, false },
	{ "branch-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES, -1, false },
	{ "dtlb-misses", PERF_TYPE_HW_CACHE, PERF_COUNT_HW_CACHE_DTLB |
	  (PERF_COUNT_HW_CACHE_OP_READ << 8) | (PERF_COUNT_HW_CACHE_RESULT_MISS << 16), -1, false },
	{ "itlb-misses", PERF_TYPE_HW_CACHE, PERF_COUNT_HW_CACHE_ITLB |
	  (PERF_COUNT_HW_CACHE_OP_READ << 8) | (PERF_COUNT_HW_CACHE_RESULT_MISS << 16), -1, false },
	/* Software, in ns: exercises the counter path where no PMU exists. */
	{ "cpu-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, -1, false },
};

const struct prof_event_def *prof_events_table(size_t *n)
{
	*n = ARRAY_SIZE(event_table);
	return event_table;
}

static int event_open(const struct prof_event_def *e, int cpu)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr), .type = e->type, .config = e->config,
	};

	return bc_perf_event_open(&attr, -1, cpu);
}

static int event_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(event_table); i++)
		if (!strcmp(event_table[i].name, name))
			return (int)i;
	return -1;
}

/* An explicitly named event must open here; say why not in one line. */
static int event_check(struct bc_ctx *ctx, int i)
{
	const struct prof_event_def *e = &event_table[i];
	const struct feature_result *fr;
	int cpu = cpus_first_online();
	int fd = cpu < 0 ? cpu : event_open(e, cpu);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	fr = e->feature >= 0 ? bc_feature(ctx, e->feature) : NULL;
	if (fr && !fr->ok)
		bc_err("event '%s' is not available here: %s (bpfcost doctor)", e->name,
		       fr->detail);
	else
		bc_err("event '%s' is not available here: %s%s", e->name, strerror(-fd),
		       fd == -ENOENT || fd == -EOPNOTSUPP ? " (no PMU for it)" : "");
	return -EOPNOTSUPP;
}

static int events_auto(struct bc_ctx *ctx, int *idx, int max)
{
	size_t i;
	int n = 0;

	for (i = 0; i < ARRAY_SIZE(event_table) && n < max; i++)
		if (event_table[i].in_auto && bc_feature_ok(ctx, event_table[i].feature))
			idx[n++] = (int)i;
	return n;
}

int prof_events_parse(const char *spec, int *idx, int max, bool *is_auto)
{
	char *copy, *tok, *save = NULL;
	int n = 0, i, j, err = 0;

	*is_auto = !strcmp(spec, "auto");
	if (*is_auto || !strcmp(spec, "none"))
		return 0;
	copy = strdup(spec);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		i = event_lookup(tok);
		if (i < 0) {
			bc_err("--events: unknown event '%s' (known: cycles, instructions, "
			       "cache-misses, cache-references, branches, branch-misses, "
			       "dtlb-misses, itlb-misses, cpu-clock; or auto, none)", tok);
			err = -EINVAL;
			goto cleanup;
		}
		for (j = 0; j < n && idx[j] != i; j++)
			;
		if (j < n)
			continue;	/* named twice: count once */
		if (n == max) {
			bc_err("--events: at most %d events at once", max);
			err = -EINVAL;
			goto cleanup;
		}
		idx[n++] = i;
	}
	if (!n) {
		bc_err("--events: empty list");
		err = -EINVAL;
	}
cleanup:
	free(copy);
	return err ? err : n;
}

int prof_events_resolve(struct bc_ctx *ctx, bool is_auto, int *idx, int n, int max)
{
	int j, err = 0;

	if (is_auto)
		return events_auto(ctx, idx, max);
	for (j = 0; j < n && !err; j++)
		err = event_check(ctx, idx[j]);
	return err ? err : n;
}

/* ---- pure helpers ---- */

/* v - off rounded, or 0 with bit set in *below when that is not positive:
 * the observer's own cost is not known finer than that. */
static uint64_t sub_offset(uint64_t v, double off, unsigned bit, unsigned *below)
{
	double r = (double)v - off;

	if (r > 0)
		return (uint64_t)llround(r);
	*below |= bit;
	return 0;
}

void prof_figures_from_hist(const struct hist *h, double offset, struct prof_figures *out)
{
	double m = hist_mean(h) - offset;

	memset(out, 0, sizeof(*out));
	if (!h->count)
		return;
	if (m > 0)
		out->mean = m;
	else
		out->below_calib |= PROF_FIG_MEAN;
	out->p50 = sub_offset(hist_percentile(h, 50), offset, PROF_FIG_P50, &out->below_calib);
	out->p90 = sub_offset(hist_percentile(h, 90), offset, PROF_FIG_P90, &out->below_calib);
	out->p99 = sub_offset(hist_percentile(h, 99), offset, PROF_FIG_P99, &out->below_calib);
	out->max = sub_offset(h->max, offset, PROF_FIG_MAX, &out->below_calib);
}

void prof_counter_finish(struct prof_counter *c, uint64_t runs, double calib_per_run)
{
	c->multiplexed = c->running < c->enabled;
	if (c->running && c->running < c->enabled)
		c->scaled = (double)c->raw * (double)c->enabled / (double)c->running;
	else
		c->scaled = (double)c->raw;
	c->per_run = runs ? c->scaled / (double)runs : 0;
	c->below_calib = c->per_run <= calib_per_run;
	c->per_run_corrected = c->below_calib ? 0 : c->per_run - calib_per_run;
}

/* ---- kernel side ---- */

/* Shared perf events: fds[event * ncpu + cpu], -1 where a CPU is offline.
 * ncpu is the highest possible CPU id + 1, as the BPF side indexes by
 * bpf_get_smp_processor_id(); npossible the values per per-CPU map read. */
struct prof_perf {
	int *fds;
	int ncpu, nev;
	int npossible;
};

/* One profiled program: our object retargeted at it. */
struct prof_inst {
	struct prof_target *t;
	int target_fd;
	struct profile_bpf *skel;
	struct bpf_link *entry, *exit;
	struct bpf_prog_info i0, e0, x0;	/* target, entry, exit info at start */
	int links0;				/* target's links at start */
};

struct prof_session {
	struct bc_ctx *ctx;
	const struct prof_config *cfg;
	struct prof_result *res;
	struct prof_perf perf;
	struct prof_inst *inst;		/* res->n targets, then the calibration */
	size_t ninst;
	struct empty_bpf *calib_skel;
	struct bpfstats_enable se;
	uint64_t t0, t1;
};

static void perf_close(struct prof_perf *p)
{
	int i;

	for (i = 0; p->fds && i < p->ncpu * p->nev; i++)
		if (p->fds[i] >= 0)
			close(p->fds[i]);
	free(p->fds);
	p->fds = NULL;
}

static int perf_open(struct prof_perf *p, const struct prof_config *cfg)
{
	struct cpumask online;
	int e, c, fd, err, ncpu;

	err = cpus_online(&online);
	if (err)
		return err;
	ncpu = p->ncpu = cpus_possible_ids();
	p->npossible = cpus_possible_count();
	if (ncpu < 0 || p->npossible < 0)
		return ncpu < 0 ? ncpu : p->npossible;
	p->nev = cfg->nevents;
	p->fds = calloc((size_t)ncpu * (size_t)(p->nev ? p->nev : 1), sizeof(int));
	if (!p->fds)
		return -ENOMEM;
	for (e = 0; e < p->ncpu * p->nev; e++)
		p->fds[e] = -1;
	for (e = 0; e < p->nev; e++)
		for (c = cpumask_next(&online, 0); c >= 0 && c < ncpu;
		     c = cpumask_next(&online, c + 1)) {
			fd = event_open(&event_table[cfg->events[e]], c);
			if (fd == -ENODEV)
				continue;	/* went offline since the list was read */
			if (fd < 0) {
				bc_err("cannot open event '%s' on CPU %d: %s",
				       event_table[cfg->events[e]].name, c, strerror(-fd));
				return fd;
			}
			p->fds[e * ncpu + c] = fd;
		}
	return 0;
}

static int prog_info(int fd, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}

/* Links per program id, for the targets in s (one walk over all links). */
static void count_links(struct prof_session *s, int *counts)
{
	__u32 id = 0;
	size_t i;

	memset(counts, 0, s->ninst * sizeof(*counts));
	while (bpf_link_get_next_id(id, &id) == 0) {
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_link_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
			for (i = 0; i < s->ninst; i++)
				if (info.prog_id == s->inst[i].t->desc.id)
					counts[i]++;
		close(fd);
	}
}

/* The kernel's one-line reason, with what it most likely means. */
static void report_attach_error(const struct prof_target *t, int err)
{
	const struct prog_desc *d = &t->desc;

	/* Past check_tracing_target (6.8+): one level is allowed, so this
	 * target is itself attached to another BPF program. */
	if (d->type == BPF_PROG_TYPE_TRACING)
		bc_err("program %u (%s) is itself a tracing program and this kernel does not "
		       "let fentry/fexit attach to it: %s (since Linux 6.8, not to one that is "
		       "attached to another BPF program)", d->id, d->full_name, strerror(-err));
	else if (err == -EPERM)
		bc_err("fentry/fexit on program %u (%s) refused: %s (trampolines disabled? "
		       "see 'bpfcost doctor')", d->id, d->full_name, strerror(-err));
	else
		bc_err("cannot attach fentry/fexit to program %u (%s): %s (-v shows the "
		       "verifier log)", d->id, d->full_name, strerror(-err));
}

static int inst_load(struct prof_session *s, struct prof_inst *in)
{
	struct prof_perf *p = &s->perf;
	struct profile_bpf *skel;
	int err, i;

	skel = in->skel = profile_bpf__open();
	if (!skel)
		return -errno;
	skel->rodata->nr_events = (__u32)p->nev;
	skel->rodata->nr_cpus = (__u32)p->ncpu;
	err = bpf_map__set_max_entries(skel->maps.events,
				       (__u32)(p->ncpu * (p->nev ? p->nev : 1)));
	err = err ?: bpf_program__set_attach_target(skel->progs.bc_prof_entry, in->target_fd,
						    in->t->desc.full_name);
	err = err ?: bpf_program__set_attach_target(skel->progs.bc_prof_exit, in->target_fd,
						    in->t->desc.full_name);
	err = err ?: profile_bpf__load(skel);
	if (err) {
		report_attach_error(in->t, err);
		return err;
	}
	for (i = 0; i < p->ncpu * p->nev; i++) {
		__u32 key = (__u32)i;

		if (p->fds[i] >= 0 &&
		    bpf_map_update_elem(bpf_map__fd(skel->maps.events), &key, &p->fds[i], BPF_ANY)) {
			err = -errno;
			bc_err("cannot hand perf event to BPF: %s", strerror(errno));
			return err;
		}
	}
	return 0;
}

/* Exit first: an entry is never left without its exit at the start. */
static int inst_attach(struct prof_inst *in)
{
	int err;

	in->exit = bpf_program__attach(in->skel->progs.bc_prof_exit);
	if (!in->exit) {
		err = -errno;
		report_attach_error(in->t, err);
		return err;
	}
	in->entry = bpf_program__attach(in->skel->progs.bc_prof_entry);
	if (!in->entry) {
		err = -errno;
		report_attach_error(in->t, err);
		return err;
	}
	return 0;
}

static int target_open(struct prof_target *t, uint32_t id, int *fd)
{
	int err = prog_describe(id, &t->desc);

	if (err == -ENOENT) {
		bc_err("program %u is gone (unloaded before profiling started)", id);
		return err;
	}
	if (err) {
		bc_err("cannot read program %u: %s", id, strerror(-err));
		return err;
	}
	if (!t->desc.has_btf) {
		bc_err("program %u (%s) has no BTF: fentry/fexit need the target's BTF "
		       "(load it from an object built with clang -g)", id, t->desc.name);
		return -EOPNOTSUPP;
	}
	*fd = bpf_prog_get_fd_by_id(id);
	if (*fd < 0) {
		err = -errno;
		bc_err("cannot open program %u: %s", id, strerror(errno));
		return err;
	}
	return 0;
}

/* ---- tracing programs as targets ---- */

/* FEAT_FENTRY_TRACING, this method's own trial (prof_feature_provide).
 * tp_btf, fentry, fexit, fmod_ret and iterator programs are all
 * BPF_PROG_TYPE_TRACING, and before Linux 6.8 the verifier refuses
 * fentry/fexit on any of them (bpf_check_attach_target: "Cannot recursively
 * attach", -EINVAL, when the target's type is the tracer's). Commit
 * 19bfcdf9498a ("bpf: Relax tracing prog recursive attach rules", 6.8)
 * allows one level: a tracing target, unless it is itself attached to
 * another BPF program. The trial is profile's own fentry/fexit pair on a
 * tp_btf program of ours (bc_probe_tp_btf on sys_enter, loaded, never
 * attached), loaded and attached as inst_load and inst_attach do. */
static int trial_tracing_target(const char **step)
{
	struct bpf_link *entry = NULL, *exit = NULL;
	struct profile_bpf *obs = NULL;
	struct probe_bpf *target;
	struct bpf_program *p;
	int err, tfd;

	*step = "open";
	target = probe_bpf__open();
	if (!target)
		return -errno ? -errno : -ENOMEM;
	bpf_object__for_each_program(p, target->obj)
		bpf_program__set_autoload(p, p == target->progs.bc_probe_tp_btf);
	*step = "tp_btf target load";
	err = probe_bpf__load(target);
	if (err)
		goto cleanup;
	tfd = bpf_program__fd(target->progs.bc_probe_tp_btf);
	*step = "fentry/fexit load";
	obs = profile_bpf__open();
	err = obs ? 0 : (-errno ? -errno : -ENOMEM);
	err = err ?: bpf_program__set_attach_target(obs->progs.bc_prof_entry, tfd, "bc_probe_tp_btf");
	err = err ?: bpf_program__set_attach_target(obs->progs.bc_prof_exit, tfd, "bc_probe_tp_btf");
	err = err ?: profile_bpf__load(obs);
	if (err)
		goto cleanup;
	*step = "fentry/fexit attach";
	exit = bpf_program__attach(obs->progs.bc_prof_exit);
	entry = exit ? bpf_program__attach(obs->progs.bc_prof_entry) : NULL;
	err = entry ? 0 : (-errno ? -errno : -EIO);
cleanup:
	bpf_link__destroy(entry);
	bpf_link__destroy(exit);
	profile_bpf__destroy(obs);
	probe_bpf__destroy(target);
	return err;
}

static void probe_fentry_tracing(struct bc_ctx *ctx, struct feature_result *r)
{
	const char *step;
	int err = trial_tracing_target(&step);

	r->ok = !err;
	r->err = err;
	if (!err)
		snprintf(r->detail, sizeof(r->detail),
			 "profile's fentry+fexit loaded and attached on a tp_btf program");
	else
		snprintf(r->detail, sizeof(r->detail), "on a tp_btf program: %s refused: %s%s", step,
			 strerror(-err), err == -EINVAL ? " (the verifier refuses a tracing target "
			 "before Linux 6.8, commit 19bfcdf9498a)" : err == -EPERM ?
			 " (trampolines disabled?)" : "");
}

static const struct feature_probe tracing_target_probe = {
	probe_fentry_tracing, "load a tp_btf program, attach profile's fentry+fexit to it",
};

void prof_feature_provide(void)
{
	bc_feature_provide(FEAT_FENTRY_TRACING, &tracing_target_probe);
}

/* A tracing target on a kernel that refuses fentry/fexit on one: say so,
 * with the trial's finding and the methods that still measure it here,
 * before anything is loaded. */
int prof_target_check(struct bc_ctx *ctx, const struct prog_desc *d, char *why, size_t len)
{
	static const enum method_id others[] = { METHOD_STATS, METHOD_ANNOTATE };
	const struct feature_result *fr;
	char works[64] = "";
	size_t n = 0;

	if (d->type != BPF_PROG_TYPE_TRACING)
		return 0;
	fr = bc_feature(ctx, FEAT_FENTRY_TRACING);
	if (fr && fr->ok)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(others) && n < sizeof(works); i++)
		if (method_available(ctx, others[i], NULL, 0))
			n += (size_t)snprintf(works + n, sizeof(works) - n, "%s%s", n ? ", " : "",
					      method_command(others[i]));
	snprintf(why, len, "a tracing program (tp_btf, fentry, fexit...) and this kernel "
		 "refuses fentry/fexit on one (trial: %s); %s%s", fr ? fr->detail : "not run",
		 n ? "what measures it here: " : "nothing else measures it here", works);
	return -EOPNOTSUPP;
}

static int check_tracing_target(struct bc_ctx *ctx, const struct prog_desc *d)
{
	char why[PROF_WHY_LEN];
	int err = prof_target_check(ctx, d, why, sizeof(why));

	if (err)
		bc_err("program %u (%s) is %s", d->id, d->full_name, why);
	return err;
}

/* Our empty program on raw_tp/sys_enter: the observer's zero point. */
static int calib_start(struct prof_session *s, struct prof_target *t, int *fd)
{
	struct bpf_prog_info info;
	int err;

	s->calib_skel = empty_bpf__open_and_load();
	if (!s->calib_skel)
		return -errno;
	err = empty_bpf__attach(s->calib_skel);
	if (err) {
		bc_err("cannot attach the calibration program: %s", strerror(-err));
		return err;
	}
	err = prog_info(bpf_program__fd(s->calib_skel->progs.bc_empty), &info);
	if (err)
		return err;
	t->is_calib = true;
	return target_open(t, info.id, fd);
}

/* The relations every target's note is made from. Without them the
 * figures stand (the note is left out and said missing). */
static void read_tail_calls(struct prof_result *res)
{
	struct tc_collector tc = { 0 };

	res->tail_err = tc_refresh(&tc);
	res->tail_ok = !res->tail_err;
	if (res->tail_ok) {
		res->tail = tc.g;
		tc.g = (struct tc_graph){ 0 };
	}
	tc_collector_free(&tc);
}

static int session_setup(struct prof_session *s)
{
	const struct prof_config *cfg = s->cfg;
	struct prof_result *res = s->res;
	size_t i;
	int err;

	s->ninst = cfg->nids + (cfg->calibrate ? 1 : 0);
	res->t = calloc(cfg->nids ? cfg->nids : 1, sizeof(*res->t));
	s->inst = calloc(s->ninst, sizeof(*s->inst));
	if (!res->t || !s->inst)
		return -ENOMEM;
	res->n = cfg->nids;
	for (i = 0; i < s->ninst; i++)
		s->inst[i].target_fd = -1;
	read_tail_calls(res);
	for (i = 0; i < cfg->nids; i++) {
		s->inst[i].t = &res->t[i];
		err = target_open(&res->t[i], cfg->ids[i], &s->inst[i].target_fd);
		err = err ?: check_tracing_target(s->ctx, &res->t[i].desc);
		err = err ?: tc_role(&res->tail, cfg->ids[i], &res->t[i].desc.tail);
		if (err)
			return err;
	}
	if (cfg->calibrate) {
		s->inst[cfg->nids].t = &res->calib;
		err = calib_start(s, &res->calib, &s->inst[cfg->nids].target_fd);
		if (err)
			return err;
		res->calibrated = true;
	}
	err = perf_open(&s->perf, cfg);
	for (i = 0; i < s->ninst && !err; i++)
		err = inst_load(s, &s->inst[i]);
	return err;
}

static void set_active(struct prof_session *s, bool on)
{
	size_t i;

	for (i = 0; i < s->ninst; i++)
		s->inst[i].skel->bss->active = on;
}

/* Opens the window: observers on, then the kernel's counters read. */
static void snapshot_start(struct prof_session *s)
{
	int *links = calloc(s->ninst, sizeof(int));
	size_t i;

	if (links)
		count_links(s, links);
	s->t0 = bc_now_ns();
	set_active(s, true);
	for (i = 0; i < s->ninst; i++) {
		struct prof_inst *in = &s->inst[i];

		prog_info(in->target_fd, &in->i0);
		prog_info(bpf_program__fd(in->skel->progs.bc_prof_entry), &in->e0);
		prog_info(bpf_program__fd(in->skel->progs.bc_prof_exit), &in->x0);
		in->links0 = links ? links[i] : 0;
	}
	free(links);
}

/* Mark targets whose owner let go (all their links gone). True when no
 * user target is still attached anywhere. */
static bool check_detached(struct prof_session *s)
{
	int *links = calloc(s->ninst, sizeof(int));
	bool all_gone = s->res->n > 0;
	size_t i;

	if (!links)
		return false;
	count_links(s, links);
	for (i = 0; i < s->res->n; i++) {
		struct prof_inst *in = &s->inst[i];

		if (in->links0 > 0 && links[i] == 0 && !in->t->detached) {
			in->t->detached = true;
			in->t->detached_after_s = (double)(bc_now_ns() - s->t0) / 1e9;
		}
		/* Without links at the start we cannot tell: assume it stays. */
		if (!in->t->detached)
			all_gone = false;
	}
	free(links);
	return all_gone;
}

/* Ends the window early when nothing is left to profile. */
static int detach_tick(void *arg, bool last)
{
	return check_detached(arg) ? 1 : 0;
}

static void wait_window(struct prof_session *s)
{
	struct bc_interval iv = { .interval_s = POLL_S, .duration_s = s->cfg->duration_s,
				  .start_ns = bc_now_ns() };

	bc_interval_loop(NULL, &iv, detach_tick, s, &s->res->stopped);
}

static int read_percpu(int map_fd, __u32 key, void *vals)
{
	return bpf_map_lookup_elem(map_fd, &key, vals) ? -errno : 0;
}

/* Sum the per-CPU maps of one instance into its target. */
static int inst_read(struct prof_session *s, struct prof_inst *in)
{
	int ncpu = s->perf.npossible, c, e, err;	/* values per per-CPU read */
	struct prof_target *t = in->t;
	uint64_t *buckets = calloc(HIST_NBUCKETS, sizeof(uint64_t));
	uint64_t *cnt = calloc((size_t)ncpu, sizeof(uint64_t));
	struct prof_stats *st = calloc((size_t)ncpu, sizeof(*st));
	uint64_t sum = 0, max = 0;
	__u32 b;

	err = buckets && cnt && st ? 0 : -ENOMEM;
	for (b = 0; b < HIST_NBUCKETS && !err; b++) {
		err = read_percpu(bpf_map__fd(in->skel->maps.hist), b, cnt);
		for (c = 0; c < ncpu && !err; c++)
			buckets[b] += cnt[c];
	}
	err = err ?: read_percpu(bpf_map__fd(in->skel->maps.stats), 0, st);
	if (err)
		goto cleanup;
	t->nevents = s->cfg->nevents;
	for (c = 0; c < ncpu; c++) {
		t->runs += st[c].runs;
		sum += st[c].sum_ns;
		max = st[c].max_ns > max ? st[c].max_ns : max;
		t->nested += st[c].nested;
		t->dropped += st[c].dropped;
		t->unmatched += st[c].unmatched;
		t->ev_failed += st[c].ev_failed;
		for (e = 0; e < t->nevents; e++) {
			t->ev[e].raw += st[c].ev[e].counter;
			t->ev[e].enabled += st[c].ev[e].enabled;
			t->ev[e].running += st[c].ev[e].running;
		}
	}
	for (e = 0; e < t->nevents; e++)
		t->ev[e].name = event_table[s->cfg->events[e]].name;
	hist_from_buckets(&t->hist, buckets, HIST_NBUCKETS);
	if (t->hist.count) {	/* exact figures beat bucket midpoints */
		t->hist.sum = sum;
		t->hist.max = max;
	}
cleanup:
	if (err)
		bc_err("cannot read profile maps: %s", strerror(-err));
	free(buckets);
	free(cnt);
	free(st);
	return err;
}

static double ns_per_run(const struct bpf_prog_info *a, const struct bpf_prog_info *b)
{
	uint64_t runs = b->run_cnt - a->run_cnt;

	return runs ? (double)(b->run_time_ns - a->run_time_ns) / (double)runs : 0;
}

/* Kernel-side deltas over the window: run-time stats and recursion misses. */
static void inst_finish_info(struct prof_session *s, struct prof_inst *in)
{
	struct bpf_prog_info i1, e1, x1;
	struct prof_target *t = in->t;

	if (prog_info(in->target_fd, &i1) ||
	    prog_info(bpf_program__fd(in->skel->progs.bc_prof_entry), &e1) ||
	    prog_info(bpf_program__fd(in->skel->progs.bc_prof_exit), &x1))
		return;
	t->target_misses = i1.recursion_misses - in->i0.recursion_misses;
	t->entry_misses = e1.recursion_misses - in->e0.recursion_misses;
	t->exit_misses = x1.recursion_misses - in->x0.recursion_misses;
	if (s->se.via == BPFSTATS_VIA_NONE)
		return;
	t->stats_ok = true;
	t->stats_runs = i1.run_cnt - in->i0.run_cnt;
	t->stats_ns = i1.run_time_ns - in->i0.run_time_ns;
	t->stats_ns_per_run = ns_per_run(&in->i0, &i1);
	t->entry_ns_per_run = ns_per_run(&in->e0, &e1);
	t->exit_ns_per_run = ns_per_run(&in->x0, &x1);
}

static void target_finish(struct prof_result *res, struct prof_target *t)
{
	double off = res->calibrated && !t->is_calib ? res->calib_ns : 0;
	int e;

	t->runs_per_s = res->elapsed_s > 0 ? (double)t->runs / res->elapsed_s : 0;
	prof_figures_from_hist(&t->hist, 0, &t->raw);
	prof_figures_from_hist(&t->hist, off, &t->corrected);
	for (e = 0; e < t->nevents; e++)
		prof_counter_finish(&t->ev[e], t->runs,
				    res->calibrated && !t->is_calib ? res->calib.ev[e].per_run : 0);
}

static void detach_all(struct prof_session *s)
{
	size_t i;

	/* Entries first, so no run is left half-observed. */
	for (i = 0; i < s->ninst; i++) {
		bpf_link__destroy(s->inst[i].entry);
		s->inst[i].entry = NULL;
	}
	for (i = 0; i < s->ninst; i++) {
		bpf_link__destroy(s->inst[i].exit);
		s->inst[i].exit = NULL;
	}
}

static int collect(struct prof_session *s)
{
	struct prof_result *res = s->res;
	size_t i;
	int err = 0;

	/* Closes the window: the kernel's counters read, then observers off. */
	for (i = 0; i < s->ninst; i++)
		inst_finish_info(s, &s->inst[i]);
	set_active(s, false);
	s->t1 = bc_now_ns();
	res->elapsed_s = (double)(s->t1 - s->t0) / 1e9;
	detach_all(s);
	for (i = 0; i < s->ninst && !err; i++)
		err = inst_read(s, &s->inst[i]);
	if (err)
		return err;
	if (res->calibrated) {
		target_finish(res, &res->calib);
		/* Trimmed at p99: the rare interrupted run of an empty program
		 * says nothing about the observer and would swamp a plain mean. */
		res->calib_ns = hist_range_mean(&res->calib.hist, 0, CALIB_TRIM_P);
	}
	for (i = 0; i < res->n; i++)
		target_finish(res, &res->t[i]);
	return 0;
}

static void session_free(struct prof_session *s)
{
	size_t i;

	detach_all(s);
	for (i = 0; s->inst && i < s->ninst; i++) {
		profile_bpf__destroy(s->inst[i].skel);
		if (s->inst[i].target_fd >= 0)
			close(s->inst[i].target_fd);
	}
	free(s->inst);
	empty_bpf__destroy(s->calib_skel);
	perf_close(&s->perf);
	bpfstats_restore(&s->se);
}

int prof_run(struct bc_ctx *ctx, const struct prof_config *cfg, struct prof_result *res)
{
	struct prof_session s = { .ctx = ctx, .cfg = cfg, .res = res, .se = { .fd = -1 } };
	size_t i;
	int err;

	memset(res, 0, sizeof(*res));
	err = session_setup(&s);
	if (err)
		goto cleanup;
	if (cfg->stats && bpfstats_enable(&s.se, false))
		bc_note("run-time stats unavailable: no comparison with them");
	res->stats_via = s.se.via;
	res->stats_was_on = s.se.was_on;
	for (i = 0; i < s.ninst && !err; i++)
		err = inst_attach(&s.inst[i]);
	if (err)
		goto cleanup;
	snapshot_start(&s);
	if (cfg->announce)
		bc_note("profiling %zu program%s for %.3g s", res->n, res->n == 1 ? "" : "s",
			cfg->duration_s);
	wait_window(&s);
	err = collect(&s);
cleanup:
	session_free(&s);
	return err;
}

void prof_result_free(struct prof_result *res)
{
	free(res->t);
	tc_graph_free(&res->tail);
	memset(res, 0, sizeof(*res));
}

static const struct prof_counter *find_counter(const struct prof_target *t, const char *name)
{
	int e;

	for (e = 0; e < t->nevents; e++)
		if (t->ev[e].name && !strcmp(t->ev[e].name, name))
			return &t->ev[e];
	return NULL;
}

bool prof_ratio(const struct prof_target *t, const char *num, const char *den, double scale,
		bool corrected, double *out)
{
	const struct prof_counter *n = find_counter(t, num), *d = find_counter(t, den);
	double nv, dv;

	if (!n || !d || (corrected && (n->below_calib || d->below_calib)))
		return false;
	nv = corrected ? n->per_run_corrected : n->per_run;
	dv = corrected ? d->per_run_corrected : d->per_run;
	if (dv <= 0)
		return false;
	*out = nv * scale / dv;
	return true;
}

/* Figures at or below the calibration are 0 here and named in
 * "below_calibration" (empty for raw figures). */
json_t *prof_figures_json(const struct prof_figures *g)
{
	static const struct { unsigned bit; const char *name; } bits[] = {
		{ PROF_FIG_MEAN, "mean" }, { PROF_FIG_P50, "p50" }, { PROF_FIG_P90, "p90" },
		{ PROF_FIG_P99, "p99" }, { PROF_FIG_MAX, "max" },
	};
	json_t *below = json_array();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bits); i++)
		if (g->below_calib & bits[i].bit)
			json_array_append_new(below, json_string(bits[i].name));
	return bc_json_pack("{s:f, s:I, s:I, s:I, s:I, s:o}", "mean", g->mean, "p50",
			    (json_int_t)g->p50, "p90", (json_int_t)g->p90, "p99",
			    (json_int_t)g->p99, "max", (json_int_t)g->max, "below_calibration",
			    below);
}

const char *prof_fig_str(uint64_t v, bool below, char *buf, size_t len)
{
	if (below)
		snprintf(buf, len, "<calib");
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}
