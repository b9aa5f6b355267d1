// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfcost report as one self-contained HTML file: the tables are plain
 * HTML (read without JavaScript); the charts are Chart.js, inlined, drawn
 * from the same JSON document -j prints, embedded in the page. Each drawn
 * canvas gets data-drawn="1" and every script error is listed in
 * #js-errors, so a headless browser can check the page (tests). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "owners.h"
#include "progs.h"
#include "report_print.h"

/* Text into HTML: the five characters that matter escaped. */
static void h(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

static const char style[] =
	"body{font:14px/1.4 sans-serif;max-width:1100px;margin:2em auto;color:#222}"
	"table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;"
	"padding:2px 6px;text-align:right}td:first-child,th:first-child{text-align:left}"
	"td.why{text-align:left}.why{color:#666}.partial{color:#b00;font-weight:bold}.chart{max-width:900px;"
	"height:320px}canvas{max-height:320px}code{font-size:12px}";

static void head(FILE *f, const struct rp_report *r)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<title>bpfcost report: ", f);
	h(f, r->title);
	fprintf(f, "</title><style>%s</style></head><body>\n<h1>bpfcost report: ", style);
	h(f, r->title);
	fputs("</h1>\n", f);
	if (r->partial) {
		fputs("<p class=\"partial\">PARTIAL: ", f);
		h(f, r->partial_why);
		fputs("</p>\n", f);
	}
	fprintf(f, "<p>Generated %s in %.1f s (budget %.0f s); subject: %s.</p>\n", r->generated,
		r->elapsed_s, r->plan.budget_s, rp_subject_name(r->subject));
	fputs("<h2>Verdict</h2>\n<ul>", f);
	for (int i = 0; i < r->nverdict; i++) {
		fputs("<li>", f);
		h(f, r->verdict[i]);
		fputs("</li>", f);
	}
	fputs("</ul>\n", f);
}

static void machine(FILE *f, const struct rp_report *r)
{
	const struct machine_info *m = &r->machine;

	fputs("<h2>Machine and methods</h2>\n<p>Kernel ", f);
	h(f, m->release);
	fputs(" (", f);
	h(f, m->arch);
	fputs("), ", f);
	h(f, m->cpu_model);
	fprintf(f, ", %d CPUs online, clocksource ", m->ncpus);
	h(f, m->clocksource);
	if (r->bias.valid) {
		fprintf(f, ". Run-time stats' own share: %.1f ns/run (95%% CI %.1f..%.1f), "
			"measured on an empty program", r->bias.ns_per_run, r->bias.lo, r->bias.hi);
		for (unsigned i = 0; i < r->bias.nparts; i++)
			fprintf(f, "%s%.1f", i ? ", " : " (parts: ", r->bias.part_ns[i]);
		fprintf(f, "%s; interval: %s.</p>\n", r->bias.nparts ? ")" : "", rp_bias_interval(&r->bias));
	} else {
		fputs(". Run-time stats' own share not measured: ", f);
		h(f, r->bias.why);
		fputs("</p>\n", f);
	}
	fputs("<table><tr><th>method</th><th>state</th><th>s</th><th>what it includes, or why "
	      "not</th></tr>\n", f);
	for (int i = 0; i < METHOD_COUNT; i++) {
		const struct rp_section *s = &r->sec[i];

		fprintf(f, "<tr><td>%s</td><td>%s</td><td>%.1f</td><td class=\"why\">",
			method_name(i), rp_state_name(s->state), s->elapsed_s);
		h(f, s->state == RP_RAN ? rp_method_includes(i) : s->why);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* What each program is: type, attach point, owner, tail calls, misses. */
static void facts(FILE *f, const struct rp_report *r)
{
	fputs("<table><tr><th>program</th><th>id</th><th>type</th><th>attach point</th>"
	      "<th>owner</th><th>tail calls</th><th>recursion misses (window)</th></tr>\n", f);
	for (int i = 0; i < r->nprogs; i++) {
		const struct rp_prog *p = &r->progs[i];
		char owner[160], tail[160];

		owners_format(&p->owners, owner, sizeof(owner));
		tc_note(&p->tail, tail, sizeof(tail));
		fputs("<tr><td>", f);
		h(f, p->full_name);
		fprintf(f, "</td><td>%u</td><td class=\"why\">%s</td><td class=\"why\">", p->id,
			prog_type_name(p->type));
		h(f, p->attach[0] ? p->attach : "-");
		fputs("</td><td class=\"why\">", f);
		h(f, owner[0] ? owner : "-");
		fputs("</td><td class=\"why\">", f);
		h(f, tail[0] ? tail : r->tail_known ? "-" : "not read");
		if (p->has_stats)
			fprintf(f, "</td><td>%" PRIu64 "</td></tr>\n", p->misses);
		else
			fputs("</td><td>-</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* The window's time series as a table: runs/s and corrected CPU share of
 * each program kept, interval by interval. */
static void series(FILE *f, const struct rp_report *r, bool charts)
{
	const struct rp_series *se = &r->series;

	if (!se->npoints)
		return;
	fprintf(f, "<h3>Over the window</h3>\n<p>Run-time stats read every %.2f s; the %d "
		"program(s) with the most run time; CPU share corrected for the stats' own share "
		"where it applies. The workload ran one syscall kind at a time:", se->interval_s,
		se->nprogs);
	for (int i = 0; i < se->nphases; i++)
		fprintf(f, "%s %s %.1f..%.1f s", i ? "," : "", wl_kind_name(se->phase[i].kind),
			se->phase[i].start_s, se->phase[i].end_s);
	fputs(".</p>\n", f);
	if (charts)
		fputs("<div class=\"chart\"><canvas id=\"c-series-runs\"></canvas></div>\n"
		      "<div class=\"chart\"><canvas id=\"c-series-cpu\"></canvas></div>\n", f);
	fputs("<table><tr><th>s</th>", f);
	for (int k = 0; k < se->nprogs; k++)
		fprintf(f, "<th>%u runs/s</th><th>%u CPU%%</th>", se->p[k].id, se->p[k].id);
	fputs("</tr>\n", f);
	for (int t = 0; t < se->npoints; t++) {
		fprintf(f, "<tr><td>%.2f</td>", se->t_s[t]);
		for (int k = 0; k < se->nprogs; k++)
			if (isfinite(se->p[k].runs_per_s[t]))
				fprintf(f, "<td>%.0f</td><td>%.3f</td>", se->p[k].runs_per_s[t],
					se->p[k].corr_cpu_pct[t]);
			else	/* not read at an end: gone, or a read failed */
				fputs("<td>-</td><td>-</td>", f);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* The profile columns of p's row (when profile ran), and the row's end. */
static void prof_cells(FILE *f, const struct rp_report *r, const struct rp_prog *p)
{
	const struct prof_figures *g = r->prof_calibrated ? &p->prof_corr : &p->prof_raw;
	char a[24], b[24], c[24];

	if (r->sec[METHOD_PROFILE].state != RP_RAN) {
		fputs("</tr>\n", f);
		return;
	}
	if (!p->profiled || !p->prof_runs) {
		fputs("<td colspan=\"3\" class=\"why\">", f);
		h(f, p->profiled ? "no runs under the observers" : p->prof_why);
		fputs("</td></tr>\n", f);
		return;
	}
	prof_fig_str(g->p50, g->below_calib & PROF_FIG_P50, a, sizeof(a));
	prof_fig_str(g->p90, g->below_calib & PROF_FIG_P90, b, sizeof(b));
	prof_fig_str(g->p99, g->below_calib & PROF_FIG_P99, c, sizeof(c));
	fputs("<td>", f);
	h(f, a);	/* "<calib" */
	fputs("</td><td>", f);
	h(f, b);
	fputs("</td><td>", f);
	h(f, c);
	fputs("</td></tr>\n", f);
}

static void prof_note(FILE *f, const struct rp_report *r)
{
	fprintf(f, "<p>Profile: fentry/fexit around each program for %.1f s with the workload "
		"running; exclusive ns per run", r->prof_window_s);
	if (r->prof_calibrated)
		fprintf(f, ", minus %.1f ns/run, the observer's own cost measured on an empty "
			"program (&lt;calib: at or below it)", r->prof_calib_ns);
	else
		fputs(", not calibrated: the observer's cost included", f);
	fputs(". Tail-called programs: direct runs only.</p>\n", f);
}

static void progs(FILE *f, const struct rp_report *r, bool charts)
{
	char cpu[32];
	bool prof = r->sec[METHOD_PROFILE].state == RP_RAN;

	fprintf(f, "<h2>Programs</h2>\n<p>Window of %.1f s, workload %s; sampling at %u "
		"Hz (%" PRIu64 " samples, %" PRIu64 " lost).</p>\n", r->window_s,
		rp_workload_cpu(r, cpu, sizeof(cpu)), r->sample_hz, r->samples, r->samples_lost);
	facts(f, r);
	if (charts && r->nprogs)
		fputs("<div class=\"chart\"><canvas id=\"c-nsrun\"></canvas></div>\n"
		      "<div class=\"chart\"><canvas id=\"c-cpu\"></canvas></div>\n", f);
	fputs("<table><tr><th>program</th><th>id</th><th>runs/s</th><th>ns/run (stats)</th>"
	      "<th>corrected ns/run</th><th>CPU% (stats)</th><th>corrected CPU%</th>"
	      "<th>CPU% (sampling)</th>", f);
	if (prof)
		fputs("<th>p50 ns/run (profile)</th><th>p90</th><th>p99</th>", f);
	fputs("</tr>\n", f);
	for (int i = 0; i < r->nprogs; i++) {
		const struct rp_prog *p = &r->progs[i];

		fputs("<tr><td>", f);
		h(f, p->full_name);
		fprintf(f, "</td><td>%u</td>", p->id);
		if (!p->has_stats) {
			fprintf(f, "<td colspan=\"6\">%s</td>", p->gone ? "gone" : "no figures");
			prof_cells(f, r, p);
			continue;
		}
		fprintf(f, "<td>%.0f</td>", p->runs_per_s);
		if (p->runs)	/* no runs, no ns per run */
			fprintf(f, "<td>%.0f</td>", p->ns_per_run);
		else
			fputs("<td>-</td>", f);
		if (p->corr.applies && p->runs)
			fprintf(f, p->corr.resolved ? "<td>%.0f</td>" : "<td>&lt;%.0f</td>",
				p->corr.resolved ? p->corr.ns_per_run : p->corr.hi);
		else
			fputs("<td>-</td>", f);
		fprintf(f, "<td>%.3f</td>", p->cpu_pct);
		if (p->corr.applies)
			fprintf(f, "<td>%.3f</td>", p->corr.cpu_pct);
		else
			fputs("<td>-</td>", f);
		if (p->sampled)
			fprintf(f, "<td>%.3f</td>", p->sampled_pct);
		else
			fputs("<td>-</td>", f);
		prof_cells(f, r, p);
	}
	fputs("</table>\n", f);
	if (prof) {
		prof_note(f, r);
		if (charts)
			fputs("<div class=\"chart\"><canvas id=\"c-prof\"></canvas></div>\n", f);
	}
	series(f, r, charts);
	for (int i = 0; i < r->nprogs; i++) {
		const struct rp_prog *p = &r->progs[i];

		if (!p->nhot && p->hot_why) {
			fputs("<h3>Hot lines: ", f);
			h(f, p->full_name);
			fprintf(f, " (%" PRIu64 " samples)</h3>\n<p>None: ", p->samples);
			h(f, p->hot_why);
			fputs("</p>\n", f);
		}
		if (!p->nhot)
			continue;
		fputs("<h3>Hot lines: ", f);
		h(f, p->full_name);
		fprintf(f, " (%" PRIu64 " samples)</h3>\n<table><tr><th>line</th><th>share</th>"
			"<th>source</th></tr>\n", p->samples);
		for (int k = 0; k < p->nhot; k++) {
			fputs("<tr><td>", f);
			h(f, p->hot[k].file);
			fprintf(f, ":%u</td><td>%.1f%%</td><td style=\"text-align:left\"><code>",
				p->hot[k].line, p->hot[k].share * 100);
			h(f, p->hot[k].src);
			fputs("</code></td></tr>\n", f);
		}
		fputs("</table>\n", f);
	}
}

/* "x [lo, hi]", "x (no interval)" where lo or hi is not a number; lo
 * clamped at 0, as the parts are. */
static void part_ci(char *buf, size_t len, double x, double lo, double hi)
{
	if (isfinite(lo) && isfinite(hi))
		snprintf(buf, len, "%.1f [%.1f, %.1f]", x, fmax(lo, 0), hi);
	else
		snprintf(buf, len, "%.1f (no interval)", x);
}

/* The in-program ns per call by the window and by A/B's decomposition,
 * side by side: two methods that should agree. */
static void in_programs_two_ways(FILE *f, const struct rp_report *r)
{
	fputs("<h3>In the programs, two ways</h3>\n<table><tr><th>kind</th><th>window ns/call "
	      "[95% CI over chunks]</th><th>first..last chunk</th><th>A/B decomposition ns/call "
	      "[95% CI]</th><th>agree</th></tr>\n", f);
	for (int k = 0; k < WL_KIND_COUNT; k++) {
		const struct rp_kind *rk = &r->k[k];
		bool both = isfinite(rk->window_bpf_lo) && stats_ci_has_interval(&rk->ab_in_bpf);
		char win[64], ab[64];

		if (!rk->have_window || !rk->in_bpf_from_ab)
			continue;
		part_ci(win, sizeof(win), rk->window_bpf_ns, rk->window_bpf_lo, rk->window_bpf_hi);
		part_ci(ab, sizeof(ab), rk->in_bpf_ns, rk->ab_in_bpf.lo, rk->ab_in_bpf.hi);
		fprintf(f, "<tr><td>%s</td><td>%s</td><td>%.1f..%.1f</td><td>%s</td><td>%s</td>"
			"</tr>\n", wl_kind_name(k), win, rk->window_bpf_first, rk->window_bpf_last, ab,
			rk->bpf_disagree ? "no: beyond both intervals" :
			both ? "yes, within the intervals" : "cannot tell: no interval");
	}
	fputs("</table>\n", f);
}

static void kinds(FILE *f, const struct rp_report *r, bool charts)
{
	fputs("<h2>Syscalls</h2>\n", f);
	if (r->sec[METHOD_AB].state != RP_RAN) {
		fprintf(f, "<p class=\"why\">A/B %s: ", rp_state_name(r->sec[METHOD_AB].state));
		h(f, r->sec[METHOD_AB].why);
		fputs("</p>\n", f);
		return;
	}
	fprintf(f, "<p>A/B: %d rounds of %.2f s with the agent off and on, %d decomposition "
		"rounds. ns per call.</p>\n", r->plan.ab_rounds, r->plan.ab_round_s,
		r->plan.ab_decomp_rounds);
	if (charts) {
		fputs("<div class=\"chart\"><canvas id=\"c-decomp\"></canvas></div>\n", f);
		for (int k = 0; k < WL_KIND_COUNT; k++)
			if (r->k[k].ab)
				fprintf(f, "<div class=\"chart\"><canvas id=\"c-cdf-%s\"></canvas></div>\n",
					wl_kind_name(k));
	}
	fputs("<table><tr><th>kind</th><th>off p50</th><th>on p50</th><th>off p90</th>"
	      "<th>on p90</th><th>off p99</th><th>on p99</th><th>off mean</th><th>on mean</th>"
	      "<th>added [95% CI]</th><th>A/A</th><th>in programs</th><th>rest</th></tr>\n", f);
	for (int k = 0; k < WL_KIND_COUNT; k++) {
		const struct rp_kind *rk = &r->k[k];

		if (!rk->ab)
			continue;
		fprintf(f, "<tr><td>%s</td><td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%.0f</td>"
			"<td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%.0f [%.0f, %.0f]%s"
			"</td><td>%.0f [%.0f, %.0f]%s</td>", wl_kind_name(k), rk->off_p50,
			rk->on_p50, rk->off_p90, rk->on_p90, rk->off_p99, rk->on_p99, rk->off_mean,
			rk->on_mean, rk->added.point, rk->added.lo, rk->added.hi,
			rk->ci_includes_zero ? " (includes 0)" : "", rk->aa.point, rk->aa.lo,
			rk->aa.hi, rk->aa_reaches_effect ? " (reaches the effect: noise as large)" : "");
		if (rk->have_decomp) {
			char rest[32];

			rp_rest_str(rest, sizeof(rest), rk);
			fprintf(f, "<td>%.0f%s", rk->in_bpf_ns, rk->in_bpf_from_ab ? "" : "*");
			h(f, rp_bpf_mark(rk));
			fputs("</td><td>", f);
			h(f, rest);
			fputs("</td></tr>\n", f);
		} else {
			fputs("<td>-</td><td>-</td></tr>\n", f);
		}
	}
	fputs("</table>\n<p class=\"why\">in programs: run-time stats in A/B's decomposition "
	      "rounds (*: the window's figure instead); # the window and A/B disagree beyond "
	      "their intervals; &gt; above the added time's whole interval. rest: &lt;X where its "
	      "interval reaches 0, ^ where X, the added time's upper end minus the programs', is "
	      "above the added time's point; ~0 where the programs' time reaches that upper "
	      "end.</p>\n", f);
	in_programs_two_ways(f, r);
}

static void syswrap_row(FILE *f, const struct rp_report *r, int k, const struct rp_sw_sys *s)
{
	const struct rp_sw_phase *off = &s->ph[0], *on = &s->ph[1];

	fprintf(f, "<tr><td>%s</td><td>", wl_kind_name(k));
	h(f, s->name);
	fputs("</td>", f);
	if (off->ran && off->windows)
		fprintf(f, "<td>%.0f</td>", off->p50);
	else
		fputs("<td>-</td>", f);
	if (on->windows)
		fprintf(f, "<td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%.0f</td>", on->p50,
			on->p90, on->p99, on->mean);
	else
		fputs("<td>-</td><td>-</td><td>-</td><td>-</td>", f);
	if (!s->have_added)
		fputs("<td>-</td>", f);
	else if (s->added_below0 & RP_SW_BELOW0_P50)
		fputs("<td>&le;0</td>", f);
	else
		fprintf(f, "<td>%.0f</td>", s->added_p50);
	if (r->k[k].ab)
		fprintf(f, "<td>%.0f</td>", r->k[k].added.point);
	else
		fputs("<td>-</td>", f);
	fprintf(f, "<td>%" PRIu64 "</td><td>%" PRIu64 "%s</td></tr>\n", on->windows, on->lost,
		on->ran && !on->complete ? " (incomplete)" : "");
}

/* Syscall-path wrapping: the workload's syscalls timed inside the kernel,
 * per kind, beside A/B's added ns. */
static void syswrap(FILE *f, const struct rp_report *r)
{
	const struct rp_syswrap *w = &r->sw;

	if (r->sec[METHOD_SYSCALL_WRAP].state != RP_RAN)
		return;
	fprintf(f, "<h3>Syscall path, wrapped</h3>\n<p>%s on ", w->method);
	h(f, w->functions);
	fprintf(f, ", %.1f s per phase. Inside the window: ", w->phase_s);
	h(f, w->includes);
	fputs(". Outside: ", f);
	h(f, w->outside[0] ? w->outside : "-");
	fprintf(f, ". Missed returns: %" PRIu64 " off, %" PRIu64 " on. ns per window; added: on "
		"minus off, one run each, no interval.</p>\n", w->missed[0], w->missed[1]);
	fputs("<table><tr><th>kind</th><th>syscall</th><th>off p50</th><th>on p50</th>"
	      "<th>on p90</th><th>on p99</th><th>on mean</th><th>added p50</th>"
	      "<th>A/B added</th><th>windows</th><th>lost</th></tr>\n", f);
	for (int k = 0; k < WL_KIND_COUNT; k++)
		for (int i = 0; i < w->nsys; i++)
			if (w->sys[i].kinds & (1u << k))
				syswrap_row(f, r, k, &w->sys[i]);
	fputs("</table>\n", f);
}

/* The page's script: draws each canvas present from the embedded JSON. */
static const char draw_js[] =
	"(function(){\n"
	"var d=JSON.parse(document.getElementById('report-data').textContent);\n"
	"Chart.defaults.animation=false;Chart.defaults.maintainAspectRatio=false;\n"
	"var pal=['#1f77b4','#ff7f0e','#2ca02c','#d62728','#9467bd','#8c564b','#e377c2',"
	"'#7f7f7f'];\n"
	"function draw(id,cfg){var c=document.getElementById(id);if(!c)return;"
	"cfg.data.datasets.forEach(function(s,i){s.backgroundColor=pal[i%pal.length];"
	"s.borderColor=pal[i%pal.length];});var ch=new Chart(c,cfg);if(ch.width>0)c.setAttribute('data-drawn','1');}\n"
	"var st=d.programs.filter(function(p){return p.stats;});\n"
	"var names=st.map(function(p){return p.full_name+' ('+p.id+')';});\n"
	"function ttl(t){return {title:{display:true,text:t}};}\n"
	"draw('c-nsrun',{type:'bar',data:{labels:names,datasets:["
	"{label:'ns/run raw (stats)',data:st.map(function(p){return p.stats.ns_per_run;})},"
	"{label:'ns/run corrected',data:st.map(function(p){return p.stats.corrected.applies?"
	"p.stats.corrected.ns_per_run:null;})}]},options:{plugins:ttl('ns per run, raw "
	"against corrected for the stats\\' own share')}});\n"
	"draw('c-cpu',{type:'bar',data:{labels:names,datasets:["
	"{label:'CPU% by stats',data:st.map(function(p){return p.stats.cpu_pct;})},"
	"{label:'CPU% by stats, corrected',data:st.map(function(p){return "
	"p.stats.corrected.applies?p.stats.corrected.cpu_pct:null;})},"
	"{label:'CPU% by sampling',data:st.map(function(p){return p.sampling?"
	"p.sampling.cpu_pct:null;})}]},options:{plugins:ttl('CPU share per program, % of one "
	"CPU')}});\n"
	"var pf=d.programs.filter(function(p){return p.profile&&p.profile.ns_per_run;});\n"
	"function pq(k){return pf.map(function(p){return p.profile.ns_per_run[k];});}\n"
	"draw('c-prof',{type:'bar',data:{labels:pf.map(function(p){return p.full_name+' ('+p.id+"
	"')';}),datasets:[{label:'p50',data:pq('p50')},{label:'p90',data:pq('p90')},{label:"
	"'p99',data:pq('p99')}]},options:{plugins:ttl('ns per run by fentry/fexit (profile), "
	"'+(d.profile&&d.profile.calibrated?'minus the observer\\'s own cost':'raw'))}});\n"
	"if(d.series){var sr=d.series,byid={};d.programs.forEach(function(p){byid[p.id]=p;});\n"
	"function sline(id,key,t,yl){draw(id,{type:'line',data:{datasets:sr.programs.map("
	"function(p){return {label:byid[p.id].full_name+' ('+p.id+')',data:p[key].map("
	"function(v,i){return {x:sr.t_s[i],y:v};}),spanGaps:false};})},options:{scales:{x:{type:"
	"'linear',min:0,title:{display:true,text:'s into the window (kinds in turn: '+"
	"sr.phases.map(function(h){return h.kind;}).join(', ')+')'}},y:{beginAtZero:true,"
	"title:{display:true,text:yl}}},plugins:ttl(t)}});}\n"
	"sline('c-series-runs','runs_per_s','Runs per second over the window (run-time stats)',"
	"'runs/s');\n"
	"sline('c-series-cpu','corrected_cpu_pct','CPU share over the window, corrected for the "
	"stats\\' own share','% of one CPU');}\n"
	"var ks=d.syscalls.filter(function(k){return k.ab;});\n"
	"draw('c-decomp',{type:'bar',data:{labels:ks.map(function(k){return k.kind;}),datasets:["
	"{label:'in the programs (stats)',data:ks.map(function(k){return k.decomposition?"
	"k.decomposition.in_bpf_ns:null;})},{label:'rest: dispatch, slow path, wake-ups',"
	"data:ks.map(function(k){return k.decomposition?k.decomposition.rest_ns:"
	"k.added_ns.point;})}]},options:{scales:{x:{stacked:true},y:{stacked:true,title:"
	"{display:true,text:'added ns per call'}}},plugins:ttl('Added time per syscall "
	"kind, decomposed')}});\n"
	"ks.forEach(function(k){var q=k.cdf_off_ns.map(function(_,i){return 2+96*i/"
	"(k.cdf_off_ns.length-1);});\n"
	"function pts(v){return v.map(function(x,i){return {x:x,y:q[i]};});}\n"
	"draw('c-cdf-'+k.kind,{type:'line',data:{datasets:[{label:'agent off',data:pts("
	"k.cdf_off_ns)},{label:'agent on',data:pts(k.cdf_on_ns)}]},options:{scales:{x:{type:"
	"'linear',title:{display:true,text:'ns per call'}},y:{title:{display:true,text:"
	"'percentile'}}},plugins:ttl(k.kind+': latency CDF, agent off against on (A/B)')}});});\n"
	"})();\n";

/* JSON inside <script>: "</" would end the element, so every '/' is escaped. */
static int embed_json(FILE *f, json_t *doc)
{
	char *s = json_dumps(doc, JSON_COMPACT | JSON_ESCAPE_SLASH | JSON_ENSURE_ASCII);

	if (!s)
		return -ENOMEM;
	fprintf(f, "<script type=\"application/json\" id=\"report-data\">%s</script>\n", s);
	free(s);
	return 0;
}

int rp_print_html(FILE *f, const struct rp_report *r, json_t *doc, const char *chart_js)
{
	/* the library is inlined as is: refused if it could end its element */
	bool charts = chart_js && !strcasestr(chart_js, "</script");
	int err;

	head(f, r);
	machine(f, r);
	progs(f, r, charts);
	kinds(f, r, charts);
	syswrap(f, r);
	if (!charts)
		fprintf(f, "<p class=\"why\">Charts left out: %s (libjs-chart.js) was not found "
			"when this report was written.</p>\n", RP_CHART_JS);
	fputs("<pre id=\"js-errors\"></pre>\n<script>window.addEventListener('error',function(e)"
	      "{document.getElementById('js-errors').textContent+=e.message+'\\n';});</script>\n",
	      f);
	err = embed_json(f, doc);
	if (!err && charts) {
		fprintf(f, "<script>%s</script>\n<script>%s</script>\n", chart_js, draw_js);
	}
	fputs("</body></html>\n", f);
	/* The flush's errno says why (ENOSPC on a full disk), else EIO. */
	errno = 0;
	if (!err && (fflush(f) == EOF || ferror(f)))
		err = errno ? -errno : -EIO;
	return err;
}
