// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* User side of the iter/bpf_prog stats reader. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cpumask.h"
#include "progiter.h"
#include "progs.h"
#include "progstats.skel.h"

#define PROGITER_BUF0 (64 * 1024)	/* 1,000 stats records; grows as needed */

static int self_prog_id(struct progiter *it)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_program__fd(it->skel->progs.bc_progstats), &info, &len))
		return -errno;
	it->self_id = info.id;
	return 0;
}

int progiter_open(struct progiter *it, char *why, size_t len)
{
	/* bpf_map_lookup_percpu_elem takes a CPU id: every id up to the
	 * highest possible one, holes in the possible set included. */
	int ncpu = cpus_possible_ids(), err;

	memset(it, 0, sizeof(*it));
	if (ncpu < 0) {
		snprintf(why, len, "cannot read the possible CPUs: %s", strerror(-ncpu));
		return ncpu;
	}
	if (ncpu > PROGSTATS_MAX_CPUS) {
		snprintf(why, len, "%d possible CPUs, the iterator sums at most %d", ncpu,
			 PROGSTATS_MAX_CPUS);
		return -E2BIG;
	}
	it->skel = progstats_bpf__open();
	if (!it->skel) {
		err = errno ? -errno : -EIO;
		snprintf(why, len, "cannot open the iterator object: %s", strerror(-err));
		return err;
	}
	it->skel->rodata->ncpu = (__u32)ncpu;
	err = progstats_bpf__load(it->skel);
	if (err) {
		snprintf(why, len, "iter/bpf_prog program load refused: %s", strerror(-err));
		goto fail;
	}
	it->link = bpf_program__attach_iter(it->skel->progs.bc_progstats, NULL);
	if (!it->link) {
		err = errno ? -errno : -EIO;
		snprintf(why, len, "iter/bpf_prog attach refused: %s", strerror(-err));
		goto fail;
	}
	err = self_prog_id(it);
	if (err) {
		snprintf(why, len, "cannot read our iterator's id: %s", strerror(-err));
		goto fail;
	}
	return 0;
fail:
	progiter_close(it);
	return err;
}

int bpf_iter_read_all(int link_fd, unsigned char **buf, size_t *cap, size_t *len)
{
	size_t got = 0;
	ssize_t n;
	int fd, err = 0;

	*len = 0;
	fd = bpf_iter_create(link_fd);
	if (fd < 0)
		return errno ? -errno : -EIO;
	for (;;) {
		if (got == *cap) {
			size_t ncap = *cap ? *cap * 2 : PROGITER_BUF0;
			unsigned char *b = realloc(*buf, ncap);

			if (!b) {
				err = -ENOMEM;
				break;
			}
			*buf = b;
			*cap = ncap;
		}
		n = read(fd, *buf + got, *cap - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return err;
}

int progiter_read(struct progiter *it, const struct progstats_rec **recs, size_t *n)
{
	size_t len = 0;
	long cnt;
	int err;

	*recs = NULL;
	*n = 0;
	err = bpf_iter_read_all(bpf_link__fd(it->link), &it->buf, &it->cap, &len);
	if (err)
		return err;
	cnt = progiter_parse(it->buf, len, it->self_id, &it->self);
	if (cnt < 0)
		return (int)cnt;	/* torn: not whole records */
	*recs = (const struct progstats_rec *)it->buf;
	*n = (size_t)cnt;
	return 0;
}

static int self_info(struct progiter *it, struct bpf_prog_info *info)
{
	int fd = prog_fd_info(it->self_id, info);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

static int check_self(struct progiter *it, size_t n, char *detail, size_t len)
{
	const struct progstats_rec *me = &it->self;
	struct bpf_prog_info info;
	int err = self_info(it, &info);

	if (err) {
		snprintf(detail, len, "cannot read our iterator's bpf_prog_info: %s", strerror(-err));
		return err;
	}
	if (me->id != it->self_id || !me->run_cnt || me->run_cnt > info.run_cnt ||
	    me->run_time_ns > info.run_time_ns || me->load_time != info.load_time ||
	    memcmp(me->tag, info.tag, sizeof(me->tag))) {
		snprintf(detail, len, "iterator's own counters (run_cnt %llu) disagree with "
			 "bpf_prog_info (run_cnt %llu)", (unsigned long long)me->run_cnt,
			 (unsigned long long)info.run_cnt);
		return -EPROTO;
	}
	snprintf(detail, len, "iter/bpf_prog loaded, attached and read (%zu programs); its "
		 "per-CPU sums match bpf_prog_info", n);
	return 0;
}

int progiter_selftest(struct progiter *it, char *detail, size_t len)
{
	const struct progstats_rec *recs;
	size_t n = 0;
	int sfd, pass, err = 0;

	/* Our own stats fd: closing it turns stats back off unless someone
	 * else (the command itself) holds them on. */
	sfd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	for (pass = 0; pass < 2 && !err; pass++)
		err = progiter_read(it, &recs, &n);
	if (err)
		snprintf(detail, len, "iter/bpf_prog read failed: %s", strerror(-err));
	else if (sfd < 0)
		snprintf(detail, len, "iter/bpf_prog loaded, attached and read (%zu programs); "
			 "counters not cross-checked (BPF_ENABLE_STATS refused)", n);
	else
		err = check_self(it, n, detail, len);
	if (sfd >= 0)
		close(sfd);
	return err;
}

int progiter_trial(struct progiter *it, char *why, size_t len)
{
	int err = progiter_open(it, why, len);

	if (!err)
		err = progiter_selftest(it, why, len);
	if (err)
		progiter_close(it);
	return err;
}

void progiter_close(struct progiter *it)
{
	bpf_link__destroy(it->link);
	progstats_bpf__destroy(it->skel);
	free(it->buf);
	memset(it, 0, sizeof(*it));
}

long progiter_parse(void *buf, size_t len, uint32_t skip_id, struct progstats_rec *skipped)
{
	struct progstats_rec *r = buf;
	size_t i, n = len / sizeof(*r), out = 0;

	if (len % sizeof(*r))
		return -EPROTO;
	for (i = 0; i < n; i++) {
		if (skip_id && r[i].id == skip_id) {
			if (skipped)
				*skipped = r[i];
			continue;
		}
		if (out != i)
			r[out] = r[i];
		out++;
	}
	return (long)out;
}

