// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Linear probing with backward-shift deletion (no tombstones), so a map
 * that sees programs come and go for hours never degrades. */
#include <errno.h>
#include <stdlib.h>
#include "idmap.h"

/* Fibonacci hashing; ids are mostly sequential, which this spreads. */
static size_t home(const struct idmap *m, uint32_t id)
{
	return (size_t)((uint32_t)(id * 2654435761u)) & (m->cap - 1);
}

static size_t find_slot(const struct idmap *m, uint32_t id)
{
	size_t i = home(m, id);

	while (m->keys[i] && m->keys[i] != id)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static int grow(struct idmap *m)
{
	struct idmap big = { .cap = m->cap ? m->cap * 2 : 64 };
	size_t i;

	big.keys = calloc(big.cap, sizeof(*big.keys));
	big.vals = calloc(big.cap, sizeof(*big.vals));
	if (!big.keys || !big.vals) {
		idmap_free(&big);
		return -ENOMEM;
	}
	for (i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		size_t j = find_slot(&big, m->keys[i]);

		big.keys[j] = m->keys[i];
		big.vals[j] = m->vals[i];
		big.n++;
	}
	idmap_free(m);
	*m = big;
	return 0;
}

int idmap_put(struct idmap *m, uint32_t id, size_t val)
{
	size_t i;
	int err;

	if (!id)
		return -EINVAL;
	if (m->cap) {
		i = find_slot(m, id);
		if (m->keys[i]) {
			m->vals[i] = val;
			return 0;
		}
	}
	/* Keep the load at most 1/2: probes stay short. */
	if (2 * (m->n + 1) > m->cap) {
		err = grow(m);
		if (err)
			return err;
	}
	i = find_slot(m, id);
	if (!m->keys[i]) {
		m->keys[i] = id;
		m->n++;
	}
	m->vals[i] = val;
	return 0;
}

bool idmap_get(const struct idmap *m, uint32_t id, size_t *val)
{
	size_t i;

	if (!m->cap || !id)
		return false;
	i = find_slot(m, id);
	if (!m->keys[i])
		return false;
	*val = m->vals[i];
	return true;
}

/* Whether slot k's home h lies cyclically in (gap, k]: then moving it
 * into the gap would put it before its home, where lookups never look. */
static bool stays(size_t gap, size_t k, size_t h)
{
	return gap <= k ? (gap < h && h <= k) : (gap < h || h <= k);
}

bool idmap_del(struct idmap *m, uint32_t id)
{
	size_t gap, k;

	if (!m->cap || !id)
		return false;
	gap = find_slot(m, id);
	if (!m->keys[gap])
		return false;
	/* Shift later members of the probe run back over the gap. */
	for (k = (gap + 1) & (m->cap - 1); m->keys[k]; k = (k + 1) & (m->cap - 1)) {
		if (stays(gap, k, home(m, m->keys[k])))
			continue;
		m->keys[gap] = m->keys[k];
		m->vals[gap] = m->vals[k];
		gap = k;
	}
	m->keys[gap] = 0;
	m->n--;
	return true;
}

void idmap_free(struct idmap *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->cap = m->n = 0;
}
