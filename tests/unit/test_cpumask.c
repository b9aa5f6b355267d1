// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for CPU sets: the kernel's list format parsed strictly (what
 * sysfs and cgroup files write, nothing else), formatted back, the set
 * operations, the choice of usable CPUs with holes (a cpuset without CPU
 * 0, an offline CPU), and the machine's own sets read as a sanity check. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include "cpumask.h"

static void parse_ok(const char *text, const char *want)
{
	static char buf[CPUMASK_LIST_MAX];
	struct cpumask m;

	assert_int_equal(cpumask_parse(text, &m), 0);
	assert_int_equal(cpumask_format(&m, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

static void test_parse_kernel_forms(void **state)
{
	parse_ok("0", "0");
	parse_ok("0\n", "0");
	parse_ok("0-3\n", "0-3");
	parse_ok("0-3,5\n", "0-3,5");
	parse_ok("1", "1");
	parse_ok("2-3", "2-3");
	parse_ok("0,2,4-7,9", "0,2,4-7,9");
	parse_ok("8191", "8191");
	parse_ok("0-8191", "0-8191");
	/* The empty set: /sys/devices/system/cpu/offline with none offline. */
	parse_ok("", "");
	parse_ok("\n", "");
	/* Not what the kernel writes, but the same set: still a valid list. */
	parse_ok("3,1", "1,3");
	parse_ok("0-1,1-2", "0-2");
	parse_ok("4-4", "4");
}

static void test_parse_rejects(void **state)
{
	static const char *const bad[] = {
		" 0", "0 ", "0\n\n", "\n0", "0,", ",0", "0,,1", "-1", "+1", "1-", "-", "3-1",
		"01", "0-03", "0x1", "1.5", "a", "0-1:2/4", "0;1", "1 - 2", "0\t", "\n\n",
		"0\n1", "0-1-2", "99999999999999999999",
	};
	struct cpumask m;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = cpumask_parse(bad[i], &m);

		if (err != -EINVAL && err != -ERANGE)
			fail_msg("'%s' parsed (%d)", bad[i], err);
		assert_int_equal(cpumask_count(&m), 0);
	}
	assert_int_equal(cpumask_parse("8192", &m), -ERANGE);
	assert_int_equal(cpumask_parse("0-8192", &m), -ERANGE);
	assert_int_equal(cpumask_parse("99999999999999999999", &m), -ERANGE);
	assert_int_equal(cpumask_parse(NULL, &m), -EINVAL);
}

static void test_set_ops(void **state)
{
	struct cpumask a, b, c;

	assert_int_equal(cpumask_parse("1,3-5,64,127-128,8191", &a), 0);
	assert_int_equal(cpumask_count(&a), 8);
	assert_int_equal(cpumask_next(&a, 0), 1);
	assert_int_equal(cpumask_next(&a, 2), 3);
	assert_int_equal(cpumask_next(&a, 6), 64);
	assert_int_equal(cpumask_next(&a, 65), 127);
	assert_int_equal(cpumask_next(&a, 129), 8191);
	assert_int_equal(cpumask_next(&a, 8192), -1);
	assert_int_equal(cpumask_last(&a), 8191);
	assert_false(cpumask_test(&a, -1));
	assert_false(cpumask_test(&a, 8192));
	cpumask_set(&a, -5);	/* ignored */
	cpumask_set(&a, 9000);
	assert_int_equal(cpumask_count(&a), 8);
	assert_int_equal(cpumask_parse("0-4", &b), 0);
	cpumask_and(&c, &a, &b);
	assert_int_equal(cpumask_parse("1,3-4", &b), 0);
	assert_true(cpumask_equal(&c, &b));
	cpumask_clear(&c);
	assert_int_equal(cpumask_last(&c), -1);
	assert_int_equal(cpumask_next(&c, 0), -1);
}

static void test_format_truncates_at_items(void **state)
{
	struct cpumask m;
	char buf[12];

	assert_int_equal(cpumask_parse("0,2,4,6,8,10,12", &m), 0);
	assert_int_equal(cpumask_format(&m, buf, sizeof(buf)), -ENOSPC);
	assert_string_equal(buf, "0,2,4,6,...");
	assert_int_equal(cpumask_format(&m, buf, 4), -ENOSPC);
	assert_string_equal(buf, "...");
	assert_int_equal(cpumask_format(&m, buf, 2), -ENOSPC);
	assert_string_equal(buf, "");
	assert_int_equal(cpumask_parse("0-1", &m), 0);
	assert_int_equal(cpumask_format(&m, buf, 4), 0);
	assert_string_equal(buf, "0-1");
}

/* The longest list (every other id) fits CPUMASK_LIST_MAX. */
static void test_worst_case_fits(void **state)
{
	static char buf[CPUMASK_LIST_MAX];
	struct cpumask m, back;
	int i;

	cpumask_clear(&m);
	for (i = 0; i < CPUMASK_MAX; i += 2)
		cpumask_set(&m, i);
	assert_int_equal(cpumask_format(&m, buf, sizeof(buf)), 0);
	assert_int_equal(cpumask_parse(buf, &back), 0);
	assert_true(cpumask_equal(&m, &back));
}

static void sets(struct cpu_sets *c, const char *possible, const char *online,
		 const char *allowed)
{
	assert_int_equal(cpumask_parse(possible, &c->possible), 0);
	assert_int_equal(cpumask_parse(online, &c->online), 0);
	assert_int_equal(cpumask_parse(allowed, &c->allowed), 0);
	cpumask_and(&c->usable, &c->online, &c->allowed);
}

static void test_check_usable(void **state)
{
	struct cpu_sets c;

	/* A container pinned to CPUs 2-3 on a 4-CPU machine with 1 offline. */
	sets(&c, "0-3", "0,2-3", "2-3");
	assert_int_equal(cpus_check_usable(&c, "--cpu", 2), 0);
	assert_int_equal(cpus_check_usable(&c, "--cpu", 3), 0);
	assert_int_equal(cpus_check_usable(&c, "--cpu", 0), -EINVAL);	/* not allowed */
	assert_int_equal(cpus_check_usable(&c, "--cpu", 1), -EINVAL);	/* offline */
	assert_int_equal(cpus_check_usable(&c, "--cpu", 4), -EINVAL);	/* no such CPU */
}

static void test_usable_nth_cycles_over_holes(void **state)
{
	struct cpu_sets c;

	sets(&c, "0-7", "0-7", "2,5-6");
	assert_int_equal(cpus_usable_nth(&c, 2, 0), 2);
	assert_int_equal(cpus_usable_nth(&c, 2, 1), 5);
	assert_int_equal(cpus_usable_nth(&c, 2, 2), 6);
	assert_int_equal(cpus_usable_nth(&c, 2, 3), 2);
	assert_int_equal(cpus_usable_nth(&c, 6, 1), 2);
	assert_int_equal(cpus_usable_nth(&c, 5, 1000), cpus_usable_nth(&c, 5, 1000 % 3));
	sets(&c, "0-1", "0-1", "1");
	assert_int_equal(cpus_usable_nth(&c, 1, 0), 1);
	assert_int_equal(cpus_usable_nth(&c, 1, 1), 1);	/* one CPU: itself */
	sets(&c, "0-1", "0", "1");
	assert_int_equal(cpus_usable_nth(&c, 0, 0), -1);	/* nothing usable */
}

/* This machine's sets agree with each other and with the libc view. */
static void test_this_machine(void **state)
{
	struct cpu_sets c;
	cpu_set_t set;
	int cpu;

	assert_int_equal(cpus_read(&c), 0);
	assert_true(cpumask_count(&c.usable) >= 1);
	assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		assert_int_equal(cpumask_test(&c.allowed, cpu), !!CPU_ISSET(cpu, &set));
		if (cpumask_test(&c.online, cpu))
			assert_true(cpumask_test(&c.possible, cpu));
	}
	assert_int_equal(cpus_possible_count(), cpumask_count(&c.possible));
	assert_int_equal(cpus_possible_ids(), cpumask_last(&c.possible) + 1);
	assert_int_equal(cpus_online_count(), cpumask_count(&c.online));
	assert_int_equal(cpus_first_online(), cpumask_next(&c.online, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_kernel_forms),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_set_ops),
		cmocka_unit_test(test_format_truncates_at_items),
		cmocka_unit_test(test_worst_case_fits),
		cmocka_unit_test(test_check_usable),
		cmocka_unit_test(test_usable_nth_cycles_over_holes),
		cmocka_unit_test(test_this_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
