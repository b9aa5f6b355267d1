// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* JIT images and address → program/subprog/line maps. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "jitmap.h"
#include "progs.h"

struct info_bufs {
	uint64_t *ksyms;
	uint32_t *lens;
	uint8_t *image;
	struct bpf_insn *xlated;
	struct bpf_line_info *linfo;
	uint64_t *jlinfo;
};

static void bufs_free(struct info_bufs *b)
{
	free(b->ksyms);
	free(b->lens);
	free(b->image);
	free(b->xlated);
	free(b->linfo);
	free(b->jlinfo);
}

/* calloc that never returns NULL for n == 0 callers care about. */
static void *zalloc(size_t n, size_t sz)
{
	return calloc(n ? n : 1, sz);
}

/* Second pass: ask again for the arrays, sized from the first pass. */
static int info_second_pass(int fd, const struct bpf_prog_info *first, struct bpf_prog_info *info,
			    struct info_bufs *b)
{
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	info->nr_jited_ksyms = first->nr_jited_ksyms;
	info->nr_jited_func_lens = first->nr_jited_func_lens;
	info->jited_prog_len = first->jited_prog_len;
	info->xlated_prog_len = first->xlated_prog_len;
	info->nr_line_info = first->nr_line_info;
	info->line_info_rec_size = sizeof(struct bpf_line_info);
	/* jited line info only makes sense with line info to pair it with */
	info->nr_jited_line_info = first->nr_line_info ? first->nr_jited_line_info : 0;
	info->jited_line_info_rec_size = sizeof(__u64);
	b->ksyms = zalloc(info->nr_jited_ksyms, sizeof(uint64_t));
	b->lens = zalloc(info->nr_jited_func_lens, sizeof(uint32_t));
	b->image = zalloc(info->jited_prog_len, 1);
	b->xlated = zalloc(info->xlated_prog_len, 1);
	b->linfo = zalloc(info->nr_line_info, sizeof(struct bpf_line_info));
	b->jlinfo = zalloc(info->nr_jited_line_info, sizeof(uint64_t));
	if (!b->ksyms || !b->lens || !b->image || !b->xlated || !b->linfo || !b->jlinfo)
		return -ENOMEM;
	info->jited_ksyms = (uintptr_t)b->ksyms;
	info->jited_func_lens = (uintptr_t)b->lens;
	info->jited_prog_insns = (uintptr_t)b->image;
	info->xlated_prog_insns = (uintptr_t)b->xlated;
	info->line_info = (uintptr_t)b->linfo;
	info->jited_line_info = (uintptr_t)b->jlinfo;
	if (bpf_obj_get_info_by_fd(fd, info, &len))
		return -errno;
	return 0;
}

static int fill_funcs(struct jm_prog *p, const struct bpf_prog_info *info, const struct info_bufs *b)
{
	uint32_t i, off = 0;

	p->nfuncs = info->nr_jited_ksyms;
	if (!p->nfuncs || info->nr_jited_func_lens != p->nfuncs)
		return -ENODATA;	/* not JITed, or addresses withheld */
	p->funcs = calloc(p->nfuncs, sizeof(*p->funcs));
	if (!p->funcs)
		return -ENOMEM;
	for (i = 0; i < p->nfuncs; i++) {
		p->funcs[i] = (struct jm_func){ .addr = b->ksyms[i], .len = b->lens[i], .img_off = off };
		off += b->lens[i];
	}
	if (!b->ksyms[0])
		return -EPERM;	/* kptr_restrict hides the addresses */
	return 0;
}

static const char *btf_str(const struct btf *btf, uint32_t off)
{
	const char *s = btf ? btf__name_by_offset(btf, off) : NULL;

	return s ? s : "";
}

static int fill_lines(struct jm_prog *p, const struct bpf_prog_info *info, const struct info_bufs *b)
{
	uint32_t i;

	if (!info->nr_line_info || info->nr_jited_line_info != info->nr_line_info || !info->btf_id)
		return 0;	/* no line info: the asm/BPF listing still works */
	p->btf = btf__load_from_kernel_by_id(info->btf_id);
	if (!p->btf)
		return 0;
	p->lines = calloc(info->nr_line_info, sizeof(*p->lines));
	if (!p->lines)
		return -ENOMEM;
	for (i = 0; i < info->nr_line_info; i++) {
		const struct bpf_line_info *l = &b->linfo[i];
		const char *src = btf_str(p->btf, l->line_off);

		while (*src == ' ' || *src == '\t')
			src++;
		p->lines[i] = (struct jm_line){
			.insn_off = l->insn_off, .line = BPF_LINE_INFO_LINE_NUM(l->line_col),
			.col = BPF_LINE_INFO_LINE_COL(l->line_col),
			.file = btf_str(p->btf, l->file_name_off), .src = src, .jaddr = b->jlinfo[i],
		};
	}
	p->nlines = info->nr_line_info;
	return 0;
}

static void fill_ident(struct jm_prog *p, const struct bpf_prog_info *info)
{
	p->id = info->id;
	p->type = info->type;
	memcpy(p->name, info->name, sizeof(p->name) - 1);
	prog_tag_hex(info->tag, p->tag);
}

static int prog_fetch(int fd, struct jm_prog *p, bool lines)
{
	struct bpf_prog_info first = {}, info;
	struct info_bufs b = {};
	__u32 len = sizeof(first);
	int err;

	if (bpf_obj_get_info_by_fd(fd, &first, &len))
		return -errno;
	err = info_second_pass(fd, &first, &info, &b);
	if (err)
		goto cleanup;
	fill_ident(p, &first);
	err = fill_funcs(p, &info, &b);
	if (err)
		goto cleanup;
	/* Loading BTF is the slow part; --top needs only the addresses. */
	err = lines ? fill_lines(p, &info, &b) : 0;
	if (err)
		goto cleanup;
	/* Steal the image and the xlated code. */
	p->image = b.image;
	p->image_len = info.jited_prog_len;
	b.image = NULL;
	p->xlated = b.xlated;
	p->nxlated = info.xlated_prog_len / sizeof(struct bpf_insn);
	b.xlated = NULL;
	/* The strings in lines point into btf; linfo/jlinfo are copied. */
cleanup:
	bufs_free(&b);
	return err;
}

static int range_cmp(const void *a, const void *b)
{
	const struct jm_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Add p's subprog ranges; ranges of older programs overlapping them
 * (address reuse after an unload) are dropped: the newest owns them. */
static int ranges_add(struct jitmap *m, uint32_t pidx)
{
	const struct jm_prog *p = m->v[pidx];
	size_t i, j, k = 0;

	if (m->nr + p->nfuncs > m->rcap) {
		size_t cap = (m->nr + p->nfuncs) * 2;
		struct jm_range *r = realloc(m->r, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		m->r = r;
		m->rcap = cap;
	}
	for (i = 0; i < m->nr; i++) {
		bool overlap = false;

		for (j = 0; j < p->nfuncs; j++)
			if (m->r[i].start < p->funcs[j].addr + p->funcs[j].len &&
			    p->funcs[j].addr < m->r[i].end)
				overlap = true;
		if (!overlap)
			m->r[k++] = m->r[i];
	}
	m->nr = k;
	for (j = 0; j < p->nfuncs; j++)
		m->r[m->nr++] = (struct jm_range){ p->funcs[j].addr, p->funcs[j].addr + p->funcs[j].len,
						   pidx, (uint32_t)j };
	qsort(m->r, m->nr, sizeof(*m->r), range_cmp);
	return 0;
}

int jm_add(struct jitmap *m, struct jm_prog *p)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		struct jm_prog **v = realloc(m->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		m->v = v;
		m->cap = cap;
	}
	if (m->detail && !p->hits) {
		p->hits = zalloc(p->image_len, sizeof(*p->hits));
		if (!p->hits)
			return -ENOMEM;
	}
	m->v[m->n] = p;
	if (ranges_add(m, (uint32_t)m->n))
		return -ENOMEM;
	m->n++;
	return 0;
}

int jm_add_id(struct jitmap *m, uint32_t id)
{
	struct jm_prog *p;
	int fd, err;

	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	p = calloc(1, sizeof(*p));
	if (!p) {
		close(fd);
		return -ENOMEM;
	}
	err = prog_fetch(fd, p, m->detail);
	close(fd);
	if (!err)
		err = jm_add(m, p);
	if (err)
		jm_prog_free(p);
	return err;
}

struct jm_prog *jm_find_id(struct jitmap *m, uint32_t id)
{
	size_t i;

	for (i = m->n; i-- > 0;)
		if (m->v[i]->id == id)
			return m->v[i];
	return NULL;
}

struct jm_prog *jm_lookup(const struct jitmap *m, uint64_t ip, uint32_t *func, uint32_t *img_off)
{
	size_t lo = 0, hi = m->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct jm_range *r = &m->r[mid];

		if (ip < r->start)
			hi = mid;
		else if (ip >= r->end)
			lo = mid + 1;
		else {
			struct jm_prog *p = m->v[r->prog];

			*func = r->func;
			*img_off = p->funcs[r->func].img_off + (uint32_t)(ip - r->start);
			return p;
		}
	}
	return NULL;
}

void jm_prog_free(struct jm_prog *p)
{
	if (!p)
		return;
	free(p->image);
	free(p->funcs);
	free(p->xlated);
	free(p->lines);
	free(p->hits);
	btf__free(p->btf);
	free(p);
}

void jm_free(struct jitmap *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		jm_prog_free(m->v[i]);
	free(m->v);
	free(m->r);
	memset(m, 0, sizeof(*m));
}

size_t jm_drop_gone(struct jitmap *m)
{
	uint32_t *newidx;
	size_t i, k = 0, dropped;

	newidx = calloc(m->n ? m->n : 1, sizeof(*newidx));
	if (!newidx)
		return 0;	/* try again next time: nothing is lost */
	for (i = 0; i < m->n; i++) {
		if (m->v[i]->gone) {
			jm_prog_free(m->v[i]);
			newidx[i] = UINT32_MAX;
			continue;
		}
		newidx[i] = (uint32_t)k;
		m->v[k++] = m->v[i];
	}
	dropped = m->n - k;
	m->n = k;
	/* Ranges stay sorted: only drop those of freed programs and renumber. */
	for (i = 0, k = 0; i < m->nr; i++) {
		if (newidx[m->r[i].prog] == UINT32_MAX)
			continue;
		m->r[k] = m->r[i];
		m->r[k++].prog = newidx[m->r[i].prog];
	}
	m->nr = k;
	free(newidx);
	return dropped;
}

int jm_line_for_addr(const struct jm_line *lines, size_t n, uint64_t fstart, uint64_t fend,
		     uint64_t ip)
{
	int best = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t a = lines[i].jaddr;

		if (a < fstart || a >= fend || a > ip)
			continue;
		if (best < 0 || a >= lines[best].jaddr)
			best = (int)i;
	}
	return best;
}

void jm_line_insns(const struct jm_line *lines, size_t n, size_t i, uint32_t nxlated,
		   uint32_t *from, uint32_t *to)
{
	size_t j;

	*from = lines[i].insn_off;
	*to = nxlated;
	for (j = i + 1; j < n; j++)
		if (lines[j].insn_off > *from) {
			*to = lines[j].insn_off;
			break;
		}
	if (*to < *from)
		*to = *from;
}
