// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Saved overhead/compare results, read back with jansson (savedres.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include "savedres.h"

static int bad(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	/* Names and jansson's text quote the input: keep it to one line. */
	for (char *c = why; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	return -EINVAL;
}

/* {"point", "lo", "hi", "level"} with lo <= point <= hi, all finite. */
static int read_ci(json_t *o, const char *path, struct stats_ci *ci, char *why, size_t len)
{
	json_t *p = json_object_get(o, "point"), *lo = json_object_get(o, "lo"),
	       *hi = json_object_get(o, "hi"), *lv = json_object_get(o, "level");

	if (!json_is_object(o))
		return bad(why, len, "%s is missing or not an object", path);
	if (!json_is_number(p) || !json_is_number(lo) || !json_is_number(hi) ||
	    !json_is_number(lv))
		return bad(why, len, "%s needs numbers point, lo, hi and level", path);
	ci->point = json_number_value(p);
	ci->lo = json_number_value(lo);
	ci->hi = json_number_value(hi);
	ci->level = json_number_value(lv);
	if (!isfinite(ci->point) || !isfinite(ci->lo) || !isfinite(ci->hi) ||
	    !(ci->lo <= ci->point && ci->point <= ci->hi) || !(ci->level > 0 && ci->level < 1))
		return bad(why, len, "%s is not an interval (lo <= point <= hi, 0 < level < 1)",
			   path);
	return 0;
}

static int kind_index(const char *name)
{
	for (int k = 0; k < WL_KIND_COUNT; k++)
		if (!strcmp(name, wl_kind_name(k)))
			return k;
	return -1;
}

/* An overhead result's "syscalls" member, or the B side of a compare. */
static int read_kind(json_t *v, const char *name, bool compare, struct sr_kind *k,
		     char *why, size_t len)
{
	char path[96];
	json_t *off;
	int err;

	snprintf(path, sizeof(path), "syscalls.%s.%s", name, compare ? "b_added_ns" : "added_ns");
	err = read_ci(json_object_get(v, compare ? "b_added_ns" : "added_ns"), path, &k->added,
		      why, len);
	if (err)
		return err;
	snprintf(path, sizeof(path), "syscalls.%s.aa_ns", name);
	k->has_aa = json_object_get(v, "aa_ns") != NULL;
	if (k->has_aa && (err = read_ci(json_object_get(v, "aa_ns"), path, &k->aa, why, len)))
		return err;
	off = json_object_get(v, compare ? "off_ns" : "off");
	if (!compare)
		off = json_object_get(off, "mean");
	k->off_mean_ns = json_is_number(off) ? json_number_value(off) : NAN;
	return 0;
}

static int read_result(json_t *root, struct saved_result *out, char *why, size_t len)
{
	json_t *kinds = json_object_get(root, "syscalls"), *v, *desc;
	bool compare = json_object_get(root, "a") && json_object_get(root, "b");
	const char *name;
	int err;

	if (!json_is_object(root))
		return bad(why, len, "not a bpfcost result (the top level is not an object)");
	if (!json_is_object(kinds) || !json_object_size(kinds))
		return bad(why, len, "not an overhead or compare result (no \"syscalls\" object; "
			   "save one with bpfcost -j overhead)");
	snprintf(out->source, sizeof(out->source), compare ? "compare" : "overhead");
	desc = json_object_get(json_object_get(root, compare ? "b" : "tracer"), "describe");
	if (json_is_string(desc))
		snprintf(out->describe, sizeof(out->describe), "%s", json_string_value(desc));
	json_object_foreach(kinds, name, v) {
		int k = kind_index(name);

		if (k < 0)
			return bad(why, len, "syscalls.%.40s: not a syscall kind of the workload", name);
		err = read_kind(v, name, compare, &out->k[k], why, len);
		if (err)
			return err;
		out->mask |= 1u << k;
	}
	return 0;
}

int sr_parse(const char *text, size_t len, struct saved_result *out, char *why, size_t whylen)
{
	json_error_t jerr;
	json_t *root;
	int err;

	memset(out, 0, sizeof(*out));
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		return bad(why, whylen, "not JSON: %s (line %d, column %d)", jerr.text, jerr.line,
			   jerr.column);
	}
	err = read_result(root, out, why, whylen);
	json_decref(root);
	return err;
}
