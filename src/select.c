// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpftool-style program selectors: id N | tag HEX | name NAME | pinned PATH,
 * and the owner selectors pid N | comm NAME. */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "common.h"
#include "owners.h"
#include "progs.h"

static int parse_tag(const char *s, uint8_t tag[8])
{
	int i;

	if (strlen(s) != 16)
		return -EINVAL;
	for (i = 0; i < 8; i++) {
		char byte[3] = { s[2 * i], s[2 * i + 1], 0 };
		char *end;

		if (!isxdigit((unsigned char)byte[0]) || !isxdigit((unsigned char)byte[1]))
			return -EINVAL;
		tag[i] = (uint8_t)strtoul(byte, &end, 16);
	}
	return 0;
}

static int parse_one(const char *kw, const char *arg, struct prog_selector *s)
{
	uint64_t id;
	int err;

	s->arg = arg;
	if (!strcmp(kw, "id")) {
		s->kind = SEL_ID;
		err = parse_u64("program id", arg, 1, UINT32_MAX, &id);
		s->id = (uint32_t)id;
		return err;
	}
	if (!strcmp(kw, "tag")) {
		s->kind = SEL_TAG;
		if (parse_tag(arg, s->tag)) {
			bc_err("invalid program tag '%s': expected 16 hex digits", arg);
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(kw, "name")) {
		s->kind = SEL_NAME;
		if (!*arg) {
			bc_err("empty program name");
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(kw, "pinned")) {
		s->kind = SEL_PINNED;
		return 0;
	}
	if (!strcmp(kw, "pid")) {
		s->kind = SEL_PID;
		err = parse_u64("process id", arg, 1, INT32_MAX, &id);
		s->id = (uint32_t)id;
		return err;
	}
	if (!strcmp(kw, "comm")) {
		s->kind = SEL_COMM;
		if (!*arg) {
			bc_err("empty process name");
			return -EINVAL;
		}
		return 0;
	}
	bc_err("unknown program selector '%s' (expected id, tag, name, pinned, pid or comm)", kw);
	return -EINVAL;
}

int selectors_parse(int argc, char **argv, struct prog_selector **out)
{
	struct prog_selector *sels;
	int i, n = 0, err;

	*out = NULL;
	if (argc == 0)
		return 0;
	sels = calloc((size_t)argc, sizeof(*sels));
	if (!sels)
		return -ENOMEM;
	for (i = 0; i < argc; i += 2) {
		if (i + 1 >= argc) {
			bc_err("program selector '%s' needs a value", argv[i]);
			err = -EINVAL;
			goto fail;
		}
		err = parse_one(argv[i], argv[i + 1], &sels[n++]);
		if (err)
			goto fail;
	}
	*out = sels;
	return n;
fail:
	free(sels);
	return err;
}

/* A pinned program selects itself, a pinned link its program; a map or
 * anything else is an error that says what it is. */
static int resolve_pinned(struct prog_selector *s)
{
	enum bpf_obj_kind kind;
	int err;

	err = pinned_prog_id(s->arg, &kind, &s->id);
	if (err) {
		bc_err("pinned path '%s': %s", s->arg, strerror(-err));
		return err;
	}
	if (kind != BPF_OBJ_PROG && kind != BPF_OBJ_LINK) {
		bc_err("pinned path '%s' is a BPF %s, not a program or a link", s->arg,
		       bpf_obj_kind_name(kind));
		return -EINVAL;
	}
	if (!s->id) {
		bc_err("pinned path '%s' is a BPF link without a program", s->arg);
		return -ENOENT;
	}
	return 0;
}

/* ---- pid and comm: the programs processes hold ---- */

static int add_id(uint32_t **ids, size_t *n, uint32_t id)
{
	uint32_t *v;
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*ids)[i] == id)
			return 0;
	v = realloc(*ids, (*n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	v[(*n)++] = id;
	*ids = v;
	return 0;
}

struct held {
	uint32_t *ids;
	size_t n;
	int procs;		/* processes looked at */
	int err;
};

static int add_held(int pid, const struct owner_fd *f, void *arg)
{
	struct held *h = arg;

	if (!f->prog_id)
		return 0;	/* a perf_event program /proc cannot name */
	h->err = add_id(&h->ids, &h->n, f->prog_id);
	return h->err;
}

static int held_by_pid(struct prog_selector *s, struct held *h)
{
	char comm[OWNERS_COMM_LEN];

	if (owners_proc_comm((int)s->id, comm)) {
		bc_err("no process %u", s->id);
		return -ESRCH;
	}
	h->procs = 1;
	owners_proc_fds((int)s->id, add_held, h);
	return h->err;
}

struct comm_walk {
	const char *name;	/* as the kernel keeps it: 15 bytes at most */
	struct held *h;
};

static int held_if_comm(const char *pid, void *arg)
{
	struct comm_walk *w = arg;
	char comm[OWNERS_COMM_LEN];
	int p = atoi(pid);

	if (p == getpid() || owners_proc_comm(p, comm) || strcmp(comm, w->name))
		return 0;
	w->h->procs++;
	owners_proc_fds(p, add_held, w->h);
	return w->h->err;
}

static int held_by_comm(struct prog_selector *s, struct held *h)
{
	char name[OWNERS_COMM_LEN];
	struct comm_walk w = { name, h };

	snprintf(name, sizeof(name), "%.*s", OWNERS_COMM_LEN - 1, s->arg);
	bc_for_each_process(held_if_comm, &w);
	if (!h->err && !h->procs) {
		bc_err("no process named '%s'", s->arg);
		return -ESRCH;
	}
	return h->err;
}

/* The programs the processes of a pid or comm selector hold, now. */
static int resolve_owner(struct prog_selector *s, struct held *h)
{
	int err = s->kind == SEL_PID ? held_by_pid(s, h) : held_by_comm(s, h);

	if (err)
		return err;
	if (!h->n) {
		if (s->kind == SEL_PID)
			bc_err("process %u holds no BPF program (no program, link or perf event "
			       "fd with one)", s->id);
		else
			bc_err("no process named '%s' holds a BPF program (%d process%s looked at)",
			       s->arg, h->procs, h->procs == 1 ? "" : "es");
		return -ENOENT;
	}
	if (s->kind == SEL_COMM && h->procs > 1)
		bc_note("comm '%s' names %d processes; selecting the programs of all of them",
			s->arg, h->procs);
	return 0;
}

static bool held_has(const struct held *h, uint32_t id)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->ids[i] == id)
			return true;
	return false;
}

static bool matches(const struct prog_selector *s, const struct held *h,
		    const struct prog_desc *d)
{
	switch (s->kind) {
	case SEL_ID:
	case SEL_PINNED:
		return d->id == s->id;
	case SEL_TAG: {
		char hex[17];

		prog_tag_hex(s->tag, hex);
		return !strcmp(hex, d->tag);
	}
	case SEL_NAME:
		return !strcmp(s->arg, d->name) || !strcmp(s->arg, d->full_name);
	case SEL_PID:
	case SEL_COMM:
		return held_has(h, d->id);
	}
	return false;
}

static const char *sel_word(enum sel_kind k)
{
	static const char *const words[] = { "id", "tag", "name", "pinned", "pid", "comm" };

	return words[k];
}

static void held_free(struct held *h, int n)
{
	for (int i = 0; i < n; i++)
		free(h[i].ids);
	free(h);
}

/* What each selector stands for before the programs are listed: a pinned
 * object's program, the programs processes hold. */
static int resolve_first(struct prog_selector *sels, int nsel, struct held *held)
{
	int i, err = 0;

	for (i = 0; i < nsel && !err; i++) {
		if (sels[i].kind == SEL_PINNED)
			err = resolve_pinned(&sels[i]);
		else if (sels[i].kind == SEL_PID || sels[i].kind == SEL_COMM)
			err = resolve_owner(&sels[i], &held[i]);
	}
	return err;
}

int selectors_resolve(struct prog_selector *sels, int nsel, uint32_t **ids, size_t *nids)
{
	struct prog_list all = {};
	struct held *held;
	int i, err;

	*ids = NULL;
	*nids = 0;
	held = calloc(nsel > 0 ? (size_t)nsel : 1, sizeof(*held));
	if (!held)
		return -ENOMEM;
	err = resolve_first(sels, nsel, held);
	if (!err)
		err = progs_scan(&all, 0);
	if (err) {
		held_free(held, nsel);
		return err;
	}
	for (i = 0; i < nsel; i++) {
		size_t j, hits = 0;

		for (j = 0; j < all.n; j++) {
			if (!matches(&sels[i], &held[i], &all.v[j]))
				continue;
			hits++;
			err = add_id(ids, nids, all.v[j].id);
			if (err)
				goto fail;
		}
		if (!hits) {
			bc_err("no loaded BPF program matches %s '%s'", sel_word(sels[i].kind), sels[i].arg);
			err = -ENOENT;
			goto fail;
		}
		if (hits > 1 && sels[i].kind != SEL_PID && sels[i].kind != SEL_COMM)
			bc_note("%s '%s' matches %zu programs; selecting all of them",
				sel_word(sels[i].kind), sels[i].arg, hits);
	}
	prog_list_free(&all);
	held_free(held, nsel);
	return 0;
fail:
	prog_list_free(&all);
	held_free(held, nsel);
	free(*ids);
	*ids = NULL;
	*nids = 0;
	return err;
}

int selectors_resolve_words(int argc, char **argv, uint32_t **ids, size_t *nids)
{
	struct prog_selector *sels = NULL;
	int n, err;

	*ids = NULL;
	*nids = 0;
	if (!argc)
		return 0;
	n = selectors_parse(argc, argv, &sels);
	if (n < 0)
		return n;
	err = selectors_resolve(sels, n, ids, nids);
	free(sels);
	return err;
}
