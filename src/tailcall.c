// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Tail-call relations between loaded programs: the graph, its queries,
 * the shared formatters, and the collection from the kernel. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "common.h"
#include "progs.h"
#include "tailcall.h"

/* ---- the graph ---- */

static int grow(void **v, size_t *cap, size_t need, size_t size)
{
	size_t c;
	void *nv;

	if (need <= *cap)
		return 0;
	c = *cap ? *cap * 2 : 16;
	while (c < need)
		c *= 2;
	nv = realloc(*v, c * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = c;
	return 0;
}

int tc_graph_add(struct tc_graph *g, const struct tc_edge *e)
{
	if (grow((void **)&g->v, &g->cap, g->n + 1, sizeof(*g->v)))
		return -ENOMEM;
	g->v[g->n++] = *e;
	return 0;
}

static int edge_cmp(const void *a, const void *b)
{
	const struct tc_edge *x = a, *y = b;

	if (x->caller != y->caller)
		return x->caller < y->caller ? -1 : 1;
	if (x->callee != y->callee)
		return x->callee < y->callee ? -1 : 1;
	if (x->map_id != y->map_id)
		return x->map_id < y->map_id ? -1 : 1;
	return (x->slot > y->slot) - (x->slot < y->slot);
}

void tc_graph_finish(struct tc_graph *g)
{
	size_t i, k = 0;

	if (!g->n)
		return;
	qsort(g->v, g->n, sizeof(*g->v), edge_cmp);
	for (i = 0; i < g->n; i++)
		if (!k || edge_cmp(&g->v[k - 1], &g->v[i]))
			g->v[k++] = g->v[i];
	g->n = k;
}

int tc_graph_merge(struct tc_graph *dst, const struct tc_graph *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		if (tc_graph_add(dst, &src->v[i]))
			return -ENOMEM;
	tc_graph_finish(dst);
	return 0;
}

void tc_graph_free(struct tc_graph *g)
{
	free(g->v);
	memset(g, 0, sizeof(*g));
}

int tc_graph_build(const struct tc_prog_arrays *progs, size_t nprogs, const struct tc_slot *slots,
		   size_t nslots, struct tc_graph *g)
{
	size_t i, j, k;

	g->n = 0;
	for (i = 0; i < nprogs; i++)
		for (j = 0; j < progs[i].narrays; j++)
			for (k = 0; k < nslots; k++) {
				struct tc_edge e = { progs[i].prog_id, slots[k].prog_id,
						     slots[k].map_id, slots[k].slot };

				if (slots[k].map_id != progs[i].arrays[j])
					continue;
				if (tc_graph_add(g, &e))
					return -ENOMEM;
			}
	tc_graph_finish(g);
	return 0;
}

/* ---- id sets ---- */

static size_t ids_pos(const struct tc_ids *s, uint32_t id)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool tc_ids_has(const struct tc_ids *s, uint32_t id)
{
	size_t i = ids_pos(s, id);

	return i < s->n && s->v[i] == id;
}

/* 1 when added, 0 when already there, -ENOMEM. */
static int ids_add(struct tc_ids *s, uint32_t id)
{
	size_t i = ids_pos(s, id);

	if (i < s->n && s->v[i] == id)
		return 0;
	if (grow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v)))
		return -ENOMEM;
	memmove(s->v + i + 1, s->v + i, (s->n - i) * sizeof(*s->v));
	s->v[i] = id;
	s->n++;
	return 1;
}

void tc_ids_free(struct tc_ids *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* ---- queries ---- */

int tc_callers(const struct tc_graph *g, uint32_t id, struct tc_ids *out)
{
	size_t i;

	out->n = 0;
	for (i = 0; i < g->n; i++)
		if (g->v[i].callee == id && ids_add(out, g->v[i].caller) < 0)
			return -ENOMEM;
	return 0;
}

/* Breadth-first from id along the edges, forward (caller -> callee) or
 * back; out gets every id met except id itself. The set is sorted, so
 * the order of discovery is kept in a queue of its own. */
static int walk(const struct tc_graph *g, uint32_t id, bool forward, struct tc_ids *out)
{
	uint32_t *queue = NULL;
	size_t qn = 0, qcap = 0, qi, i;
	int err = 0, added;

	out->n = 0;
	if (grow((void **)&queue, &qcap, 1, sizeof(*queue)))
		return -ENOMEM;
	queue[qn++] = id;
	for (qi = 0; qi < qn && !err; qi++)
		for (i = 0; i < g->n && !err; i++) {
			uint32_t from = forward ? g->v[i].caller : g->v[i].callee;
			uint32_t to = forward ? g->v[i].callee : g->v[i].caller;

			if (from != queue[qi] || to == id)
				continue;
			added = ids_add(out, to);
			if (added < 0 || (added && grow((void **)&queue, &qcap, qn + 1, sizeof(*queue))))
				err = -ENOMEM;
			else if (added)
				queue[qn++] = to;
		}
	free(queue);
	return err;
}

int tc_reach(const struct tc_graph *g, uint32_t id, struct tc_ids *out)
{
	return walk(g, id, true, out);
}

static bool has_callers(const struct tc_graph *g, uint32_t id)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (g->v[i].callee == id)
			return true;
	return false;
}

int tc_entries(const struct tc_graph *g, uint32_t id, struct tc_ids *out)
{
	struct tc_ids up = { 0 };
	size_t i;
	int err;

	out->n = 0;
	err = walk(g, id, false, &up);
	for (i = 0; i < up.n && !err; i++)
		if (!has_callers(g, up.v[i]) && ids_add(out, up.v[i]) < 0)
			err = -ENOMEM;
	tc_ids_free(&up);
	return err;
}

int tc_role(const struct tc_graph *g, uint32_t id, struct prog_tail *out)
{
	struct tc_ids s = { 0 };
	int err;

	memset(out, 0, sizeof(*out));
	err = tc_callers(g, id, &s);
	if (!err && s.n) {
		out->via = s.v[0];
		out->ncallers = (uint32_t)s.n;
		err = tc_entries(g, id, &s);
		if (!err && s.n) {
			out->entry = s.v[0];
			out->nentries = (uint32_t)s.n;
		}
	}
	if (!err)
		err = tc_reach(g, id, &s);
	if (!err && s.n) {
		out->callee = s.v[0];
		out->ncallees = (uint32_t)s.n;
	}
	tc_ids_free(&s);
	return err;
}

bool tc_is_entry(const struct prog_tail *t)
{
	return t->ncallees && !t->ncallers;
}

/* ---- formatters ---- */

/* " +N" for the ones beyond the first, or "". */
static const char *more(char *buf, size_t len, uint32_t n)
{
	if (n > 1)
		snprintf(buf, len, " +%u", n - 1);
	else
		buf[0] = '\0';
	return buf;
}

void tc_note(const struct prog_tail *t, char *buf, size_t len)
{
	char m1[16], m2[16], ent[48] = "";
	size_t n = 0;

	buf[0] = '\0';
	if (t->ncallers) {
		/* The entries say where the time is counted; name them when
		 * they are not just the direct caller. */
		if (t->nentries && !(t->nentries == 1 && t->entry == t->via))
			snprintf(ent, sizeof(ent), " (entry %u%s)", t->entry,
				 more(m2, sizeof(m2), t->nentries));
		n = (size_t)snprintf(buf, len, "runs inside %u%s via tail call%s", t->via,
				     more(m1, sizeof(m1), t->ncallers), ent);
	}
	if (t->ncallees && n < len)
		snprintf(buf + n, len - n, "%sincludes tail-called %u%s", n ? "; " : "", t->callee,
			 more(m1, sizeof(m1), t->ncallees));
}

static json_t *edges_json(const struct tc_graph *g, uint32_t id, bool in)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < g->n; i++) {
		const struct tc_edge *e = &g->v[i];

		if ((in ? e->callee : e->caller) != id)
			continue;
		json_array_append_new(a, bc_json_pack("{s:I, s:I, s:I}", "id",
						   (json_int_t)(in ? e->caller : e->callee),
						   "map_id", (json_int_t)e->map_id, "slot",
						   (json_int_t)e->slot));
	}
	return a;
}

static json_t *ids_json(const struct tc_ids *s)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < s->n; i++)
		json_array_append_new(a, json_integer(s->v[i]));
	return a;
}

json_t *tc_json(const struct tc_graph *g, uint32_t id)
{
	struct tc_ids entries = { 0 }, reach = { 0 };
	struct prog_tail t;
	char note[160];
	json_t *j = NULL;

	if (tc_role(g, id, &t))
		return NULL;
	if (!t.ncallers && !t.ncallees)
		return json_null();
	if (!tc_entries(g, id, &entries) && !tc_reach(g, id, &reach)) {
		tc_note(&t, note, sizeof(note));
		j = bc_json_pack("{s:o, s:o, s:o, s:o, s:s}", "tail_called_by", edges_json(g, id, true),
			      "entries", ids_json(&entries), "tail_calls", edges_json(g, id, false),
			      "run_time_includes", ids_json(&reach), "note", note);
	}
	tc_ids_free(&entries);
	tc_ids_free(&reach);
	return j;
}

/* ---- collection ---- */

/* The PROG_ARRAY ids among a program's maps. */
static int read_prog_arrays(uint32_t id, uint32_t **arrays, uint32_t *narrays)
{
	uint32_t stack_ids[64], *map_ids = stack_ids, n, i, k = 0;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd, err = 0;

	*arrays = NULL;
	*narrays = 0;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	info.nr_map_ids = ARRAY_SIZE(stack_ids);
	info.map_ids = (uintptr_t)map_ids;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		goto out;
	}
	n = info.nr_map_ids;
	if (n > ARRAY_SIZE(stack_ids)) {	/* ask again with room for all */
		map_ids = calloc(n, sizeof(*map_ids));
		if (!map_ids) {
			err = -ENOMEM;
			goto out;
		}
		memset(&info, 0, sizeof(info));
		info.nr_map_ids = n;
		info.map_ids = (uintptr_t)map_ids;
		if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
			err = -errno;
			goto out;
		}
		n = info.nr_map_ids < n ? info.nr_map_ids : n;
	}
	for (i = 0; i < n; i++) {
		struct bpf_map_info mi = {};
		__u32 mlen = sizeof(mi);
		int mfd = bpf_map_get_fd_by_id(map_ids[i]);

		if (mfd < 0)
			continue;	/* freed meanwhile */
		if (!bpf_obj_get_info_by_fd(mfd, &mi, &mlen) && mi.type == BPF_MAP_TYPE_PROG_ARRAY) {
			uint32_t *v = realloc(*arrays, (k + 1) * sizeof(*v));

			if (!v) {
				close(mfd);
				err = -ENOMEM;
				goto out;
			}
			*arrays = v;
			v[k++] = mi.id;
		}
		close(mfd);
	}
	*narrays = k;
out:
	if (map_ids != stack_ids)
		free(map_ids);
	if (err) {
		free(*arrays);
		*arrays = NULL;
	}
	close(fd);
	return err;
}

static int cache_add(struct tc_collector *c, uint32_t id)
{
	struct tc_prog_cache e = { .id = id, .seen = true };
	int err = read_prog_arrays(id, &e.arrays, &e.narrays);

	if (err == -ENOENT)
		return 0;	/* gone already */
	if (err)
		return err;
	if (grow((void **)&c->v, &c->cap, c->n + 1, sizeof(*c->v)) ||
	    idmap_put(&c->idx, id, c->n)) {
		free(e.arrays);
		return -ENOMEM;
	}
	c->v[c->n++] = e;
	return 0;
}

/* Mark every program seen in this walk; read the new ones. */
static int walk_progs(struct tc_collector *c)
{
	__u32 id = 0;
	size_t i;
	int err;

	for (i = 0; i < c->n; i++)
		c->v[i].seen = false;
	while (bpf_prog_get_next_id(id, &id) == 0) {
		if (idmap_get(&c->idx, id, &i)) {
			c->v[i].seen = true;
			continue;
		}
		err = cache_add(c, id);
		if (err)
			return err;
	}
	return errno == ENOENT ? 0 : -errno;
}

/* Forget programs the walk did not see (ids are not reused until the
 * id space wraps, but a gone program's arrays must not count). */
static int drop_unseen(struct tc_collector *c)
{
	size_t i, k = 0;

	idmap_free(&c->idx);
	for (i = 0; i < c->n; i++) {
		if (!c->v[i].seen) {
			free(c->v[i].arrays);
			continue;
		}
		c->v[k] = c->v[i];
		if (idmap_put(&c->idx, c->v[k].id, k))
			return -ENOMEM;
		k++;
	}
	c->n = k;
	return 0;
}

struct slot_buf {
	struct tc_slot *v;
	size_t n, cap;
};

/* Every filled slot of one PROG_ARRAY. */
static int read_array(struct tc_collector *c, uint32_t map_id, struct slot_buf *sb)
{
	struct bpf_map_info mi = {};
	__u32 mlen = sizeof(mi), key, n;
	int fd = bpf_map_get_fd_by_id(map_id);
	int err = 0;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (bpf_obj_get_info_by_fd(fd, &mi, &mlen)) {
		err = -errno;
		goto out;
	}
	n = mi.max_entries;
	if (n > TC_MAX_SLOTS) {
		n = TC_MAX_SLOTS;
		c->arrays_capped++;
	}
	for (key = 0; key < n; key++) {
		__u32 prog_id;

		if (bpf_map_lookup_elem(fd, &key, &prog_id))
			continue;	/* empty slot: ENOENT */
		if (grow((void **)&sb->v, &sb->cap, sb->n + 1, sizeof(*sb->v))) {
			err = -ENOMEM;
			goto out;
		}
		sb->v[sb->n++] = (struct tc_slot){ map_id, key, prog_id };
	}
out:
	close(fd);
	return err;
}

int tc_refresh(struct tc_collector *c)
{
	struct tc_prog_arrays *pa = NULL;
	struct tc_graph g = { 0 };
	struct slot_buf sb = { 0 };
	struct idmap done = { 0 };
	size_t i, j, dummy;
	int err;

	err = walk_progs(c);
	if (!err)
		err = drop_unseen(c);
	if (err)
		return err;
	c->arrays_capped = 0;
	pa = calloc(c->n ? c->n : 1, sizeof(*pa));
	if (!pa)
		return -ENOMEM;
	for (i = 0; i < c->n && !err; i++) {
		pa[i] = (struct tc_prog_arrays){ c->v[i].id, c->v[i].arrays, c->v[i].narrays };
		for (j = 0; j < c->v[i].narrays && !err; j++) {
			uint32_t a = c->v[i].arrays[j];

			if (idmap_get(&done, a, &dummy))
				continue;	/* shared by several programs */
			err = idmap_put(&done, a, 0);
			if (!err)
				err = read_array(c, a, &sb);
		}
	}
	if (!err)
		err = tc_graph_build(pa, c->n, sb.v, sb.n, &g);
	if (!err) {
		tc_graph_free(&c->g);
		c->g = g;
	} else {
		tc_graph_free(&g);
	}
	free(pa);
	free(sb.v);
	idmap_free(&done);
	return err;
}

void tc_collector_free(struct tc_collector *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].arrays);
	free(c->v);
	idmap_free(&c->idx);
	tc_graph_free(&c->g);
	memset(c, 0, sizeof(*c));
}
