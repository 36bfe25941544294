/* JSON report writer on jansson, streamed one group object at a time. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "formats/json.h"
#include "formats/jsonutil.h"
#include "lib/analysis.h"
#include "lib/error.h"
#include "lib/fleet.h"
#include "lib/group.h"
#include "lib/series.h"
#include "lib/snapshot.h"
#include "lib/textsafe.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define JSON_SCHEMA 1

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

json_t *
json_bytes(const char *s, size_t n)
{
	return jstr(s, n);
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
 * jansson's text of each frame, made once (frame_text): groups share most
 * of their frames.
 */
struct frame_cache {
	struct frame_text *text; /* by frame id */
	size_t textcap;
};

/* jansson's text of a frame where a group shows it, indented to fit. */
struct frame_text {
	char *item; /* an item of "stack" */
	char *blocking;
	size_t itemlen, blockinglen;
};

static void
frame_cache_release(struct frame_cache *c)
{
	size_t i;

	for (i = 0; i < c->textcap; i++) {
		free(c->text[i].item);
		free(c->text[i].blocking);
	}
	free(c->text);
	memset(c, 0, sizeof(*c));
}

json_t *
json_labelset(const struct intern *in, seqid set)
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
jgroup(const struct grouping *gr, const struct group *g,
       const struct group_eval *ev)
{
	const struct intern *in = gr->in;
	const struct group_more *x = group_more(g);
	json_t *o = json_object(), *a = NULL, *w = NULL;
	char id[17];
	uint32_t n = 0, i;
	strid state = g->state;

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
	{
		uint32_t j = 0;

		/* One per snapshot; the group's own are by snapshot. */
		for (i = 0; i < gr->nsnap; i++) {
			int64_t c = j < g->ncounts && g->counts[j].idx == i
					    ? group_count_n(gr, &g->counts[j++])
					    : 0;

			json_array_append_new(a, json_integer(c));
		}
	}
	json_object_set_new(o, "counts", a);
	if (ev != NULL && ev->growth.n >= 2) {
		w = json_object();
		json_object_set_new(w, "net", json_integer(ev->growth.net));
		json_object_set_new(w, "baseline",
				    json_integer(ev->growth.baseline));
		json_object_set_new(w, "from_baseline",
				    json_integer(ev->growth.grown));
		json_object_set_new(w, "rising_steps",
				    json_integer(ev->growth.rises));
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
	if (gr->identity) {
		w = json_object();
		json_object_set_new(w, "with_ids", json_integer(g->ids_last));
		json_object_set_new(w, "stayed", json_integer(g->stayed));
		json_object_set_new(w, "new_stayed",
				    json_integer(g->new_stayed));
		json_object_set_new(w, "left", json_integer(g->left));
		json_object_set_new(o, "identity", w);
	} else {
		json_object_set_new(o, "identity", json_null());
	}
	json_object_set_new(
		o, "suspect",
		json_boolean(ev && verdict_is_suspect(ev->verdict)));
	json_object_set_new(o, "proven_leak", json_boolean(x->leaked_peak > 0));
	json_object_set_new(o, "verdict",
			    ev ? json_string(verdict_text(ev->verdict))
			       : json_null());
	json_object_set_new(o, "known",
			    ev && ev->known ? json_string(ev->known->name)
					    : json_null());
	json_object_set_new(o, "score",
			    ev ? json_real(round6(ev->score))
			       : json_integer(group_last(gr, g)));
	if (x->has_wait_ns) {
		/* Exact, from an execution trace. */
		w = json_object();
		json_object_set_new(w, "min", json_integer(x->wait_ns_min));
		json_object_set_new(w, "median",
				    json_integer(x->wait_ns_median));
		json_object_set_new(w, "max", json_integer(x->wait_ns_max));
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
	/* The frames of "blocking" and "stack" are dump_group()'s. */
	json_object_set_new(o, "blocking", json_null());
	(void)seqtab_items(&in->stacks, g->stack, &n);
	json_object_set_new(o, "stack", n ? json_null() : json_array());
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
	if (x->creation_stack) {
		const uint32_t *v =
			seqtab_items(&in->stacks, x->creation_stack, &n);

		a = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(a, jframe(in, v[i]));
		json_object_set_new(o, "creation_stack", a);
	} else {
		json_object_set_new(o, "creation_stack", json_null());
	}
	if (x->traced > 0) {
		w = json_object();
		json_object_set_new(w, "created", json_integer(x->traced));
		json_object_set_new(w, "blocked_never_ended",
				    json_integer(x->traced_blocked));
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
				    json_labelset(in, g->labels.v[i].id));
		json_object_set_new(w, "count",
				    json_integer(g->labels.v[i].weight));
		json_array_append_new(a, w);
	}
	json_object_set_new(o, "labels", a);
	w = json_object();
	json_object_set_new(w, "leaked", json_integer(g->leaked));
	json_object_set_new(w, "locked_to_thread", json_integer(x->locked));
	json_object_set_new(w, "durable", json_integer(x->durable));
	json_object_set_new(w, "truncated", json_integer(x->truncated));
	json_object_set_new(o, "flags", w);
	a = json_array();
	for (i = 0; i < g->nids; i++)
		json_array_append_new(a, json_integer((json_int_t)g->ids[i]));
	json_object_set_new(o, "goroutine_ids", a);
	return o;
}

json_t *
json_input(const struct intern *in, const struct snapshot_meta *s)
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
	json_object_set_new(o, "message",
			    s->message ? jstrid(in, s->message) : json_null());
	json_object_set_new(o, "meta", json_labelset(in, s->user_meta));
	json_object_set_new(o, "instance",
			    s->instance ? jstrid(in, s->instance)
					: json_null());
	return o;
}

static const size_t dump_flags =
	JSON_INDENT(2) | JSON_REAL_PRECISION(6) | JSON_ENCODE_ANY;

/* A growable byte buffer. */
struct bytes {
	char *p;
	size_t n, cap;
};

static void
bytes_put(struct bytes *b, const char *s, size_t len)
{
	if (len > b->cap - b->n)
		b->p = xgrow(b->p, 1, b->n + len, &b->cap);
	if (len)
		memcpy(b->p + b->n, s, len);
	b->n += len;
}

/* Append jansson's text of j to b and free j; -1 when jansson fails. */
static int
dump_into(struct bytes *b, json_t *j)
{
	size_t n;

	if (b->n == b->cap) /* b->p may be NULL */
		b->p = xgrow(b->p, 1, b->n + 256, &b->cap);
	n = json_dumpb(j, b->p + b->n, b->cap - b->n, dump_flags);
	if (n > b->cap - b->n) {
		b->p = xgrow(b->p, 1, b->n + n, &b->cap);
		n = json_dumpb(j, b->p + b->n, b->cap - b->n, dump_flags);
	}
	json_decref(j);
	if (n == 0)
		return -1;
	b->n += n;
	return 0;
}

/* Append s[0..n) to b with `indent` spaces after each newline. */
static void
put_indented(struct bytes *b, const char *s, size_t n, int indent)
{
	const char *p = s, *end = s + n, *nl = NULL;
	size_t lines = 0;
	char *o = NULL;

	if (n == 0)
		return;
	for (nl = memchr(p, '\n', n); nl;
	     nl = memchr(nl + 1, '\n', (size_t)(end - nl - 1)))
		lines++;
	if (n + lines * (size_t)indent > b->cap - b->n)
		b->p = xgrow(b->p, 1, b->n + n + lines * (size_t)indent,
			     &b->cap);
	o = b->p + b->n;
	/* Room is made: copy line by line. */
	while (p < end) {
		size_t k;

		nl = memchr(p, '\n', (size_t)(end - p));
		k = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		memcpy(o, p, k);
		o += k;
		p += k;
		if (nl) {
			memset(o, ' ', (size_t)indent);
			o += indent;
		}
	}
	b->n = (size_t)(o - b->p);
}

/*
 * Dump j with its lines indented by `indent` spaces, then free it. jansson
 * dumps into a buffer (its callback gets every token apart, which made a
 * write call per token); the indented copy goes out in one fwrite.
 */
static int
dump(FILE *fp, json_t *j, int indent)
{
	static struct bytes raw, out;

	raw.n = out.n = 0;
	if (dump_into(&raw, j) < 0)
		return -1;
	put_indented(&out, raw.p, raw.n, indent);
	return fwrite(out.p, 1, out.n, fp) == out.n ? 0 : -1;
}

/*
 * jansson's text of a frame as a group's "blocking" member and as an item
 * of its "stack", each indented as the report indents it, made once per
 * frame. Every group repeated jansson's work on the same frames (600,000
 * of them in a report of 60,000 groups): most of the report's time.
 */
static const struct frame_text *
frame_text(struct frame_cache *c, const struct intern *in, frameid id)
{
	struct frame_text *t = NULL;
	struct bytes raw = { NULL, 0, 0 }, item = { NULL, 0, 0 };
	struct bytes blocking = { NULL, 0, 0 };

	if (id >= c->textcap)
		c->text = xgrow_zero(c->text, sizeof(*c->text), (size_t)id + 1,
				     &c->textcap);
	t = &c->text[id];
	if (t->item != NULL)
		return t;
	if (dump_into(&raw, jframe(in, id)) < 0) {
		free(raw.p);
		return NULL;
	}
	put_indented(&item, raw.p, raw.n, 8);
	put_indented(&blocking, raw.p, raw.n, 6);
	free(raw.p);
	t->item = item.p;
	t->itemlen = item.n;
	t->blocking = blocking.p;
	t->blockinglen = blocking.n;
	return t;
}

/*
 * Where jgroup() leaves null for dump_group() to put the frames in (a null
 * costs jansson less than an empty object or array), as they look in
 * jansson's text of the group: members of the group itself, indented by
 * 2 (text inside strings has no raw newline). dump_group() looks for them
 * only where they stand for frames.
 */
#define BLOCKING_HOLE "\n  \"blocking\": null"
#define STACK_HOLE    "\n  \"stack\": null"

/* The offset of hole in b from *pos on (moved past it), or -1. */
static long
find_hole(const struct bytes *b, size_t *pos, const char *hole)
{
	size_t len = strlen(hole), at = *pos;

	while (at + len <= b->n) {
		const char *nl = memchr(b->p + at, '\n', b->n - at);

		if (nl == NULL)
			break;
		at = (size_t)(nl - b->p);
		if (at + len <= b->n && memcmp(nl, hole, len) == 0) {
			*pos = at + len;
			return (long)at;
		}
		at++;
	}
	return -1;
}

/*
 * Dump the group object j indented as an item of "groups", with the text
 * of its blocking frame and of its stack's frames v[0..n) where jgroup()
 * left them empty, then free j: what jansson prints for the whole group.
 */
static int
dump_group(FILE *fp, json_t *j, struct frame_cache *fc, const struct intern *in,
	   frameid blocking, const uint32_t *v, uint32_t n)
{
	static struct bytes raw, out;
	const struct frame_text *t = NULL;
	size_t pos = 0, done = 0;
	long at;
	uint32_t i;

	raw.n = out.n = 0;
	if (dump_into(&raw, j) < 0)
		return -1;
	if (blocking) {
		at = find_hole(&raw, &pos, BLOCKING_HOLE);
		t = frame_text(fc, in, blocking);
		if (at < 0 || t == NULL)
			return -1;
		/* Up to "blocking": and its space, then the frame. */
		put_indented(&out, raw.p, pos - 4, 4);
		bytes_put(&out, t->blocking, t->blockinglen);
		done = pos;
	}
	if (n > 0) {
		at = find_hole(&raw, &pos, STACK_HOLE);
		if (at < 0)
			return -1;
		put_indented(&out, raw.p + done, pos - 4 - done, 4);
		bytes_put(&out, "[", 1);
		for (i = 0; i < n; i++) {
			t = frame_text(fc, in, v[i]);
			if (t == NULL)
				return -1;
			bytes_put(&out, i ? ",\n        " : "\n        ",
				  i ? 10 : 9);
			bytes_put(&out, t->item, t->itemlen);
		}
		bytes_put(&out, "\n      ]", 8);
		done = pos;
	}
	put_indented(&out, raw.p + done, raw.n - done, 4);
	return fwrite(out.p, 1, out.n, fp) == out.n ? 0 : -1;
}

/* The fleet row r (a group over the instances) as an object. */
static json_t *
jfleet_row(const struct json_doc *doc, const struct fleet_row *r)
{
	const struct fleet_member *big = &r->m[r->largest];
	const struct json_part *bp = &doc->parts[big->part];
	const struct group *g = &bp->gr->v[big->group];
	const struct intern *in = bp->gr->in;
	json_t *o = json_object(), *c = json_object(), *a = json_array();
	char id[17];
	size_t k;

	snprintf(id, sizeof(id), "%016llx", (unsigned long long)r->id);
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "state", jstrid(in, g->state));
	json_object_set_new(o, "blocked", json_boolean(g->blocked));
	json_object_set_new(o, "blocking",
			    g->blocking ? jframe(in, g->blocking)
					: json_null());
	json_object_set_new(o, "created_by",
			    g->creator ? jframe(in, g->creator) : json_null());
	json_object_set_new(o, "instances", json_integer((json_int_t)r->nm));
	json_object_set_new(o, "suspect_on",
			    json_integer((json_int_t)r->suspect_on));
	json_object_set_new(o, "proven_on",
			    json_integer((json_int_t)r->proven_on));
	json_object_set_new(o, "total", json_integer(r->total));
	json_object_set_new(o, "score", json_real(round6(r->score)));
	for (k = 0; k < r->nm; k++) {
		const struct json_part *p = &doc->parts[r->m[k].part];
		const char *name = p->instance ? p->instance : "";

		json_object_set_new(c, name, json_integer(r->m[k].last));
		if (r->m[k].last == big->last)
			json_array_append_new(a, json_string(name));
	}
	json_object_set_new(o, "counts", c);
	json_object_set_new(o, "largest_on", a);
	return o;
}

/* "capture time", "file names", "as given", or "mixed" when the
 * instances differ. */
static const char *
doc_order(const struct json_doc *doc)
{
	size_t k;

	for (k = 1; k < doc->nparts; k++)
		if (strcmp(doc->parts[k].order, doc->parts[0].order) != 0)
			return "mixed";
	return doc->parts[0].order ? doc->parts[0].order : "as given";
}

int
json_write(FILE *fp, const struct json_doc *doc, struct error *err)
{
	const struct grouping *gr0 = doc->parts[0].gr;
	const struct intern *in = gr0->in;
	struct frame_cache fc = { NULL, 0 };
	json_t *a = NULL, *o = NULL;
	char by[32];
	size_t i, p, suspects = 0;
	int rc = 0, first = 1;
	unsigned k;

	group_key_format(&gr0->key, by, sizeof(by));
	fprintf(fp, "{\n  \"schema\": %d,\n  \"command\": ", JSON_SCHEMA);
	rc |= dump(fp, json_string(doc->command), 2);
	fprintf(fp, ",\n  \"group_by\": \"%s\",\n  \"order\": ", by);
	rc |= dump(fp, json_string(doc_order(doc)), 2);
	fprintf(fp, ",\n  \"inputs\": ");
	a = json_array();
	for (p = 0; p < doc->nparts; p++) {
		const struct json_part *pt = &doc->parts[p];

		for (k = 0; k < pt->gr->nsnap; k++)
			json_array_append_new(a, json_input(in, &pt->meta[k]));
	}
	rc |= dump(fp, a, 2);
	fprintf(fp, ",\n  \"skipped\": ");
	a = json_array();
	for (i = 0; i < doc->nskipped; i++) {
		o = json_object();
		json_object_set_new(o, "path",
				    jstrid(in, doc->skipped[i].path));
		json_object_set_new(o, "reason",
				    json_bytes(doc->skipped[i].why,
					       strlen(doc->skipped[i].why)));
		json_array_append_new(a, o);
	}
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
	for (p = 0; p < doc->nparts; p++)
		if (doc->parts[p].an != NULL)
			suspects += doc->parts[p].an->nsuspects;
	if (doc->parts[0].an != NULL)
		fprintf(fp, ",\n  \"suspects\": %zu", suspects);
	fprintf(fp, ",\n  \"selected\": ");
	a = json_array();
	for (p = 0; p < doc->nparts; p++) {
		const struct grouping *gr = doc->parts[p].gr;

		for (k = 0; k < gr->nsnap; k++)
			json_array_append_new(a, json_integer(gr->kept[k]));
	}
	rc |= dump(fp, a, 2);
	fprintf(fp, ",\n  \"instances\": ");
	a = json_array();
	for (p = 0; p < doc->nparts; p++) {
		const struct json_part *pt = &doc->parts[p];

		o = json_object();
		json_object_set_new(o, "name",
				    pt->instance ? json_string(pt->instance)
						 : json_null());
		json_object_set_new(o, "snapshots",
				    json_integer(pt->gr->nsnap));
		json_object_set_new(
			o, "order",
			json_string(pt->order ? pt->order : "as given"));
		json_object_set_new(o, "groups",
				    json_integer((json_int_t)pt->gr->n));
		json_object_set_new(
			o, "suspects",
			pt->an ? json_integer((json_int_t)pt->an->nsuspects)
			       : json_null());
		json_object_set_new(
			o, "evidence",
			json_string(pt->gr->nsnap < 2  ? "one snapshot"
				    : pt->gr->identity ? "counts and ids"
						       : "counts only"));
		json_array_append_new(a, o);
	}
	rc |= dump(fp, a, 2);
	fprintf(fp, ",\n  \"groups\": [");
	for (p = 0; p < doc->nparts; p++) {
		const struct json_part *pt = &doc->parts[p];
		const struct grouping *gr = pt->gr;

		for (i = 0; i < pt->nshown; i++) {
			size_t gi = pt->shown[i];
			const struct group *g = &gr->v[gi];
			uint32_t n = 0;
			const uint32_t *v =
				seqtab_items(&in->stacks, g->stack, &n);
			json_t *j =
				jgroup(gr, g, pt->an ? &pt->an->ev[gi] : NULL);

			json_object_set_new(j, "instance",
					    pt->instance
						    ? json_string(pt->instance)
						    : json_null());
			fprintf(fp, "%s\n    ", first ? "" : ",");
			first = 0;
			rc |= dump_group(fp, j, &fc, in, g->blocking, v, n);
		}
	}
	fprintf(fp, "%s]", first ? "" : "\n  ");
	if (doc->fleet != NULL) {
		fprintf(fp, ",\n  \"fleet\": ");
		a = json_array();
		for (i = 0; i < doc->fleet->n; i++)
			json_array_append_new(
				a, jfleet_row(doc, &doc->fleet->v[i]));
		rc |= dump(fp, a, 2);
	}
	fprintf(fp, "\n}\n");
	frame_cache_release(&fc);
	if (rc != 0 || ferror(fp))
		return error_set(err, "cannot write the JSON report");
	return 0;
}
