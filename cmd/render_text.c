/* The text report of `goroscope show`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/render_text.h"
#include "cmd/textout.h"
#include "lib/group.h"
#include "lib/par.h"
#include "lib/sat.h"
#include "lib/snapshot.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* Lines are gathered and written in blocks of about this size. */
#define FLUSH_AT (64u * 1024)

/* Groups to a part of the table: fewer are not worth a thread. */
#define RENDER_PART_MIN 8192

/* One part of the table's lines, made on a thread of its own. */
struct show_part {
	const struct text_doc *doc;
	struct pen p;
	size_t lo, hi;	    /* of doc->shown */
	struct txbuf cells; /* the state cells of lo..hi, back to back */
	size_t *cell_end;   /* doc's, indexed like doc->shown */
	int widest;
	int sw, fw;	/* the columns, once every part is measured */
	struct txbuf b; /* the lines (in memory, unless verbose) */
	FILE *fp;	/* one part: written as made (else NULL) */
	int64_t shown_total;
};

/*
 * The line's columns before the frame, without colour, written straight
 * into b: "   COUNT  STATE...  GROUPID  " (what txbuf_count, txbuf_pad,
 * tx_short_id and txbuf_put make, at a fraction of the calls).
 */
static void
plain_head(struct txbuf *b, int64_t count, const char *cell, int cn, int sw,
	   uint64_t id)
{
	static const char hex[] = "0123456789abcdef";
	unsigned long long v = count < 0 ? 0 : (unsigned long long)count;
	char d[24], *o = NULL;
	int nd = 0, k;

	do {
		d[sizeof(d) - 1 - nd++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	txbuf_reserve(b, (size_t)(8 + nd + 2 + sw + 2 + 8 + 2));
	o = b->p + b->n;
	for (k = nd; k < 8; k++)
		*o++ = ' ';
	memcpy(o, d + sizeof(d) - nd, (size_t)nd);
	o += nd;
	*o++ = ' ';
	*o++ = ' ';
	memcpy(o, cell, (size_t)cn);
	o += cn;
	for (k = cn; k < sw; k++)
		*o++ = ' ';
	*o++ = ' ';
	*o++ = ' ';
	for (k = 0; k < 8; k++)
		*o++ = hex[(id >> (60 - 4 * k)) & 15];
	*o++ = ' ';
	*o++ = ' ';
	b->n = (size_t)(o - b->p);
}

/* The line's columns before the frame: count, state cell (cn of its
 * bytes, padded to sw, in colour sc), group id. */
static void
line_head(struct txbuf *b, const struct pen *p, const struct grouping *gr,
	  const struct group *g, const char *cell, int cn, int sw,
	  enum color sc)
{
	char id[17];
	int64_t count = group_last(gr, g); /* show reads one snapshot */

	if (!p->color) {
		plain_head(b, count, cell, cn, sw, g->id);
		return;
	}
	tx_short_id(g->id, id);
	txbuf_on(b, p, C_BOLD);
	txbuf_count(b, (long long)count);
	txbuf_off(b, p, C_BOLD);
	txbuf_put(b, "  ", 2);
	txbuf_on(b, p, sc);
	txbuf_put(b, cell, (size_t)cn);
	txbuf_pad(b, sw - cn);
	txbuf_off(b, p, sc);
	txbuf_put(b, "  ", 2);
	txbuf_on(b, p, C_CYAN);
	txbuf_puts(b, id);
	txbuf_off(b, p, C_CYAN);
	txbuf_put(b, "  ", 2);
}

/* The state cells of a part, and the widest of them. */
static void
measure_part(void *ctx, unsigned k)
{
	struct show_part *sp = (struct show_part *)ctx + k;
	const struct grouping *gr = sp->doc->gr;
	char cell[256];
	size_t i;

	for (i = sp->lo; i < sp->hi; i++) {
		int n = (int)tx_state_cell(gr, &gr->v[sp->doc->shown[i]], cell,
					   sizeof(cell));

		txbuf_put(&sp->cells, cell, (size_t)n);
		sp->cell_end[i] = sp->cells.n;
		if (n > sp->widest)
			sp->widest = n;
	}
}

#define COUNT_AHEAD 8

/* The lines of a part's groups. */
static void
lines_part(void *ctx, unsigned k)
{
	struct show_part *sp = (struct show_part *)ctx + k;
	const struct text_doc *doc = sp->doc;
	const struct grouping *gr = doc->gr;
	const struct pen *p = &sp->p;
	struct txbuf *b = &sp->b;
	struct tx_frame_memo blocking, creators;
	int sw = sp->sw;
	size_t i;

	memset(&blocking, 0, sizeof(blocking));
	memset(&creators, 0, sizeof(creators));
	for (i = sp->lo; i < sp->hi; i++) {
		const struct group *g = &gr->v[doc->shown[i]];
		size_t from = i > sp->lo ? sp->cell_end[i - 1] : 0;
		int n = (int)(sp->cell_end[i] - from);

		/* The groups are in order, their counts where they were
		 * made: the count is fetched a few groups ahead. */
		if (i + COUNT_AHEAD < sp->hi) {
			const struct group *a =
				&gr->v[doc->shown[i + COUNT_AHEAD]];

			if (a->ncounts)
				__builtin_prefetch(&a->counts[a->ncounts - 1]);
		}

		sp->shown_total = sat_add(sp->shown_total, group_last(gr, g));
		if (doc->verbose && i > 0)
			txbuf_put(b, "\n", 1);
		line_head(b, p, gr, g, sp->cells.p + from, n > sw ? sw : n, sw,
			  tx_state_color(gr, g));
		tx_frame_text_memo(&blocking, b, p, gr->in, g->blocking, "",
				   sp->fw);
		if (g->creator) {
			/* Under the state: the line has room for long names. */
			txbuf_puts(b, INDENT " ");
			tx_frame_text_memo(&creators, b, p, gr->in, g->creator,
					   "created by ", WIDTH - 10);
		}
		if (doc->verbose) {
			txbuf_flush(b, sp->fp);
			tx_print_details(p, gr, g);
		} else if (sp->fp != NULL && b->n >= FLUSH_AT) {
			txbuf_flush(b, sp->fp);
		}
	}
	tx_frame_memo_release(&blocking);
	tx_frame_memo_release(&creators);
}

void
render_show(FILE *fp, const struct text_doc *doc)
{
	const struct grouping *gr = doc->gr;
	const struct snapshot_meta *s = &doc->meta[0];
	struct pen p = { fp, doc->color };
	struct show_part part[PAR_MAX];
	char by[32], src[600];
	int sw = STATE_MIN, fw;
	size_t *cell_end = NULL;
	int64_t shown_total = 0;
	/* Verbose lines go out as made, with details printed by stdio. */
	unsigned parts = doc->verbose ? 1
				      : par_parts(doc->threads, doc->nshown,
						  RENDER_PART_MIN),
		 k;

	group_key_format(&gr->key, by, sizeof(by));
	cell_end = xreallocarray(NULL, doc->nshown ? doc->nshown : 1,
				 sizeof(*cell_end));
	memset(part, 0, sizeof(part));
	for (k = 0; k < parts; k++) {
		part[k].doc = doc;
		part[k].p = p;
		part[k].cell_end = cell_end;
		part[k].fp = parts == 1 ? fp : NULL;
		par_range(doc->nshown, k, parts, &part[k].lo, &part[k].hi);
	}
	/* The state cells once: their widest sets the column. The parts
	 * only read shared tables (every state's class is known since
	 * grouping). */
	par_run(parts, measure_part, part);
	for (k = 0; k < parts; k++)
		if (part[k].widest > sw)
			sw = part[k].widest;
	if (sw > STATE_MAX)
		sw = STATE_MAX;
	fw = WIDTH - (8 + 2 + sw + 2 + 8 + 2);
	if (fw < FRAME_MIN)
		fw = FRAME_MIN;
	tx_on(&p, C_BOLD);
	fprintf(fp, "%s",
		s->container ? intern_shown(gr->in, s->container)
			     : tx_source(gr->in, s, src, sizeof(src)));
	tx_off(&p, C_BOLD);
	if (s->container)
		fprintf(fp, ": snapshot of %s",
			tx_source(gr->in, s, src, sizeof(src)));
	fprintf(fp, ": %s, %lld goroutine%s", tx_format_words(gr->in, s),
		(long long)gr->totals[0], tx_plural(gr->totals[0]));
	if (doc->filtered)
		fprintf(fp, ", %lld matching", (long long)gr->kept[0]);
	fprintf(fp, " in %zu group%s (grouped by %s)", gr->n,
		tx_plural((long long)gr->n), by);
	/* GOTRACEBACK=system|crash: each thread's own stack, not counted. */
	/* and the runtime's own goroutines, as Go's profiles leave out. */
	if (s->system_goroutines > 0)
		fprintf(fp, "; %llu system goroutine%s",
			(unsigned long long)s->system_goroutines,
			tx_plural((long long)s->system_goroutines));
	if (s->thread_stacks > 0)
		fprintf(fp, "%s %llu thread stack%s",
			s->system_goroutines > 0 ? " and" : ";",
			(unsigned long long)s->thread_stacks,
			tx_plural((long long)s->thread_stacks));
	if (s->system_goroutines > 0 || s->thread_stacks > 0)
		fputs(" left out", fp);
	fputc('\n', fp);
	/* What made a traceback: the first thing a reader looks for. */
	tx_print_message(&p, gr->in, s->message, "  ");
	fputc('\n', fp);
	fprintf(fp, "%8s  %-*s  %-8s  %s\n", "COUNT", sw, "STATE", "GROUP",
		"BLOCKED IN");
	for (k = 0; k < parts; k++) {
		part[k].sw = sw;
		part[k].fw = fw;
	}
	par_run(parts, lines_part, part);
	for (k = 0; k < parts; k++) {
		txbuf_flush(&part[k].b, fp);
		shown_total = sat_add(shown_total, part[k].shown_total);
		free(part[k].b.p);
		free(part[k].cells.p);
	}
	free(cell_end);
	fputc('\n', fp);
	tx_on(&p, C_BOLD);
	tx_print_count(fp, (long long)gr->totals[0]);
	tx_off(&p, C_BOLD);
	fprintf(fp, "  goroutine%s", tx_plural(gr->totals[0]));
	if (doc->filtered)
		fprintf(fp, ", %lld matching the filters",
			(long long)gr->kept[0]);
	fprintf(fp, " in %zu group%s", gr->n, tx_plural((long long)gr->n));
	if (doc->nshown == 0 && gr->n > 0)
		fputs("; none shown", fp);
	else if (doc->nshown < gr->n)
		fprintf(fp, "; the %zu shown hold%s %lld", doc->nshown,
			doc->nshown == 1 ? "s" : "", (long long)shown_total);
	fputc('\n', fp);
}
