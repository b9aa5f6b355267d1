// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Printing the run-time stats bias and corrected figures (biasfmt.h). */
#include <stdio.h>
#include "common.h"
#include "biasfmt.h"

void bf_corrected_str(char *buf, size_t len, int prec, const struct sb_corrected *c, bool cpu)
{
	if (!c->applies)
		snprintf(buf, len, "-");
	else if (c->resolved)
		snprintf(buf, len, "%.*f", prec, cpu ? c->cpu_pct : c->ns_per_run);
	else
		snprintf(buf, len, "<%.*f", prec, cpu ? c->cpu_pct_hi : c->hi);
}

void bf_bias_legend(FILE *f, const struct sb_bias *b)
{
	if (!b->valid) {
		fprintf(f, "stats bias not measured (%s): no corrected columns\n", BC_ESC(b->why));
		return;
	}
	fprintf(f, "stats bias %.1f ns per run [%.1f, %.1f]: what run-time stats count for an empty "
		"program\n(%s, %llu runs, clocksource %s). CORR_NS = NS/RUN - bias; '<X': below "
		"the bias's uncertainty;\n'-': run from a trampoline, not corrected. The interval "
		"covers this measurement's\nbatches only: runs minutes apart can read the bias "
		"further apart than that.\n",
		b->ns_per_run, b->lo, b->hi, b->hook, (unsigned long long)b->runs,
		BC_ESC(b->clocksource));
}

json_t *bf_bias_json(const struct sb_bias *b)
{
	if (!b->valid)
		return bc_json_pack("{s:b, s:s}", "valid", false, "why", b->why);
	return bc_json_pack("{s:b, s:o, s:o, s:o, s:f, s:i, s:I, s:f, s:s, s:s, s:s}", "valid", true,
			    "ns_per_run", bc_json_real(b->ns_per_run), "lo", bc_json_real(b->lo),
			    "hi", bc_json_real(b->hi), "level", SB_LEVEL, "batches",
			    (int)b->batches, "runs", (json_int_t)b->runs, "elapsed_s",
			    b->elapsed_s, "hook", b->hook, "clocksource", b->clocksource, "method",
			    "run_time_ns per run of an empty raw_tp program run by "
			    "BPF_PROG_TEST_RUN with run-time stats on; t-interval over batch means "
			    "(this measurement's only: runs minutes apart can read further apart)");
}

json_t *bf_corrected_json(const struct sb_corrected *c)
{
	if (!c->applies)
		return json_null();
	return bc_json_pack("{s:o, s:f, s:f, s:b, s:o, s:f, s:f}", "ns_per_run",
			    c->resolved ? bc_json_real(c->ns_per_run) : json_null(), "lo", c->lo,
			    "hi", c->hi, "resolved", c->resolved, "cpu_pct",
			    c->resolved ? bc_json_real(c->cpu_pct) : json_null(), "cpu_pct_lo",
			    c->cpu_pct_lo, "cpu_pct_hi", c->cpu_pct_hi);
}
