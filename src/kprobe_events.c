// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tracefs kprobe_events: create, look up, count and remove our events. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"
#include "kprobe_events.h"
#include "ledger.h"

#define KPE_DEFAULT_DIR "/sys/kernel/tracing"

int kpe_mounts_line_tracefs(const char *line, char *dir, size_t len)
{
	const char *mnt, *fstype;
	size_t n;

	/* "SOURCE MOUNTPOINT FSTYPE OPTIONS 0 0", single spaces (the kernel
	 * escapes spaces inside fields as \040). */
	mnt = strchr(line, ' ');
	if (!mnt)
		return -ENOENT;
	fstype = strchr(++mnt, ' ');
	if (!fstype || strncmp(fstype + 1, "tracefs", 7) ||
	    (fstype[8] != ' ' && fstype[8] != '\n' && fstype[8]))
		return -ENOENT;
	n = (size_t)(fstype - mnt);
	if (!n || n >= len)
		return -ENAMETOOLONG;
	memcpy(dir, mnt, n);
	dir[n] = '\0';
	return 0;
}

int kpe_find_tracefs(char *dir, size_t len)
{
	char *line = NULL;
	size_t cap = 0;
	int err = -ENOENT;
	FILE *f = fopen("/proc/mounts", "re");

	if (!f)
		return -errno;
	while (err && getline(&line, &cap, f) > 0)
		err = kpe_mounts_line_tracefs(line, dir, len) ? -ENOENT : 0;
	free(line);
	fclose(f);
	return err;
}

static int write_events(const struct kpe *k, const char *cmd)
{
	char path[320];

	snprintf(path, sizeof(path), "%s/kprobe_events", k->dir);
	/* O_APPEND, never O_TRUNC: truncating kprobe_events drops every probe. */
	return bc_write_str(path, cmd, O_APPEND);
}

int kpe_open(struct kpe *k)
{
	char path[320];
	int err;

	memset(k, 0, sizeof(*k));
	k->pid = (int)getpid();
	k->mount_id = -1;
	if (kpe_find_tracefs(k->dir, sizeof(k->dir))) {
		snprintf(k->dir, sizeof(k->dir), "%s", KPE_DEFAULT_DIR);
		k->mount_id = ledger_add_mount(k->dir);
		if (k->mount_id < 0)
			return k->mount_id;
		if (mount("tracefs", k->dir, "tracefs", 0, NULL)) {
			err = -errno;
			bc_err("tracefs is not mounted and mounting it on %s failed: %s", k->dir,
			       strerror(errno));
			ledger_forget(k->mount_id);
			return err;
		}
	}
	snprintf(path, sizeof(path), "%s/kprobe_events", k->dir);
	if (access(path, W_OK)) {
		err = -errno;
		bc_err("cannot use %s: %s", path, strerror(errno));
		kpe_close(k);
		return err;
	}
	return 0;
}

static int read_id(const struct kpe *k, const char *name, int *id)
{
	char path[400];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/events/kprobes/%s/id", k->dir, name);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	ok = fscanf(f, "%d", id) == 1;
	fclose(f);
	return ok ? 0 : -EINVAL;
}

int kpe_add(struct kpe *k, bool ret, int maxactive, const char *suffix, const char *func,
	    int *id)
{
	char cmd[256], type[16], *name;
	int err;

	if (k->n >= KPE_MAX)
		return -E2BIG;
	name = k->names[k->n];
	snprintf(name, sizeof(k->names[0]), "bpfcost_%d_%s", k->pid, suffix);
	if (!ret)
		snprintf(type, sizeof(type), "p");
	else if (maxactive > 0)
		snprintf(type, sizeof(type), "r%d", maxactive);
	else
		snprintf(type, sizeof(type), "r");
	snprintf(cmd, sizeof(cmd), "%s:%s %s\n", type, name, func);
	k->ids[k->n] = ledger_add_kprobe_event(k->dir, name);
	if (k->ids[k->n] < 0)
		return k->ids[k->n];
	err = write_events(k, cmd);
	if (err) {
		ledger_forget(k->ids[k->n]);
		return err;
	}
	k->n++;		/* ours from now on: removed by kpe_close */
	return read_id(k, name, id);
}

int kpe_try(struct kpe *k, const char *func)
{
	int err, id;

	err = kpe_add(k, false, 0, "try", func, &id);
	if (err)
		return err;
	k->n--;
	return ledger_undo(k->ids[k->n]);
}

int kpe_profile_line(const char *line, const char *event, uint64_t *hits, uint64_t *missed)
{
	unsigned long long h, m;
	char name[128];

	if (sscanf(line, "%127s %llu %llu", name, &h, &m) != 3)
		return -EINVAL;
	if (strcmp(name, event))
		return -ENOENT;
	*hits = h;
	*missed = m;
	return 0;
}

int kpe_profile(const struct kpe *k, const char *suffix, uint64_t *hits, uint64_t *missed)
{
	char path[320], want[64], *line = NULL;
	size_t cap = 0;
	int err = -ENOENT;
	FILE *f;

	snprintf(want, sizeof(want), "bpfcost_%d_%s", k->pid, suffix);
	snprintf(path, sizeof(path), "%s/kprobe_profile", k->dir);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (err && getline(&line, &cap, f) > 0)
		err = kpe_profile_line(line, want, hits, missed) ? -ENOENT : 0;
	free(line);
	fclose(f);
	return err;
}

void kpe_close(struct kpe *k)
{
	/* The ledger says what it could not undo, and keeps it for exit or
	 * the next start to try again. */
	while (k->n > 0)
		ledger_undo(k->ids[--k->n]);
	ledger_undo(k->mount_id);
	k->mount_id = -1;
}
