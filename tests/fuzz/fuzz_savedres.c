// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* libFuzzer harness for the saved-result reader of bpfcost diff
 * (sr_parse, savedres.c): any bytes in; a refusal says why in one line,
 * and an accepted result holds only well-formed intervals of known kinds
 * (overhead, compare, report) or of named programs (report, stats). */
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

/* A program figure: finite (or NAN: no runs), inside its interval if any. */
static void check_fig(const struct stats_ci *ci, bool may_be_nan, const char *in)
{
	FUZZ_CHECK(isfinite(ci->point) || (may_be_nan && isnan(ci->point)), in);
	if (ci->method)
		check_ci(ci, in);
}

static void check_progs(const struct saved_result *r, const char *in)
{
	FUZZ_CHECK(r->nprogs == 0 || r->has_programs, in);
	for (int i = 0; i < r->nprogs; i++) {
		const struct sr_prog *p = &r->progs[i];

		FUZZ_CHECK(p->name[0] && p->nsummed > 0, in);
		check_fig(&p->ns_raw, !p->runs, in);
		check_fig(&p->runs_per_s, false, in);
		FUZZ_CHECK(p->runs_per_s.point >= 0 && p->cpu_pct >= 0, in);
		if (p->corr)
			check_fig(&p->ns_corr, false, in);
	}
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
		FUZZ_CHECK((ret == -EINVAL && why[0] && !strchr(why, '\n')) || ret == -ENOMEM, in);
		sr_free(&r);
		free(in);
		return 0;
	}
	FUZZ_CHECK((r.mask || r.has_programs) && !(r.mask >> WL_KIND_COUNT), in);
	check_progs(&r, in);
	for (int k = 0; k < WL_KIND_COUNT; k++) {
		if (!(r.mask & (1u << k)))
			continue;
		check_ci(&r.k[k].added, in);
		if (r.k[k].has_aa)
			check_ci(&r.k[k].aa, in);
	}
	sr_free(&r);
	free(in);
	return 0;
}
