// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for the pure parsers of outside text that the fuzz harnesses
 * (tests/fuzz) drive: /proc and tracefs lines, sysfs values, and the
 * inputs the fuzzers found that broke a parser's contract (each one a
 * regression test here). Errors go to stderr, which these tests do not
 * read. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "common.h"
#include "kfeatures.h"
#include "kprobe_events.h"
#include "tracer.h"
#include "workload.h"

/* fuzz_number, fuzz_duration: strtoull/strtol/strtod skip any leading
 * white space, and only ' ' was refused, so "\n\n+7" passed as 7 (with a
 * sign parse_u64 refuses) and "\r50" as a 50 s duration. */
static void test_numbers_refuse_any_leading_blank(void **state)
{
	static const char *const bad[] = { "\t1", "\n\n+7", "\r50", "\v3", "\f2" };
	uint64_t u = 7;
	double d = 7;
	int i = 7;
	size_t k;

	for (k = 0; k < ARRAY_SIZE(bad); k++) {
		assert_int_equal(parse_u64("n", bad[k], 0, 100, &u), -EINVAL);
		assert_int_equal(parse_int("n", bad[k], -100, 100, &i), -EINVAL);
		assert_int_equal(parse_double("n", bad[k], -100, 100, &d), -EINVAL);
		assert_int_equal(parse_duration("d", bad[k], &d), -EINVAL);
	}
	assert_int_equal(parse_duration("d", "\r50ms", &d), -EINVAL);
	assert_true(u == 7 && i == 7 && d == 7);
}

/* fuzz_sysfs_int: "2147483648" became INT_MIN through a (long) -> (int)
 * cast. */
static void test_kf_parse_int(void **state)
{
	int v = 7;

	assert_int_equal(kf_parse_int("1\n", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(kf_parse_int("-1", &v), 0);
	assert_int_equal(v, -1);
	assert_int_equal(kf_parse_int("2147483647", &v), 0);
	assert_int_equal(v, 2147483647);
	v = 7;
	assert_int_equal(kf_parse_int("2147483648", &v), -EINVAL);
	assert_int_equal(kf_parse_int("-2147483649", &v), -EINVAL);
	assert_int_equal(kf_parse_int("99999999999999999999", &v), -EINVAL);
	assert_int_equal(kf_parse_int("", &v), -EINVAL);
	assert_int_equal(kf_parse_int("x1", &v), -EINVAL);
	assert_int_equal(v, 7);
}

static void test_kf_kconfig_line(void **state)
{
	assert_int_equal(kf_kconfig_line("CONFIG_KPROBES=y\n", "CONFIG_KPROBES"), 'y');
	assert_int_equal(kf_kconfig_line("CONFIG_KPROBES=m", "CONFIG_KPROBES"), 'm');
	assert_int_equal(kf_kconfig_line("# CONFIG_KPROBES is not set\n", "CONFIG_KPROBES"), 'n');
	/* A longer symbol with our name as its prefix is another symbol. */
	assert_int_equal(kf_kconfig_line("CONFIG_KPROBES_ON_FTRACE=y\n", "CONFIG_KPROBES"), 0);
	assert_int_equal(kf_kconfig_line("# CONFIG_KPROBES_ON_FTRACE is not set\n",
					 "CONFIG_KPROBES"), 0);
	assert_int_equal(kf_kconfig_line("#", "CONFIG_KPROBES"), 0);
	assert_int_equal(kf_kconfig_line("", "CONFIG_KPROBES"), 0);
}

static void test_mounts_line(void **state)
{
	char dir[16];

	assert_int_equal(kpe_mounts_line_tracefs("tracefs /sys/kernel/tracing tracefs rw 0 0\n",
						 dir, sizeof(dir)), -ENAMETOOLONG);
	assert_int_equal(kpe_mounts_line_tracefs("none /t tracefs rw,relatime 0 0\n", dir,
						 sizeof(dir)), 0);
	assert_string_equal(dir, "/t");
	assert_int_equal(kpe_mounts_line_tracefs("none /t tracefs", dir, sizeof(dir)), 0);
	assert_int_equal(kpe_mounts_line_tracefs("proc /proc proc rw 0 0\n", dir, sizeof(dir)),
			 -ENOENT);
	/* "tracefs" as the source or a longer type is not a tracefs mount. */
	assert_int_equal(kpe_mounts_line_tracefs("tracefs /x tracefs2 rw 0 0\n", dir, sizeof(dir)),
			 -ENOENT);
	assert_int_equal(kpe_mounts_line_tracefs("tracefs\n", dir, sizeof(dir)), -ENOENT);
	assert_int_equal(kpe_mounts_line_tracefs("", dir, sizeof(dir)), -ENOENT);
}

static void test_kprobe_profile_line(void **state)
{
	uint64_t hits = 1, missed = 2;

	assert_int_equal(kpe_profile_line("  bpfcost_7_x        1234       5\n", "bpfcost_7_x",
					  &hits, &missed), 0);
	assert_true(hits == 1234 && missed == 5);
	assert_int_equal(kpe_profile_line("  bpfcost_7_xy  1 1\n", "bpfcost_7_x", &hits, &missed),
			 -ENOENT);
	assert_int_equal(kpe_profile_line("  bpfcost_7_x  1\n", "bpfcost_7_x", &hits, &missed),
			 -EINVAL);
	assert_int_equal(kpe_profile_line("", "bpfcost_7_x", &hits, &missed), -EINVAL);
	assert_true(hits == 1234 && missed == 5);
}

static void test_stat_pgrp(void **state)
{
	const char *tail = " 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 123456 1000\n";
	unsigned long long start = 0;
	char buf[256];
	long pgrp = 0;

	snprintf(buf, sizeof(buf), "42 (sh) S 1 40 40%s", tail);
	assert_int_equal(bc_parse_proc_stat(buf, &pgrp, &start), 0);
	assert_int_equal(pgrp, 40);
	assert_true(start == 123456);
	/* A comm chosen to look like the fields that follow it. */
	snprintf(buf, sizeof(buf), "42 (a) R 9 9 (x) S 1 77 77%s", tail);
	assert_int_equal(bc_parse_proc_stat(buf, &pgrp, NULL), 0);
	assert_int_equal(pgrp, 77);
	assert_int_equal(bc_parse_proc_stat("42 (sh", &pgrp, NULL), -EINVAL);
	assert_int_equal(bc_parse_proc_stat("42 (sh) S 1 40 40", &pgrp, &start), -EINVAL);
	assert_int_equal(bc_parse_proc_stat("", NULL, NULL), -EINVAL);
}

static void test_stat_cpu_times(void **state)
{
	/* Real text (a bash), from field 3: utime 1234, stime 567. */
	const char *stat = "4242 (my (agent)) S 1 4240 4240 0 -1 4194560 2000 0 3 0 1234 567 "
			   "8 9 20 0 3 0 987654 10000000 500 18446744073709551615 1 1 0 0 0 "
			   "0 65536 4 65538 0 0 0 17 1 0 0 0 0 0\n";
	struct bc_proc_stat_fields f;

	assert_int_equal(bc_parse_proc_stat_fields(stat, &f), 0);
	assert_int_equal(f.pgrp, 4240);
	assert_true(f.utime == 1234 && f.stime == 567);
	assert_true(f.start == 987654);
	/* Cut off before the start time: nothing is filled. */
	f.utime = 1;
	assert_int_equal(bc_parse_proc_stat_fields("4242 (a) S 1 4240 4240 0 -1 4 2 0 3 0 "
						   "1234 567 8 9", &f), -EINVAL);
	assert_true(f.utime == 1);
	/* Our own: ticks never go back between two reads. */
	{
		struct bc_proc_stat_fields a, b;

		assert_int_equal(bc_proc_stat_fields(getpid(), &a), 0);
		for (volatile int i = 0; i < 20000000; i++)
			;
		assert_int_equal(bc_proc_stat_fields(getpid(), &b), 0);
		assert_true(b.utime + b.stime >= a.utime + a.stime);
		assert_int_equal(a.pgrp, getpgrp());
	}
}

static void test_fdinfo_prog_id(void **state)
{
	assert_int_equal(tracer_fdinfo_prog_id("pos:\t0\nprog_type:\t17\nprog_id:\t42\n"), 42);
	assert_int_equal(tracer_fdinfo_prog_id("prog_id:\t9"), 9);
	assert_int_equal(tracer_fdinfo_prog_id("pos:\t0\nlink_id:\t3\n"), 0);
	assert_int_equal(tracer_fdinfo_prog_id("xprog_id:\t5\n"), 0);
	assert_int_equal(tracer_fdinfo_prog_id(""), 0);
}

static void test_cpuinfo_flags_line(void **state)
{
	static const char *const need[] = { "constant_tsc", "rdtscp" };

	assert_int_equal(wl_cpuinfo_flags_line("model name\t: x\n", need, 2), -1);
	assert_int_equal(wl_cpuinfo_flags_line("flags\t\t: fpu constant_tsc rdtscp\n", need, 2), 1);
	assert_int_equal(wl_cpuinfo_flags_line("flags\t\t: fpu constant_tsc rdtscpx\n", need, 2), 0);
	assert_int_equal(wl_cpuinfo_flags_line("flags\t\t: nonconstant_tsc rdtscp", need, 2), 0);
	assert_int_equal(wl_cpuinfo_flags_line("flags", need, 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers_refuse_any_leading_blank),
		cmocka_unit_test(test_kf_parse_int),
		cmocka_unit_test(test_kf_kconfig_line),
		cmocka_unit_test(test_mounts_line),
		cmocka_unit_test(test_kprobe_profile_line),
		cmocka_unit_test(test_stat_pgrp),
		cmocka_unit_test(test_stat_cpu_times),
		cmocka_unit_test(test_fdinfo_prog_id),
		cmocka_unit_test(test_cpuinfo_flags_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
