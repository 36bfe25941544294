/* The text report of `goroscope show`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/render_text.h"
#include "cmd/textout.h"
#include "lib/group.h"
#include "lib/snapshot.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* Lines are gathered and written in blocks of about this size. */
#define FLUSH_AT (64u * 1024)

void
render_show(FILE *fp, const struct text_doc *doc)
{
	const struct grouping *gr = doc->gr;
	const struct snapshot_meta *s = &doc->meta[0];
	struct pen p = { fp, doc->color };
	struct txbuf b = { NULL, 0, 0 }, cells = { NULL, 0, 0 };
	struct tx_frame_memo blocking, creators;
	char cell[256], by[32], src[600];
	int sw = STATE_MIN, fw;
	size_t i, *cell_end = NULL;
	int64_t shown_total = 0;

	memset(&blocking, 0, sizeof(blocking));
	memset(&creators, 0, sizeof(creators));
	group_key_format(&gr->key, by, sizeof(by));
	/* The state cells once: their widest sets the column. */
	cell_end = xreallocarray(NULL, doc->nshown ? doc->nshown : 1,
				 sizeof(*cell_end));
	for (i = 0; i < doc->nshown; i++) {
		int n = (int)tx_state_cell(gr, &gr->v[doc->shown[i]], cell,
					   sizeof(cell));

		txbuf_put(&cells, cell, (size_t)n);
		cell_end[i] = cells.n;
		if (n > sw)
			sw = n;
	}
	if (sw > STATE_MAX)
		sw = STATE_MAX;
	fw = WIDTH - (8 + 2 + sw + 2 + 8 + 2);
	if (fw < FRAME_MIN)
		fw = FRAME_MIN;
	tx_on(&p, C_BOLD);
	fprintf(fp, "%s",
		s->container ? intern_str(gr->in, s->container)
			     : tx_source(gr->in, s, src, sizeof(src)));
	tx_off(&p, C_BOLD);
	if (s->container)
		fprintf(fp, ": snapshot of %s",
			tx_source(gr->in, s, src, sizeof(src)));
	fprintf(fp, ": %s, %lld goroutine%s", tx_format_words(gr->in, s),
		(long long)gr->totals[0], tx_plural(gr->totals[0]));
	if (doc->filtered)
		fprintf(fp, ", %lld matching", (long long)gr->kept[0]);
	fprintf(fp, " in %zu group%s (grouped by %s)\n\n", gr->n,
		tx_plural((long long)gr->n), by);
	fprintf(fp, "%8s  %-*s  %-8s  %s\n", "COUNT", sw, "STATE", "GROUP",
		"BLOCKED IN");
	for (i = 0; i < doc->nshown; i++) {
		const struct group *g = &gr->v[doc->shown[i]];
		char id[17];
		size_t from = i ? cell_end[i - 1] : 0;
		int n = (int)(cell_end[i] - from);
		enum color sc = tx_state_color(gr, g);

		tx_short_id(g->id, id);
		shown_total += g->counts[0];
		if (doc->verbose && i > 0)
			txbuf_put(&b, "\n", 1);
		txbuf_on(&b, &p, C_BOLD);
		txbuf_count(&b, (long long)g->counts[0]);
		txbuf_off(&b, &p, C_BOLD);
		txbuf_put(&b, "  ", 2);
		txbuf_on(&b, &p, sc);
		txbuf_put(&b, cells.p + from, (size_t)(n > sw ? sw : n));
		txbuf_pad(&b, sw - (n > sw ? sw : n));
		txbuf_off(&b, &p, sc);
		txbuf_put(&b, "  ", 2);
		txbuf_on(&b, &p, C_CYAN);
		txbuf_puts(&b, id);
		txbuf_off(&b, &p, C_CYAN);
		txbuf_put(&b, "  ", 2);
		tx_frame_text_memo(&blocking, &b, &p, gr->in, g->blocking, "",
				   fw);
		if (g->creator) {
			/* Under the state: the line has room for long names. */
			txbuf_puts(&b, INDENT " ");
			tx_frame_text_memo(&creators, &b, &p, gr->in,
					   g->creator, "created by ",
					   WIDTH - 10);
		}
		if (doc->verbose) {
			txbuf_flush(&b, fp);
			tx_print_details(&p, gr, g);
		} else if (b.n >= FLUSH_AT) {
			txbuf_flush(&b, fp);
		}
	}
	txbuf_flush(&b, fp);
	free(b.p);
	free(cells.p);
	free(cell_end);
	tx_frame_memo_release(&blocking);
	tx_frame_memo_release(&creators);
	fputc('\n', fp);
	tx_on(&p, C_BOLD);
	tx_print_count(fp, (long long)gr->totals[0]);
	tx_off(&p, C_BOLD);
	fprintf(fp, "  goroutine%s", tx_plural(gr->totals[0]));
	if (doc->filtered)
		fprintf(fp, ", %lld matching the filters",
			(long long)gr->kept[0]);
	fprintf(fp, " in %zu group%s", gr->n, tx_plural((long long)gr->n));
	if (doc->nshown < gr->n)
		fprintf(fp, "; %zu shown, of %lld goroutine%s", doc->nshown,
			(long long)shown_total, tx_plural(shown_total));
	fputc('\n', fp);
}
