// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for the pure part of feature probing: names, errno names and
 * the method rules on hand-built feature sets (no kernel involved). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include "kfeatures.h"

static void set_all(struct features *f, bool ok)
{
	int i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < FEAT_COUNT; i++) {
		f->r[i].ok = ok;
		f->r[i].err = ok ? 0 : -ENOENT;
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
	char why[256];
	int m;

	set_all(&f, true);
	for (m = 0; m < METHOD_COUNT; m++) {
		strcpy(why, "stale");
		assert_true(method_available(&f, m, why, sizeof(why)));
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
	char why[256];
	size_t i;

	set_all(&f, true);
	for (i = 0; i < ARRAY_SIZE(off); i++) {
		f.r[off[i]].ok = false;
		f.r[off[i]].err = -ENOENT;
	}
	f.r[FEAT_FENTRY_PROG].err = -EPERM;
	assert_true(method_available(&f, METHOD_STATS, why, sizeof(why)));
	assert_true(method_available(&f, METHOD_AB, why, sizeof(why)));
	assert_true(method_available(&f, METHOD_ANNOTATE, why, sizeof(why)));
	assert_false(method_available(&f, METHOD_PROFILE, why, sizeof(why)));
	assert_string_equal(why, "needs fentry/fexit on a BPF program (EPERM); "
				 "works here: stats, overhead, annotate");
	assert_false(method_available(&f, METHOD_SYSCALL_WRAP, why, sizeof(why)));
	assert_non_null(strstr(why, "fentry on a kernel function (ENOENT) or "));
	assert_non_null(strstr(why, "works here: stats, overhead, annotate"));
}

static void test_alternatives(void **state)
{
	struct features f;
	char why[256];

	/* Either stats path is enough. */
	set_all(&f, true);
	f.r[FEAT_STATS_FD].ok = false;
	assert_true(method_available(&f, METHOD_STATS, why, sizeof(why)));
	f.r[FEAT_STATS_SYSCTL].ok = false;
	assert_false(method_available(&f, METHOD_STATS, why, sizeof(why)));
	/* Any one way around the syscall path is enough. */
	set_all(&f, false);
	f.r[FEAT_KPROBE_TRACEFS].ok = true;
	f.r[FEAT_SYSCALL_DISPATCH].ok = true;
	assert_true(method_available(&f, METHOD_SYSCALL_WRAP, why, sizeof(why)));
	/* ... but only with something to wrap (a dispatcher, or per-syscall
	 * functions by kprobe). */
	set_all(&f, true);
	f.r[FEAT_SYSCALL_DISPATCH].ok = false;
	f.r[FEAT_SYSCALL_DISPATCH].err = -EOPNOTSUPP;
	assert_false(method_available(&f, METHOD_SYSCALL_WRAP, why, sizeof(why)));
	assert_non_null(strstr(why, "a syscall dispatcher to wrap (EOPNOTSUPP)"));
	/* annotate needs a sampling clock and the kallsyms symbols. */
	set_all(&f, true);
	f.r[FEAT_PERF_SW_CLOCK].ok = false;
	assert_true(method_available(&f, METHOD_ANNOTATE, why, sizeof(why)));
	f.r[FEAT_PERF_CYCLES].ok = false;
	assert_false(method_available(&f, METHOD_ANNOTATE, why, sizeof(why)));
	f.r[FEAT_JIT_KALLSYMS].ok = false;
	f.r[FEAT_JIT_KALLSYMS].err = 0;	/* off, not an error */
	assert_false(method_available(&f, METHOD_ANNOTATE, why, sizeof(why)));
	assert_non_null(strstr(why, " and JITed program symbols in kallsyms (off)"));
	/* profile needs kernel BTF too. */
	set_all(&f, true);
	f.r[FEAT_VMLINUX_BTF].ok = false;
	assert_false(method_available(&f, METHOD_PROFILE, why, sizeof(why)));
	assert_non_null(strstr(why, "kernel BTF"));
}

static void test_nothing_works(void **state)
{
	struct features f;
	char why[256];

	set_all(&f, false);
	assert_false(method_available(&f, METHOD_AB, why, sizeof(why)));
	assert_non_null(strstr(why, "works here: nothing"));
}

static void test_small_buffer_truncates(void **state)
{
	struct features f;
	char why[16];

	set_all(&f, false);
	memset(why, 'x', sizeof(why));
	assert_false(method_available(&f, METHOD_SYSCALL_WRAP, why, sizeof(why)));
	assert_int_equal(strlen(why), sizeof(why) - 1);
	assert_false(method_available(&f, METHOD_SYSCALL_WRAP, NULL, 0));
	assert_false(method_available(NULL, METHOD_STATS, why, sizeof(why)));
	assert_false(method_available(&f, METHOD_COUNT, why, sizeof(why)));
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
