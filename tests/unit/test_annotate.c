// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for the pure parts of `bpfcost annotate`: the BPF instruction
 * printer, the line-table mapping, row grouping, folded output, the ring
 * copy with wrap-around and the JIT address lookup. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "annotate.h"
#include "jitmap.h"
#include "sample.h"

static const char *insn(struct bpf_insn in)
{
	static char buf[96];
	struct bpf_insn v[2] = { in, {} };

	bpf_insn_str(v, 2, buf, sizeof(buf));
	return buf;
}

static void test_bpf_printer_alu_jmp(void **state)
{
	assert_string_equal(insn((struct bpf_insn){ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = 1,
						    .imm = 4 }), "r1 += 4");
	assert_string_equal(insn((struct bpf_insn){ .code = BPF_ALU | BPF_MOV | BPF_X, .dst_reg = 2,
						    .src_reg = 3 }), "w2 = w3");
	assert_string_equal(insn((struct bpf_insn){ .code = BPF_ALU64 | BPF_RSH | BPF_K, .dst_reg = 3,
						    .imm = 7 }), "r3 >>= 7");
	assert_string_equal(insn((struct bpf_insn){ .code = BPF_JMP | BPF_JNE | BPF_K, .dst_reg = 1,
						    .off = -10, .imm = 2000 }),
			    "if r1 != 2000 goto pc-10");
	assert_string_equal(insn((struct bpf_insn){ .code = BPF_JMP32 | BPF_JGT | BPF_X, .dst_reg = 1,
						    .src_reg = 2, .off = 3 }),
			    "if w1 > w2 goto pc+3");
	assert_string_equal(insn((struct bpf_insn){ .code = BPF_JMP | BPF_EXIT }), "exit");
	assert_string_equal(insn((struct bpf_insn){ .code = BPF_JMP | BPF_CALL, .imm = 14 }),
			    "call helper#14");
	assert_string_equal(insn((struct bpf_insn){ .code = BPF_JMP | BPF_CALL,
						    .src_reg = BPF_PSEUDO_CALL, .imm = 5 }),
			    "call pc+5");
	assert_string_equal(insn((struct bpf_insn){ .code = BPF_JMP | BPF_JA, .off = 2 }), "goto pc+2");
}

static void test_bpf_printer_mem(void **state)
{
	struct bpf_insn ld[2] = {
		{ .code = BPF_LD | BPF_IMM | BPF_DW, .dst_reg = 2, .src_reg = BPF_PSEUDO_MAP_VALUE,
		  .imm = 12 },
		{ .imm = 8 },
	};
	struct bpf_insn raw[2] = { { .code = BPF_LD | BPF_IMM | BPF_DW, .dst_reg = 1, .imm = 1 },
				   { .imm = 2 } };
	char buf[96];

	assert_string_equal(insn((struct bpf_insn){ .code = BPF_LDX | BPF_MEM | BPF_DW, .dst_reg = 3,
						    .src_reg = 2 }), "r3 = *(u64 *)(r2 +0)");
	assert_string_equal(insn((struct bpf_insn){ .code = BPF_STX | BPF_MEM | BPF_B, .dst_reg = 10,
						    .src_reg = 1, .off = -16 }),
			    "*(u8 *)(r10 -16) = r1");
	assert_string_equal(insn((struct bpf_insn){ .code = BPF_ST | BPF_MEM | BPF_W, .dst_reg = 10,
						    .off = -4, .imm = 7 }), "*(u32 *)(r10 -4) = 7");
	assert_string_equal(insn((struct bpf_insn){ .code = BPF_STX | BPF_ATOMIC | BPF_DW, .dst_reg = 2,
						    .src_reg = 1, .imm = BPF_ADD }),
			    "lock *(u64 *)(r2 +0) += r1");
	assert_int_equal(bpf_insn_str(ld, 2, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "r2 = map[id:12][0]+8");
	assert_int_equal(bpf_insn_str(raw, 2, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "r1 = 0x200000001");
	/* A truncated ld_imm64 (one slot left) must not read past the end. */
	assert_int_equal(bpf_insn_str(raw, 1, buf, sizeof(buf)), 1);
}

/* Two subprogs: [0x1000, 0x1040) and [0x2000, 0x2020). */
static const struct jm_line lines[] = {
	{ .insn_off = 0, .line = 10, .file = "a.c", .src = "f()", .jaddr = 0x1000 },
	{ .insn_off = 3, .line = 11, .file = "a.c", .src = "x = 1;", .jaddr = 0x1010 },
	{ .insn_off = 5, .line = 12, .file = "a.c", .src = "empty", .jaddr = 0x1020 },
	{ .insn_off = 5, .line = 13, .file = "a.c", .src = "y = 2;", .jaddr = 0x1020 },
	{ .insn_off = 9, .line = 11, .file = "a.c", .src = "x = 1;", .jaddr = 0x1030 },
	{ .insn_off = 12, .line = 30, .file = "b.h", .src = "g()", .jaddr = 0x2000 },
};

static void test_line_for_addr(void **state)
{
	size_t n = sizeof(lines) / sizeof(lines[0]);

	assert_int_equal(jm_line_for_addr(lines, n, 0x1000, 0x1040, 0x1000), 0);
	assert_int_equal(jm_line_for_addr(lines, n, 0x1000, 0x1040, 0x100f), 0);
	assert_int_equal(jm_line_for_addr(lines, n, 0x1000, 0x1040, 0x1010), 1);
	/* Two records at one address: the later one owns the code. */
	assert_int_equal(jm_line_for_addr(lines, n, 0x1000, 0x1040, 0x1025), 3);
	assert_int_equal(jm_line_for_addr(lines, n, 0x1000, 0x1040, 0x103f), 4);
	/* The second subprog never sees the first one's records. */
	assert_int_equal(jm_line_for_addr(lines, n, 0x2000, 0x2020, 0x2010), 5);
	assert_int_equal(jm_line_for_addr(lines, n, 0x3000, 0x3020, 0x3010), -1);
}

static void test_line_insns(void **state)
{
	size_t n = sizeof(lines) / sizeof(lines[0]);
	uint32_t from, to;

	jm_line_insns(lines, n, 0, 14, &from, &to);
	assert_int_equal(from, 0);
	assert_int_equal(to, 3);
	jm_line_insns(lines, n, 2, 14, &from, &to);	/* shares insn 5 with the next */
	assert_int_equal(from, 5);
	assert_int_equal(to, 9);
	jm_line_insns(lines, n, 5, 14, &from, &to);
	assert_int_equal(from, 12);
	assert_int_equal(to, 14);
}

static void test_rows_group_and_count(void **state)
{
	struct an_insn insns[] = {
		{ .rec = 0, .samples = 1 }, { .rec = 1, .samples = 10 }, { .rec = 3, .samples = 5 },
		{ .rec = 4, .samples = 20 }, { .rec = 5, .samples = 2 }, { .rec = -1, .samples = 3 },
	};
	struct an_listing l = { .insns = insns, .ninsns = 6 };
	size_t i;

	assert_int_equal(an_rows_build(lines, sizeof(lines) / sizeof(lines[0]), &l), 0);
	assert_int_equal(l.samples, 41);
	assert_int_equal(l.unmapped, 3);
	/* a.c 10, 11 (records 1 and 4), 12, 13; then b.h 30. */
	assert_int_equal(l.nrows, 5);
	assert_int_equal(l.rows[1].line, 11);
	assert_int_equal(l.rows[1].samples, 30);
	assert_true(an_row_has_rec(&l.rows[1], 1) && an_row_has_rec(&l.rows[1], 4));
	assert_int_equal(l.rows[2].samples, 0);
	assert_int_equal(l.rows[3].samples, 5);
	assert_string_equal(l.rows[4].file, "b.h");
	for (i = 0; i < l.nrows; i++)
		free(l.rows[i].recs);
	free(l.rows);
}

static void test_folded(void **state)
{
	char buf[256];

	assert_int_equal(an_folded_line(buf, sizeof(buf), "bc_hotloop", 39, "a = b; /* HOT */",
					"imul rdx, rdx, 3", 1415), 0);
	assert_string_equal(buf, "bc_hotloop;line 39: a = b, /* HOT */;imul rdx, rdx, 3 1415");
	assert_int_equal(an_folded_line(buf, sizeof(buf), "p", 0, NULL, "ret", 2), 0);
	assert_string_equal(buf, "p;[no line info];ret 2");
	assert_int_equal(an_folded_line(buf, sizeof(buf), "p", 1, "a\nb", "nop", 1), 0);
	assert_null(strchr(buf, '\n'));
	assert_int_equal(an_folded_line(buf, 8, "p", 1, "long source", "nop", 1), -ENOSPC);
}

static void test_ring_copy_wraps(void **state)
{
	uint8_t ring[16], out[6];
	int i;

	for (i = 0; i < 16; i++)
		ring[i] = (uint8_t)i;
	smp_ring_copy(ring, 16, 13, out, 6);	/* 13,14,15 then 0,1,2 */
	assert_int_equal(out[0], 13);
	assert_int_equal(out[2], 15);
	assert_int_equal(out[3], 0);
	assert_int_equal(out[5], 2);
	smp_ring_copy(ring, 16, 16 + 4, out, 2);	/* logical offsets grow forever */
	assert_int_equal(out[0], 4);
}

static struct jm_prog *fake_prog(uint32_t id, uint64_t a0, uint32_t l0, uint64_t a1, uint32_t l1)
{
	struct jm_prog *p = calloc(1, sizeof(*p));

	p->id = id;
	p->nfuncs = 2;
	p->funcs = calloc(2, sizeof(*p->funcs));
	p->funcs[0] = (struct jm_func){ a0, l0, 0 };
	p->funcs[1] = (struct jm_func){ a1, l1, l0 };
	p->image_len = l0 + l1;
	return p;
}

static void test_lookup_and_reuse(void **state)
{
	struct jitmap m = { .detail = true };
	uint32_t func, off;

	assert_int_equal(jm_add(&m, fake_prog(1, 0x5000, 0x40, 0x1000, 0x20)), 0);
	assert_int_equal(jm_add(&m, fake_prog(2, 0x3000, 0x10, 0x3100, 0x10)), 0);
	assert_ptr_equal(jm_lookup(&m, 0x1010, &func, &off), m.v[0]);
	assert_int_equal(func, 1);
	assert_int_equal(off, 0x40 + 0x10);
	assert_ptr_equal(jm_lookup(&m, 0x3105, &func, &off), m.v[1]);
	assert_null(jm_lookup(&m, 0x5040, &func, &off));
	assert_null(jm_lookup(&m, 0xfff, &func, &off));
	assert_non_null(m.v[0]->hits);
	/* Address reuse after an unload: the newest program owns the range. */
	assert_int_equal(jm_add(&m, fake_prog(3, 0x5020, 0x40, 0x9000, 0x8)), 0);
	assert_int_equal(jm_lookup(&m, 0x5030, &func, &off)->id, 3);
	assert_null(jm_lookup(&m, 0x5000, &func, &off));	/* the old range is dropped */
	assert_int_equal(jm_lookup(&m, 0x1000, &func, &off)->id, 1);
	assert_int_equal(jm_find_id(&m, 2)->id, 2);
	jm_free(&m);
}

/* The exporter keeps one jitmap for its whole life: gone programs and
 * their ranges must go, the rest keep answering lookups. */
static void test_drop_gone(void **state)
{
	struct jitmap m = { 0 };
	uint32_t func, off;

	assert_int_equal(jm_add(&m, fake_prog(1, 0x1000, 0x10, 0x1100, 0x10)), 0);
	assert_int_equal(jm_add(&m, fake_prog(2, 0x2000, 0x10, 0x2100, 0x10)), 0);
	assert_int_equal(jm_add(&m, fake_prog(3, 0x3000, 0x10, 0x3100, 0x10)), 0);
	assert_int_equal(jm_drop_gone(&m), 0);
	m.v[0]->gone = m.v[2]->gone = true;
	assert_int_equal(jm_drop_gone(&m), 2);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.nr, 2);
	assert_null(jm_lookup(&m, 0x1005, &func, &off));
	assert_null(jm_lookup(&m, 0x3105, &func, &off));
	assert_int_equal(jm_lookup(&m, 0x2105, &func, &off)->id, 2);
	assert_int_equal(func, 1);
	assert_int_equal(jm_add(&m, fake_prog(4, 0x1000, 0x10, 0x4000, 0x10)), 0);
	assert_int_equal(jm_lookup(&m, 0x1000, &func, &off)->id, 4);
	assert_int_equal(jm_lookup(&m, 0x2000, &func, &off)->id, 2);
	jm_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bpf_printer_alu_jmp),
		cmocka_unit_test(test_bpf_printer_mem),
		cmocka_unit_test(test_line_for_addr),
		cmocka_unit_test(test_line_insns),
		cmocka_unit_test(test_rows_group_and_count),
		cmocka_unit_test(test_folded),
		cmocka_unit_test(test_ring_copy_wraps),
		cmocka_unit_test(test_lookup_and_reuse),
		cmocka_unit_test(test_drop_gone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
