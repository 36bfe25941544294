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

/* A growable byte buffer. */
struct bytes {
	char *p;
	size_t n, cap;
};

static inline void
bytes_put(struct bytes *b, const char *s, size_t len)
{
	if (len > b->cap - b->n)
		b->p = xgrow(b->p, 1, b->n + len + 4096, &b->cap);
	if (len)
		memcpy(b->p + b->n, s, len);
	b->n += len;
}

/*
 * A JSON text written straight into a buffer, laid out byte for byte as
 * jansson lays out JSON_INDENT(2) | JSON_REAL_PRECISION(6): the groups are
 * most of a report, and building and dumping a jansson object per group
 * took 85% of `show -f json` on a profile of 60,000 stacks, seven times
 * the text output (issue 15). The head and tail of the document stay
 * jansson's. tests/unit/test_misc.c checks jw against jansson.
 */
struct jw {
	struct bytes *b;
	int base;		 /* spaces before a line at depth 0 */
	int depth;		 /* of the container being written */
	unsigned char empty[32]; /* container at depth d has no item yet */
	struct quoted *q;	 /* strings already quoted, or NULL */
};

/* Each string's quoted text, made once: groups share most of their
 * frames' names and files. */
struct quoted {
	uint32_t *at; /* strid -> offset into text + 1, 0: not yet */
	uint32_t *len;
	size_t cap;
	struct bytes text;
	struct frame_texts *frames; /* made on the first stack, or NULL */
};

/*
 * The text of stack frames' objects as jw_frames() last wrote them, one
 * slot per frame id modulo FRAME_SLOTS: a stack's frame is mostly one
 * written before, in another group's stack at the same depth (on a
 * profile of 60,000 stacks, 600,000 frames of a few hundred), and
 * copying its text is a tenth of writing it again. The slots are a fixed
 * megabyte, whatever the number of distinct frames. Where frames seldom
 * come again (a dump of 600,000 distinct frames), keeping them costs
 * more than it saves: after each FRAME_CHECK frames, fewer than a
 * quarter found turns the slots off for the rest of the document.
 */
#define FRAME_SLOTS 4096u
#define FRAME_TEXT  240u
#define FRAME_CHECK 8192u

struct frame_texts {
	uint64_t tag[FRAME_SLOTS]; /* frame id + 1 << 32 | depth << 16 | base */
	uint16_t len[FRAME_SLOTS];
	char text[FRAME_SLOTS][FRAME_TEXT];
	uint32_t looked, found; /* since the last check */
	int off;
};

static void
quoted_release(struct quoted *q)
{
	free(q->at);
	free(q->len);
	free(q->text.p);
	free(q->frames);
	memset(q, 0, sizeof(*q));
}

static void
jw_put(struct jw *w, const char *s, size_t n)
{
	bytes_put(w->b, s, n);
}

/* Room for n more bytes at b->p + b->n. */
static inline char *
bytes_room(struct bytes *b, size_t n)
{
	if (n > b->cap - b->n)
		b->p = xgrow(b->p, 1, b->n + n + 4096, &b->cap);
	return b->p + b->n;
}

/* Bytes put_newline() may write past the indent, into room asked for. */
#define INDENT_SLACK 16

/*
 * A newline and the indent of the current depth (at most 64 levels), in
 * stores of 16 spaces: the indent is short, and a loop of byte stores
 * became a call to memset per line, a tenth of the time of a large
 * document. Up to INDENT_SLACK - 1 bytes after the indent are written
 * too, and are the caller's to overwrite.
 */
static inline char *
put_newline(char *o, int spaces)
{
	static const char sp[INDENT_SLACK] = "                ";

	/* Straight stores: a loop of them is turned into memset again. */
	*o++ = '\n';
	memcpy(o, sp, INDENT_SLACK);
	if (spaces > INDENT_SLACK) {
		memcpy(o + INDENT_SLACK, sp, INDENT_SLACK);
		if (spaces > 2 * INDENT_SLACK)
			memset(o + 2 * INDENT_SLACK, ' ',
			       (size_t)spaces - 2 * INDENT_SLACK);
	}
	return o + spaces;
}

static void
jw_newline(struct jw *w)
{
	int spaces = w->base + 2 * w->depth;
	char *o = bytes_room(w->b, (size_t)spaces + 1 + INDENT_SLACK);

	w->b->n = (size_t)(put_newline(o, spaces) - w->b->p);
}

/* Before an item of the open container: its separator and indent. */
static void
jw_item(struct jw *w)
{
	int spaces = w->base + 2 * w->depth;
	char *o = bytes_room(w->b, (size_t)spaces + 2 + INDENT_SLACK);

	if (!w->empty[w->depth])
		*o++ = ',';
	w->empty[w->depth] = 0;
	w->b->n = (size_t)(put_newline(o, spaces) - w->b->p);
}

static void
jw_open(struct jw *w, char c)
{
	jw_put(w, &c, 1);
	w->depth++;
	w->empty[w->depth] = 1;
}

static void
jw_close(struct jw *w, char c)
{
	int empty = w->empty[w->depth];

	w->depth--;
	if (!empty)
		jw_newline(w);
	jw_put(w, &c, 1);
}

/* s[0..n) as a JSON string: jansson's escapes, and each byte that is no
 * part of valid UTF-8 as the text \xNN (as json_utf8_escape writes). */
static void
json_string_text(struct bytes *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF",
			  lhex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, from = 0;
	char esc[8];

	bytes_put(b, "\"", 1);
	while (i < n) {
		unsigned char c = u[i];
		size_t k = 1, el = 0;

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		if (c >= 0x80) {
			k = utf8_seq(u + i, n - i);
			if (k > 0) {
				i += k;
				continue;
			}
			k = 1;
			memcpy(esc, "\\\\x", 3);
			esc[3] = lhex[c >> 4];
			esc[4] = lhex[c & 15];
			el = 5;
		} else {
			esc[0] = '\\';
			el = 2;
			switch (c) {
			case '"':
				esc[1] = '"';
				break;
			case '\\':
				esc[1] = '\\';
				break;
			case '\b':
				esc[1] = 'b';
				break;
			case '\f':
				esc[1] = 'f';
				break;
			case '\n':
				esc[1] = 'n';
				break;
			case '\r':
				esc[1] = 'r';
				break;
			case '\t':
				esc[1] = 't';
				break;
			default:
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 15];
				el = 6;
			}
		}
		bytes_put(b, s + from, i - from);
		bytes_put(b, esc, el);
		i += k;
		from = i;
	}
	bytes_put(b, s + from, n - from);
	bytes_put(b, "\"", 1);
}

char *
json_quote(const char *s, size_t n, size_t *len)
{
	struct bytes b = { NULL, 0, 0 };

	json_string_text(&b, s, n);
	bytes_put(&b, "", 1);
	*len = b.n - 1;
	return b.p;
}

static void
jw_str(struct jw *w, const char *s, size_t n)
{
	json_string_text(w->b, s, n);
}

static void
jw_cstr(struct jw *w, const char *s)
{
	json_string_text(w->b, s, strlen(s));
}

static void
jw_strid(struct jw *w, const struct intern *in, strid id)
{
	struct quoted *q = w->q;
	size_t at;

	if (q == NULL || id >= (1u << 30)) {
		jw_str(w, intern_str(in, id), strtab_len(&in->strings, id));
		return;
	}
	if (id >= q->cap) {
		size_t cap = q->cap;

		q->at = xgrow_zero(q->at, sizeof(*q->at), (size_t)id + 1,
				   &q->cap);
		q->len = xgrow_zero(q->len, sizeof(*q->len), (size_t)id + 1,
				    &cap);
	}
	if (q->at[id] == 0 && q->text.n < UINT32_MAX / 2) {
		at = q->text.n;
		json_string_text(&q->text, intern_str(in, id),
				 strtab_len(&in->strings, id));
		q->at[id] = (uint32_t)at + 1;
		q->len[id] = (uint32_t)(q->text.n - at);
	}
	if (q->at[id] == 0) {
		jw_str(w, intern_str(in, id), strtab_len(&in->strings, id));
		return;
	}
	jw_put(w, q->text.p + q->at[id] - 1, q->len[id]);
}

/* A member's key, a literal identifier: quoted as it is. */
#define jw_key(w, k) jw_key_text((w), "\"" k "\": ", sizeof(k) + 3)

/* Inline, so that each key's copy is of a constant length. */
static inline void
jw_key_text(struct jw *w, const char *text, size_t n)
{
	int spaces = w->base + 2 * w->depth;
	char *o = bytes_room(w->b, (size_t)spaces + 2 + n + INDENT_SLACK);

	if (!w->empty[w->depth])
		*o++ = ',';
	w->empty[w->depth] = 0;
	o = put_newline(o, spaces);
	memcpy(o, text, n);
	w->b->n = (size_t)(o + n - w->b->p);
}

/* v in decimal, written backwards to end there: where it starts. */
static char *
decimal_before(char *end, long long v)
{
	unsigned long long u =
		v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

	do {
		*--end = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		*--end = '-';
	return end;
}

static void
jw_int(struct jw *w, long long v)
{
	char t[24], *o = NULL;
	size_t n = (size_t)(decimal_before(t + sizeof(t), v) - t), k;

	o = bytes_room(w->b, sizeof(t));
	for (k = n; k < sizeof(t); k++)
		*o++ = t[k];
	w->b->n += sizeof(t) - n;
}

/* x as 16 lowercase hex digits and a NUL, as "%016llx" prints it, without
 * snprintf's cost (once a group). */
static void
hex16(char out[17], uint64_t x)
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 15; i >= 0; i--) {
		out[i] = digits[x & 15];
		x >>= 4;
	}
	out[16] = '\0';
}

void
json_real_text(char *buf, size_t size, double v)
{
	char *e = NULL, *from = NULL, *to = NULL;

	/* A whole number of six digits or fewer (scores, mostly), as "%.6g"
	 * and ".0" print it, without snprintf's cost: a tenth of a large
	 * document's time. Not -0, which prints "-0.0". */
	if (v > -1e6 && v < 1e6 && v == (double)(long)v &&
	    !(v == 0 && signbit(v))) {
		char t[16];
		size_t n = 0, k = 0;

		t[sizeof(t) - 2] = '.';
		t[sizeof(t) - 1] = '0';
		n = (size_t)(decimal_before(t + sizeof(t) - 2, (long long)v) -
			     t);
		if (size > sizeof(t) - n) {
			for (k = 0; n < sizeof(t); n++)
				buf[k++] = t[n];
			buf[k] = '\0';
			return;
		}
	}
	/* jansson's jsonp_dtostr at precision 6. */
	snprintf(buf, size, "%.6g", v);
	if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL) {
		size_t n = strlen(buf);

		snprintf(buf + n, size - n, ".0");
	}
	e = strchr(buf, 'e');
	if (e != NULL) {
		from = e + 1;
		to = from + 1;
		if (*from == '-')
			from++;
		while (*to == '0')
			to++;
		if (to != from)
			memmove(from, to, strlen(to) + 1);
	}
}

static void
jw_real(struct jw *w, double v)
{
	char t[64];

	json_real_text(t, sizeof(t), v);
	jw_put(w, t, strlen(t));
}

static void
jw_bool(struct jw *w, int v)
{
	jw_put(w, v ? "true" : "false", v ? 4 : 5);
}

static void
jw_null(struct jw *w)
{
	jw_put(w, "null", 4);
}

static void
jw_frame(struct jw *w, const struct intern *in, frameid id)
{
	const struct frame *f = intern_frame_get(in, id);

	jw_open(w, '{');
	jw_key(w, "func");
	jw_strid(w, in, f->func);
	jw_key(w, "file");
	jw_strid(w, in, f->file);
	jw_key(w, "line");
	jw_int(w, f->line);
}

static void
jw_frames(struct jw *w, const struct intern *in, const uint32_t *v, uint32_t n)
{
	uint32_t i;
	struct frame_texts *c = NULL;

	if (w->q != NULL && n > 0) {
		if (w->q->frames == NULL)
			w->q->frames = xcalloc(1, sizeof(*w->q->frames));
		c = w->q->frames->off ? NULL : w->q->frames;
	}
	jw_open(w, '[');
	for (i = 0; i < n; i++) {
		uint32_t k = v[i] % FRAME_SLOTS;
		uint64_t tag = ((uint64_t)v[i] + 1) << 32 |
			       (uint64_t)(uint32_t)w->depth << 16 |
			       (uint16_t)w->base;
		size_t at;

		jw_item(w);
		if (c != NULL && ++c->looked == FRAME_CHECK) {
			c->off = c->found < FRAME_CHECK / 4;
			c->looked = c->found = 0;
		}
		if (c != NULL && c->tag[k] == tag) {
			c->found++;
			jw_put(w, c->text[k], c->len[k]);
			continue;
		}
		at = w->b->n;
		jw_frame(w, in, v[i]);
		jw_close(w, '}');
		if (c != NULL && w->b->n - at <= FRAME_TEXT) {
			memcpy(c->text[k], w->b->p + at, w->b->n - at);
			c->len[k] = (uint16_t)(w->b->n - at);
			c->tag[k] = tag;
		}
	}
	jw_close(w, ']');
}

static void
jw_labelset(struct jw *w, const struct intern *in, seqid set)
{
	uint32_t n = 0, i;
	const uint32_t *p = seqtab_items(&in->labelsets, set, &n);

	jw_open(w, '{');
	for (i = 0; i + 1 < n; i += 2) {
		jw_item(w);
		jw_strid(w, in, p[i]);
		jw_put(w, ": ", 2);
		jw_strid(w, in, p[i + 1]);
	}
	jw_close(w, '}');
}

/* The group object as an item of "groups" (indented by 4). */
static void
jw_group(struct jw *w, const struct grouping *gr, const struct group *g,
	 const struct group_eval *ev, const char *instance)
{
	const struct intern *in = gr->in;
	const struct group_more *x = group_more(g);
	char id[17];
	uint32_t n = 0, i, j;
	const uint32_t *v = NULL;

	hex16(id, g->id);
	jw_open(w, '{');
	jw_key(w, "id");
	jw_cstr(w, id);
	jw_key(w, "state");
	jw_strid(w, in, g->state);
	jw_key(w, "states");
	jw_open(w, '{');
	for (i = 0; i < g->states.n; i++) {
		jw_item(w);
		jw_strid(w, in, g->states.v[i].id);
		jw_put(w, ": ", 2);
		jw_int(w, g->states.v[i].weight);
	}
	jw_close(w, '}');
	jw_key(w, "blocked");
	jw_bool(w, g->blocked);
	jw_key(w, "state_inferred");
	jw_bool(w, g->inferred == g->described && g->described > 0);
	jw_key(w, "counts");
	jw_open(w, '[');
	/* One per snapshot; the group's own are by snapshot. */
	for (i = 0, j = 0; i < gr->nsnap; i++) {
		jw_item(w);
		jw_int(w, j < g->ncounts && g->counts[j].idx == i
				  ? group_count_n(gr, &g->counts[j++])
				  : 0);
	}
	jw_close(w, ']');
	jw_key(w, "growth");
	if (ev != NULL && ev->growth.n >= 2) {
		jw_open(w, '{');
		jw_key(w, "net");
		jw_int(w, ev->growth.net);
		jw_key(w, "baseline");
		jw_int(w, ev->growth.baseline);
		jw_key(w, "from_baseline");
		jw_int(w, ev->growth.grown);
		jw_key(w, "rising_steps");
		jw_int(w, ev->growth.rises);
		jw_key(w, "slope");
		jw_real(w, round6(ev->growth.slope));
		jw_key(w, "slope_unit");
		jw_cstr(w, ev->growth.per_hour ? "goroutines/hour"
					       : "goroutines/snapshot");
		jw_key(w, "nondecreasing");
		jw_real(w, round6(ev->growth.rise));
		jw_key(w, "peak");
		jw_int(w, ev->growth.peak);
		jw_close(w, '}');
	} else {
		jw_null(w);
	}
	jw_key(w, "identity");
	if (gr->identity) {
		const struct group_identity *gi = group_identity(gr, g);

		jw_open(w, '{');
		jw_key(w, "with_ids");
		jw_int(w, gi->ids_last);
		jw_key(w, "stayed");
		jw_int(w, gi->stayed);
		jw_key(w, "new_stayed");
		jw_int(w, gi->new_stayed);
		jw_key(w, "left");
		jw_int(w, gi->left);
		jw_close(w, '}');
	} else {
		jw_null(w);
	}
	jw_key(w, "suspect");
	jw_bool(w, ev && verdict_is_suspect(ev->verdict));
	jw_key(w, "proven_leak");
	jw_bool(w, x->leaked_peak > 0);
	jw_key(w, "verdict");
	if (ev)
		jw_cstr(w, verdict_text(ev->verdict));
	else
		jw_null(w);
	jw_key(w, "known");
	if (ev && ev->known)
		jw_cstr(w, ev->known->name);
	else
		jw_null(w);
	jw_key(w, "score");
	if (ev)
		jw_real(w, round6(ev->score));
	else
		jw_int(w, group_last(gr, g));
	jw_key(w, "wait");
	if (x->has_wait_ns) {
		/* Exact, from an execution trace. */
		jw_open(w, '{');
		jw_key(w, "min");
		jw_int(w, x->wait_ns_min);
		jw_key(w, "median");
		jw_int(w, x->wait_ns_median);
		jw_key(w, "max");
		jw_int(w, x->wait_ns_max);
		jw_key(w, "unit");
		jw_cstr(w, "nanoseconds");
		jw_close(w, '}');
	} else if (g->has_wait) {
		jw_open(w, '{');
		jw_key(w, "min");
		jw_int(w, g->wait_min);
		jw_key(w, "max");
		jw_int(w, g->wait_max);
		jw_key(w, "unit");
		jw_cstr(w, "minutes");
		jw_close(w, '}');
	} else {
		jw_null(w);
	}
	jw_key(w, "blocking");
	if (g->blocking) {
		jw_frame(w, in, g->blocking);
		jw_close(w, '}');
	} else {
		jw_null(w);
	}
	jw_key(w, "stack");
	v = seqtab_items(&in->stacks, g->stack, &n);
	jw_frames(w, in, v, n);
	jw_key(w, "created_by");
	if (g->creator) {
		jw_frame(w, in, g->creator);
		if (g->creator_goid_state == 1) {
			jw_key(w, "goroutine");
			jw_int(w, (long long)g->creator_goid);
		}
		jw_close(w, '}');
	} else {
		jw_null(w);
	}
	jw_key(w, "creation_stack");
	if (x->creation_stack) {
		v = seqtab_items(&in->stacks, x->creation_stack, &n);
		jw_frames(w, in, v, n);
	} else {
		jw_null(w);
	}
	jw_key(w, "trace");
	if (x->traced > 0) {
		jw_open(w, '{');
		jw_key(w, "created");
		jw_int(w, x->traced);
		jw_key(w, "blocked_never_ended");
		jw_int(w, x->traced_blocked);
		jw_close(w, '}');
	} else {
		jw_null(w);
	}
	jw_key(w, "labels");
	jw_open(w, '[');
	for (i = 0; i < g->labels.n; i++) {
		if (g->labels.v[i].id == 0)
			continue;
		jw_item(w);
		jw_open(w, '{');
		jw_key(w, "labels");
		jw_labelset(w, in, g->labels.v[i].id);
		jw_key(w, "count");
		jw_int(w, g->labels.v[i].weight);
		jw_close(w, '}');
	}
	jw_close(w, ']');
	jw_key(w, "flags");
	jw_open(w, '{');
	jw_key(w, "leaked");
	jw_int(w, x->leaked);
	jw_key(w, "locked_to_thread");
	jw_int(w, x->locked);
	jw_key(w, "durable");
	jw_int(w, x->durable);
	jw_key(w, "truncated");
	jw_int(w, x->truncated);
	jw_close(w, '}');
	jw_key(w, "goroutine_ids");
	jw_open(w, '[');
	for (i = 0; i < g->nids; i++) {
		jw_item(w);
		jw_int(w, (long long)g->ids[i]);
	}
	jw_close(w, ']');
	jw_key(w, "instance");
	if (instance)
		jw_cstr(w, instance);
	else
		jw_null(w);
	jw_close(w, '}');
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
	struct bytes gb = { NULL, 0, 0 };
	struct quoted q = { NULL, NULL, 0, { NULL, 0, 0 }, NULL };
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
			struct jw w;

			memset(&w, 0, sizeof(w));
			w.b = &gb;
			w.base = 4;
			w.q = &q;
			bytes_put(&gb, first ? "\n    " : ",\n    ",
				  first ? 5 : 6);
			first = 0;
			jw_group(&w, gr, &gr->v[gi],
				 pt->an ? &pt->an->ev[gi] : NULL, pt->instance);
			/* Written in pieces of 256 KiB or more, which stdio
			 * passes on without copying. */
			if (gb.n >= (1u << 18)) {
				if (fwrite(gb.p, 1, gb.n, fp) != gb.n)
					rc = -1;
				gb.n = 0;
			}
		}
	}
	if (gb.n > 0 && fwrite(gb.p, 1, gb.n, fp) != gb.n)
		rc = -1;
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
	free(gb.p);
	quoted_release(&q);
	if (rc != 0 || ferror(fp))
		return error_set(err, "cannot write the JSON report");
	return 0;
}
