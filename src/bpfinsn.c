// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A compact printer for translated BPF instructions (libbpf has none),
 * in the verifier's syntax: "r1 += 4", "if r1 > r2 goto pc+3". */
#include <stdio.h>
#include <string.h>
#include "jitmap.h"

static const char *const alu_ops[16] = {
	[BPF_ADD >> 4] = "+=", [BPF_SUB >> 4] = "-=", [BPF_MUL >> 4] = "*=",
	[BPF_DIV >> 4] = "/=", [BPF_OR >> 4] = "|=", [BPF_AND >> 4] = "&=",
	[BPF_LSH >> 4] = "<<=", [BPF_RSH >> 4] = ">>=", [BPF_NEG >> 4] = "neg",
	[BPF_MOD >> 4] = "%=", [BPF_XOR >> 4] = "^=", [BPF_MOV >> 4] = "=",
	[BPF_ARSH >> 4] = "s>>=", [BPF_END >> 4] = "endian",
};

static const char *const jmp_ops[16] = {
	[BPF_JEQ >> 4] = "==", [BPF_JGT >> 4] = ">", [BPF_JGE >> 4] = ">=",
	[BPF_JSET >> 4] = "&", [BPF_JNE >> 4] = "!=", [BPF_JSGT >> 4] = "s>",
	[BPF_JSGE >> 4] = "s>=", [BPF_JLT >> 4] = "<", [BPF_JLE >> 4] = "<=",
	[BPF_JSLT >> 4] = "s<", [BPF_JSLE >> 4] = "s<=",
};

static const char *size_name(int code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B:
		return "u8";
	case BPF_H:
		return "u16";
	case BPF_W:
		return "u32";
	default:
		return "u64";
	}
}

static void print_alu(const struct bpf_insn *in, char *buf, size_t len)
{
	bool is64 = BPF_CLASS(in->code) == BPF_ALU64;
	char r = is64 ? 'r' : 'w';
	int op = BPF_OP(in->code) >> 4;
	const char *s = alu_ops[op] ? alu_ops[op] : "?op";

	if (BPF_OP(in->code) == BPF_NEG)
		snprintf(buf, len, "%c%d = -%c%d", r, in->dst_reg, r, in->dst_reg);
	else if (BPF_OP(in->code) == BPF_END)
		snprintf(buf, len, "r%d = %s%d r%d", in->dst_reg,
			 BPF_SRC(in->code) == BPF_TO_BE ? "be" : "le", in->imm, in->dst_reg);
	else if (BPF_SRC(in->code) == BPF_X)
		snprintf(buf, len, "%c%d %s %c%d", r, in->dst_reg, s, r, in->src_reg);
	else
		snprintf(buf, len, "%c%d %s %d", r, in->dst_reg, s, in->imm);
}

static void print_jmp(const struct bpf_insn *in, char *buf, size_t len)
{
	bool is32 = BPF_CLASS(in->code) == BPF_JMP32;
	char r = is32 ? 'w' : 'r';
	int op = BPF_OP(in->code);

	if (op == BPF_EXIT) {
		snprintf(buf, len, "exit");
	} else if (op == BPF_CALL) {
		if (in->src_reg == BPF_PSEUDO_CALL)
			snprintf(buf, len, "call pc%+d", in->imm);
		else if (in->src_reg == BPF_PSEUDO_KFUNC_CALL)
			snprintf(buf, len, "call kfunc#%d", in->imm);
		else
			snprintf(buf, len, "call helper#%d", in->imm);
	} else if (op == BPF_JA) {
		snprintf(buf, len, "goto pc%+d", in->off);
	} else {
		const char *s = jmp_ops[op >> 4] ? jmp_ops[op >> 4] : "?op";

		if (BPF_SRC(in->code) == BPF_X)
			snprintf(buf, len, "if %c%d %s %c%d goto pc%+d", r, in->dst_reg, s, r,
				 in->src_reg, in->off);
		else
			snprintf(buf, len, "if %c%d %s %d goto pc%+d", r, in->dst_reg, s, in->imm,
				 in->off);
	}
}

static void print_stx(const struct bpf_insn *in, char *buf, size_t len)
{
	if (BPF_MODE(in->code) == BPF_ATOMIC) {
		const char *what = in->imm == BPF_ADD ? "+=" : in->imm == BPF_OR ? "|=" :
				   in->imm == BPF_AND ? "&=" : in->imm == BPF_XOR ? "^=" : NULL;

		if (what)
			snprintf(buf, len, "lock *(%s *)(r%d %+d) %s r%d", size_name(in->code),
				 in->dst_reg, in->off, what, in->src_reg);
		else
			snprintf(buf, len, "atomic(0x%x) *(%s *)(r%d %+d), r%d", in->imm,
				 size_name(in->code), in->dst_reg, in->off, in->src_reg);
		return;
	}
	snprintf(buf, len, "*(%s *)(r%d %+d) = r%d", size_name(in->code), in->dst_reg, in->off,
		 in->src_reg);
}

int bpf_insn_str(const struct bpf_insn *in, size_t avail, char *buf, size_t len)
{
	switch (BPF_CLASS(in->code)) {
	case BPF_ALU:
	case BPF_ALU64:
		print_alu(in, buf, len);
		return 1;
	case BPF_JMP:
	case BPF_JMP32:
		print_jmp(in, buf, len);
		return 1;
	case BPF_LDX:
		snprintf(buf, len, "r%d = *(%s *)(r%d %+d)", in->dst_reg, size_name(in->code),
			 in->src_reg, in->off);
		return 1;
	case BPF_ST:
		snprintf(buf, len, "*(%s *)(r%d %+d) = %d", size_name(in->code), in->dst_reg,
			 in->off, in->imm);
		return 1;
	case BPF_STX:
		print_stx(in, buf, len);
		return 1;
	case BPF_LD:
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW) && avail >= 2) {
			uint64_t v = (uint64_t)(uint32_t)in[0].imm | (uint64_t)(uint32_t)in[1].imm << 32;

			/* After translation (dumped as root) map references carry
			 * the map id in imm and the value offset in the next slot. */
			if (in->src_reg == BPF_PSEUDO_MAP_FD)
				snprintf(buf, len, "r%d = map[id:%d]", in->dst_reg, in[0].imm);
			else if (in->src_reg == BPF_PSEUDO_MAP_VALUE)
				snprintf(buf, len, "r%d = map[id:%d][0]+%d", in->dst_reg, in[0].imm,
					 in[1].imm);
			else
				snprintf(buf, len, "r%d = 0x%llx", in->dst_reg, (unsigned long long)v);
			return 2;
		}
		snprintf(buf, len, "ld 0x%02x", in->code);
		return 1;
	}
	snprintf(buf, len, "(0x%02x)", in->code);
	return 1;
}
