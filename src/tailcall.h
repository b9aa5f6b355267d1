/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Tail calls: which loaded programs can jump to which through the
 * PROG_ARRAY maps they use (bpf_tail_call). A tail call replaces the
 * caller's frame and does not pass through the run-time accounting: the
 * callee's time lands in the run_time_ns of the program that was entered
 * (the entry) and the callee's own run_cnt does not move; fentry/fexit on
 * the callee do not fire either, since the jump enters past its entry.
 *
 * Where the facts come from: a program's map_ids (bpf_prog_info), the
 * map's type (bpf_map_info) and, for a PROG_ARRAY, a lookup of each slot
 * from user space, which returns the id of the program in it
 * (prog_fd_array_sys_lookup_elem). The relation is what the tables allow
 * now: a caller may take a slot rarely or never.
 *
 * Collection (tc_refresh) reads the kernel and holds no fd between calls;
 * the graph, its queries and the formatters below it are pure. */
#ifndef BPFCOST_TAILCALL_H
#define BPFCOST_TAILCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "idmap.h"
#include "progs.h"

/* Slots read per PROG_ARRAY; a table with more is read this far and
 * counted in tc_collector.arrays_capped. */
#define TC_MAX_SLOTS 65536

/* caller can jump to callee through slot `slot` of PROG_ARRAY map_id. */
struct tc_edge {
	uint32_t caller, callee;	/* program ids */
	uint32_t map_id, slot;
};

/* Edges sorted by caller, callee, map_id, slot, without duplicates once
 * tc_graph_finish ran. A zeroed graph is empty. */
struct tc_graph {
	struct tc_edge *v;
	size_t n, cap;
};

/* A sorted set of program ids. A zeroed set is empty. */
struct tc_ids {
	uint32_t *v;
	size_t n, cap;
};

/* ---- pure: building the graph ---- */

/* Append one edge (0 or -ENOMEM); call tc_graph_finish after the last. */
int tc_graph_add(struct tc_graph *g, const struct tc_edge *e);
/* Sort and drop duplicate edges. */
void tc_graph_finish(struct tc_graph *g);
/* Add src's edges to dst and finish it (0 or -ENOMEM). */
int tc_graph_merge(struct tc_graph *dst, const struct tc_graph *src);
void tc_graph_free(struct tc_graph *g);

/* What one read of the kernel saw: the PROG_ARRAYs each program uses,
 * and the programs each PROG_ARRAY holds, slot by slot. */
struct tc_prog_arrays {
	uint32_t prog_id;
	const uint32_t *arrays;		/* PROG_ARRAY map ids */
	size_t narrays;
};
struct tc_slot {
	uint32_t map_id, slot, prog_id;
};
/* The edges those facts give: program P using array A whose slot s holds
 * program Q is P -> Q through (A, s). g is reset first. 0 or -ENOMEM. */
int tc_graph_build(const struct tc_prog_arrays *progs, size_t nprogs, const struct tc_slot *slots,
		   size_t nslots, struct tc_graph *g);

/* ---- pure: queries ---- */

/* Programs that jump to id directly. */
int tc_callers(const struct tc_graph *g, uint32_t id, struct tc_ids *out);
/* Programs id reaches by one or more tail calls (never id itself): their
 * time is inside id's run time when id is entered. */
int tc_reach(const struct tc_graph *g, uint32_t id, struct tc_ids *out);
/* The entry programs that reach id: ancestors no program tail-calls. In a
 * cycle with no way in, none. */
int tc_entries(const struct tc_graph *g, uint32_t id, struct tc_ids *out);
bool tc_ids_has(const struct tc_ids *s, uint32_t id);
void tc_ids_free(struct tc_ids *s);

/* One program's place in the graph, for its row (struct prog_tail, in
 * progs.h, is zeroed when it has none). 0 or -ENOMEM. */
int tc_role(const struct tc_graph *g, uint32_t id, struct prog_tail *out);
/* An entry: it tail-calls others and nothing tail-calls it. */
bool tc_is_entry(const struct prog_tail *t);

/* ---- formatters every printer shares ---- */

/* The row's note: "runs inside 12 via tail call (entry 12)", "includes
 * tail-called 13", both joined by "; ", or "" with no relation. */
void tc_note(const struct prog_tail *t, char *buf, size_t len);
/* JSON of id's relations: null when it has none, else
 * {"tail_called_by": [{"id","map_id","slot"}], "entries": [id],
 *  "tail_calls": [{"id","map_id","slot"}], "run_time_includes": [id],
 *  "note": "..."}. NULL only when out of memory. */
json_t *tc_json(const struct tc_graph *g, uint32_t id);

/* ---- collection ---- */

struct tc_prog_cache {
	uint32_t id;
	uint32_t *arrays;	/* its PROG_ARRAY map ids (fixed at load) */
	uint32_t narrays;
	bool seen;
};

struct tc_collector {
	struct tc_prog_cache *v;	/* every loaded program, read once each */
	size_t n, cap;
	struct idmap idx;		/* id -> index in v */
	struct tc_graph g;		/* the last refresh's relation */
	uint32_t arrays_capped;		/* PROG_ARRAYs read only to TC_MAX_SLOTS */
};

/* Walk every loaded program (reading the map ids of the ones not seen
 * before), read every PROG_ARRAY they use and rebuild c->g. Programs and
 * maps that vanish meanwhile are skipped. 0 or a negative errno; nothing
 * is printed (the relation is an addition to a command's figures: the
 * caller says it is missing and why, and goes on). c->g is left as the
 * last refresh that worked. */
int tc_refresh(struct tc_collector *c);
void tc_collector_free(struct tc_collector *c);

#endif
