// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpftool-style program selectors: id N | tag HEX | name NAME | pinned PATH. */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "common.h"
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
	bc_err("unknown program selector '%s' (expected id, tag, name or pinned)", kw);
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

static int resolve_pinned(struct prog_selector *s)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd, err = 0;

	fd = bpf_obj_get(s->arg);
	if (fd < 0) {
		err = -errno;
		bc_err("pinned path '%s': %s", s->arg, strerror(errno));
		return err;
	}
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || len < offsetof(struct bpf_prog_info, id) + sizeof(info.id)) {
		err = -EINVAL;
		bc_err("pinned path '%s' is not a BPF program", s->arg);
		goto cleanup;
	}
	s->id = info.id;
cleanup:
	close(fd);
	return err;
}

static bool matches(const struct prog_selector *s, const struct prog_desc *d)
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
	}
	return false;
}

static const char *sel_word(enum sel_kind k)
{
	static const char *const words[] = { "id", "tag", "name", "pinned" };

	return words[k];
}

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

int selectors_resolve(struct prog_selector *sels, int nsel, uint32_t **ids, size_t *nids)
{
	struct prog_list all = {};
	int i, err;

	*ids = NULL;
	*nids = 0;
	for (i = 0; i < nsel; i++) {
		if (sels[i].kind == SEL_PINNED && (err = resolve_pinned(&sels[i])))
			return err;
	}
	err = progs_scan(&all, 0);
	if (err)
		return err;
	for (i = 0; i < nsel; i++) {
		size_t j, hits = 0;

		for (j = 0; j < all.n; j++) {
			if (!matches(&sels[i], &all.v[j]))
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
		if (hits > 1)
			bc_note("%s '%s' matches %zu programs; selecting all of them",
				sel_word(sels[i].kind), sels[i].arg, hits);
	}
	prog_list_free(&all);
	return 0;
fail:
	prog_list_free(&all);
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
