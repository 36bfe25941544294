/* JSON report writer on jansson, streamed one group object at a time. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "formats/json.h"
#include "lib/analysis.h"
#include "lib/error.h"
#include "lib/group.h"
#include "lib/snapshot.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define JSON_SCHEMA 1

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

size_t
json_utf8_escape(const char *s, size_t n, char *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0;

	while (i < n) {
		size_t k = utf8_seq(u + i, n - i);

		if (k == 0) {
			static const char hex[] = "0123456789abcdef";

			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[u[i] >> 4];
			out[o++] = hex[u[i] & 15];
			i++;
			continue;
		}
		memcpy(out + o, u + i, k);
		o += k;
		i += k;
	}
	out[o] = '\0';
	return o;
}

/* A JSON string of arbitrary bytes (never NULL). */
static json_t *
jstr(const char *s, size_t n)
{
	size_t i;
	char *tmp = NULL;
	json_t *j = NULL;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			break;
	if (i == n)
		return json_stringn_nocheck(s, n);
	tmp = xreallocarray(NULL, n + 1, 4);
	n = json_utf8_escape(s, n, tmp);
	j = json_stringn_nocheck(tmp, n);
	free(tmp);
	return j;
}

static json_t *
jstrid(const struct intern *in, strid id)
{
	return jstr(intern_str(in, id), strtab_len(&in->strings, id));
}

void
json_time(int64_t ns, char *buf, size_t size)
{
	time_t sec = (time_t)(ns / 1000000000);
	long frac = (long)(ns % 1000000000);
	struct tm tm;
	size_t n;

	if (frac < 0) {
		frac += 1000000000;
		sec--;
	}
	gmtime_r(&sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	if (frac) {
		char f[16];
		int k = 9;

		snprintf(f, sizeof(f), ".%09ld", frac);
		while (k > 1 && f[k] == '0')
			f[k--] = '\0';
		snprintf(buf + n, size - n, "%sZ", f);
	} else {
		snprintf(buf + n, size - n, "Z");
	}
}

static json_t *
jframe(const struct intern *in, frameid id)
{
	const struct frame *f = intern_frame_get(in, id);
	json_t *o = json_object();

	json_object_set_new(o, "func", jstrid(in, f->func));
	json_object_set_new(o, "file", jstrid(in, f->file));
	json_object_set_new(o, "line", json_integer(f->line));
	return o;
}

/*
 * Frame objects shared by every group that has the frame: groups share
 * most of their frames, and building each object once halves the time of
 * a large report. A new reference is returned.
 */
struct frame_cache {
	json_t **v;
	size_t cap;
};

static json_t *
jframe_shared(struct frame_cache *c, const struct intern *in, frameid id)
{
	c->v = xgrow_zero(c->v, sizeof(*c->v), (size_t)id + 1, &c->cap);
	if (c->v[id] == NULL)
		c->v[id] = jframe(in, id);
	return json_incref(c->v[id]);
}

static void
frame_cache_release(struct frame_cache *c)
{
	size_t i;

	for (i = 0; i < c->cap; i++)
		json_decref(c->v[i]);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static json_t *
jlabelset(const struct intern *in, seqid set)
{
	uint32_t n = 0, i;
	const uint32_t *p = seqtab_items(&in->labelsets, set, &n);
	json_t *o = json_object();

	for (i = 0; i + 1 < n; i += 2) {
		const char *k = intern_str(in, p[i]);
		size_t kl = strtab_len(&in->strings, p[i]);
		char *tmp = xreallocarray(NULL, kl + 1, 4);

		json_utf8_escape(k, kl, tmp);
		json_object_set_new(o, tmp, jstrid(in, p[i + 1]));
		free(tmp);
	}
	return o;
}

/* Rounded to 6 decimals, so reports are the same on every machine. */
static double
round6(double x)
{
	return isfinite(x) ? round(x * 1e6) / 1e6 : 0;
}

static json_t *
jgroup(struct frame_cache *fc, const struct grouping *gr, const struct group *g,
       const struct group_eval *ev)
{
	const struct intern *in = gr->in;
	json_t *o = json_object(), *a = NULL, *w = NULL;
	char id[17];
	uint32_t n = 0, i;
	const uint32_t *v = NULL;
	strid state = g->states.n ? g->states.v[0].id : 0;

	snprintf(id, sizeof(id), "%016llx", (unsigned long long)g->id);
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "state", jstrid(in, state));
	a = json_object();
	for (i = 0; i < g->states.n; i++) {
		const char *k = intern_str(in, g->states.v[i].id);
		size_t kl = strtab_len(&in->strings, g->states.v[i].id);
		char *tmp = xreallocarray(NULL, kl + 1, 4);

		json_utf8_escape(k, kl, tmp);
		json_object_set_new(a, tmp,
				    json_integer(g->states.v[i].weight));
		free(tmp);
	}
	json_object_set_new(o, "states", a);
	json_object_set_new(o, "blocked", json_boolean(g->blocked));
	json_object_set_new(
		o, "state_inferred",
		json_boolean(g->inferred == g->described && g->described > 0));
	a = json_array();
	for (i = 0; i < gr->nsnap; i++)
		json_array_append_new(a, json_integer(g->counts[i]));
	json_object_set_new(o, "counts", a);
	if (ev != NULL && ev->growth.n >= 2) {
		w = json_object();
		json_object_set_new(w, "net", json_integer(ev->growth.net));
		json_object_set_new(w, "slope",
				    json_real(round6(ev->growth.slope)));
		json_object_set_new(
			w, "slope_unit",
			json_string(ev->growth.per_hour
					    ? "goroutines/hour"
					    : "goroutines/snapshot"));
		json_object_set_new(w, "nondecreasing",
				    json_real(round6(ev->growth.rise)));
		json_object_set_new(w, "peak", json_integer(ev->growth.peak));
		json_object_set_new(o, "growth", w);
	} else {
		json_object_set_new(o, "growth", json_null());
	}
	json_object_set_new(
		o, "suspect",
		json_boolean(ev && verdict_is_suspect(ev->verdict)));
	json_object_set_new(o, "proven_leak", json_boolean(g->leaked_peak > 0));
	json_object_set_new(o, "verdict",
			    ev ? json_string(verdict_text(ev->verdict))
			       : json_null());
	json_object_set_new(o, "known",
			    ev && ev->known ? json_string(ev->known->name)
					    : json_null());
	json_object_set_new(o, "score",
			    ev ? json_real(round6(ev->score))
			       : json_integer(g->counts[gr->nsnap - 1]));
	if (g->has_wait_ns) {
		/* Exact, from an execution trace. */
		w = json_object();
		json_object_set_new(w, "min", json_integer(g->wait_ns_min));
		json_object_set_new(w, "median",
				    json_integer(g->wait_ns_median));
		json_object_set_new(w, "max", json_integer(g->wait_ns_max));
		json_object_set_new(w, "unit", json_string("nanoseconds"));
		json_object_set_new(o, "wait", w);
	} else if (g->has_wait) {
		w = json_object();
		json_object_set_new(w, "min", json_integer(g->wait_min));
		json_object_set_new(w, "max", json_integer(g->wait_max));
		json_object_set_new(w, "unit", json_string("minutes"));
		json_object_set_new(o, "wait", w);
	} else {
		json_object_set_new(o, "wait", json_null());
	}
	json_object_set_new(o, "blocking",
			    g->blocking ? jframe_shared(fc, in, g->blocking)
					: json_null());
	a = json_array();
	v = seqtab_items(&in->stacks, g->stack, &n);
	for (i = 0; i < n; i++)
		json_array_append_new(a, jframe_shared(fc, in, v[i]));
	json_object_set_new(o, "stack", a);
	if (g->creator) {
		w = jframe(in, g->creator);
		if (g->creator_goid_state == 1)
			json_object_set_new(
				w, "goroutine",
				json_integer((json_int_t)g->creator_goid));
		json_object_set_new(o, "created_by", w);
	} else {
		json_object_set_new(o, "created_by", json_null());
	}
	if (g->creation_stack) {
		a = json_array();
		v = seqtab_items(&in->stacks, g->creation_stack, &n);
		for (i = 0; i < n; i++)
			json_array_append_new(a, jframe_shared(fc, in, v[i]));
		json_object_set_new(o, "creation_stack", a);
	} else {
		json_object_set_new(o, "creation_stack", json_null());
	}
	if (g->traced > 0) {
		w = json_object();
		json_object_set_new(w, "created", json_integer(g->traced));
		json_object_set_new(w, "blocked_never_ended",
				    json_integer(g->traced_blocked));
		json_object_set_new(o, "trace", w);
	} else {
		json_object_set_new(o, "trace", json_null());
	}
	a = json_array();
	for (i = 0; i < g->labels.n; i++) {
		if (g->labels.v[i].id == 0)
			continue;
		w = json_object();
		json_object_set_new(w, "labels",
				    jlabelset(in, g->labels.v[i].id));
		json_object_set_new(w, "count",
				    json_integer(g->labels.v[i].weight));
		json_array_append_new(a, w);
	}
	json_object_set_new(o, "labels", a);
	w = json_object();
	json_object_set_new(w, "leaked", json_integer(g->leaked));
	json_object_set_new(w, "locked_to_thread", json_integer(g->locked));
	json_object_set_new(w, "durable", json_integer(g->durable));
	json_object_set_new(w, "truncated", json_integer(g->truncated));
	json_object_set_new(o, "flags", w);
	a = json_array();
	for (i = 0; i < g->nids; i++)
		json_array_append_new(a, json_integer((json_int_t)g->ids[i]));
	json_object_set_new(o, "goroutine_ids", a);
	return o;
}

static json_t *
jinput(const struct intern *in, const struct snapshot_meta *s)
{
	json_t *o = json_object();
	char t[64];

	json_object_set_new(o, "path", jstrid(in, s->source));
	json_object_set_new(o, "format", jstrid(in, s->format));
	json_object_set_new(o, "kind",
			    json_string(s->kind == SNAPSHOT_LEAK
						? "goroutineleak"
						: "goroutine"));
	if (s->time_ns) {
		json_time(s->time_ns, t, sizeof(t));
		json_object_set_new(o, "capture_time", json_string(t));
	} else {
		json_object_set_new(o, "capture_time", json_null());
	}
	json_object_set_new(o, "goroutines", json_integer(s->total));
	json_object_set_new(o, "trace_offset_ns",
			    s->offset_ns >= 0 ? json_integer(s->offset_ns)
					      : json_null());
	json_object_set_new(o, "go_version",
			    s->go_version ? jstrid(in, s->go_version)
					  : json_null());
	return o;
}

/*
 * Dump j with its lines indented by `indent` spaces, then free it. jansson
 * dumps into a buffer (its callback gets every token apart, which made a
 * write call per token); the indented copy goes out in one fwrite.
 */
static int
dump(FILE *fp, json_t *j, int indent)
{
	static char *raw, *out;
	static size_t rawcap, outcap;
	size_t n, i, o = 0, lines = 0;
	const size_t flags =
		JSON_INDENT(2) | JSON_REAL_PRECISION(6) | JSON_ENCODE_ANY;

	n = json_dumpb(j, raw, rawcap, flags);
	if (n > rawcap) {
		raw = xgrow(raw, 1, n, &rawcap);
		n = json_dumpb(j, raw, rawcap, flags);
	}
	json_decref(j);
	if (n == 0)
		return -1;
	for (i = 0; i < n; i++)
		lines += raw[i] == '\n';
	out = xgrow(out, 1, n + lines * (size_t)indent, &outcap);
	for (i = 0; i < n;) {
		const char *nl = memchr(raw + i, '\n', n - i);
		size_t k = nl ? (size_t)(nl - raw) + 1 - i : n - i;

		memcpy(out + o, raw + i, k);
		o += k;
		i += k;
		if (nl) {
			memset(out + o, ' ', (size_t)indent);
			o += (size_t)indent;
		}
	}
	return fwrite(out, 1, o, fp) == o ? 0 : -1;
}

int
json_write(FILE *fp, const struct json_doc *doc, struct error *err)
{
	const struct grouping *gr = doc->gr;
	struct frame_cache fc = { NULL, 0 };
	json_t *a = NULL;
	char by[32];
	size_t i;
	int rc = 0;
	unsigned k;

	group_key_format(&gr->key, by, sizeof(by));
	fprintf(fp, "{\n  \"schema\": %d,\n  \"command\": ", JSON_SCHEMA);
	rc |= dump(fp, json_string(doc->command), 2);
	fprintf(fp, ",\n  \"group_by\": \"%s\",\n  \"order\": ", by);
	rc |= dump(fp, json_string(doc->order ? doc->order : "command line"),
		   2);
	fprintf(fp, ",\n  \"inputs\": ");
	a = json_array();
	for (k = 0; k < gr->nsnap; k++)
		json_array_append_new(a, jinput(gr->in, &doc->meta[k]));
	rc |= dump(fp, a, 2);
	if (doc->rules != NULL) {
		a = json_object();
		json_object_set_new(a, "min_growth",
				    json_integer(doc->rules->min_growth));
		json_object_set_new(a, "min_rise",
				    json_real(round6(doc->rules->min_rise)));
		json_object_set_new(a, "near_peak",
				    json_real(round6(doc->rules->near_peak)));
		fprintf(fp, ",\n  \"thresholds\": ");
		rc |= dump(fp, a, 2);
	}
	if (doc->an != NULL)
		fprintf(fp, ",\n  \"suspects\": %zu", doc->an->nsuspects);
	fprintf(fp, ",\n  \"selected\": ");
	a = json_array();
	for (k = 0; k < gr->nsnap; k++)
		json_array_append_new(a, json_integer(gr->kept[k]));
	rc |= dump(fp, a, 2);
	fprintf(fp, ",\n  \"groups\": [");
	for (i = 0; i < doc->nshown; i++) {
		fprintf(fp, "%s\n    ", i ? "," : "");
		size_t gi = doc->shown[i];

		rc |= dump(fp,
			   jgroup(&fc, gr, &gr->v[gi],
				  doc->an ? &doc->an->ev[gi] : NULL),
			   4);
	}
	fprintf(fp, "%s]\n}\n", doc->nshown ? "\n  " : "");
	frame_cache_release(&fc);
	if (rc != 0 || ferror(fp))
		return error_set(err, "cannot write the JSON report");
	return 0;
}
