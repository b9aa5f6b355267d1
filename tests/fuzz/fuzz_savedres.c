// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer harness for the saved-result reader of bpfcost diff
 * (sr_parse, savedres.c): any bytes in; a refusal says why in one line,
 * and an accepted result holds only well-formed intervals of known kinds. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz.h"
#include "savedres.h"

static void check_ci(const struct stats_ci *ci, const char *in)
{
	FUZZ_CHECK(isfinite(ci->point) && ci->lo <= ci->point && ci->point <= ci->hi, in);
	FUZZ_CHECK(ci->level > 0 && ci->level < 1, in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct saved_result r;
	char why[256], *in = fuzz_str(data, size);
	int ret;

	if (!in)
		return 0;
	why[0] = '\0';
	ret = sr_parse((const char *)data, size, &r, why, sizeof(why));
	if (ret) {
		FUZZ_CHECK(ret == -EINVAL && why[0] && !strchr(why, '\n'), in);
		free(in);
		return 0;
	}
	FUZZ_CHECK(r.mask && !(r.mask >> WL_KIND_COUNT), in);
	for (int k = 0; k < WL_KIND_COUNT; k++) {
		if (!(r.mask & (1u << k)))
			continue;
		check_ci(&r.k[k].added, in);
		if (r.k[k].has_aa)
			check_ci(&r.k[k].aa, in);
	}
	free(in);
	return 0;
}
