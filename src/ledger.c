// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The ledger of what outlives us: records, undo, and the start-up sweep
 * (see ledger.h for what, where and when).
 *
 * A run's file, one entry per line after two header lines:
 *   bpfcost-ledger 1
 *   run PID START BOOT_ID MNTNS
 *   kprobe TRACEFS_DIR EVENT
 *   mount DIR
 *   sysctl PATH ORIG VAL          (restore ORIG while it reads VAL)
 *   child PID START WHAT...       (leader of process group PID)
 * Paths and names hold no blanks (refused when recorded). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include "common.h"
#include "ledger.h"

#define LEDGER_MAGIC "bpfcost-ledger 1"
#define KPROBE_REMOVE_TRIES 50	/* 10 ms apart: perf events close asynchronously */
#define TRACEFS_MAGIC 0x74726163
#define STD_TRACEFS "/sys/kernel/tracing"

enum lkind { LK_NONE, LK_KPROBE, LK_MOUNT, LK_SYSCTL, LK_CHILD };

struct lentry {
	enum lkind kind;		/* LK_NONE: a released slot */
	char path[256];			/* kprobe: tracefs dir; mount: dir; sysctl: path */
	char name[64];			/* kprobe: event; child: what it runs */
	int orig, val;			/* sysctl */
	int pid;			/* child: its pid, and its process group */
	unsigned long long start;	/* child: its start time */
};

struct lrun {
	int pid;
	unsigned long long start;
	char boot[40];
	unsigned long long mntns;
	struct lentry *v;
	int n;
};

static struct {
	pthread_mutex_t lock;
	struct lrun self;
	bool ready;		/* self identified, atexit handler set */
	bool warned;		/* "cannot keep a record" said once */
} L = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* ---- identity --------------------------------------------------------- */

static const char *ledger_dir(void)
{
	const char *d = getenv("BPFCOST_LEDGER_DIR");

	return d && *d ? d : LEDGER_DEFAULT_DIR;
}

static void read_boot_id(char *buf, size_t len)
{
	if (bc_read_str("/proc/sys/kernel/random/boot_id", buf, len) < 0)
		buf[0] = '\0';
	buf[strcspn(buf, " \t\n")] = '\0';
	if (!buf[0])
		snprintf(buf, len, "-");
}

static unsigned long long read_mntns(void)
{
	char target[64];
	unsigned long long ns = 0;
	ssize_t n = readlink("/proc/self/ns/mnt", target, sizeof(target) - 1);

	if (n > 0) {
		target[n] = '\0';
		sscanf(target, "mnt:[%llu]", &ns);
	}
	return ns;
}

static void at_exit(void);
static void run_free(struct lrun *r);

/* Called with L.lock held. */
static void identify_self(void)
{
	int pid = (int)getpid();

	if (L.ready && L.self.pid == pid)
		return;
	/* First use, or in a forked child: the entries it inherited are its
	 * parent's to undo, and its atexit handler is inherited too. */
	run_free(&L.self);
	L.self.pid = pid;
	bc_proc_stat(pid, NULL, &L.self.start);
	read_boot_id(L.self.boot, sizeof(L.self.boot));
	L.self.mntns = read_mntns();
	if (!L.ready)
		atexit(at_exit);
	L.ready = true;
}

/* Is the run that wrote r still running? */
static bool run_alive(const struct lrun *r)
{
	unsigned long long start;

	if (strcmp(r->boot, L.self.boot))
		return false;	/* written before a reboot */
	if (r->pid == L.self.pid)
		return r->start == L.self.start;
	return bc_proc_stat(r->pid, NULL, &start) == 0 && start == r->start;
}

/* ---- the run file ----------------------------------------------------- */

static void run_free(struct lrun *r)
{
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

static int run_add(struct lrun *r, const struct lentry *e)
{
	struct lentry *v = realloc(r->v, (size_t)(r->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	r->v = v;
	r->v[r->n] = *e;
	return r->n++;
}

static int live_entries(const struct lrun *r)
{
	int n = 0;

	for (int i = 0; i < r->n; i++)
		n += r->v[i].kind != LK_NONE;
	return n;
}

static void format_entry(FILE *f, const struct lentry *e)
{
	switch (e->kind) {
	case LK_KPROBE:
		fprintf(f, "kprobe %s %s\n", e->path, e->name);
		break;
	case LK_MOUNT:
		fprintf(f, "mount %s\n", e->path);
		break;
	case LK_SYSCTL:
		fprintf(f, "sysctl %s %d %d\n", e->path, e->orig, e->val);
		break;
	case LK_CHILD:
		fprintf(f, "child %d %llu %s\n", e->pid, e->start, e->name);
		break;
	default:
		break;
	}
}

static int make_dir(const char *dir)
{
	char parent[256], *slash;
	struct stat st;

	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		if (mkdir(parent, 0755) && errno != EEXIST)
			return -errno;
	}
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	/* Ours, and a real directory: never write through someone's symlink. */
	if (lstat(dir, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())
		return -EPERM;
	return 0;
}

static int write_all(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, buf, len) != (ssize_t)len)
		err = errno ? -errno : -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

/* Rewrite (or remove) the file of run r, which lives in dir. */
static int run_store(const struct lrun *r)
{
	const char *dir = ledger_dir();
	char path[320], tmp[320], *buf = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/%d.run", dir, r->pid);
	if (!live_entries(r))
		return unlink(path) && errno != ENOENT ? -errno : 0;
	err = make_dir(dir);
	if (err)
		return err;
	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "%s\nrun %d %llu %s %llu\n", LEDGER_MAGIC, r->pid, r->start, r->boot, r->mntns);
	for (int i = 0; i < r->n; i++)
		format_entry(f, &r->v[i]);
	if (fclose(f)) {
		free(buf);
		return -ENOMEM;
	}
	snprintf(tmp, sizeof(tmp), "%s/%d.tmp", dir, r->pid);
	err = write_all(tmp, buf, len);
	free(buf);
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

/* Our own file, after a change to our entries. Called with L.lock held. */
static void store_self(void)
{
	int err = run_store(&L.self);

	if (err && !L.warned) {
		L.warned = true;
		bc_note("cannot keep a record under %s (%s): if bpfcost is killed, what it "
			"created stays until removed by hand", ledger_dir(), strerror(-err));
	}
}

/* One entry line; 0 or -EINVAL. */
static int parse_entry(const char *line, struct lentry *e)
{
	char word[16];
	int off = 0, end = -1;

	memset(e, 0, sizeof(*e));
	if (sscanf(line, "%15s %n", word, &off) != 1)
		return -EINVAL;
	line += off;
	if (!strcmp(word, "kprobe")) {
		e->kind = LK_KPROBE;
		sscanf(line, "%255s %63s%n", e->path, e->name, &end);
	} else if (!strcmp(word, "mount")) {
		e->kind = LK_MOUNT;
		sscanf(line, "%255s%n", e->path, &end);
	} else if (!strcmp(word, "sysctl")) {
		e->kind = LK_SYSCTL;
		sscanf(line, "%255s %d %d%n", e->path, &e->orig, &e->val, &end);
	} else if (!strcmp(word, "child")) {
		e->kind = LK_CHILD;
		if (sscanf(line, "%d %llu %n", &e->pid, &e->start, &off) == 2) {
			snprintf(e->name, sizeof(e->name), "%s", line + off);
			end = (int)strlen(line);
		}
	}
	if (end < 0 || line[end + strspn(line + end, " ")] != '\0')
		return -EINVAL;
	return 0;
}

/* Read the run file at path. -EINVAL when it is malformed. */
static int run_load(const char *path, struct lrun *r)
{
	char line[512];
	int err = 0, nline = 0;
	FILE *f = fopen(path, "re");

	memset(r, 0, sizeof(*r));
	if (!f)
		return -errno;
	while (!err && fgets(line, sizeof(line), f)) {
		struct lentry e;

		if (!strchr(line, '\n'))
			err = -EINVAL;
		line[strcspn(line, "\n")] = '\0';
		nline++;
		if (err)
			break;
		if (nline == 1)
			err = strcmp(line, LEDGER_MAGIC) ? -EINVAL : 0;
		else if (nline == 2)
			err = sscanf(line, "run %d %llu %39s %llu", &r->pid, &r->start, r->boot,
				     &r->mntns) == 4 ? 0 : -EINVAL;
		else if (!(err = parse_entry(line, &e)))
			err = run_add(r, &e) < 0 ? -ENOMEM : 0;
	}
	fclose(f);
	if (!err && nline < 2)
		err = -EINVAL;
	if (err)
		run_free(r);
	return err;
}

/* Calls fn for every run file in the directory except our own, with the
 * loaded run (fn may change it) and its path. Malformed files are passed
 * with r == NULL. */
typedef void (*run_fn)(const char *path, struct lrun *r, void *arg);

static int for_each_run(run_fn fn, void *arg)
{
	const char *dir = ledger_dir();
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char path[512];
		struct lrun r;

		if (len < 5 || strcmp(de->d_name + len - 4, ".run") || !isdigit(de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (run_load(path, &r) || r.pid != atoi(de->d_name)) {
			run_free(&r);
			fn(path, NULL, arg);
			continue;
		}
		if (r.pid != L.self.pid || r.start != L.self.start)
			fn(path, &r, arg);
		run_free(&r);
	}
	closedir(d);
	return 0;
}

/* An exclusive lock on <dir>/lock for a read-decide-write step; -1 when
 * there is no directory to lock in (then there are no other records). A
 * holder that does not let go within DIR_LOCK_WAIT_MS (a stopped process)
 * must not hang us, least of all at exit: we go on unlocked. */
#define DIR_LOCK_WAIT_MS 3000

static int dir_lock(bool create)
{
	char path[320];
	int fd;

	if (create && make_dir(ledger_dir()))
		return -1;
	snprintf(path, sizeof(path), "%s/lock", ledger_dir());
	fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
	for (int ms = 0; fd >= 0 && flock(fd, LOCK_EX | LOCK_NB); ms += 10) {
		if (errno != EWOULDBLOCK || ms >= DIR_LOCK_WAIT_MS) {
			close(fd);
			return -1;
		}
		usleep(10000);
	}
	return fd;
}

static void dir_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* releases the flock */
}

/* ---- undo, by kind ---------------------------------------------------- */

static int sysctl_write(const char *path, int val)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d\n", val);
	return bc_write_str(path, buf, 0);
}

/* kernel.bpf_stats_enabled from /proc/sys/kernel/bpf_stats_enabled. */
static void sysctl_name(const char *path, char *buf, size_t len)
{
	const char *p = strncmp(path, "/proc/sys/", 10) ? path : path + 10;
	size_t i;

	snprintf(buf, len, "%s", p);
	for (i = 0; p == path + 10 && buf[i]; i++)
		if (buf[i] == '/')
			buf[i] = '.';
}

static bool is_tracefs(const char *dir)
{
	struct statfs sf;

	return statfs(dir, &sf) == 0 && sf.f_type == TRACEFS_MAGIC;
}

/* 1: removed, 0: already gone, -ENODEV: no tracefs at dir, else -errno. */
static int kprobe_remove(const char *dir, const char *event)
{
	char path[320], cmd[96];
	int err = 0;

	if (!is_tracefs(dir))
		return -ENODEV;
	snprintf(path, sizeof(path), "%s/kprobe_events", dir);
	snprintf(cmd, sizeof(cmd), "-:%s\n", event);
	/* EBUSY while a perf event on it is still being torn down. */
	for (int i = 0; i < KPROBE_REMOVE_TRIES; i++) {
		/* O_APPEND, never O_TRUNC: truncating drops every probe. */
		err = bc_write_str(path, cmd, O_APPEND);
		if (err != -EBUSY)
			break;
		usleep(10000);
	}
	if (err == -ENOENT)
		return 0;	/* the kernel knows no such event */
	return err ? err : 1;
}

/* Another live run that holds sysctl path: its recorded value to restore. */
struct holder_scan {
	const char *path;
	bool found;
	int orig;
};

static void find_holder(const char *file, struct lrun *r, void *arg)
{
	struct holder_scan *h = arg;

	if (!r || h->found || !run_alive(r))
		return;
	for (int i = 0; i < r->n; i++)
		if (r->v[i].kind == LK_SYSCTL && !strcmp(r->v[i].path, h->path)) {
			h->found = true;
			h->orig = r->v[i].orig;
			return;
		}
}

/* Restore e's sysctl unless another live run holds it or someone else has
 * changed it since. Call with the directory locked. *done: written. */
static int sysctl_restore(const struct lentry *e, bool *done)
{
	struct holder_scan h = { .path = e->path };
	int cur, err;

	*done = false;
	for_each_run(find_holder, &h);
	if (h.found)
		return 0;	/* the last one out restores it */
	err = bc_read_int(e->path, &cur);
	if (err || cur != e->val || cur == e->orig)
		return err == -ENOENT ? 0 : err;
	err = sysctl_write(e->path, e->orig);
	*done = !err;
	return err;
}

/* SIGKILL child e's process group. A leader pid that now names a process
 * started later is someone else's; a leader that is gone leaves its pid
 * reserved while the group has members, so those are still ours. *done:
 * something was killed. */
static int child_kill(const struct lentry *e, bool *done)
{
	unsigned long long start;

	*done = false;
	if (bc_proc_stat(e->pid, NULL, &start) == 0 && start != e->start)
		return 0;
	if (kill(-e->pid, SIGKILL) == 0)
		*done = true;
	else if (errno != ESRCH)
		return -errno;
	if (kill(e->pid, SIGKILL) == 0)
		*done = true;
	return 0;
}

/* Undo one entry of run r (ours, or a gone one's), the directory locked
 * for sysctls. Says what was undone, and what failed, in one line. */
static int undo_entry(const struct lrun *r, const struct lentry *e, const char *who)
{
	char name[320];
	bool done = false;
	int err = 0;

	switch (e->kind) {
	case LK_KPROBE:
		/* Its run's tracefs, else the usual one: events are global. */
		err = kprobe_remove(is_tracefs(e->path) ? e->path : STD_TRACEFS, e->name);
		snprintf(name, sizeof(name), "kprobe event %s", e->name);
		if (err == -ENODEV) {
			bc_err("could not remove %s: no tracefs mounted on %s", name, e->path);
			return err;
		}
		done = err > 0;
		err = err > 0 ? 0 : err;
		if (done && who)
			bc_note("%s: removed %s", who, name);
		break;
	case LK_MOUNT:
		snprintf(name, sizeof(name), "tracefs mounted on %s", e->path);
		if (r->mntns != L.self.mntns)
			break;	/* not in our mount namespace: not ours to reach */
		if (!umount2(e->path, MNT_DETACH))
			done = true;
		else if (errno != EINVAL && errno != ENOENT)
			err = -errno;
		if (done && who)
			bc_note("%s: unmounted the %s", who, name);
		break;
	case LK_SYSCTL:
		sysctl_name(e->path, name, sizeof(name));
		err = sysctl_restore(e, &done);
		if (done && who)
			bc_note("%s: restored %s to %d", who, name, e->orig);
		break;
	case LK_CHILD:
		snprintf(name, sizeof(name), "process group %d (%s)", e->pid, e->name);
		err = child_kill(e, &done);
		if (done && who)
			bc_note("%s: killed its tracer, %s", who, name);
		break;
	default:
		break;
	}
	if (err)
		bc_err("could not undo %s: %s", name, strerror(-err));
	return err ? err : done;
}

/* Children first (they may use the probes), the mount last (the events
 * are removed through it). */
static const enum lkind undo_order[] = { LK_CHILD, LK_KPROBE, LK_SYSCTL, LK_MOUNT };

/* Undo every entry of r; failed ones stay in r. Returns how many things
 * were undone. */
static int undo_run(struct lrun *r, const char *who)
{
	int undone = 0;

	for (size_t k = 0; k < ARRAY_SIZE(undo_order); k++)
		for (int i = r->n - 1; i >= 0; i--) {
			struct lentry *e = &r->v[i];
			int ret;

			if (e->kind != undo_order[k])
				continue;
			ret = undo_entry(r, e, who);
			if (ret >= 0)
				e->kind = LK_NONE;
			if (ret > 0)
				undone++;
		}
	return undone;
}

/* ---- the sweep -------------------------------------------------------- */

struct sweep {
	int undone;
	int *live;		/* pids of live runs, for unrecorded events */
	int nlive;
};

static void sweep_run(const char *path, struct lrun *r, void *arg)
{
	struct sweep *s = arg;
	char who[64];

	if (!r) {
		bc_note("removed %s: not a bpfcost record", path);
		unlink(path);
		return;
	}
	if (run_alive(r)) {
		int *v = realloc(s->live, (size_t)(s->nlive + 1) * sizeof(*v));

		if (v) {
			s->live = v;
			s->live[s->nlive++] = r->pid;
		}
		return;
	}
	if (strcmp(r->boot, L.self.boot)) {
		/* Nothing we create survives a reboot, and a pid and start time
		 * from another boot may name anything now. */
		unlink(path);
		return;
	}
	snprintf(who, sizeof(who), "bpfcost %d is gone", r->pid);
	s->undone += undo_run(r, who);
	run_store(r);	/* what could not be undone stays, for the next start */
}

/* The pid in bpfcost_<pid>_<suffix> or bpfcost_doctor_<pid>, or 0. */
static int event_pid(const char *event)
{
	const char *p = event + 8;
	int pid = 0;

	if (strncmp(event, "bpfcost_", 8))
		return 0;
	if (!strncmp(p, "doctor_", 7))
		p += 7;
	while (isdigit((unsigned char)*p) && pid < 1 << 22)
		pid = pid * 10 + (*p++ - '0');
	return (*p == '_' || *p == '\0') ? pid : 0;
}

static bool is_live_bpfcost(const struct sweep *s, int pid)
{
	char path[64], comm[32];

	if (pid == L.self.pid)
		return false;	/* we have created nothing yet */
	for (int i = 0; i < s->nlive; i++)
		if (s->live[i] == pid)
			return true;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	return bc_read_str(path, comm, sizeof(comm)) > 0 && !strcmp(comm, "bpfcost\n");
}

/* Events of ours that no record covers: from a version without the ledger,
 * or a run whose record could not be written. kprobe_events lines read
 * "p:kprobes/NAME FUNC" or "r16:kprobes/NAME FUNC". */
static void sweep_unrecorded(struct sweep *s)
{
	char line[512];
	FILE *f;

	if (!is_tracefs(STD_TRACEFS))
		return;
	f = fopen(STD_TRACEFS "/kprobe_events", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *slash = strchr(line, '/'), *event;
		int pid, err;

		if (!slash)
			continue;
		event = slash + 1;
		event[strcspn(event, " \n")] = '\0';
		pid = event_pid(event);
		if (!pid || is_live_bpfcost(s, pid))
			continue;
		err = kprobe_remove(STD_TRACEFS, event);
		if (err < 0)
			bc_err("could not remove stale kprobe event %s: %s", event, strerror(-err));
		else if (err > 0) {
			bc_note("removed kprobe event %s: process %d is no live bpfcost", event, pid);
			s->undone++;
		}
	}
	fclose(f);
}

int ledger_sweep(void)
{
	struct sweep s = { 0 };
	int fd, err;

	pthread_mutex_lock(&L.lock);
	identify_self();
	pthread_mutex_unlock(&L.lock);
	fd = dir_lock(false);
	err = for_each_run(sweep_run, &s);
	sweep_unrecorded(&s);
	dir_unlock(fd);
	free(s.live);
	return err == -EACCES ? 0 : (err ? err : s.undone);
}

/* ---- recording and releasing ----------------------------------------- */

static bool blank_free(const char *s)
{
	return *s && !s[strcspn(s, " \t\n")];
}

static int add(const struct lentry *e)
{
	int id;

	pthread_mutex_lock(&L.lock);
	identify_self();
	id = run_add(&L.self, e);
	if (id >= 0)
		store_self();
	pthread_mutex_unlock(&L.lock);
	return id < 0 ? id : id + 1;	/* ids start at 1: 0 is "none" */
}

int ledger_add_kprobe_event(const char *dir, const char *event)
{
	struct lentry e = { .kind = LK_KPROBE };

	if (!blank_free(dir) || !blank_free(event) || strlen(dir) >= sizeof(e.path) ||
	    strlen(event) >= sizeof(e.name))
		return -EINVAL;
	snprintf(e.path, sizeof(e.path), "%s", dir);
	snprintf(e.name, sizeof(e.name), "%s", event);
	return add(&e);
}

int ledger_add_mount(const char *dir)
{
	struct lentry e = { .kind = LK_MOUNT };

	if (!blank_free(dir) || strlen(dir) >= sizeof(e.path))
		return -EINVAL;
	snprintf(e.path, sizeof(e.path), "%s", dir);
	return add(&e);
}

int ledger_add_child(pid_t pid, const char *what)
{
	struct lentry e = { .kind = LK_CHILD, .pid = (int)pid };
	int err = bc_proc_stat((int)pid, NULL, &e.start);
	size_t i;

	if (err)
		return err;
	snprintf(e.name, sizeof(e.name), "%s", what && *what ? what : "?");
	for (i = 0; e.name[i]; i++)	/* one line, printable */
		if (!isprint((unsigned char)e.name[i]))
			e.name[i] = '?';
	return add(&e);
}

int ledger_sysctl_set(const char *path, int val)
{
	struct lentry e = { .kind = LK_SYSCTL, .val = val };
	struct holder_scan h = { .path = path };
	int fd, cur, id, err;

	if (!blank_free(path) || strlen(path) >= sizeof(e.path))
		return -EINVAL;
	snprintf(e.path, sizeof(e.path), "%s", path);
	pthread_mutex_lock(&L.lock);
	identify_self();
	pthread_mutex_unlock(&L.lock);
	fd = dir_lock(true);
	err = bc_read_int(path, &cur);
	if (err)
		goto out;
	/* A live run set it before us: the value to restore is the one it
	 * found, not the one it set. */
	for_each_run(find_holder, &h);
	e.orig = h.found ? h.orig : cur;
	id = add(&e);
	if (id < 0) {
		err = id;
		goto out;
	}
	if (cur != val)
		err = sysctl_write(path, val);
	if (err)
		ledger_forget(id);
out:
	dir_unlock(fd);
	return err ? err : id;
}

/* Called with L.lock held. */
static struct lentry *entry(int id)
{
	identify_self();	/* a forked child has none of its parent's */
	return id > 0 && id <= L.self.n && L.self.v[id - 1].kind != LK_NONE ? &L.self.v[id - 1] :
	       NULL;
}

int ledger_undo(int id)
{
	struct lentry *e, copy;
	int fd = -1, ret;

	pthread_mutex_lock(&L.lock);
	e = entry(id);
	if (!e) {
		pthread_mutex_unlock(&L.lock);
		return 0;
	}
	copy = *e;
	pthread_mutex_unlock(&L.lock);
	/* The directory lock is taken outside L.lock, as ledger_sysctl_set
	 * does: one order for both. */
	if (copy.kind == LK_SYSCTL)
		fd = dir_lock(false);
	ret = undo_entry(&L.self, &copy, NULL);
	dir_unlock(fd);
	if (ret >= 0)
		ledger_forget(id);
	return ret < 0 ? ret : 0;
}

void ledger_forget(int id)
{
	struct lentry *e;

	pthread_mutex_lock(&L.lock);
	e = entry(id);
	if (e) {
		e->kind = LK_NONE;
		store_self();
	}
	pthread_mutex_unlock(&L.lock);
}

/* Whatever a cleanup path missed (or an exit() from a library). */
static void at_exit(void)
{
	bool any;
	int fd;

	pthread_mutex_lock(&L.lock);
	/* Not in a forked child that called exit(): the entries are ours. */
	any = live_entries(&L.self) && L.self.pid == (int)getpid();
	pthread_mutex_unlock(&L.lock);
	if (!any)
		return;
	fd = dir_lock(false);	/* before L.lock, as everywhere */
	pthread_mutex_lock(&L.lock);
	undo_run(&L.self, "at exit");
	store_self();
	pthread_mutex_unlock(&L.lock);
	dir_unlock(fd);
}
