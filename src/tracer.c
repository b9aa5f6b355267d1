// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Switching the tracer under test on and off between A/B rounds.
 *
 * A command tracer runs in its own process group, so that it and its
 * children can be stopped together and our terminal's Ctrl-C reaches only
 * us. It counts as ready once processes of that group hold BPF programs and
 * attachments (link fds, perf event fds with a program) and the set has
 * stopped changing: that is what "loaded and attached" looks like from
 * outside. A link names its program (fdinfo), so a tracer that keeps only
 * its links is seen with its programs. Programs that stay attached once it
 * is stopped (pinned links) would be traced in every off round: that is
 * refused, not measured.
 *
 * It must not outlive us: it dies with us (PR_SET_PDEATHSIG), and its group
 * is in the ledger, so that what it started itself is killed at our exit or,
 * after a crash, at the next start. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "common.h"
#include "ledger.h"
#include "owners.h"
#include "tracer.h"

#define POLL_S 0.1
#define STABLE_POLLS 3		/* unchanged for 3 polls: done attaching */

struct fd_scan {
	uint32_t ids[TRACER_MAX_PROGS];
	int nprogs;
	int nattach;		/* link fds, perf event fds with a program */
};

static int open_log(const struct tracer_opts *o)
{
	const char *path = o->log_path ? o->log_path : "/dev/null";
	/* We run as root: a planted symlink must not make us append to
	 * whatever it points at. */
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd < 0) {
		int err = -errno;

		if (errno == ELOOP)
			bc_err("tracer log '%s' is a symbolic link: refusing to follow it", path);
		else
			bc_err("cannot open tracer log '%s': %s", path, strerror(errno));
		return err;
	}
	return fd;
}

/* The reference service's programs, loaded (not attached) into t->sm. */
static int sysmon_load(struct tracer *t)
{
	struct sysmon_opts so = { .weight = t->o.weight };

	return sysmon_open(&so, &t->sm);
}

int tracer_init(struct tracer *t, const struct tracer_opts *o)
{
	memset(t, 0, sizeof(*t));
	t->o = *o;
	t->log_fd = -1;
	if (getrlimit(RLIMIT_NOFILE, &t->nofile))
		return -errno;
	if (o->is_command) {
		t->log_fd = open_log(o);
		return t->log_fd < 0 ? t->log_fd : 0;
	}
	/* Loaded here even when reloaded at each tracer_on: a load that fails
	 * fails before any round. */
	return sysmon_load(t);
}

static int sysmon_on(struct tracer *t)
{
	int err = t->sm ? 0 : sysmon_load(t);

	if (!err)
		err = sysmon_attach(t->sm);
	if (!err)
		t->nprogs = sysmon_prog_ids(t->sm, t->prog_ids, TRACER_MAX_PROGS);
	if (t->nprogs < 0)
		err = t->nprogs;
	return err;
}

void tracer_describe(const struct tracer *t, char *buf, size_t len)
{
	if (!t->o.is_command) {
		snprintf(buf, len, "sysmon %s", sysmon_weight_name(t->o.weight));
		return;
	}
	bc_shell_join(buf, len, -1, t->o.argv);	/* quoted: it pastes back */
}

static void scan_add_prog(struct fd_scan *s, uint32_t id)
{
	for (int i = 0; i < s->nprogs; i++)
		if (s->ids[i] == id)
			return;
	if (id && s->nprogs < TRACER_MAX_PROGS)
		s->ids[s->nprogs++] = id;
}

/* A program fd names its program; a link fd (and a perf event with a
 * program attached) is an attachment and names its program too, so a
 * tracer that closed its program fds and holds only links is seen. */
static int scan_fd(int pid, const struct owner_fd *f, void *arg)
{
	struct fd_scan *s = arg;

	scan_add_prog(s, f->prog_id);
	if (f->via & (OWNER_VIA_LINK | OWNER_VIA_PERF))
		s->nattach++;
	return 0;
}

struct group_scan {
	pid_t pgrp;
	struct fd_scan *s;
};

static int scan_if_in_group(const char *pid, void *arg)
{
	struct group_scan *g = arg;
	long pgrp;

	if (!bc_proc_stat(atoi(pid), &pgrp, NULL) && pgrp == g->pgrp)
		owners_proc_fds(atoi(pid), scan_fd, g->s);
	return 0;
}

/* BPF fds held by every process of the command's group. */
static void scan_group(pid_t pgrp, struct fd_scan *s)
{
	struct group_scan g = { pgrp, s };

	memset(s, 0, sizeof(*s));
	bc_for_each_process(scan_if_in_group, &g);
}

/* Every fd from lowfd up close-on-exec (the exec error pipe is already):
 * our links, perf events and stats fd must not outlive us in the command. */
static void cloexec_from(int lowfd)
{
	struct rlimit rl;

	if (!close_range((unsigned)lowfd, ~0U, CLOSE_RANGE_CLOEXEC))
		return;
	/* Before 5.11: each fd up to our (possibly raised) limit. */
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur > 1u << 20)
		rl.rlim_cur = 1u << 20;
	for (int fd = lowfd; fd < (int)rl.rlim_cur; fd++)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* In the forked child, before exec: it gets nothing of ours and dies with
 * us. Async-signal-safe calls only (we may have other threads). */
static void child_prepare(const struct tracer *t, pid_t parent)
{
	struct sigaction dfl;
	sigset_t none;

	setpgid(0, 0);
	/* If we died before the prctl, no signal will come: check after. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(127);
	/* SIG_IGN survives exec (handlers do not), and we ignore SIGPIPE. */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	cloexec_from(3);
	setrlimit(RLIMIT_NOFILE, &t->nofile);
}

/* fork+exec with the exec error reported back through a CLOEXEC pipe. */
static int spawn(struct tracer *t)
{
	int pfd[2], child_errno = 0;
	pid_t parent = getpid(), pid;

	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		child_prepare(t, parent);
		dup2(null, 0);
		dup2(t->log_fd, 1);
		dup2(t->log_fd, 2);
		execvp(t->o.argv[0], t->o.argv);
		child_errno = errno;
		if (write(pfd[1], &child_errno, sizeof(child_errno)) < 0)
			_exit(126);
		_exit(127);
	}
	setpgid(pid, pid);	/* also here: no race with our first kill(-pid) */
	t->ledger_id = ledger_add_child(pid, t->o.argv[0]);
	close(pfd[1]);
	if (read(pfd[0], &child_errno, sizeof(child_errno)) != sizeof(child_errno))
		child_errno = 0;
	close(pfd[0]);
	if (child_errno) {
		waitpid(pid, NULL, 0);
		ledger_forget(t->ledger_id);
		bc_err("cannot run tracer '%s': %s", t->o.argv[0], strerror(child_errno));
		return -child_errno;
	}
	t->pid = pid;
	return 0;
}

/* The command has been reaped: kill what it left in its group and strike
 * it from the ledger. */
static void group_done(struct tracer *t)
{
	kill(-t->pid, SIGKILL);
	ledger_forget(t->ledger_id);
	t->ledger_id = 0;
	t->pid = 0;
}

/* What keeps program id attached now that its tracer is stopped: a bpffs
 * pin (of the program or of its link) or, with links, a process's link
 * fd, said in buf. 1 when held so, 0 when not. */
static int describe_hold(const struct owners *o, uint32_t id, bool links, char *buf, size_t len)
{
	struct prog_owners ow;

	owners_lookup(o, id, &ow);
	if (*ow.pinned) {
		snprintf(buf, len, "program %u is held by the pin %s", id, BC_ESC(ow.pinned));
		return 1;
	}
	for (uint32_t i = 0; links && i < ow.nprocs && i < PROG_OWNERS_MAX; i++)
		if (ow.v[i].via & OWNER_VIA_LINK) {
			snprintf(buf, len, "program %u is held by a link of process %d (%s)", id,
				 ow.v[i].pid, BC_ESC(ow.v[i].comm));
			return 1;
		}
	return 0;
}

/* Whether one of ids (or, with ids NULL, any pinned program with an id
 * above floor: loaded after it) is held attached by a pin or, with links,
 * a process's link, from one /proc and bpffs scan (owners.h). 1 with buf
 * saying which, 0 if none, or a negative errno. */
static int find_left_attached(const uint32_t *ids, int nids, uint32_t floor, bool links,
			      char *buf, size_t len)
{
	struct owners o;
	int err, found = 0;

	err = owners_open(NULL, &o, false);
	if (!err)
		err = owners_scan(&o);
	for (int i = 0; !err && ids && i < nids && !found; i++)
		found = describe_hold(&o, ids[i], links, buf, len);
	for (size_t i = 0; !err && !ids && i < o.npins && !found; i++)
		if (o.pins[i].prog_id > floor)
			found = describe_hold(&o, o.pins[i].prog_id, false, buf, len);
	owners_close(&o);
	return err ? err : found;
}

#define LEFT_ATTACHED_WHY "they stay attached while the tracer is off, so every off round " \
	"would be traced too and the added time understated: refusing (remove the pins, or " \
	"run the tracer so that it holds its links instead of pinning them)"

/* The highest program id loaded now: programs loaded later have higher
 * ids (the kernel allocates them cyclically; a wrap past INT_MAX between
 * two calls is not handled). */
static uint32_t max_prog_id(void)
{
	uint32_t id = 0, next;

	while (!bpf_prog_get_next_id(id, &next))
		id = next;
	return id;
}

static int check_alive(struct tracer *t)
{
	char what[PROG_OWNER_PIN_LEN + 64];
	int status;

	if (waitpid(t->pid, &status, WNOHANG) != t->pid)
		return 0;
	group_done(t);
	/* A loader that pins its links and exits: its programs stay on. */
	if (find_left_attached(NULL, 0, t->id_floor, false, what, sizeof(what)) > 0) {
		bc_err("tracer command exited leaving BPF programs attached through bpffs pins "
		       "(%s); " LEFT_ATTACHED_WHY, what);
		return -EBUSY;
	}
	/* Its output went to /dev/null unless --tracer-log: say where to look. */
	const char *where = t->o.log_path ? "its output is in the --tracer-log file" :
					    "its output was discarded: --tracer-log FILE keeps it";
	if (WIFEXITED(status))
		bc_err("tracer command exited with status %d before its BPF programs were "
		       "attached (%s)", WEXITSTATUS(status), where);
	else
		bc_err("tracer command was killed by signal %d before its BPF programs were "
		       "attached (%s)", WTERMSIG(status), where);
	return -ECHILD;
}

static int wait_ready(struct tracer *t)
{
	uint64_t deadline = bc_now_ns() + (uint64_t)(t->o.ready_timeout_s * 1e9);
	struct fd_scan s, prev = { 0 };
	int stable = 0, err;

	for (;;) {
		if (bc_sleep_interruptible(POLL_S))
			return -EINTR;
		err = check_alive(t);
		if (err)
			return err;
		scan_group(t->pid, &s);
		if (s.nprogs && s.nattach && s.nprogs == prev.nprogs && s.nattach == prev.nattach)
			stable++;
		else
			stable = 0;
		prev = s;
		if (stable >= STABLE_POLLS)
			break;
		if (bc_now_ns() > deadline) {
			bc_err("tracer command loaded %d BPF programs and %d attachments within "
			       "%g s; not ready (use --ready-after S to skip detection)",
			       s.nprogs, s.nattach, t->o.ready_timeout_s);
			return -ETIMEDOUT;
		}
	}
	memcpy(t->prog_ids, s.ids, sizeof(s.ids));
	t->nprogs = s.nprogs;
	return 0;
}

static int wait_fixed(struct tracer *t)
{
	struct fd_scan s;
	int err;

	if (bc_sleep_interruptible(t->o.ready_after_s))
		return -EINTR;
	err = check_alive(t);
	if (err)
		return err;
	scan_group(t->pid, &s);
	memcpy(t->prog_ids, s.ids, sizeof(s.ids));
	t->nprogs = s.nprogs;
	return 0;
}

static int command_on(struct tracer *t)
{
	int err;

	t->id_floor = max_prog_id();
	err = spawn(t);
	if (err)
		return err;
	err = t->o.ready_after_s > 0 ? wait_fixed(t) : wait_ready(t);
	if (err)
		tracer_off(t);
	return err;
}

int tracer_on(struct tracer *t)
{
	int err;

	if (t->o.is_command) {
		err = command_on(t);
	} else {
		err = sysmon_on(t);
	}
	if (!err)
		t->starts++;
	return err;
}

static bool reap(pid_t pid, double secs)
{
	uint64_t deadline = bc_now_ns() + (uint64_t)(secs * 1e9);

	do {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return true;
		usleep(20000);
	} while (bc_now_ns() < deadline);
	return false;
}

static bool any_loaded(const struct tracer *t)
{
	for (int i = 0; i < t->nprogs; i++) {
		int fd = bpf_prog_get_fd_by_id(t->prog_ids[i]);

		if (fd >= 0) {
			close(fd);
			return true;
		}
	}
	return false;
}

/* Wait until the kernel has freed the tracer's programs, so an "off" round
 * never runs with them still attached. A program kept attached by a pin
 * (a pinned link) never goes: -EBUSY, said at once. Processes of the
 * group may still be dying with their fds, so a link held by a process
 * counts only once the wait is over. */
static int wait_progs_gone(const struct tracer *t)
{
	uint64_t deadline = bc_now_ns() + 2000000000ull;
	char what[PROG_OWNER_PIN_LEN + 64];
	bool links = false;

	while (any_loaded(t)) {
		if (find_left_attached(t->prog_ids, t->nprogs, 0, links, what, sizeof(what)) > 0) {
			bc_err("the tracer's BPF programs are still attached after it stopped (%s); "
			       LEFT_ATTACHED_WHY, what);
			return -EBUSY;
		}
		if (links)
			return 0;	/* no pin or link holds it: not refused, as before */
		while (any_loaded(t) && bc_now_ns() < deadline)
			usleep(10000);
		links = true;
	}
	return 0;
}

int tracer_off(struct tracer *t)
{
	if (!t->o.is_command) {
		if (!t->sm)
			return 0;	/* unloaded at the last tracer_off */
		sysmon_detach(t->sm);
		if (t->o.reload_each_on) {
			sysmon_close(t->sm);
			t->sm = NULL;
		}
		return 0;
	}
	if (!t->pid)
		return 0;
	kill(-t->pid, SIGTERM);
	if (!reap(t->pid, t->o.grace_s)) {
		kill(-t->pid, SIGKILL);
		waitpid(t->pid, NULL, 0);
	}
	group_done(t);
	return wait_progs_gone(t);
}

void tracer_fini(struct tracer *t)
{
	tracer_off(t);
	sysmon_close(t->sm);
	t->sm = NULL;
	if (t->log_fd >= 0)
		close(t->log_fd);
	t->log_fd = -1;
}

/* CPU accounting: the tracer's own CPU time, apart from readiness. */

struct cpu_scan {
	pid_t pgrp;
	struct tracer_cpu *c;
	uint64_t ns_per_tick;
};

static int cpu_if_in_group(const char *pid, void *arg)
{
	struct cpu_scan *cs = arg;
	struct bc_proc_stat_fields f;
	struct tracer_cpu *c = cs->c;

	if (bc_proc_stat_fields(atoi(pid), &f) || f.pgrp != cs->pgrp)
		return 0;
	/* Not a partial sum: a process missing at one end only would count
	 * as born in between, with all of its time. */
	if (c->n == TRACER_CPU_MAX_PROCS)
		return -E2BIG;
	c->pid[c->n] = atoi(pid);
	c->start[c->n] = f.start;
	c->ns[c->n] = (f.utime + f.stime) * cs->ns_per_tick;
	c->n++;
	return 0;
}

uint64_t tracer_cpu_resolution_ns(const struct tracer *t)
{
	long hz = sysconf(_SC_CLK_TCK);

	if (!t->o.is_command)
		return 1;
	return 1000000000ull / (uint64_t)(hz > 0 ? hz : 100);
}

int tracer_cpu_read(const struct tracer *t, struct tracer_cpu *c)
{
	struct cpu_scan cs = { t->pid, c, tracer_cpu_resolution_ns(t) };
	int err;

	c->n = 0;
	if (!t->o.is_command) {
		err = sysmon_drain_cpu_ns(t->sm, &c->ns[0]);
		if (err)
			return err;
		c->pid[0] = 0;
		c->start[0] = 0;
		c->n = 1;
		return 0;
	}
	if (!t->pid)
		return -ESRCH;
	return bc_for_each_process(cpu_if_in_group, &cs);
}

uint64_t tracer_cpu_delta(const struct tracer_cpu *before, const struct tracer_cpu *after)
{
	uint64_t sum = 0;

	for (int i = 0; i < after->n; i++) {
		uint64_t was = 0;

		for (int j = 0; j < before->n; j++) {
			if (before->pid[j] == after->pid[i] && before->start[j] == after->start[i]) {
				was = before->ns[j];
				break;
			}
		}
		if (after->ns[i] > was)
			sum += after->ns[i] - was;
	}
	return sum;
}

const char *tracer_cpu_method(const struct tracer *t)
{
	if (t->o.is_command)
		return "user + system time of every process in the tracer's process group "
		       "(/proc/PID/stat, clock ticks)";
	return "CPU time of the reference service's ring-buffer drain thread "
	       "(CLOCK_THREAD_CPUTIME_ID)";
}

void tracer_opts_defaults(struct tracer_opts *o)
{
	o->ready_after_s = 0;
	o->ready_timeout_s = 30;
	o->grace_s = 5;
	o->log_path = NULL;
}

int tracer_opt_parse(int c, const char *arg, struct tracer_opts *o)
{
	switch (c) {
	case TRACER_OPT_READY_AFTER:
		return parse_duration("--ready-after", arg, &o->ready_after_s);
	case TRACER_OPT_READY_TIMEOUT:
		return parse_duration("--ready-timeout", arg, &o->ready_timeout_s);
	case TRACER_OPT_GRACE:
		return parse_duration("--grace", arg, &o->grace_s);
	case TRACER_OPT_LOG:
		o->log_path = arg;
		return 0;
	}
	return 1;
}

int tracer_argv_after_separator(int argc, char **argv, int first, const char *what,
				const char *usage)
{
	if (first >= argc || !strcmp(argv[first - 1], "--"))
		return 0;
	bc_err("unexpected '%s': %s goes after '--' (%s)", argv[first], what, usage);
	return -EINVAL;
}
