// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Who holds each BPF program: processes (by the iterator or /proc) and
 * bpffs pins. See owners.h for the two ways and what each can see. */
#include <errno.h>
#include <fts.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "common.h"
#include "kfeatures.h"
#include "owners.h"
#include "progiter.h"
#include "owners.skel.h"

#define PIN_WALK_MAX 4096	/* bpffs entries looked at per scan */

/* ---- /proc/PID/fdinfo ---- */

/* The value of "key:\t<u32>" at the start of a line, 0 if none. */
static uint32_t fdinfo_u32(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *line = text;

	for (; line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		unsigned long long v;
		char *end;

		if (strncmp(line, key, klen))
			continue;
		line += klen;
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line < '0' || *line > '9')
			return 0;
		errno = 0;
		v = strtoull(line, &end, 10);
		if (errno || v > UINT32_MAX || (*end && *end != '\n'))
			return 0;
		return (uint32_t)v;
	}
	return 0;
}

void owners_parse_fdinfo(const char *text, uint32_t *prog_id, uint32_t *link_id)
{
	*prog_id = fdinfo_u32(text, "prog_id:");
	*link_id = fdinfo_u32(text, "link_id:");
}

/* ---- one process's BPF fds, from /proc ---- */

struct proc_walk {
	int pid;
	owner_fd_fn fn;
	void *arg;
};

/* A perf event's program: BPF_TASK_FD_QUERY (kernel/bpf/syscall.c,
 * bpf_task_fd_query -> bpf_get_perf_event_info) gives event->prog's id;
 * -ENOENT when none is attached, -EOPNOTSUPP for a perf_event-type one. */
static int perf_fd_prog(int pid, int fd, uint32_t *prog_id)
{
	__u32 fd_type, len = 0;	/* no buffer: the name is not copied */
	__u64 off, addr;

	if (bpf_task_fd_query(pid, fd, 0, NULL, &len, prog_id, &fd_type, &off, &addr))
		return -errno;
	return 0;
}

static int proc_fd(const char *pid, const char *fd, const char *target, void *arg)
{
	struct proc_walk *w = arg;
	struct owner_fd f = { 0 };
	enum bpf_obj_kind kind = bpf_fd_target_kind(target);

	if (kind == BPF_OBJ_PROG || kind == BPF_OBJ_LINK) {
		char path[320], text[1024];

		snprintf(path, sizeof(path), "/proc/%s/fdinfo/%s", pid, fd);
		if (bc_read_str(path, text, sizeof(text)) <= 0)
			return 0;	/* closed meanwhile */
		owners_parse_fdinfo(text, &f.prog_id, &f.link_id);
		f.via = kind == BPF_OBJ_PROG ? OWNER_VIA_PROG : OWNER_VIA_LINK;
		if (kind == BPF_OBJ_PROG)
			f.link_id = 0;
		if (!f.prog_id)
			return 0;	/* a detached link */
	} else if (!strcmp(target, "anon_inode:[perf_event]")) {
		int err = perf_fd_prog(w->pid, atoi(fd), &f.prog_id);

		if (err && err != -EOPNOTSUPP && err != -ENOTSUP)
			return 0;	/* no program on it, or gone */
		if (err)
			f.prog_id = 0;
		f.via = OWNER_VIA_PERF;
	} else {
		return 0;
	}
	return w->fn(w->pid, &f, w->arg);
}

int owners_proc_fds(int pid, owner_fd_fn fn, void *arg)
{
	struct proc_walk w = { pid, fn, arg };
	char p[16];

	snprintf(p, sizeof(p), "%d", pid);
	return bc_for_each_fd(p, proc_fd, &w);
}

int owners_proc_comm(int pid, char comm[OWNERS_COMM_LEN])
{
	char path[64], buf[OWNERS_COMM_LEN + 2];
	int n;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	n = bc_read_str(path, buf, sizeof(buf));
	if (n < 0)
		return n;
	buf[OWNERS_COMM_LEN - 1] = '\0';	/* at most TASK_COMM_LEN - 1 bytes */
	buf[strcspn(buf, "\n")] = '\0';
	memcpy(comm, buf, OWNERS_COMM_LEN);
	return 0;
}

/* ---- the table ---- */

static int add_ref(struct owners *o, uint32_t prog_id, int pid, uint32_t via, const char *comm)
{
	struct owner_ref *r;

	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 256;
		struct owner_ref *v = realloc(o->refs, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		o->refs = v;
		o->cap = cap;
	}
	r = &o->refs[o->n++];
	r->prog_id = prog_id;
	r->pid = pid;
	r->via = via;
	snprintf(r->comm, sizeof(r->comm), "%s", comm);
	return 0;
}

static int ref_cmp(const void *a, const void *b)
{
	const struct owner_ref *x = a, *y = b;

	if (x->prog_id != y->prog_id)
		return x->prog_id < y->prog_id ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Sort, and merge the holds of one process on one program. */
static void refs_finish(struct owners *o)
{
	size_t i, n = 0;

	if (o->n > 1)
		qsort(o->refs, o->n, sizeof(*o->refs), ref_cmp);
	for (i = 0; i < o->n; i++) {
		if (n && !ref_cmp(&o->refs[n - 1], &o->refs[i])) {
			o->refs[n - 1].via |= o->refs[i].via;
			continue;
		}
		o->refs[n++] = o->refs[i];
	}
	o->n = n;
}

/* ---- the /proc scan ---- */

struct proc_scan {
	struct owners *o;
	char comm[OWNERS_COMM_LEN];
	bool have_comm;
};

static int scan_fd(int pid, const struct owner_fd *f, void *arg)
{
	struct proc_scan *s = arg;

	if (!f->prog_id) {
		s->o->perf_unnamed++;
		return 0;
	}
	if (!s->have_comm) {
		if (owners_proc_comm(pid, s->comm))
			snprintf(s->comm, sizeof(s->comm), "?");
		s->have_comm = true;
	}
	return add_ref(s->o, f->prog_id, pid, f->via, s->comm);
}

static int scan_process(const char *pid, void *arg)
{
	struct proc_scan *s = arg;
	int p = atoi(pid);

	if (p == getpid())
		return 0;
	s->have_comm = false;
	return owners_proc_fds(p, scan_fd, s);
}

static int scan_proc(struct owners *o)
{
	struct proc_scan s = { .o = o };

	return bc_for_each_process(scan_process, &s);
}

/* ---- the iterator ---- */

static void iter_close(struct owners *o)
{
	bpf_link__destroy(o->link);
	owners_bpf__destroy(o->skel);
	o->link = NULL;
	o->skel = NULL;
}

static int iter_open(struct owners *o, char *why, size_t len)
{
	struct bpf_prog_info info = {};
	__u32 ilen = sizeof(info);
	int err;

	o->skel = owners_bpf__open_and_load();
	if (!o->skel) {
		err = errno ? -errno : -EIO;
		snprintf(why, len, "iter/task_file program load refused: %s", strerror(-err));
		return err;
	}
	o->link = bpf_program__attach_iter(o->skel->progs.bc_owners, NULL);
	if (!o->link) {
		err = errno ? -errno : -EIO;
		snprintf(why, len, "iter/task_file attach refused: %s", strerror(-err));
		return err;
	}
	if (bpf_obj_get_info_by_fd(bpf_program__fd(o->skel->progs.bc_owners), &info, &ilen)) {
		err = -errno;
		snprintf(why, len, "cannot read our iterator's id: %s", strerror(-err));
		return err;
	}
	o->self_prog_id = info.id;
	return 0;
}

/* One read; records of process self_pid are kept only when keep_self. */
static int iter_scan(struct owners *o, bool keep_self)
{
	const struct owners_rec *r;
	size_t len = 0, i;
	int self = getpid(), err;

	err = bpf_iter_read_all(bpf_link__fd(o->link), &o->buf, &o->buf_cap, &len);
	if (err)
		return err;
	if (len % sizeof(*r))
		return -EPROTO;	/* torn: not whole records */
	r = (const struct owners_rec *)o->buf;
	for (i = 0; i < len / sizeof(*r); i++) {
		char comm[OWNERS_COMM_LEN + 1];

		if ((int)r[i].pid == self && !keep_self)
			continue;
		memcpy(comm, r[i].comm, OWNERS_COMM_LEN);
		comm[OWNERS_COMM_LEN] = '\0';
		err = add_ref(o, r[i].prog_id, (int)r[i].pid, r[i].via, comm);
		if (err)
			return err;
	}
	return 0;
}

/* The trial: our own process holds the iterator's program fd and its link
 * fd; a read must find both, naming our iterator program. That proves the
 * file test and the id reads on this kernel, not just the verifier's yes. */
static int iter_selftest(struct owners *o, char *detail, size_t len)
{
	struct prog_owners me;
	int err;

	o->n = 0;
	err = iter_scan(o, true);
	if (err) {
		snprintf(detail, len, "iter/task_file read failed: %s", strerror(-err));
		return err;
	}
	refs_finish(o);
	owners_lookup(o, o->self_prog_id, &me);
	if (!me.nprocs || me.v[0].pid != getpid() ||
	    (me.v[0].via & (OWNER_VIA_PROG | OWNER_VIA_LINK)) != (OWNER_VIA_PROG | OWNER_VIA_LINK)) {
		snprintf(detail, len, "iter/task_file read %zu holds but not our own program and "
			 "link fds", o->n);
		return -EPROTO;
	}
	snprintf(detail, len, "iter/task_file loaded, attached and read (%zu holds); it finds "
		 "our own program and link fds", o->n);
	return 0;
}

static int iter_trial(struct owners *o, char *why, size_t len)
{
	int err = iter_open(o, why, len);

	if (!err)
		err = iter_selftest(o, why, len);
	if (err)
		iter_close(o);
	return err;
}

static void probe_owner_iter(struct bc_ctx *ctx, struct feature_result *r)
{
	struct owners o = { 0 };
	char why[sizeof(r->detail)];
	int err;

	err = iter_trial(&o, why, sizeof(why));
	r->ok = !err;
	r->err = err;
	snprintf(r->detail, sizeof(r->detail), "%s", why);
	owners_close(&o);
}

static const struct feature_probe owner_iter_probe = {
	probe_owner_iter, "load and attach iter/task_file, read it, find our own program and link",
};

void owners_feature_provide(void)
{
	bc_feature_provide(FEAT_OWNER_ITER, &owner_iter_probe);
}

/* ---- pins ---- */

static int add_pin(struct owners *o, uint32_t prog_id, const char *path)
{
	if (o->npins == o->pins_cap) {
		size_t cap = o->pins_cap ? o->pins_cap * 2 : 16;
		struct owner_pin *v = realloc(o->pins, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		o->pins = v;
		o->pins_cap = cap;
	}
	o->pins[o->npins].prog_id = prog_id;
	snprintf(o->pins[o->npins].path, sizeof(o->pins[0].path), "%s", path);
	o->npins++;
	return 0;
}

/* Every program or link pinned under one bpffs mount. */
static int walk_bpffs(struct owners *o, const char *dir, size_t *seen)
{
	char *roots[] = { (char *)dir, NULL };
	FTSENT *e;
	FTS *fts;
	int err = 0;

	fts = fts_open(roots, FTS_PHYSICAL | FTS_NOCHDIR | FTS_XDEV, NULL);
	if (!fts)
		return 0;	/* unreadable: no pins to show */
	while (!err && (e = fts_read(fts)) && (*seen)++ < PIN_WALK_MAX) {
		enum bpf_obj_kind kind;
		uint32_t id;

		if (e->fts_info != FTS_F)
			continue;
		if (!pinned_prog_id(e->fts_path, &kind, &id) && id)
			err = add_pin(o, id, e->fts_path);
	}
	fts_close(fts);
	return err;
}

static int pin_cmp(const void *a, const void *b)
{
	const struct owner_pin *x = a, *y = b;
	int c = (x->prog_id > y->prog_id) - (x->prog_id < y->prog_id);

	return c ? c : strcmp(x->path, y->path);
}

static int scan_pins(struct owners *o)
{
	FILE *f = setmntent("/proc/self/mounts", "re");
	struct mntent *m;
	size_t seen = 0;
	int err = 0;

	o->npins = 0;
	if (!f)
		return 0;
	while (!err && (m = getmntent(f)))
		if (!strcmp(m->mnt_type, "bpf"))
			err = walk_bpffs(o, m->mnt_dir, &seen);
	endmntent(f);
	if (o->npins > 1)
		qsort(o->pins, o->npins, sizeof(*o->pins), pin_cmp);
	return err;
}

/* ---- the public side ---- */

static int try_iter(struct bc_ctx *ctx, struct owners *o, char *why, size_t len)
{
	const struct feature_result *known = bc_feature_known(ctx, FEAT_OWNER_ITER);
	int err;

	if (known && !known->ok) {
		snprintf(why, len, "%s", known->detail);
		return known->err ? known->err : -EOPNOTSUPP;
	}
	err = iter_trial(o, why, len);
	bc_feature_record(ctx, FEAT_OWNER_ITER, !err, err, why);
	return err;
}

int owners_open(struct bc_ctx *ctx, struct owners *o, bool try)
{
	char why[sizeof(((struct feature_result *)0)->detail)];
	int err;

	memset(o, 0, sizeof(*o));
	if (!try)
		return 0;
	err = try_iter(ctx, o, why, sizeof(why));
	if (err == -ENOMEM)
		return err;
	if (err)
		bc_note("finding program owners through /proc: %s unavailable: %s",
			feature_label(FEAT_OWNER_ITER), why);
	o->iter = !err;
	return 0;
}

int owners_scan(struct owners *o)
{
	int err;

	o->n = 0;
	o->perf_unnamed = 0;
	err = o->iter ? iter_scan(o, false) : scan_proc(o);
	if (err)
		return err;
	refs_finish(o);
	return scan_pins(o);
}

/* The first of n sorted records of size bytes whose prog_id (their first
 * member: owner_ref and owner_pin) is not below id. */
static size_t lower_bound(const void *v, size_t n, size_t size, uint32_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t at;

		memcpy(&at, (const char *)v + mid * size, sizeof(at));
		if (at < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const char *pin_of(const struct owners *o, uint32_t id)
{
	size_t i = lower_bound(o->pins, o->npins, sizeof(*o->pins), id);

	return i < o->npins && o->pins[i].prog_id == id ? o->pins[i].path : "";
}

void owners_lookup(const struct owners *o, uint32_t prog_id, struct prog_owners *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	out->known = true;
	i = lower_bound(o->refs, o->n, sizeof(*o->refs), prog_id);
	for (; i < o->n && o->refs[i].prog_id == prog_id; i++) {
		if (out->nprocs < PROG_OWNERS_MAX) {
			struct prog_owner *w = &out->v[out->nprocs];

			w->pid = o->refs[i].pid;
			w->via = o->refs[i].via;
			snprintf(w->comm, sizeof(w->comm), "%s", o->refs[i].comm);
		}
		out->nprocs++;
	}
	snprintf(out->pinned, sizeof(out->pinned), "%s", pin_of(o, prog_id));
}

const char *owners_via_name(const struct owners *o)
{
	return o->iter ? "iter" : "proc";
}

void owners_close(struct owners *o)
{
	iter_close(o);
	free(o->buf);
	free(o->refs);
	free(o->pins);
	memset(o, 0, sizeof(*o));
}

/* ---- for the printers ---- */

static size_t shown(const struct prog_owners *ow)
{
	return ow->nprocs < PROG_OWNERS_MAX ? ow->nprocs : PROG_OWNERS_MAX;
}

void owners_format(const struct prog_owners *ow, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	if (!ow->known)
		return;
	if (!ow->nprocs) {
		if (*ow->pinned)
			snprintf(buf, len, "pinned: %s", ow->pinned);
		else
			snprintf(buf, len, "none");
		return;
	}
	for (i = 0; i < shown(ow) && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%d/%s", i ? "," : "", ow->v[i].pid,
				      ow->v[i].comm);
	if (ow->nprocs > PROG_OWNERS_MAX && n < len)
		snprintf(buf + n, len - n, ",+%u more", ow->nprocs - PROG_OWNERS_MAX);
}

void owners_comms(const struct prog_owners *ow, char *buf, size_t len)
{
	size_t i, j, n = 0;

	buf[0] = '\0';
	for (i = 0; i < shown(ow) && n < len; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(ow->v[j].comm, ow->v[i].comm))
				break;
		if (j == i)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "", ow->v[i].comm);
	}
}

/* A comm is any bytes but NUL; JSON strings must be UTF-8. */
static json_t *text_json(const char *s)
{
	json_t *j = json_string(s);

	return j ? j : json_string(BC_ESC(s));
}

static json_t *via_json(uint32_t via)
{
	json_t *a = json_array();

	if (via & OWNER_VIA_PROG)
		json_array_append_new(a, json_string("prog"));
	if (via & OWNER_VIA_LINK)
		json_array_append_new(a, json_string("link"));
	if (via & OWNER_VIA_PERF)
		json_array_append_new(a, json_string("perf_event"));
	return a;
}

int owners_json_add(json_t *obj, const struct prog_owners *ow)
{
	json_t *procs;
	size_t i;

	if (!ow->known)
		return 0;
	procs = json_array();
	for (i = 0; i < shown(ow); i++)
		json_array_append_new(procs, bc_json_pack("{s:i, s:o, s:o}", "pid", ow->v[i].pid,
							  "comm", text_json(ow->v[i].comm), "via",
							  via_json(ow->v[i].via)));
	if (json_object_set_new(obj, "owners", procs) ||
	    json_object_set_new(obj, "owners_total", json_integer(ow->nprocs)) ||
	    json_object_set_new(obj, "pinned", *ow->pinned ? text_json(ow->pinned) : json_null()))
		return -ENOMEM;
	return 0;
}
