/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* JIT images of BPF programs and the maps from a kernel address to a
 * program, a subprogram, an offset in the image, a BPF instruction range
 * and a source line (through jited_line_info, line_info and BTF). */
#ifndef BPFCOST_JITMAP_H
#define BPFCOST_JITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

struct btf;

/* One line_info record with its JIT address and BTF strings resolved. */
struct jm_line {
	uint32_t insn_off;	/* first xlated instruction of the record */
	uint32_t line, col;
	const char *file;	/* BTF strings, "" when absent */
	const char *src;
	uint64_t jaddr;		/* JIT address of its first machine instruction */
};

struct jm_func {
	uint64_t addr;		/* jited ksym */
	uint32_t len;
	uint32_t img_off;	/* offset of this subprog in the dumped image */
};

struct jm_prog {
	uint32_t id, type;
	char name[16];
	char tag[17];
	uint8_t *image;		/* jited_prog_insns: every subprog, in order */
	uint32_t image_len;
	struct jm_func *funcs;
	uint32_t nfuncs;
	struct bpf_insn *xlated;
	uint32_t nxlated;	/* in 8-byte slots */
	struct jm_line *lines;
	uint32_t nlines;
	struct btf *btf;	/* owns the strings in lines; NULL without BTF */
	bool gone;		/* unloaded during the run */
	/* Samples whose innermost BPF frame is this program: in its own code
	 * or in a helper/kernel function it called (as run-time stats count
	 * it); self_samples only the former. period sums sampled time. */
	uint64_t samples, self_samples, period;
	/* Per image byte, when detail is on: a sample in our code counts at
	 * its ip, one in a callee at the call instruction. */
	uint32_t *hits;		/* image_len counters or NULL */
};

/* Address ranges of every tracked subprog, sorted, for the IP lookup. */
struct jm_range {
	uint64_t start, end;
	uint32_t prog;		/* index in jitmap.v */
	uint32_t func;
};

struct jitmap {
	struct jm_prog **v;	/* pointers stay valid as programs are added */
	size_t n, cap;
	struct jm_range *r;
	size_t nr, rcap;
	bool detail;		/* keep per-byte hits and line info (BTF) */
};

/* Fetch a program's info (two-pass, as bpftool does) and add it. -ENOENT
 * when the program vanished; -EPERM/-EACCES when the image is withheld. */
int jm_add_id(struct jitmap *m, uint32_t id);
/* Add a prog built elsewhere (tests); the map takes ownership. */
int jm_add(struct jitmap *m, struct jm_prog *p);
struct jm_prog *jm_find_id(struct jitmap *m, uint32_t id);
/* The subprog holding ip, or NULL. *img_off gets the image offset. */
struct jm_prog *jm_lookup(const struct jitmap *m, uint64_t ip, uint32_t *func, uint32_t *img_off);
void jm_prog_free(struct jm_prog *p);
void jm_free(struct jitmap *m);
/* Free the programs marked gone and their address ranges, so a map kept
 * for a long time (the exporter's) does not grow with every reload.
 * Pointers to the programs kept stay valid; indexes change. Returns how
 * many were dropped. */
size_t jm_drop_gone(struct jitmap *m);

/* Pure: index of the line record covering ip in the subprog
 * [fstart, fend): the last record (by index) with the greatest jaddr <= ip
 * inside the subprog; -1 when none. */
int jm_line_for_addr(const struct jm_line *lines, size_t n, uint64_t fstart, uint64_t fend,
		     uint64_t ip);
/* Pure: xlated instruction range [*from, *to) of line record i: up to the
 * next record with a greater insn_off, else the end of the program. */
void jm_line_insns(const struct jm_line *lines, size_t n, size_t i, uint32_t nxlated,
		   uint32_t *from, uint32_t *to);

/* Print one BPF instruction (verifier/bpftool-like syntax). Returns the
 * number of 8-byte slots it uses (2 for ld_imm64). */
int bpf_insn_str(const struct bpf_insn *insn, size_t avail, char *buf, size_t len);

#endif
