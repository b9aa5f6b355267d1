/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Program discovery and selection, shared by every command. */
#ifndef BPFCOST_PROGS_H
#define BPFCOST_PROGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A program's tail-call relations (tailcall.h fills it; zero: none known).
 * Lowest ids are kept where there are several. */
struct prog_tail {
	uint32_t via;		/* a program that tail-calls it */
	uint32_t ncallers;	/* programs that tail-call it directly */
	uint32_t entry;		/* an entry program that reaches it */
	uint32_t nentries;	/* entry programs (tail-called by none) reaching it */
	uint32_t callee;	/* a program it reaches by tail calls */
	uint32_t ncallees;	/* programs it reaches, transitively: their time
				 * is inside its run_time_ns */
};

/* Who holds a program (owners.h finds them): the processes with a
 * program, link or perf-event fd on it, and where none does, a bpffs pin.
 * Part of every program description the listings print (prog, stats, top,
 * the exporter). */
#define PROG_OWNERS_MAX 4	/* processes named per program; the rest counted */
#define PROG_OWNER_PIN_LEN 256

struct prog_owner {
	int32_t pid;
	char comm[16];		/* TASK_COMM_LEN */
	uint32_t via;		/* enum owner_via bits (bpf/owners_rec.h) */
};

struct prog_owners {
	bool known;		/* looked up; else nothing is shown */
	uint32_t nprocs;	/* processes holding it, all of them */
	struct prog_owner v[PROG_OWNERS_MAX];	/* the first of them, by pid */
	char pinned[PROG_OWNER_PIN_LEN];	/* a bpffs path that holds it, or "" */
};

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
	struct prog_tail tail;
	struct prog_owners owners;
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
/* Every program attached through a perf event (perf_event_open +
 * PERF_EVENT_IOC_SET_BPF, as bpftrace attaches tracepoints: no link), once
 * per program and point: fn gets its attach point from BPF_TASK_FD_QUERY
 * on each process's perf-event fds ("tracepoint:syscalls:sys_enter_openat",
 * "kprobe:FUNC+0x0", "uprobe:PATH+0x10", ...). A /proc walk: for one-off
 * descriptions, not for a sampling loop. */
void prog_perf_events_walk(prog_link_fn fn, void *arg);
/* Add one attach point to a program's list ("a,b"); nr_links: how many
 * it already holds. What does not fit is left out. */
void prog_attach_append(char *attach, size_t len, uint32_t nr_links, const char *what);
/* What a BPF object fd is: the kernel names the anon inode of each kind
 * (kernel/bpf/syscall.c: "bpf-prog" in bpf_prog_new_fd, "bpf-map" in
 * bpf_map_new_fd, "bpf_link" in bpf_link_prime for a new link but
 * "bpf-link" in bpf_link_new_fd for one opened by id or from a pin), which
 * /proc/PID/fd/N shows as "anon_inode:NAME". bpf_obj_get_info_by_fd alone
 * cannot tell: each kind's info starts with its own type and id. */
enum bpf_obj_kind { BPF_OBJ_OTHER, BPF_OBJ_PROG, BPF_OBJ_MAP, BPF_OBJ_LINK };

/* "program", "map", "link", "object". */
const char *bpf_obj_kind_name(enum bpf_obj_kind k);
/* The kind named by an fd's link target ("anon_inode:bpf-prog", ...). */
enum bpf_obj_kind bpf_fd_target_kind(const char *target);
/* The kind of the BPF object behind our fd (BPF_OBJ_OTHER when not one). */
enum bpf_obj_kind bpf_fd_kind(int fd);
/* A pinned BPF object: its kind and the program it stands for (the
 * program itself, or a link's program; 0 for a map or anything else, and
 * for a link whose program is gone). 0, or the negative errno of opening
 * it (bpf_obj_get) or reading its info. */
int pinned_prog_id(const char *path, enum bpf_obj_kind *kind, uint32_t *prog_id);
/* Every loaded program; ones that vanish during the walk are skipped. */
int progs_scan(struct prog_list *l, unsigned flags);
void prog_list_free(struct prog_list *l);
struct prog_desc *prog_list_find(struct prog_list *l, uint32_t id);

enum sel_kind { SEL_ID, SEL_TAG, SEL_NAME, SEL_PINNED, SEL_PID, SEL_COMM };

struct prog_selector {
	enum sel_kind kind;
	const char *arg;	/* as given */
	uint32_t id;		/* SEL_ID, or SEL_PINNED once resolved; SEL_PID: the pid */
	uint8_t tag[8];		/* SEL_TAG */
};

/* Parse "id N | tag HEX | name NAME | pinned PATH | pid N | comm NAME"
 * words. pid and comm select the programs a process holds through a
 * program, link or perf-event fd (owners.h); comm matches the process name
 * exactly, as the kernel keeps it (15 bytes). Errors name the bad word;
 * returns the number of selectors or a negative errno. */
int selectors_parse(int argc, char **argv, struct prog_selector **out);
/* Resolve against the loaded programs. A selector matching nothing is an
 * error; a name matching several selects all and says so. ids are
 * deduplicated, in selector order. */
int selectors_resolve(struct prog_selector *sels, int nsel, uint32_t **ids, size_t *nids);
/* Both steps on selector words; no words: *ids NULL, *nids 0 (every
 * program). */
int selectors_resolve_words(int argc, char **argv, uint32_t **ids, size_t *nids);

#endif
