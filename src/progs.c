// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Program discovery and selection. Programs can vanish at any moment
 * (another process closes its last fd), so every step treats ENOENT as
 * "gone" rather than as an error. */
#include <errno.h>
#include <glob.h>
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

/* ---- attach points of perf events (not links) ---- */

struct perf_walk {
	prog_link_fn fn;
	void *arg;
	struct perf_seen {
		uint32_t prog_id;
		char what[128];
	} *seen;
	size_t n, cap;
};

/* A tracepoint's system, which BPF_TASK_FD_QUERY does not give: the
 * syscall ones by their names (raw_syscalls' sys_enter and sys_exit,
 * include/trace/events/syscalls.h; "syscalls" for sys_enter_NAME and
 * sys_exit_NAME, kernel/trace/trace_syscalls.c), else the one directory of
 * tracefs's events holding it where tracefs is mounted here; "" when
 * neither tells. */
static const char *tp_system(const char *name, char *buf, size_t len)
{
	char pat[320];
	glob_t g;

	if (!strcmp(name, "sys_enter") || !strcmp(name, "sys_exit"))
		return "raw_syscalls";
	if (!strncmp(name, "sys_enter_", 10) || !strncmp(name, "sys_exit_", 9))
		return "syscalls";
	buf[0] = '\0';
	snprintf(pat, sizeof(pat), "/sys/kernel/tracing/events/*/%s", name);
	if (!strchr(name, '/') && !glob(pat, GLOB_ONLYDIR, NULL, &g)) {
		if (g.gl_pathc == 1) {
			const char *sys = g.gl_pathv[0] + strlen("/sys/kernel/tracing/events/");

			snprintf(buf, len, "%.*s", (int)strcspn(sys, "/"), sys);
		}
		globfree(&g);
	}
	return buf;
}

/* A perf event's attach point as BPF_TASK_FD_QUERY describes it
 * (kernel/trace/bpf_trace.c, bpf_get_perf_event_info): "tracepoint:SYS:NAME"
 * ("tracepoint:NAME" when its system is not known), "kprobe:FUNC+0xOFF",
 * "uprobe:PATH+0xOFF", else "perf_event:NAME". */
static void perf_attach_str(__u32 fd_type, const char *name, __u64 off, __u64 addr, char *buf,
			    size_t len)
{
	char sysbuf[64];
	const char *sys;

	switch (fd_type) {
	case BPF_FD_TYPE_TRACEPOINT:
		sys = tp_system(name, sysbuf, sizeof(sysbuf));
		snprintf(buf, len, "tracepoint:%s%s%s", sys, sys[0] ? ":" : "", name);
		break;
	case BPF_FD_TYPE_RAW_TRACEPOINT:
		snprintf(buf, len, "raw_tp:%s", name);
		break;
	case BPF_FD_TYPE_KPROBE:
	case BPF_FD_TYPE_KRETPROBE:
		if (name[0])
			snprintf(buf, len, "%s:%s+0x%llx", fd_type == BPF_FD_TYPE_KPROBE ? "kprobe" :
				 "kretprobe", name, (unsigned long long)off);
		else
			snprintf(buf, len, "%s:0x%llx", fd_type == BPF_FD_TYPE_KPROBE ? "kprobe" :
				 "kretprobe", (unsigned long long)addr);
		break;
	case BPF_FD_TYPE_UPROBE:
	case BPF_FD_TYPE_URETPROBE:
		snprintf(buf, len, "%s:%s+0x%llx", fd_type == BPF_FD_TYPE_UPROBE ? "uprobe" :
			 "uretprobe", name, (unsigned long long)off);
		break;
	default:
		snprintf(buf, len, "perf_event:%s", name[0] ? name : "?");
		break;
	}
}

static bool perf_seen(struct perf_walk *w, uint32_t prog_id, const char *what)
{
	struct perf_seen *v;

	for (size_t i = 0; i < w->n; i++)
		if (w->seen[i].prog_id == prog_id && !strcmp(w->seen[i].what, what))
			return true;
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;

		v = realloc(w->seen, cap * sizeof(*v));
		if (!v)
			return false;	/* told twice rather than not at all */
		w->seen = v;
		w->cap = cap;
	}
	w->seen[w->n].prog_id = prog_id;
	snprintf(w->seen[w->n].what, sizeof(w->seen[w->n].what), "%s", what);
	w->n++;
	return false;
}

static int perf_fd(const char *pid, const char *fd, const char *target, void *arg)
{
	struct perf_walk *w = arg;
	char name[256] = "", what[128];
	__u32 len = sizeof(name), prog_id = 0, fd_type = 0;
	__u64 off = 0, addr = 0;

	if (strcmp(target, "anon_inode:[perf_event]"))
		return 0;
	/* -ENOENT: no program on it; -EOPNOTSUPP: a perf_event-type one;
	 * -ENOSPC: the rest filled in and the name cut (a long uprobe path) */
	if ((bpf_task_fd_query(atoi(pid), atoi(fd), 0, name, &len, &prog_id, &fd_type, &off,
			       &addr) && errno != ENOSPC) || !prog_id)
		return 0;
	name[sizeof(name) - 1] = '\0';
	perf_attach_str(fd_type, name, off, addr, what, sizeof(what));
	if (!perf_seen(w, prog_id, what))
		w->fn(prog_id, what, w->arg);
	return 0;
}

static int perf_process(const char *pid, void *arg)
{
	return bc_for_each_fd(pid, perf_fd, arg);
}

void prog_perf_events_walk(prog_link_fn fn, void *arg)
{
	struct perf_walk w = { .fn = fn, .arg = arg };

	bc_for_each_process(perf_process, &w);
	free(w.seen);
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
	prog_perf_events_walk(add_attach_point, l);
}

const char *bpf_obj_kind_name(enum bpf_obj_kind k)
{
	static const char *const names[] = {
		[BPF_OBJ_OTHER] = "object", [BPF_OBJ_PROG] = "program",
		[BPF_OBJ_MAP] = "map", [BPF_OBJ_LINK] = "link",
	};

	return (unsigned)k < ARRAY_SIZE(names) ? names[k] : "object";
}

enum bpf_obj_kind bpf_fd_target_kind(const char *target)
{
	if (!strcmp(target, "anon_inode:bpf-prog"))
		return BPF_OBJ_PROG;
	if (!strcmp(target, "anon_inode:bpf-map"))
		return BPF_OBJ_MAP;
	if (!strcmp(target, "anon_inode:bpf_link") || !strcmp(target, "anon_inode:bpf-link"))
		return BPF_OBJ_LINK;
	return BPF_OBJ_OTHER;
}

enum bpf_obj_kind bpf_fd_kind(int fd)
{
	char path[64], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return BPF_OBJ_OTHER;
	target[n] = '\0';
	return bpf_fd_target_kind(target);
}

/* The program id in the info of a program or link fd. */
static int obj_prog_id(int fd, enum bpf_obj_kind kind, uint32_t *prog_id)
{
	struct bpf_prog_info pinfo = {};
	struct bpf_link_info linfo = {};
	__u32 len;

	if (kind == BPF_OBJ_PROG) {
		len = sizeof(pinfo);
		if (bpf_obj_get_info_by_fd(fd, &pinfo, &len))
			return -errno;
		*prog_id = pinfo.id;
	} else if (kind == BPF_OBJ_LINK) {
		len = sizeof(linfo);
		if (bpf_obj_get_info_by_fd(fd, &linfo, &len))
			return -errno;
		*prog_id = linfo.prog_id;
	}
	return 0;
}

int pinned_prog_id(const char *path, enum bpf_obj_kind *kind, uint32_t *prog_id)
{
	int fd, err;

	*kind = BPF_OBJ_OTHER;
	*prog_id = 0;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	*kind = bpf_fd_kind(fd);
	err = obj_prog_id(fd, *kind, prog_id);
	close(fd);
	return err;
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
