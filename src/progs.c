// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Program discovery and selection. Programs can vanish at any moment
 * (another process closes its last fd), so every step treats ENOENT as
 * "gone" rather than as an error. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "progs.h"

#define ptr_to_u64(p) ((__u64)(unsigned long)(p))

const char *prog_type_name(uint32_t type)
{
	const char *s = libbpf_bpf_prog_type_str((enum bpf_prog_type)type);

	return s ? s : "unknown";
}

/* The BTF name of the program's main function: longer than the 15-char
 * kernel name, and what the user wrote in the source. */
static void fill_full_name(int fd, const struct bpf_prog_info *info, struct prog_desc *d)
{
	struct bpf_func_info finfo = {};
	struct bpf_prog_info fi = {};
	__u32 len = sizeof(fi);
	const struct btf_type *t;
	struct btf *btf;
	const char *nm;

	snprintf(d->full_name, sizeof(d->full_name), "%s", d->name);
	if (!info->btf_id || !info->nr_func_info)
		return;
	fi.nr_func_info = 1;
	fi.func_info_rec_size = sizeof(finfo);
	fi.func_info = ptr_to_u64(&finfo);
	if (bpf_obj_get_info_by_fd(fd, &fi, &len))
		return;
	btf = btf__load_from_kernel_by_id(info->btf_id);
	if (!btf)
		return;
	t = btf__type_by_id(btf, finfo.type_id);
	nm = t ? btf__name_by_offset(btf, t->name_off) : NULL;
	if (nm && *nm)
		snprintf(d->full_name, sizeof(d->full_name), "%s", nm);
	btf__free(btf);
}

void prog_tag_hex(const uint8_t tag[8], char out[17])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 8; i++) {
		out[2 * i] = hex[tag[i] >> 4];
		out[2 * i + 1] = hex[tag[i] & 15];
	}
	out[16] = '\0';
}

int prog_fd_info(uint32_t id, struct bpf_prog_info *info)
{
	__u32 len = sizeof(*info);
	int fd, err;

	memset(info, 0, sizeof(*info));
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, info, &len)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int prog_describe(uint32_t id, struct prog_desc *d)
{
	struct bpf_prog_info info;
	int fd;

	memset(d, 0, sizeof(*d));
	fd = prog_fd_info(id, &info);
	if (fd < 0)
		return fd;
	d->id = info.id;
	d->type = info.type;
	snprintf(d->name, sizeof(d->name), "%s", info.name);
	prog_tag_hex(info.tag, d->tag);
	d->has_btf = info.btf_id != 0;
	d->btf_id = info.btf_id;
	d->jited_len = info.jited_prog_len;
	d->xlated_len = info.xlated_prog_len;
	d->run_cnt = info.run_cnt;
	d->run_time_ns = info.run_time_ns;
	d->recursion_misses = info.recursion_misses;
	fill_full_name(fd, &info, d);
	close(fd);
	return 0;
}

int prog_counters(uint32_t id, uint64_t *run_cnt, uint64_t *run_time_ns)
{
	struct bpf_prog_info info;
	int fd;

	fd = prog_fd_info(id, &info);
	if (fd < 0)
		return fd;
	close(fd);
	*run_cnt = info.run_cnt;
	*run_time_ns = info.run_time_ns;
	return 0;
}

static int list_push(struct prog_list *l, const struct prog_desc *d)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct prog_desc *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *d;
	return 0;
}

struct prog_desc *prog_list_find(struct prog_list *l, uint32_t id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].id == id)
			return &l->v[i];
	return NULL;
}

/* Describe one link's attach point in a few words. The 6.1 uapi carries no
 * detail for perf_event (kprobe/tracepoint) links; we name the type. */
static void link_attach_str(int fd, const struct bpf_link_info *base, char *buf, size_t len)
{
	struct bpf_link_info info = {};
	__u32 ilen = sizeof(info);
	char tp[96] = "";

	switch (base->type) {
	case BPF_LINK_TYPE_RAW_TRACEPOINT:
		info.raw_tracepoint.tp_name = ptr_to_u64(tp);
		info.raw_tracepoint.tp_name_len = sizeof(tp);
		if (bpf_obj_get_info_by_fd(fd, &info, &ilen) == 0)
			snprintf(buf, len, "raw_tp:%s", tp);
		else
			snprintf(buf, len, "raw_tp");
		break;
	case BPF_LINK_TYPE_TRACING:
		snprintf(buf, len, "%s:btf_obj=%u,btf_id=%u",
			 libbpf_bpf_attach_type_str(base->tracing.attach_type) ?: "tracing",
			 base->tracing.target_obj_id, base->tracing.target_btf_id);
		break;
	case BPF_LINK_TYPE_CGROUP:
		snprintf(buf, len, "cgroup:%llu", (unsigned long long)base->cgroup.cgroup_id);
		break;
	case BPF_LINK_TYPE_XDP:
		snprintf(buf, len, "xdp:ifindex=%u", base->xdp.ifindex);
		break;
	case BPF_LINK_TYPE_NETNS:
		snprintf(buf, len, "netns:%u", base->netns.netns_ino);
		break;
	default:
		snprintf(buf, len, "%s", libbpf_bpf_link_type_str(base->type) ?: "link");
		break;
	}
}

void prog_links_walk(prog_link_fn fn, void *arg)
{
	__u32 id = 0;

	while (bpf_link_get_next_id(id, &id) == 0) {
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);
		char what[128];
		int fd;

		fd = bpf_link_get_fd_by_id(id);
		if (fd < 0)
			continue;	/* vanished between next_id and get_fd */
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) {
			link_attach_str(fd, &info, what, sizeof(what));
			fn(info.prog_id, what, arg);
		}
		close(fd);
	}
}

void prog_attach_append(char *attach, size_t len, uint32_t nr_links, const char *what)
{
	if (!nr_links)
		snprintf(attach, len, "%s", what);
	else if (strlen(attach) + strlen(what) + 2 < len)
		strcat(strcat(attach, ","), what);
}

static void add_attach_point(uint32_t prog_id, const char *what, void *arg)
{
	struct prog_desc *d = prog_list_find(arg, prog_id);

	if (!d)
		return;
	prog_attach_append(d->attach, sizeof(d->attach), d->nr_links, what);
	d->nr_links++;
}

/* Walk every link once and record where each program is attached. */
static void fill_attach_points(struct prog_list *l)
{
	prog_links_walk(add_attach_point, l);
}

int progs_scan(struct prog_list *l, unsigned flags)
{
	__u32 id = 0;
	int err;

	memset(l, 0, sizeof(*l));
	while (bpf_prog_get_next_id(id, &id) == 0) {
		struct prog_desc d;

		err = prog_describe(id, &d);
		if (err == -ENOENT)
			continue;
		if (err) {
			bc_err("cannot read program %u: %s", id, strerror(-err));
			prog_list_free(l);
			return err;
		}
		err = list_push(l, &d);
		if (err) {
			prog_list_free(l);
			return err;
		}
	}
	if (errno != ENOENT) {
		err = -errno;
		bc_err("cannot list BPF programs: %s", strerror(errno));
		prog_list_free(l);
		return err;
	}
	if (flags & PROGS_WITH_ATTACH)
		fill_attach_points(l);
	return 0;
}

void prog_list_free(struct prog_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}
