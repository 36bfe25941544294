/* Text output primitives for the reports. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/textout.h"
#include "formats/trace.h"
#include "lib/group.h"
#include "lib/snapshot.h"
#include "lib/textsafe.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

static const char *const sgr[] = {
	[C_NONE] = "",		[C_BOLD] = "\033[1m",	 [C_DIM] = "\033[2m",
	[C_RED] = "\033[1;31m", [C_YELLOW] = "\033[33m", [C_GREEN] = "\033[32m",
	[C_CYAN] = "\033[36m",
};

void
tx_on(const struct pen *p, enum color c)
{
	if (p->color && c != C_NONE)
		fputs(sgr[c], p->fp);
}

void
tx_off(const struct pen *p, enum color c)
{
	if (p->color && c != C_NONE)
		fputs("\033[0m", p->fp);
}

void
txbuf_reserve(struct txbuf *b, size_t n)
{
	if (n > b->cap - b->n)
		b->p = xgrow(b->p, 1, b->n + n, &b->cap);
}

void
txbuf_put(struct txbuf *b, const char *s, size_t len)
{
	if (len == 0)
		return; /* b->p may still be NULL */
	if (len > b->cap - b->n)
		b->p = xgrow(b->p, 1, b->n + len, &b->cap);
	memcpy(b->p + b->n, s, len);
	b->n += len;
}

void
txbuf_puts(struct txbuf *b, const char *s)
{
	txbuf_put(b, s, strlen(s));
}

void
txbuf_pad(struct txbuf *b, int n)
{
	static const char spaces[] = "                                ";

	while (n > 0) {
		int k = n < (int)sizeof(spaces) - 1 ? n
						    : (int)sizeof(spaces) - 1;

		txbuf_put(b, spaces, (size_t)k);
		n -= k;
	}
}

void
txbuf_on(struct txbuf *b, const struct pen *p, enum color c)
{
	if (p->color && c != C_NONE)
		txbuf_puts(b, sgr[c]);
}

void
txbuf_off(struct txbuf *b, const struct pen *p, enum color c)
{
	if (p->color && c != C_NONE)
		txbuf_puts(b, "\033[0m");
}

void
txbuf_flush(struct txbuf *b, FILE *fp)
{
	if (b->n > 0)
		fwrite(b->p, 1, b->n, fp);
	b->n = 0;
}

void
tx_put(struct cell *c, const char *s, size_t len)
{
	if (c->n + len >= c->size)
		len = c->size - 1 - c->n;
	memcpy(c->buf + c->n, s, len);
	c->n += len;
	c->buf[c->n] = '\0';
}

void
tx_put_str(struct cell *c, const char *s)
{
	tx_put(c, s, strlen(s));
}

void
tx_put_uint(struct cell *c, unsigned long long v)
{
	char d[24];
	size_t i = sizeof(d);

	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	tx_put(c, d + i, sizeof(d) - i);
}

/* Text of a group's state cell: "chan receive, 12~47 minutes". */
size_t
tx_state_cell(const struct grouping *gr, const struct group *g, char *buf,
	      size_t size)
{
	const struct intern *in = gr->in;
	strid st = g->state;
	const struct group_more *x = group_more(g);
	struct cell c = { buf, size, 0 };

	buf[0] = '\0';
	tx_put_str(&c, intern_shown(in, st));
	if (x->leaked > 0)
		tx_put_str(&c, " (leaked)");
	if (g->states.n > 1) {
		tx_put_str(&c, " +");
		tx_put_uint(&c, g->states.n - 1);
	}
	if (g->has_wait && g->wait_max > 0) {
		tx_put_str(&c, ", ");
		if (g->wait_min != g->wait_max) {
			tx_put_uint(&c, g->wait_min);
			tx_put_str(&c, "~");
		}
		tx_put_uint(&c, g->wait_max);
		tx_put_str(&c, g->wait_min == g->wait_max && g->wait_max == 1
				       ? " minute"
				       : " minutes");
	}
	if (x->has_wait_ns) {
		char d[32];

		tx_put_str(&c, ", ");
		if (x->wait_ns_min != x->wait_ns_max) {
			trace_format_duration(x->wait_ns_min, d, sizeof(d));
			tx_put_str(&c, d);
			tx_put_str(&c, "~");
		}
		trace_format_duration(x->wait_ns_max, d, sizeof(d));
		tx_put_str(&c, d);
	}
	return c.n;
}

const char *
tx_source(const struct intern *in, const struct snapshot_meta *s, char *buf,
	  size_t size)
{
	char d[32];

	if (s->offset_ns < 0)
		return intern_shown(in, s->source);
	trace_format_duration(s->offset_ns, d, sizeof(d));
	snprintf(buf, size, "%s@%s", intern_shown(in, s->source), d);
	return buf;
}

void
tx_print_message(const struct pen *p, const struct intern *in, strid message,
		 const char *indent)
{
	const char *s = intern_str(in, message);
	size_t n = strtab_len(&in->strings, message), i = 0;
	char *esc = NULL;

	if (message == 0)
		return;
	/* One line at a time: its leading TABs (Go indents a panic's
	 * chain and the lines of a value with them) as four spaces, the
	 * rest under the text output's one escaping rule. */
	esc = xmalloc(4 * n + 1);
	while (i <= n) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - s) : n;

		fputs(indent, p->fp);
		for (; i < e && s[i] == '\t'; i++)
			fputs("    ", p->fp);
		text_escape(s + i, e - i, esc);
		tx_on(p, C_BOLD);
		fputs(esc, p->fp);
		tx_off(p, C_BOLD);
		fputc('\n', p->fp);
		i = e + 1;
	}
	free(esc);
}

void
tx_pad(FILE *fp, int n)
{
	static const char spaces[] = "                                ";

	while (n > 0) {
		int k = n < (int)sizeof(spaces) - 1 ? n
						    : (int)sizeof(spaces) - 1;

		fwrite(spaces, 1, (size_t)k, fp);
		n -= k;
	}
}

/* A count right-aligned in 8 columns. */
void
tx_print_count(FILE *fp, long long v)
{
	char buf[32];
	struct cell c = { buf, sizeof(buf), 0 };

	tx_put_uint(&c, (unsigned long long)(v < 0 ? 0 : v));
	tx_pad(fp, 8 - (int)c.n);
	fputs(buf, fp);
}

void
txbuf_count(struct txbuf *b, long long v)
{
	char buf[32];
	struct cell c = { buf, sizeof(buf), 0 };

	tx_put_uint(&c, (unsigned long long)(v < 0 ? 0 : v));
	txbuf_pad(b, 8 - (int)c.n);
	txbuf_put(b, buf, c.n);
}

/* The first 8 hex digits of a group id, as the text report shows it. */
void
tx_short_id(uint64_t id, char out[17])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 8; i++)
		out[i] = hex[(id >> (60 - 4 * i)) & 15];
	out[8] = '\0';
}

enum color
tx_state_color(const struct grouping *gr, const struct group *g)
{
	strid st = g->state;

	if (group_more(g)->leaked > 0)
		return C_RED;
	switch (intern_state_class(gr->in, st)) {
	case WAIT_FOREVER:
		return C_RED;
	case WAIT_PEER:
	case WAIT_UNKNOWN:
	case WAIT_SYNCTEST:
		return C_YELLOW;
	case STATE_ACTIVE:
		return C_GREEN;
	default:
		return C_NONE;
	}
}

const char *
tx_base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/*
 * Print "func (file:line)" in at most width columns: first the package's
 * directories go ("github.com/a/b/pkg.F" -> "pkg.F"), then the name is cut
 * on the left.
 */
void
tx_frame_text(struct txbuf *b, const struct pen *p, const struct intern *in,
	      frameid f, const char *lead, int width)
{
	const struct frame *fr = intern_frame_get(in, f);
	const char *func = intern_shown(in, fr->func);
	char loc[256];
	struct cell c = { loc, sizeof(loc), 0 };
	int ll, fl, room;

	loc[0] = '\0';
	if (fr->file && strtab_len(&in->strings, fr->file) > 0) {
		tx_put_str(&c, " (");
		tx_put_str(&c, tx_base_name(intern_shown(in, fr->file)));
		tx_put_str(&c, ":");
		tx_put_uint(&c, fr->line);
		tx_put_str(&c, ")");
	}
	ll = (int)c.n;
	room = width - (int)strlen(lead) - ll;
	fl = (int)strlen(func);
	if (fl > room) {
		/* Drop the import path's directories: the package path ends
		 * at the last '/' (names have none after it). */
		const char *slash = strrchr(func, '/');

		if (slash != NULL) {
			func = slash + 1;
			fl = (int)strlen(func);
		}
	}
	if (fl > room && ll > 0) {
		/* Then the location: the name says more. */
		room += ll;
		c.n = 0;
	}
	txbuf_puts(b, lead);
	if (fl > room && room > 3) {
		txbuf_put(b, "...", 3);
		func += fl - (room - 3);
		fl = room - 3;
	}
	txbuf_put(b, func, (size_t)fl);
	txbuf_on(b, p, C_DIM);
	txbuf_put(b, loc, c.n);
	txbuf_off(b, p, C_DIM);
	txbuf_put(b, "\n", 1);
}

void
tx_frame_text_memo(struct tx_frame_memo *m, struct txbuf *b,
		   const struct pen *p, const struct intern *in, frameid f,
		   const char *lead, int width)
{
	size_t off, len;

	if (f >= m->cap)
		m->at = xgrow_zero(m->at, sizeof(*m->at), (size_t)f + 1,
				   &m->cap);
	if (m->at[f] == 0) {
		off = m->text.n;
		tx_frame_text(&m->text, p, in, f, lead, width);
		len = m->text.n - off;
		if (len >= 0xffff) { /* too long to keep: rare */
			m->text.n = off;
			tx_frame_text(b, p, in, f, lead, width);
			return;
		}
		m->at[f] = ((uint64_t)off << 16 | len) + 1;
	}
	off = (size_t)((m->at[f] - 1) >> 16);
	len = (size_t)((m->at[f] - 1) & 0xffff);
	txbuf_put(b, m->text.p + off, len);
}

void
tx_frame_memo_release(struct tx_frame_memo *m)
{
	free(m->text.p);
	free(m->at);
	memset(m, 0, sizeof(*m));
}

void
tx_frame_cell(const struct pen *p, const struct intern *in, frameid f,
	      const char *lead, int width)
{
	struct txbuf b = { NULL, 0, 0 };

	tx_frame_text(&b, p, in, f, lead, width);
	txbuf_flush(&b, p->fp);
	free(b.p);
}

/* A label key or value: bare when plain, else quoted as Go would. */
void
tx_print_label_text(FILE *fp, const char *s, size_t n)
{
	size_t i;
	int plain = n > 0;

	for (i = 0; i < n && plain; i++)
		plain = (s[i] >= 'a' && s[i] <= 'z') ||
			(s[i] >= 'A' && s[i] <= 'Z') ||
			(s[i] >= '0' && s[i] <= '9') ||
			(s[i] != '\0' && strchr("./_-:@", s[i]) != NULL);
	if (plain) {
		fwrite(s, 1, n, fp);
		return;
	}
	fputc('"', fp);
	for (i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t k = text_printable((const unsigned char *)s + i, n - i);

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", fp);
		else if (c == '\t')
			fputs("\\t", fp);
		else if (k == 0)
			fprintf(fp, "\\x%02x", c); /* (the text rule) */
		else {
			fwrite(s + i, 1, k, fp);
			i += k;
			continue;
		}
		i++;
	}
	fputc('"', fp);
}

void
tx_print_labels(FILE *fp, const struct intern *in, seqid set)
{
	uint32_t n = 0, i;
	const uint32_t *v = seqtab_items(&in->labelsets, set, &n);

	for (i = 0; i + 1 < n; i += 2) {
		if (i)
			fputc(' ', fp);
		tx_print_label_text(fp, intern_str(in, v[i]),
				    strtab_len(&in->strings, v[i]));
		fputc('=', fp);
		tx_print_label_text(fp, intern_str(in, v[i + 1]),
				    strtab_len(&in->strings, v[i + 1]));
	}
}

void
tx_print_stack(const struct pen *p, const struct grouping *gr,
	       const struct group *g)
{
	const struct intern *in = gr->in;
	uint32_t n = 0, i;
	const uint32_t *v = seqtab_items(&in->stacks, g->stack, &n);

	for (i = 0; i < n; i++) {
		const struct frame *f = intern_frame_get(in, v[i]);

		if (f->flags & FRAME_ELIDED) {
			fprintf(p->fp, INDENT "...frames elided...\n");
			continue;
		}
		fprintf(p->fp, INDENT "%s\n", intern_shown(in, f->func));
		tx_on(p, C_DIM);
		fprintf(p->fp, INDENT "    %s:%u", intern_shown(in, f->file),
			f->line);
		tx_off(p, C_DIM);
		fputc('\n', p->fp);
	}
	if (g->creator) {
		const struct frame *f = intern_frame_get(in, g->creator);

		fprintf(p->fp, INDENT "created by %s",
			intern_shown(in, f->func));
		if (g->creator_goid_state == 1)
			fprintf(p->fp, " in goroutine %llu",
				(unsigned long long)g->creator_goid);
		fputc('\n', p->fp);
		tx_on(p, C_DIM);
		fprintf(p->fp, INDENT "    %s:%u", intern_shown(in, f->file),
			f->line);
		tx_off(p, C_DIM);
		fputc('\n', p->fp);
	}
}

void
tx_print_details(const struct pen *p, const struct grouping *gr,
		 const struct group *g)
{
	const struct intern *in = gr->in;
	const struct group_more *x = group_more(g);
	uint32_t i;

	if (g->nids > 0) {
		int64_t now = g->described;

		/* The lowest ids: the oldest goroutines of the group. */
		fprintf(p->fp, INDENT "goroutines");
		for (i = 0; i < g->nids; i++)
			fprintf(p->fp, "%s %llu", i ? "," : "",
				(unsigned long long)g->ids[i]);
		if ((int64_t)g->nids < now)
			fprintf(p->fp, ", ... (%lld in all)", (long long)now);
		fputc('\n', p->fp);
	}
	if (g->states.n > 1) {
		fprintf(p->fp, INDENT "states");
		for (i = 0; i < g->states.n; i++)
			fprintf(p->fp, "%s %s (%lld)", i ? "," : "",
				intern_shown(in, g->states.v[i].id),
				(long long)g->states.v[i].weight);
		fputc('\n', p->fp);
	}
	for (i = 0; i < g->labels.n; i++) {
		if (g->labels.v[i].id == 0)
			continue;
		fprintf(p->fp, INDENT "labels ");
		tx_print_labels(p->fp, in, g->labels.v[i].id);
		fprintf(p->fp, " (%lld)\n", (long long)g->labels.v[i].weight);
	}
	if (x->locked)
		fprintf(p->fp, INDENT "locked to thread (%lld)\n",
			(long long)x->locked);
	if (x->truncated)
		fprintf(p->fp, INDENT "stack cut short by the capture (%lld)\n",
			(long long)x->truncated);
	tx_print_trace_evidence(p, gr, g);
	tx_print_stack(p, gr, g);
	if (x->creation_stack) {
		uint32_t n = 0;
		const uint32_t *v =
			seqtab_items(&in->stacks, x->creation_stack, &n);

		fprintf(p->fp, INDENT "creation stack%s:\n",
			g->creator_goid_state == 1 ? ""
						   : "s (the most common)");
		for (i = 0; i < n; i++) {
			const struct frame *f = intern_frame_get(in, v[i]);

			fprintf(p->fp, INDENT "  %s\n",
				intern_shown(in, f->func));
			tx_on(p, C_DIM);
			fprintf(p->fp, INDENT "      %s:%u",
				intern_shown(in, f->file), f->line);
			tx_off(p, C_DIM);
			fputc('\n', p->fp);
		}
	}
}

void
tx_print_trace_evidence(const struct pen *p, const struct grouping *gr,
			const struct group *g)
{
	const struct group_more *x = group_more(g);
	char a[32], b[32], c[32];

	(void)gr;
	if (x->has_wait_ns) {
		trace_format_duration(x->wait_ns_min, a, sizeof(a));
		trace_format_duration(x->wait_ns_median, b, sizeof(b));
		trace_format_duration(x->wait_ns_max, c, sizeof(c));
		fprintf(p->fp,
			INDENT "blocked for %s min, %s median, %s max (exact, "
			       "from the trace)\n",
			a, b, c);
	}
	if (x->traced > 0)
		fprintf(p->fp,
			INDENT "%lld created during the trace, %lld of them "
			       "blocked%s\n",
			(long long)x->traced, (long long)x->traced_blocked,
			x->traced_blocked ? " and never ended" : "");
}

const char *
tx_plural(long long n)
{
	return n == 1 ? "" : "s";
}

const char *
tx_format_words(const struct intern *in, const struct snapshot_meta *s)
{
	const char *f = intern_shown(in, s->format);

	if (strcmp(f, "debug=2") == 0)
		return "goroutine dump (debug=2)";
	if (strcmp(f, "traceback") == 0)
		return "goroutine traceback";
	if (strcmp(f, "debug=1") == 0)
		return s->kind == SNAPSHOT_LEAK
			       ? "goroutineleak profile (debug=1)"
			       : "goroutine profile (debug=1)";
	if (strcmp(f, "trace") == 0)
		return "execution trace";
	return f;
}

/* The bar of a count m of a line whose peak is peak. */
static void
spark_bar(struct cell *c, int64_t m, int64_t peak)
{
	static const char *const bars[] = { "\u2581", "\u2582", "\u2583",
					    "\u2584", "\u2585", "\u2586",
					    "\u2587", "\u2588" };

	int k = 0;

	if (m <= 0 || peak <= 0) {
		tx_put_str(c, "\u00b7");
		return;
	}
	if (peak <= INT64_MAX / 8) /* m <= peak */
		k = (int)((m * 7 + peak / 2) / peak);
	else /* counts near INT64_MAX: 7 m would overflow */
		k = (int)((double)m / (double)peak * 7 + 0.5);
	tx_put_str(c, bars[k < 0 ? 0 : k > 7 ? 7 : k]);
}

/* Each column shows the largest count of its bucket of snapshots: column
 * k of cols holds snapshots k * n / cols up to (k + 1) * n / cols. */
void
tx_sparkline(struct cell *c, const int64_t *v, unsigned n, unsigned width)
{
	int64_t peak = 0;
	unsigned i, k, cols = n < width ? n : width;

	for (i = 0; i < n; i++)
		if (v[i] > peak)
			peak = v[i];
	for (k = 0, i = 0; k < cols; k++) {
		unsigned b = (unsigned)((uint64_t)(k + 1) * n / cols);
		int64_t m = 0;

		for (; i < b; i++)
			if (v[i] > m)
				m = v[i];
		spark_bar(c, m, peak);
	}
}

void
tx_sparkline_counts(struct cell *c, const struct grouping *gr,
		    const struct group *g, unsigned width)
{
	const struct group_count *v = g->counts;
	int64_t peak = group_peak(gr, g);
	unsigned k, n = gr->nsnap, cols = n < width ? n : width;
	uint32_t j = 0;

	for (k = 0; k < cols; k++) {
		unsigned b = (unsigned)((uint64_t)(k + 1) * n / cols);
		int64_t m = 0;

		for (; j < g->ncounts && v[j].idx < b; j++)
			if (group_count_n(gr, &v[j]) > m)
				m = group_count_n(gr, &v[j]);
		spark_bar(c, m, peak);
	}
}

void
tx_put_signed(struct cell *c, long long v)
{
	if (v > 0)
		tx_put_str(c, "+");
	else if (v < 0)
		tx_put_str(c, "-");
	tx_put_uint(c, (unsigned long long)(v < 0 ? -v : v));
}

int
tx_width(const char *s)
{
	int w = 0;

	/* Columns of UTF-8 text: count the bytes that start a character. */
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

const char *
tx_evidence(const struct grouping *gr)
{
	if (gr->nsnap < 2)
		return "one snapshot: growth unknown";
	if (gr->identity)
		return "judged by the goroutines that stayed";
	if (gr->identity_off == GROUP_IDS_TOO_MANY)
		return "judged by counts only (too many goroutines to follow)";
	return "judged by counts only (no goroutine ids)";
}
