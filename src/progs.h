/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Program discovery and selection, shared by every command. */
#ifndef BPFCOST_PROGS_H
#define BPFCOST_PROGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prog_desc {
	uint32_t id;
	uint32_t type;
	char name[16];		/* kernel name, at most 15 chars */
	char full_name[128];	/* BTF function name when known, else name */
	char tag[17];		/* hex */
	bool has_btf;
	uint32_t btf_id;
	uint32_t jited_len, xlated_len;
	uint64_t run_cnt, run_time_ns, recursion_misses;
	char attach[128];	/* from links: "raw_tp:sys_enter", ... or "" */
	uint32_t nr_links;
};

struct prog_list {
	struct prog_desc *v;
	size_t n, cap;
};

#define PROGS_WITH_ATTACH 0x1	/* walk links for attach points */

struct bpf_prog_info;

const char *prog_type_name(uint32_t type);
/* Open program id and read its info: the fd (the caller closes it) or a
 * negative errno (-ENOENT when it vanished). */
int prog_fd_info(uint32_t id, struct bpf_prog_info *info);
/* The 8-byte program tag as 16 lowercase hex digits plus NUL. */
void prog_tag_hex(const uint8_t tag[8], char out[17]);
/* Fill d for one program. -ENOENT when it vanished. */
int prog_describe(uint32_t id, struct prog_desc *d);
/* Just the run-time stats counters: no BTF lookup, cheap enough to call
 * between measuring rounds. -ENOENT when it vanished. */
int prog_counters(uint32_t id, uint64_t *run_cnt, uint64_t *run_time_ns);
/* Every link once: fn gets the program it holds and its attach point in
 * a few words ("raw_tp:sys_enter"). Links that vanish are skipped. */
typedef void (*prog_link_fn)(uint32_t prog_id, const char *attach, void *arg);
void prog_links_walk(prog_link_fn fn, void *arg);
/* Add one attach point to a program's list ("a,b"); nr_links: how many
 * it already holds. What does not fit is left out. */
void prog_attach_append(char *attach, size_t len, uint32_t nr_links, const char *what);
/* Every loaded program; ones that vanish during the walk are skipped. */
int progs_scan(struct prog_list *l, unsigned flags);
void prog_list_free(struct prog_list *l);
struct prog_desc *prog_list_find(struct prog_list *l, uint32_t id);

enum sel_kind { SEL_ID, SEL_TAG, SEL_NAME, SEL_PINNED };

struct prog_selector {
	enum sel_kind kind;
	const char *arg;	/* as given */
	uint32_t id;		/* SEL_ID, or SEL_PINNED once resolved */
	uint8_t tag[8];		/* SEL_TAG */
};

/* Parse "id N | tag HEX | name NAME | pinned PATH" words. Errors name the
 * bad word; returns the number of selectors or a negative errno. */
int selectors_parse(int argc, char **argv, struct prog_selector **out);
/* Resolve against the loaded programs. A selector matching nothing is an
 * error; a name matching several selects all and says so. ids are
 * deduplicated, in selector order. */
int selectors_resolve(struct prog_selector *sels, int nsel, uint32_t **ids, size_t *nids);
/* Both steps on selector words; no words: *ids NULL, *nids 0 (every
 * program). */
int selectors_resolve_words(int argc, char **argv, uint32_t **ids, size_t *nids);

#endif
