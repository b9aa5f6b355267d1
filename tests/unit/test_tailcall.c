// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for the tail-call graph: building it from what the kernel
 * shows (programs' PROG_ARRAYs and the arrays' slots), its queries, the
 * per-program role and the note and JSON every printer shares. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "common.h"
#include "tailcall.h"

/* Entry 1 uses array 100: slot 0 holds 2, slot 1 holds 3. Program 2 uses
 * array 100 too (so it can jump to 3, and to itself). 3 uses array 200,
 * whose slot 5 holds 4. 9 uses no array. 5 and 6 jump to each other
 * through array 300, and nothing else reaches them. */
static const uint32_t a1[] = { 100 }, a2[] = { 100 }, a3[] = { 200 }, a5[] = { 300 },
		      a6[] = { 300 };
static const struct tc_prog_arrays progs[] = {
	{ 1, a1, 1 }, { 2, a2, 1 }, { 3, a3, 1 }, { 9, NULL, 0 }, { 5, a5, 1 }, { 6, a6, 1 },
};
static const struct tc_slot slots[] = {
	{ 100, 0, 2 }, { 100, 1, 3 }, { 200, 5, 4 }, { 300, 0, 5 }, { 300, 1, 6 },
	{ 400, 0, 7 },	/* an array no program uses */
};

static void build(struct tc_graph *g)
{
	assert_int_equal(tc_graph_build(progs, ARRAY_SIZE(progs), slots, ARRAY_SIZE(slots), g), 0);
}

static void assert_ids(const struct tc_ids *s, const uint32_t *want, size_t n)
{
	size_t i;

	assert_int_equal(s->n, n);
	for (i = 0; i < n; i++)
		assert_int_equal(s->v[i], want[i]);
}

static void test_build_edges(void **state)
{
	struct tc_graph g = { 0 };

	build(&g);
	/* 1->2, 1->3, 2->2, 2->3, 3->4, 5->5, 5->6, 6->5, 6->6 */
	assert_int_equal(g.n, 9);
	assert_int_equal(g.v[0].caller, 1);
	assert_int_equal(g.v[0].callee, 2);
	assert_int_equal(g.v[0].map_id, 100);
	assert_int_equal(g.v[0].slot, 0);
	assert_int_equal(g.v[4].caller, 3);
	assert_int_equal(g.v[4].callee, 4);
	assert_int_equal(g.v[4].slot, 5);
	/* Rebuilding resets; merging the same edges adds none. */
	build(&g);
	assert_int_equal(g.n, 9);
	{
		struct tc_graph h = { 0 };

		build(&h);
		assert_int_equal(tc_graph_merge(&g, &h), 0);
		assert_int_equal(g.n, 9);
		tc_graph_free(&h);
	}
	tc_graph_free(&g);
}

static void test_queries(void **state)
{
	static const uint32_t c2[] = { 1, 2 }, r1[] = { 2, 3, 4 }, r2[] = { 3, 4 }, e[] = { 1 },
			      r5[] = { 6 };
	struct tc_graph g = { 0 };
	struct tc_ids s = { 0 };

	build(&g);
	assert_int_equal(tc_callers(&g, 2, &s), 0);
	assert_ids(&s, c2, 2);
	assert_int_equal(tc_callers(&g, 1, &s), 0);
	assert_ids(&s, NULL, 0);
	assert_int_equal(tc_reach(&g, 1, &s), 0);
	assert_ids(&s, r1, 3);
	assert_true(tc_ids_has(&s, 4) && !tc_ids_has(&s, 1));
	/* A program reaching itself is not part of its own figure twice. */
	assert_int_equal(tc_reach(&g, 2, &s), 0);
	assert_ids(&s, r2, 2);
	assert_int_equal(tc_entries(&g, 4, &s), 0);
	assert_ids(&s, e, 1);
	assert_int_equal(tc_entries(&g, 2, &s), 0);
	assert_ids(&s, e, 1);
	/* A cycle with no way in has no entry. */
	assert_int_equal(tc_entries(&g, 5, &s), 0);
	assert_ids(&s, NULL, 0);
	assert_int_equal(tc_reach(&g, 5, &s), 0);
	assert_ids(&s, r5, 1);
	assert_int_equal(tc_reach(&g, 9, &s), 0);
	assert_ids(&s, NULL, 0);
	tc_ids_free(&s);
	tc_graph_free(&g);
}

static void test_roles_and_notes(void **state)
{
	struct tc_graph g = { 0 };
	struct prog_tail t;
	char buf[160];

	build(&g);
	assert_int_equal(tc_role(&g, 1, &t), 0);
	assert_true(tc_is_entry(&t));
	assert_int_equal(t.ncallees, 3);
	assert_int_equal(t.callee, 2);
	tc_note(&t, buf, sizeof(buf));
	assert_string_equal(buf, "includes tail-called 2 +2");

	assert_int_equal(tc_role(&g, 4, &t), 0);
	assert_false(tc_is_entry(&t));
	assert_int_equal(t.via, 3);
	assert_int_equal(t.entry, 1);
	tc_note(&t, buf, sizeof(buf));
	assert_string_equal(buf, "runs inside 3 via tail call (entry 1)");

	/* Called by the entry directly: the entry is not named twice. */
	assert_int_equal(tc_role(&g, 3, &t), 0);
	tc_note(&t, buf, sizeof(buf));
	assert_string_equal(buf, "runs inside 1 +1 via tail call; includes tail-called 4");

	assert_int_equal(tc_role(&g, 9, &t), 0);
	assert_int_equal(t.ncallers + t.ncallees, 0);
	tc_note(&t, buf, sizeof(buf));
	assert_string_equal(buf, "");
	/* Cut short, never overrun. */
	assert_int_equal(tc_role(&g, 3, &t), 0);
	tc_note(&t, buf, 12);
	assert_int_equal(strlen(buf), 11);
	tc_graph_free(&g);
}

static void test_json(void **state)
{
	struct tc_graph g = { 0 };
	json_t *j, *a;

	build(&g);
	j = tc_json(&g, 9);
	assert_true(json_is_null(j));
	json_decref(j);
	j = tc_json(&g, 4);
	assert_non_null(j);
	a = json_object_get(j, "tail_called_by");
	assert_int_equal(json_array_size(a), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 0), "id")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 0), "map_id")), 200);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 0), "slot")), 5);
	a = json_object_get(j, "entries");
	assert_int_equal(json_array_size(a), 1);
	assert_int_equal(json_integer_value(json_array_get(a, 0)), 1);
	assert_int_equal(json_array_size(json_object_get(j, "tail_calls")), 0);
	assert_int_equal(json_array_size(json_object_get(j, "run_time_includes")), 0);
	assert_string_equal(json_string_value(json_object_get(j, "note")),
			    "runs inside 3 via tail call (entry 1)");
	json_decref(j);
	j = tc_json(&g, 1);
	assert_int_equal(json_array_size(json_object_get(j, "tail_calls")), 2);
	assert_int_equal(json_array_size(json_object_get(j, "run_time_includes")), 3);
	json_decref(j);
	tc_graph_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_edges),
		cmocka_unit_test(test_queries),
		cmocka_unit_test(test_roles_and_notes),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
