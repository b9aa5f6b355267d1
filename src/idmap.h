/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A small open-addressing hash map from a nonzero u32 id (BPF object ids
 * start at 1) to an index: O(1) lookups for the stats sampler, which
 * matches every program of every pass against what it already tracks.
 * A zeroed struct is an empty map. */
#ifndef BPFCOST_IDMAP_H
#define BPFCOST_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct idmap {
	uint32_t *keys;		/* 0: empty slot */
	size_t *vals;
	size_t cap;		/* power of two, or 0 */
	size_t n;
};

/* Insert or overwrite. -EINVAL for id 0, -ENOMEM. Overwriting an id that
 * is there never allocates and cannot fail. */
int idmap_put(struct idmap *m, uint32_t id, size_t val);
bool idmap_get(const struct idmap *m, uint32_t id, size_t *val);
/* Remove id; false when it was not there. */
bool idmap_del(struct idmap *m, uint32_t id);
void idmap_free(struct idmap *m);

#endif
