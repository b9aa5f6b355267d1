// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for the owners table (owners.c) without the kernel: lookups
 * in a scan's sorted holds and pins, and what the printers make of them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include "owners.h"

static struct owner_ref refs[] = {
	{ 7, 100, OWNER_VIA_PROG | OWNER_VIA_LINK, "agent" },
	{ 9, 100, OWNER_VIA_LINK, "agent" },
	{ 9, 101, OWNER_VIA_PERF, "agent" },
	{ 9, 205, OWNER_VIA_PROG, "helper" },
	{ 9, 300, OWNER_VIA_PROG, "helper" },
	{ 9, 301, OWNER_VIA_PROG, "x" },
	{ 12, 5, OWNER_VIA_PROG, "bad\nname" },
};

static struct owner_pin pins[] = {
	{ 9, "/sys/fs/bpf/nine" },
	{ 20, "/sys/fs/bpf/links/twenty" },
};

static struct owners table(void)
{
	return (struct owners){ .refs = refs, .n = 7, .pins = pins, .npins = 2 };
}

static void test_lookup(void **state)
{
	struct owners o = table();
	struct prog_owners w;

	owners_lookup(&o, 7, &w);
	assert_true(w.known);
	assert_int_equal(w.nprocs, 1);
	assert_int_equal(w.v[0].pid, 100);
	assert_string_equal(w.v[0].comm, "agent");
	assert_int_equal(w.v[0].via, OWNER_VIA_PROG | OWNER_VIA_LINK);
	assert_string_equal(w.pinned, "");
	/* Six holders: the first four by pid, all of them counted. */
	owners_lookup(&o, 9, &w);
	assert_int_equal(w.nprocs, 5);
	assert_int_equal(w.v[3].pid, 300);
	assert_string_equal(w.pinned, "/sys/fs/bpf/nine");
	owners_lookup(&o, 20, &w);
	assert_int_equal(w.nprocs, 0);
	assert_string_equal(w.pinned, "/sys/fs/bpf/links/twenty");
	owners_lookup(&o, 8, &w);
	assert_int_equal(w.nprocs, 0);
	assert_string_equal(w.pinned, "");
	o.n = 0;
	o.npins = 0;
	owners_lookup(&o, 9, &w);
	assert_true(w.known && !w.nprocs);
}

static void test_format(void **state)
{
	struct owners o = table();
	struct prog_owners w = { 0 };
	char buf[128];

	owners_format(&w, buf, sizeof(buf));
	assert_string_equal(buf, "");	/* not looked up: nothing shown */
	owners_lookup(&o, 7, &w);
	owners_format(&w, buf, sizeof(buf));
	assert_string_equal(buf, "100/agent");
	owners_lookup(&o, 9, &w);
	owners_format(&w, buf, sizeof(buf));
	assert_string_equal(buf, "100/agent,101/agent,205/helper,300/helper,+1 more");
	owners_comms(&w, buf, sizeof(buf));
	assert_string_equal(buf, "agent,helper");
	owners_format(&w, buf, 12);
	assert_int_equal(strlen(buf), 11);	/* cut, never overrun */
	owners_lookup(&o, 20, &w);
	owners_format(&w, buf, sizeof(buf));
	assert_string_equal(buf, "pinned: /sys/fs/bpf/links/twenty");
	owners_comms(&w, buf, sizeof(buf));
	assert_string_equal(buf, "");
	owners_lookup(&o, 8, &w);
	owners_format(&w, buf, sizeof(buf));
	assert_string_equal(buf, "none");
}

static void test_json(void **state)
{
	struct owners o = table();
	struct prog_owners w = { 0 };
	json_t *j = json_object();
	char *s;

	assert_int_equal(owners_json_add(j, &w), 0);
	assert_int_equal(json_object_size(j), 0);	/* not looked up */
	owners_lookup(&o, 9, &w);
	assert_int_equal(owners_json_add(j, &w), 0);
	s = json_dumps(j, JSON_COMPACT);
	assert_non_null(strstr(s, "\"owners\":[{\"pid\":100,\"comm\":\"agent\",\"via\":[\"link\"]},"
				  "{\"pid\":101,\"comm\":\"agent\",\"via\":[\"perf_event\"]}"));
	assert_non_null(strstr(s, "\"owners_total\":5"));
	assert_non_null(strstr(s, "\"pinned\":\"/sys/fs/bpf/nine\""));
	free(s);
	owners_lookup(&o, 12, &w);
	assert_int_equal(owners_json_add(j, &w), 0);
	s = json_dumps(j, JSON_COMPACT);
	assert_non_null(strstr(s, "\"comm\":\"bad\\nname\""));
	assert_non_null(strstr(s, "\"pinned\":null"));
	free(s);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
