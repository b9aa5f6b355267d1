// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* CPU sets: the kernel's list format and the machine's possible, online
 * and allowed CPUs. The sysfs files are outside input (a container can
 * bind-mount anything there), so the parser takes only what the kernel
 * writes (bitmap_print_to_pagebuf, list mode) and nothing more. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include "common.h"
#include "cpumask.h"

#define CPU_SYSFS "/sys/devices/system/cpu/"
/* A sysfs list file is at most one page. */
#define CPU_FILE_MAX 4096

void cpumask_clear(struct cpumask *m)
{
	memset(m, 0, sizeof(*m));
}

void cpumask_set(struct cpumask *m, int cpu)
{
	if (cpu >= 0 && cpu < CPUMASK_MAX)
		m->w[cpu / 64] |= 1ull << (cpu % 64);
}

bool cpumask_test(const struct cpumask *m, int cpu)
{
	return cpu >= 0 && cpu < CPUMASK_MAX && (m->w[cpu / 64] >> (cpu % 64)) & 1;
}

int cpumask_count(const struct cpumask *m)
{
	int n = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(m->w); i++)
		n += __builtin_popcountll(m->w[i]);
	return n;
}

int cpumask_next(const struct cpumask *m, int from)
{
	int i;

	if (from < 0)
		from = 0;
	for (i = from / 64; i < (int)ARRAY_SIZE(m->w); i++) {
		uint64_t w = m->w[i];

		if (i == from / 64)
			w &= ~0ull << (from % 64);
		if (w)
			return i * 64 + __builtin_ctzll(w);
	}
	return -1;
}

int cpumask_last(const struct cpumask *m)
{
	int i;

	for (i = (int)ARRAY_SIZE(m->w) - 1; i >= 0; i--)
		if (m->w[i])
			return i * 64 + 63 - __builtin_clzll(m->w[i]);
	return -1;
}

void cpumask_and(struct cpumask *dst, const struct cpumask *a, const struct cpumask *b)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dst->w); i++)
		dst->w[i] = a->w[i] & b->w[i];
}

bool cpumask_equal(const struct cpumask *a, const struct cpumask *b)
{
	return !memcmp(a->w, b->w, sizeof(a->w));
}

/* One id at *p: decimal, no sign, no leading zero (except "0" itself).
 * Advances *p past it. */
static int parse_id(const char **p, int *out)
{
	const char *s = *p;
	long v = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	if (*s == '0' && s[1] >= '0' && s[1] <= '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (*s - '0');
		if (v >= CPUMASK_MAX)
			return -ERANGE;
	}
	*out = (int)v;
	*p = s;
	return 0;
}

/* One item, "A" or "A-B": advances *p past it. */
static int parse_item(const char **p, struct cpumask *m)
{
	int a, b, err, i;

	err = parse_id(p, &a);
	if (err)
		return err;
	b = a;
	if (**p == '-') {
		(*p)++;
		err = parse_id(p, &b);
		if (err)
			return err;
		if (b < a)
			return -EINVAL;
	}
	for (i = a; i <= b; i++)
		cpumask_set(m, i);
	return 0;
}

int cpumask_parse(const char *s, struct cpumask *m)
{
	const char *p = s;
	int err = 0;

	cpumask_clear(m);
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "") || !strcmp(s, "\n"))
		return 0;	/* the empty set */
	for (;;) {
		err = parse_item(&p, m);
		if (err || *p != ',')
			break;
		p++;
	}
	if (!err && *p == '\n')
		p++;
	if (!err && *p)
		err = -EINVAL;
	if (err)
		cpumask_clear(m);
	return err;
}

/* Append one item to buf at *pos; false when it does not fit. */
static bool put_item(char *buf, size_t len, size_t *pos, int a, int b)
{
	char item[32];
	int n;

	if (a == b)
		n = snprintf(item, sizeof(item), "%s%d", *pos ? "," : "", a);
	else
		n = snprintf(item, sizeof(item), "%s%d-%d", *pos ? "," : "", a, b);
	if (*pos + (size_t)n + 1 > len)
		return false;
	memcpy(buf + *pos, item, (size_t)n + 1);
	*pos += (size_t)n;
	return true;
}

/* Cut buf back to whole items followed by ",...", or "..." alone. */
static void mark_truncated(char *buf, size_t len, size_t pos)
{
	while (pos && pos + sizeof(",...") > len) {
		while (pos && buf[pos - 1] != ',')
			pos--;
		if (pos)
			pos--;	/* the comma */
	}
	if (pos)
		memcpy(buf + pos, ",...", sizeof(",..."));
	else if (len >= sizeof("..."))
		memcpy(buf, "...", sizeof("..."));
	else
		buf[0] = '\0';
}

int cpumask_format(const struct cpumask *m, char *buf, size_t len)
{
	size_t pos = 0;
	int a, b;

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	for (a = cpumask_next(m, 0); a >= 0; a = cpumask_next(m, b + 1)) {
		for (b = a; b + 1 < CPUMASK_MAX && cpumask_test(m, b + 1); b++)
			;
		if (!put_item(buf, len, &pos, a, b)) {
			mark_truncated(buf, len, pos);
			return -ENOSPC;
		}
	}
	return 0;
}

static int read_list(const char *path, struct cpumask *m)
{
	char text[CPU_FILE_MAX + 2];
	ssize_t n;
	int fd, err;

	cpumask_clear(m);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		bc_err("cannot read %s: %s", path, strerror(errno));
		return err;
	}
	/* sysfs hands over a whole file (one page at most) in one read. */
	n = read(fd, text, CPU_FILE_MAX + 1);
	err = -errno;
	close(fd);
	if (n < 0) {
		bc_err("cannot read %s: %s", path, strerror(-err));
		return err;
	}
	text[n] = '\0';
	err = n > CPU_FILE_MAX || memchr(text, '\0', (size_t)n) ? -EINVAL : cpumask_parse(text, m);
	if (err)	/* its text is not echoed: it may hold anything */
		bc_err("%s does not hold a CPU list in the kernel's format", path);
	return err;
}

/* A sysfs CPU list that must not be empty. */
static int read_nonempty(const char *path, struct cpumask *m)
{
	int err = read_list(path, m);

	if (!err && !cpumask_count(m)) {
		bc_err("%s lists no CPU", path);
		err = -ENODEV;
	}
	return err;
}

static int read_allowed(struct cpumask *m)
{
	size_t size = CPU_ALLOC_SIZE(CPUMASK_MAX);
	cpu_set_t *set = CPU_ALLOC(CPUMASK_MAX);
	int i, err = 0;

	if (!set)
		return -ENOMEM;
	CPU_ZERO_S(size, set);
	if (sched_getaffinity(0, size, set)) {
		err = -errno;
		bc_err("sched_getaffinity: %s", strerror(errno));
	}
	cpumask_clear(m);
	for (i = 0; !err && i < CPUMASK_MAX; i++)
		if (CPU_ISSET_S(i, size, set))
			cpumask_set(m, i);
	CPU_FREE(set);
	return err;
}

int cpus_read(struct cpu_sets *c)
{
	int err;

	err = cpus_possible(&c->possible);
	err = err ?: cpus_online(&c->online);
	err = err ?: read_allowed(&c->allowed);
	if (err)
		return err;
	cpumask_and(&c->usable, &c->online, &c->allowed);
	if (!cpumask_count(&c->usable)) {
		char on[128], al[128];

		cpumask_format(&c->online, on, sizeof(on));
		cpumask_format(&c->allowed, al, sizeof(al));
		bc_err("no CPU is both online (%s) and in this process's CPU set (%s)", on, al);
		return -ENODEV;
	}
	return 0;
}

int cpus_check_usable(const struct cpu_sets *c, const char *what, int cpu)
{
	char list[128];

	if (!cpumask_test(&c->possible, cpu)) {
		cpumask_format(&c->possible, list, sizeof(list));
		bc_err("%s %d: CPU %d does not exist (possible: %s)", what, cpu, cpu, list);
	} else if (!cpumask_test(&c->online, cpu)) {
		cpumask_format(&c->online, list, sizeof(list));
		bc_err("%s %d: CPU %d is offline (online: %s)", what, cpu, cpu, list);
	} else if (!cpumask_test(&c->allowed, cpu)) {
		cpumask_format(&c->allowed, list, sizeof(list));
		bc_err("%s %d: CPU %d is not in this process's CPU set (allowed: %s)", what, cpu,
		       cpu, list);
	} else {
		return 0;
	}
	return -EINVAL;
}

int cpus_usable_nth(const struct cpu_sets *c, int start, int k)
{
	int n = cpumask_count(&c->usable), cpu = start;

	if (!n)
		return -1;
	for (k %= n; k > 0; k--) {
		cpu = cpumask_next(&c->usable, cpu + 1);
		if (cpu < 0)
			cpu = cpumask_next(&c->usable, 0);
	}
	return cpu;
}

int cpus_possible(struct cpumask *m)
{
	return read_nonempty(CPU_SYSFS "possible", m);
}

int cpus_online(struct cpumask *m)
{
	return read_nonempty(CPU_SYSFS "online", m);
}

int cpus_possible_count(void)
{
	struct cpumask m;
	int err = cpus_possible(&m);

	return err ? err : cpumask_count(&m);
}

int cpus_possible_ids(void)
{
	struct cpumask m;
	int err = cpus_possible(&m);

	return err ? err : cpumask_last(&m) + 1;
}

int cpus_online_count(void)
{
	struct cpumask m;
	int err = cpus_online(&m);

	return err ? err : cpumask_count(&m);
}

int cpus_first_online(void)
{
	struct cpumask m;
	int err = cpus_online(&m);

	return err ? err : cpumask_next(&m, 0);
}
