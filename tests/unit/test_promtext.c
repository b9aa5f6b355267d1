// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for the exporter's printers and model: label escaping and
 * UTF-8 sanitizing, content negotiation, both formats from one model (the
 * per-program identity labels, exact seconds, OpenMetrics' family names,
 * UNIT and EOF), the size cap, the series cap, and that the fields waiting
 * for the stats bias and tail calls print once filled. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exporter.h"
#include "httpd.h"
#include "promtext.h"

static char *label(const char *s)
{
	static struct pt_buf b;

	b.max = 4096;
	b.len = 0;
	b.over = false;
	pt_label_value(&b, s);
	return b.p ? b.p : (char *)"";
}

static void test_label_escaping(void **state)
{
	assert_string_equal(label("plain_name"), "plain_name");
	assert_string_equal(label("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
	assert_string_equal(label("esc\033[31m\x7f"), "esc?[31m?");
	assert_string_equal(label("caf\xc3\xa9 \xe2\x82\xac"), "caf\xc3\xa9 \xe2\x82\xac");
	/* invalid: lone continuation, overlong '/', surrogate, truncated */
	assert_string_equal(label("a\x80" "b\xc0\xaf" "c\xed\xa0\x80" "d\xe2\x82"), "a?b??c???d??");
}

static void test_label_is_cut_on_a_character(void **state)
{
	char in[300], *out;
	size_t i;

	for (i = 0; i < 150; i++)	/* 150 two-byte characters */
		memcpy(in + 2 * i, "\xc3\xa9", 2);
	in[300 - 1] = '\0';
	in[298] = '\0';
	out = label(in);
	assert_int_equal(strlen(out), PT_MAX_LABEL);
	assert_int_equal((unsigned char)out[PT_MAX_LABEL - 2], 0xc3);
	memset(in, 'x', 200);
	in[200] = '\0';
	assert_int_equal(strlen(label(in)), PT_MAX_LABEL);
}

static void test_negotiate(void **state)
{
	/* Prometheus 2.42's scrape Accept header */
	const char *prom = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
			   "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

	assert_int_equal(pt_negotiate(prom), PT_OPENMETRICS);
	assert_int_equal(pt_negotiate(NULL), PT_PROMETHEUS);
	assert_int_equal(pt_negotiate(""), PT_PROMETHEUS);
	assert_int_equal(pt_negotiate("*/*"), PT_PROMETHEUS);
	assert_int_equal(pt_negotiate("text/plain"), PT_PROMETHEUS);
	assert_int_equal(pt_negotiate("application/openmetrics-text; q=0"), PT_PROMETHEUS);
	assert_int_equal(pt_negotiate("application/openmetrics-text;q=0.2, text/plain;q=0.5"),
			 PT_PROMETHEUS);
	assert_int_equal(pt_negotiate("text/plain;q=0.5, application/openmetrics-text"),
			 PT_OPENMETRICS);
	assert_int_equal(pt_negotiate(",,;;q=,application/openmetrics-text;q=x"), PT_PROMETHEUS);
}

static void model_init(struct ex_model *m, struct ex_prog *v, size_t n)
{
	memset(m, 0, sizeof(*m));
	m->mode = EX_MODE_BOTH;
	m->stats_via = "BPF_ENABLE_STATS";
	m->reader = "iter";
	m->freq = 49;
	m->progs = v;
	m->nprogs = m->nloaded = n;
	m->cap = n;
}

static struct ex_prog prog(uint32_t id, uint64_t run_time_ns, uint64_t sampled_ns)
{
	struct ex_prog p = { .id = id, .type = 17, .load_time = 1000 + id, .has_stats = true,
			     .run_cnt = 3, .run_time_ns = run_time_ns, .recursion_misses = 1,
			     .has_samples = true, .sampled_ns = sampled_ns, .samples = 2 };

	snprintf(p.tag, sizeof(p.tag), "00112233445566%02x", id & 0xff);
	snprintf(p.name, sizeof(p.name), "prog_%u", id);
	snprintf(p.attach, sizeof(p.attach), "raw_tp:sys_enter");
	return p;
}

static char *render(const struct ex_model *m, enum pt_format f)
{
	static struct pt_buf b;

	pt_buf_free(&b);
	b.max = 1 << 20;
	assert_int_equal(pt_render(m, f, &b), 0);
	return b.p;
}

static void test_render_text(void **state)
{
	struct ex_prog v[] = { prog(7, 1500000000ull, 20408163) };
	struct ex_model m;
	char *t;

	model_init(&m, v, 1);
	t = render(&m, PT_PROMETHEUS);
	assert_non_null(strstr(t, "# TYPE bpf_program_info gauge\n"));
	assert_non_null(strstr(t, "bpf_program_info{id=\"7\",load_time=\"1007\",tag=\"0011223344556607\","
				  "name=\"prog_7\",type=\"raw_tracepoint\",attach=\"raw_tp:sys_enter\"} 1\n"));
	assert_non_null(strstr(t, "# TYPE bpf_program_runs_total counter\n"
				  "bpf_program_runs_total{id=\"7\",load_time=\"1007\"} 3\n"));
	assert_non_null(strstr(t, "bpf_program_run_time_seconds_total{id=\"7\",load_time=\"1007\"} "
				  "1.500000000\n"));
	assert_non_null(strstr(t, "bpf_program_sampled_cpu_seconds_total{id=\"7\",load_time=\"1007\"} "
				  "0.020408163\n"));
	assert_non_null(strstr(t, "bpfcost_programs 1\n"));
	assert_null(strstr(t, "# EOF"));
	assert_null(strstr(t, "# UNIT"));
	assert_null(strstr(t, "owner_comm"));
	/* not collected yet: nothing at all is printed for them */
	assert_null(strstr(t, "bias"));
	assert_null(strstr(t, "tail_call"));
}

static void test_render_openmetrics(void **state)
{
	struct ex_prog v[] = { prog(7, 5, 0), prog(9, 1, 0) };
	struct ex_model m;
	char *t;

	model_init(&m, v, 2);
	t = render(&m, PT_OPENMETRICS);
	assert_non_null(strstr(t, "# TYPE bpf_program info\n"));
	assert_non_null(strstr(t, "# TYPE bpf_program_runs counter\n"));
	assert_non_null(strstr(t, "# TYPE bpf_program_run_time_seconds counter\n"
				  "# UNIT bpf_program_run_time_seconds seconds\n"));
	assert_non_null(strstr(t, "bpf_program_run_time_seconds_total{id=\"9\",load_time=\"1009\"} "
				  "0.000000001\n"));
	assert_non_null(strstr(t, "# TYPE bpfcost_scrape_duration_seconds gauge\n"
				  "# UNIT bpfcost_scrape_duration_seconds seconds\n"));
	assert_string_equal(t + strlen(t) - 6, "# EOF\n");
	/* every family once */
	assert_ptr_equal(strstr(t, "# TYPE bpf_program_runs "),
			 strrchr(t, 0) - strlen(strstr(t, "# TYPE bpf_program_runs ")));
}

static void test_modes_select_families(void **state)
{
	struct ex_prog v[] = { prog(7, 5, 6) };
	struct ex_model m;
	char *t;

	model_init(&m, v, 1);
	v[0].has_samples = false;
	m.freq = 0;
	t = render(&m, PT_PROMETHEUS);
	assert_non_null(strstr(t, "bpf_program_runs_total"));
	assert_null(strstr(t, "sampled_cpu"));
	assert_null(strstr(t, "bpfcost_samples_total"));
	v[0].has_samples = true;
	v[0].has_stats = false;
	m.freq = 49;
	t = render(&m, PT_PROMETHEUS);
	assert_null(strstr(t, "bpf_program_runs_total"));
	assert_non_null(strstr(t, "bpf_program_sampled_cpu_seconds_total{id=\"7\""));
	assert_non_null(strstr(t, "bpfcost_samples_lost_total 0\n"));
}

/* The fields waiting for issues 12 and 13 print once filled. */
static void test_waiting_fields_print_when_filled(void **state)
{
	struct ex_prog v[] = { prog(7, 5, 6) };
	struct ex_tail_call tc = { .caller_id = 7, .callee_id = 8, .map_id = 3, .index = 0 };
	struct ex_model m;
	char *t;

	model_init(&m, v, 1);
	snprintf(v[0].owner_comm, sizeof(v[0].owner_comm), "agent\"x");
	m.bias = (struct ex_bias){ .known = true, .per_run_s = 2.1e-8, .lo_s = 2e-8, .hi_s = 2.2e-8 };
	m.tail_calls = &tc;
	m.ntail_calls = 1;
	t = render(&m, PT_OPENMETRICS);
	assert_non_null(strstr(t, ",owner_comm=\"agent\\\"x\"} 1\n"));
	assert_non_null(strstr(t, "bpf_program_tail_call_info{caller_id=\"7\",callee_id=\"8\","
				  "map_id=\"3\",index=\"0\"} 1\n"));
	assert_non_null(strstr(t, "bpfcost_stats_bias_seconds{estimate=\"point\"} 2.100000e-08\n"));
	assert_non_null(strstr(t, "bpfcost_stats_bias_seconds{estimate=\"upper\"} 2.200000e-08\n"));
}

static void test_size_cap(void **state)
{
	struct ex_prog v[] = { prog(7, 5, 6), prog(8, 5, 6) };
	struct pt_buf b = { .max = 300 };
	struct ex_model m;

	model_init(&m, v, 2);
	assert_int_equal(pt_render(&m, PT_PROMETHEUS, &b), -E2BIG);
	assert_true(b.over);
	assert_true(b.len <= 300);
	pt_buf_free(&b);
}

static void test_series_cap_keeps_costliest(void **state)
{
	struct ex_prog v[] = { prog(5, 10, 0), prog(3, 50, 0), prog(9, 30, 0), prog(1, 5, 0),
			       prog(4, 40, 0) };
	struct ex_model m;

	model_init(&m, v, 5);
	ex_model_cap(&m, 3);
	assert_int_equal(m.nprogs, 3);
	assert_int_equal(m.left_out_total, 2);
	assert_int_equal(m.progs[0].id, 3);	/* 50, 40, 30 kept, by id */
	assert_int_equal(m.progs[1].id, 4);
	assert_int_equal(m.progs[2].id, 9);
	m.nprogs = 3;
	ex_model_cap(&m, 10);
	assert_int_equal(m.left_out_total, 2);	/* nothing more left out */
	/* sampling only: the sampled time decides */
	v[0] = prog(2, 0, 99);
	v[0].has_stats = false;
	v[1] = prog(6, 0, 1);
	v[1].has_stats = false;
	m.nprogs = 2;
	ex_model_cap(&m, 1);
	assert_int_equal(m.progs[0].id, 2);
}

static void test_mode_parse(void **state)
{
	enum ex_mode mo;

	assert_int_equal(ex_mode_parse("both", &mo), 0);
	assert_int_equal(mo, EX_MODE_BOTH);
	assert_int_equal(ex_mode_parse("sampling", &mo), 0);
	assert_int_equal(mo, EX_MODE_SAMPLING);
	assert_int_equal(ex_mode_parse("Stats", &mo), -EINVAL);
	assert_int_equal(ex_mode_parse("", &mo), -EINVAL);
	assert_string_equal(ex_mode_name(EX_MODE_STATS), "stats");
}

static void test_listen_parse(void **state)
{
	static const char *const good[] = { "127.0.0.1:9476", "0.0.0.0:0", "[::1]:65535",
					    "[::]:80", "[fe80::1]:1" };
	static const char *const bad[] = { "", ":80", "127.0.0.1", "127.0.0.1:", "localhost:80",
					   "127.0.0.1:65536", "127.0.0.1:+80", "127.0.0.1:0x50",
					   "127.0.0.1:080a", "[::1]", "[::1]:", "[::1]80", "::1:80",
					   "[127.0.0.1]:80", "1.2.3:80", "127.0.0.1:123456",
					   "[::1]:8 0", " 127.0.0.1:80" };
	struct sockaddr_storage ss;
	socklen_t len;
	char back[80];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(xh_parse_listen("--listen", good[i], &ss, &len), 0);
		xh_addr_str(&ss, back, sizeof(back));
		assert_string_equal(back, good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(xh_parse_listen("--listen", bad[i], &ss, &len), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_escaping),
		cmocka_unit_test(test_label_is_cut_on_a_character),
		cmocka_unit_test(test_negotiate),
		cmocka_unit_test(test_render_text),
		cmocka_unit_test(test_render_openmetrics),
		cmocka_unit_test(test_modes_select_families),
		cmocka_unit_test(test_waiting_fields_print_when_filled),
		cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_series_cap_keeps_costliest),
		cmocka_unit_test(test_mode_parse),
		cmocka_unit_test(test_listen_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
