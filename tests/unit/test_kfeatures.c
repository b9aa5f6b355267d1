// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for feature probing without a kernel: names, errno names, the
 * method rules on hand-built feature sets, and which trials a question
 * runs (counting fakes put in the probe table). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "kfeatures.h"

static void set_all(struct features *f, bool ok)
{
	int i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < FEAT_COUNT; i++) {
		f->r[i].ok = ok;
		f->r[i].err = ok ? 0 : -ENOENT;
		f->probed[i] = true;	/* known: nothing is probed */
	}
}

static void test_names_unique_snake_case(void **state)
{
	int i, j;

	for (i = 0; i < FEAT_COUNT; i++) {
		const char *n = feature_name(i);

		assert_true(strlen(n) > 0);
		assert_true(strlen(feature_label(i)) > 0);
		for (const char *p = n; *p; p++)
			assert_true(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_');
		for (j = 0; j < i; j++)
			assert_string_not_equal(n, feature_name(j));
	}
	for (i = 0; i < METHOD_COUNT; i++)
		for (j = 0; j < i; j++)
			assert_string_not_equal(method_name(i), method_name(j));
	assert_string_equal(feature_name(FEAT_FENTRY_PROG), "fentry_prog");
	assert_string_equal(method_command(METHOD_AB), "overhead");
	assert_string_equal(feature_name(FEAT_COUNT), "unknown");
}

static void test_errname(void **state)
{
	assert_null(feature_errname(0));
	assert_string_equal(feature_errname(-EPERM), "EPERM");
	assert_string_equal(feature_errname(-ENOENT), "ENOENT");
	assert_string_equal(feature_errname(-524), "ENOTSUPP");
}

static void test_all_available(void **state)
{
	struct features f;
	struct bc_ctx ctx = { .features = &f };
	char why[256];
	int m;

	set_all(&f, true);
	for (m = 0; m < METHOD_COUNT; m++) {
		strcpy(why, "stale");
		assert_true(method_available(&ctx, m, why, sizeof(why)));
		assert_string_equal(why, "");
	}
}

/* This host's shape: trampolines refused, no kprobes, no hardware PMU. */
static void test_host_like(void **state)
{
	static const enum feature_id off[] = {
		FEAT_FENTRY_PROG, FEAT_FENTRY_KFUNC, FEAT_KPROBE_PMU, FEAT_KRETPROBE_PMU,
		FEAT_KPROBE_TRACEFS, FEAT_PERF_CYCLES, FEAT_PERF_INSTRUCTIONS, FEAT_PERF_CACHE_MISSES,
	};
	struct features f;
	struct bc_ctx ctx = { .features = &f };
	char why[256];
	size_t i;

	set_all(&f, true);
	for (i = 0; i < ARRAY_SIZE(off); i++) {
		f.r[off[i]].ok = false;
		f.r[off[i]].err = -ENOENT;
	}
	f.r[FEAT_FENTRY_PROG].err = -EPERM;
	assert_true(method_available(&ctx, METHOD_STATS, why, sizeof(why)));
	assert_true(method_available(&ctx, METHOD_AB, why, sizeof(why)));
	assert_true(method_available(&ctx, METHOD_ANNOTATE, why, sizeof(why)));
	assert_false(method_available(&ctx, METHOD_PROFILE, why, sizeof(why)));
	assert_string_equal(why, "needs fentry/fexit on a BPF program (EPERM); "
				 "works here: stats, overhead, annotate");
	assert_false(method_available(&ctx, METHOD_SYSCALL_WRAP, why, sizeof(why)));
	assert_non_null(strstr(why, "fentry on a kernel function (ENOENT) or "));
	assert_non_null(strstr(why, "works here: stats, overhead, annotate"));
}

static void test_alternatives(void **state)
{
	struct features f;
	struct bc_ctx ctx = { .features = &f };
	char why[256];

	/* Either stats path is enough. */
	set_all(&f, true);
	f.r[FEAT_STATS_FD].ok = false;
	assert_true(method_available(&ctx, METHOD_STATS, why, sizeof(why)));
	f.r[FEAT_STATS_SYSCTL].ok = false;
	assert_false(method_available(&ctx, METHOD_STATS, why, sizeof(why)));
	/* Any one way around the syscall path is enough. */
	set_all(&f, false);
	f.r[FEAT_KPROBE_TRACEFS].ok = true;
	f.r[FEAT_SYSCALL_DISPATCH].ok = true;
	assert_true(method_available(&ctx, METHOD_SYSCALL_WRAP, why, sizeof(why)));
	/* ... but only with something to wrap (a dispatcher, or per-syscall
	 * functions by kprobe). */
	set_all(&f, true);
	f.r[FEAT_SYSCALL_DISPATCH].ok = false;
	f.r[FEAT_SYSCALL_DISPATCH].err = -EOPNOTSUPP;
	assert_false(method_available(&ctx, METHOD_SYSCALL_WRAP, why, sizeof(why)));
	assert_non_null(strstr(why, "a syscall dispatcher to wrap (EOPNOTSUPP)"));
	/* annotate needs a sampling clock and the kallsyms symbols. */
	set_all(&f, true);
	f.r[FEAT_PERF_SW_CLOCK].ok = false;
	assert_true(method_available(&ctx, METHOD_ANNOTATE, why, sizeof(why)));
	f.r[FEAT_PERF_CYCLES].ok = false;
	assert_false(method_available(&ctx, METHOD_ANNOTATE, why, sizeof(why)));
	f.r[FEAT_JIT_KALLSYMS].ok = false;
	f.r[FEAT_JIT_KALLSYMS].err = 0;	/* off, not an error */
	assert_false(method_available(&ctx, METHOD_ANNOTATE, why, sizeof(why)));
	assert_non_null(strstr(why, " and JITed program symbols in kallsyms (off)"));
	/* profile needs kernel BTF too. */
	set_all(&f, true);
	f.r[FEAT_VMLINUX_BTF].ok = false;
	assert_false(method_available(&ctx, METHOD_PROFILE, why, sizeof(why)));
	assert_non_null(strstr(why, "kernel BTF"));
}

static void test_nothing_works(void **state)
{
	struct features f;
	struct bc_ctx ctx = { .features = &f };
	char why[256];

	set_all(&f, false);
	assert_false(method_available(&ctx, METHOD_AB, why, sizeof(why)));
	assert_non_null(strstr(why, "works here: nothing"));
}

static void test_small_buffer_truncates(void **state)
{
	struct features f;
	struct bc_ctx ctx = { .features = &f };
	char why[16];

	set_all(&f, false);
	memset(why, 'x', sizeof(why));
	assert_false(method_available(&ctx, METHOD_SYSCALL_WRAP, why, sizeof(why)));
	assert_int_equal(strlen(why), sizeof(why) - 1);
	assert_false(method_available(&ctx, METHOD_SYSCALL_WRAP, NULL, 0));
	assert_false(method_available(NULL, METHOD_STATS, why, sizeof(why)));
	assert_false(method_available(&ctx, METHOD_COUNT, why, sizeof(why)));
}

/* ---- which trials a question runs: counting fakes in the probe table ---- */

static bool fake_ok[FEAT_COUNT];
static int calls[FEAT_COUNT];
static enum feature_id order[4 * FEAT_COUNT];
static int norder;

static enum feature_id id_of(struct bc_ctx *ctx, struct feature_result *r)
{
	return (enum feature_id)(r - ctx->features->r);
}

static void fake_probe(struct bc_ctx *ctx, struct feature_result *r)
{
	enum feature_id id = id_of(ctx, r);

	calls[id]++;
	order[norder++] = id;
	r->ok = fake_ok[id];
	r->err = r->ok ? 0 : -EPERM;
	snprintf(r->detail, sizeof(r->detail), "fake %s", feature_name(id));
}

/* Like the real one: fentry first, kprobes only when fentry cannot. */
static void fake_dispatch(struct bc_ctx *ctx, struct feature_result *r)
{
	bool ok = bc_feature_ok(ctx, FEAT_FENTRY_KFUNC) || bc_feature_ok(ctx, FEAT_KPROBE_TRACEFS);

	fake_probe(ctx, r);
	r->ok = ok;
	r->err = ok ? 0 : -EOPNOTSUPP;
}

/* Asks for itself: the cycle guard must end it. */
static void fake_self(struct bc_ctx *ctx, struct feature_result *r)
{
	const struct feature_result *inner = bc_feature(ctx, id_of(ctx, r));
	int err = inner ? inner->err : -ENOMEM;

	fake_probe(ctx, r);
	r->ok = false;
	r->err = err;
}

static const struct feature_probe fake = { fake_probe, "fake trial" };
static const struct feature_probe fake_dep = { fake_dispatch, "fake dispatcher trial" };
static const struct feature_probe fake_loop = { fake_self, "fake self-asking trial" };

static int fakes_setup(void **state)
{
	int i;

	for (i = 0; i < FEAT_COUNT; i++) {
		bc_feature_provide(i, &fake);
		fake_ok[i] = true;
	}
	bc_feature_provide(FEAT_SYSCALL_DISPATCH, &fake_dep);
	memset(calls, 0, sizeof(calls));
	norder = 0;
	return 0;
}

static int fakes_teardown(void **state)
{
	for (int i = 0; i < FEAT_COUNT; i++)
		bc_feature_provide(i, NULL);
	return 0;
}

/* The features probed so far, as "a,b,c" in probing order. */
static const char *probed_list(char *buf, size_t len)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (int i = 0; i < norder && pos < len; i++)
		pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", i ? "," : "",
					feature_name(order[i]));
	return buf;
}

static void assert_probed(const char *want)
{
	char buf[1024];

	assert_string_equal(probed_list(buf, sizeof(buf)), want);
	for (int i = 0; i < FEAT_COUNT; i++)
		assert_true(calls[i] <= 1);	/* each trial once at most */
}

static void test_one_alternative_is_enough(void **state)
{
	struct bc_ctx ctx = { 0 };

	assert_true(method_available(&ctx, METHOD_STATS, NULL, 0));
	assert_probed("stats_fd");
	assert_true(method_available(&ctx, METHOD_AB, NULL, 0));
	assert_probed("stats_fd,raw_tp");
	/* Known now: asking again runs nothing. */
	assert_true(method_available(&ctx, METHOD_STATS, NULL, 0));
	assert_probed("stats_fd,raw_tp");
	features_free(ctx.features);
}

static void test_failed_alternative_tries_next(void **state)
{
	struct bc_ctx ctx = { 0 };

	fake_ok[FEAT_STATS_FD] = false;
	assert_true(method_available(&ctx, METHOD_STATS, NULL, 0));
	assert_probed("stats_fd,stats_sysctl");
	fake_ok[FEAT_PERF_SW_CLOCK] = false;
	assert_true(method_available(&ctx, METHOD_ANNOTATE, NULL, 0));
	assert_probed("stats_fd,stats_sysctl,perf_sw_clock,perf_cycles,jit_kallsyms");
	features_free(ctx.features);
}

static void test_dependencies_only_when_needed(void **state)
{
	struct bc_ctx ctx = { 0 };

	assert_true(method_available(&ctx, METHOD_SYSCALL_WRAP, NULL, 0));
	assert_probed("fentry_kfunc,syscall_dispatch");
	features_free(ctx.features);
}

static void test_dependencies_probed_first(void **state)
{
	struct bc_ctx ctx = { 0 };
	const struct feature_result *r;

	/* Neither fentry nor kprobes: the dispatcher trial asks about both
	 * before it runs (order: the dependencies' trials, then its own). */
	fake_ok[FEAT_FENTRY_KFUNC] = false;
	fake_ok[FEAT_KRETPROBE_PMU] = false;
	fake_ok[FEAT_KPROBE_TRACEFS] = false;
	r = bc_feature(&ctx, FEAT_SYSCALL_DISPATCH);
	assert_non_null(r);
	assert_false(r->ok);
	assert_probed("fentry_kfunc,kprobe_tracefs,syscall_dispatch");
	features_free(ctx.features);
}

static void test_refusal_without_why_stops_early(void **state)
{
	struct bc_ctx ctx = { 0 };

	fake_ok[FEAT_FENTRY_PROG] = false;
	assert_false(method_available(&ctx, METHOD_PROFILE, NULL, 0));
	assert_probed("fentry_prog");
	features_free(ctx.features);
}

static void test_refusal_with_why_names_what_works(void **state)
{
	struct bc_ctx ctx = { 0 };
	char why[512];

	fake_ok[FEAT_FENTRY_PROG] = false;
	assert_false(method_available(&ctx, METHOD_PROFILE, why, sizeof(why)));
	assert_string_equal(why, "needs fentry/fexit on a BPF program (EPERM); "
				 "works here: stats, overhead, syscall, annotate");
	/* Its own clauses all, then what each other method needs. */
	assert_probed("fentry_prog,vmlinux_btf,stats_fd,raw_tp,fentry_kfunc,syscall_dispatch,"
		      "perf_sw_clock,jit_kallsyms");
	features_free(ctx.features);
}

static void test_doctor_probes_every_feature_once(void **state)
{
	struct bc_ctx ctx = { 0 };
	const struct features *f;

	f = bc_features(&ctx);
	assert_non_null(f);
	assert_true(f->complete);
	for (int i = 0; i < FEAT_COUNT; i++) {
		assert_int_equal(calls[i], 1);
		assert_true(f->probed[i]);
		assert_non_null(strstr(f->r[i].detail, feature_name(i)));
	}
	assert_non_null(bc_features(&ctx));
	assert_int_equal(norder, FEAT_COUNT);
	features_free(ctx.features);
}

static void test_no_trial_and_cycles_are_errors(void **state)
{
	struct bc_ctx ctx = { 0 };
	const struct feature_result *r;

	bc_feature_provide(FEAT_PROG_ITER, NULL);	/* not registered (no own trial) */
	r = bc_feature(&ctx, FEAT_PROG_ITER);
	assert_non_null(r);
	assert_false(r->ok);
	assert_int_equal(r->err, -ENOSYS);
	bc_feature_provide(FEAT_JIT, &fake_loop);
	r = bc_feature(&ctx, FEAT_JIT);
	assert_false(r->ok);
	assert_int_equal(r->err, -ELOOP);
	assert_int_equal(calls[FEAT_JIT], 1);
	assert_int_equal(bc_feature_provide(FEAT_COUNT, &fake), -EINVAL);
	assert_null(bc_feature(&ctx, FEAT_COUNT));
	features_free(ctx.features);
}

static void test_record_counts_as_probed(void **state)
{
	struct bc_ctx ctx = { 0 };

	assert_null(bc_feature_known(&ctx, FEAT_PROG_ITER));
	assert_int_equal(bc_feature_record(&ctx, FEAT_PROG_ITER, false, -E2BIG, "too many CPUs"), 0);
	assert_non_null(bc_feature_known(&ctx, FEAT_PROG_ITER));
	assert_int_equal(bc_feature(&ctx, FEAT_PROG_ITER)->err, -E2BIG);
	assert_probed("");
	features_free(ctx.features);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_unique_snake_case),
		cmocka_unit_test(test_errname),
		cmocka_unit_test(test_all_available),
		cmocka_unit_test(test_host_like),
		cmocka_unit_test(test_alternatives),
		cmocka_unit_test(test_nothing_works),
		cmocka_unit_test(test_small_buffer_truncates),
		cmocka_unit_test_setup_teardown(test_one_alternative_is_enough, fakes_setup,
						fakes_teardown),
		cmocka_unit_test_setup_teardown(test_failed_alternative_tries_next, fakes_setup,
						fakes_teardown),
		cmocka_unit_test_setup_teardown(test_dependencies_only_when_needed, fakes_setup,
						fakes_teardown),
		cmocka_unit_test_setup_teardown(test_dependencies_probed_first, fakes_setup,
						fakes_teardown),
		cmocka_unit_test_setup_teardown(test_refusal_without_why_stops_early, fakes_setup,
						fakes_teardown),
		cmocka_unit_test_setup_teardown(test_refusal_with_why_names_what_works, fakes_setup,
						fakes_teardown),
		cmocka_unit_test_setup_teardown(test_doctor_probes_every_feature_once, fakes_setup,
						fakes_teardown),
		cmocka_unit_test_setup_teardown(test_no_trial_and_cycles_are_errors, fakes_setup,
						fakes_teardown),
		cmocka_unit_test_setup_teardown(test_record_counts_as_probed, fakes_setup,
						fakes_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
