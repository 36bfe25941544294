/* The text report of `goroscope show`. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cmd/render_text.h"
#include "cmd/textout.h"
#include "lib/group.h"
#include "lib/snapshot.h"
#include "lib/banned.h"

void
render_show(FILE *fp, const struct text_doc *doc)
{
	const struct grouping *gr = doc->gr;
	const struct snapshot_meta *s = &doc->meta[0];
	struct pen p = { fp, doc->color };
	char cell[256], by[32], src[600];
	int sw = STATE_MIN, fw;
	size_t i;
	int64_t shown_total = 0;

	group_key_format(&gr->key, by, sizeof(by));
	for (i = 0; i < doc->nshown; i++) {
		int n = (int)tx_state_cell(gr, &gr->v[doc->shown[i]], cell,
					   sizeof(cell));

		if (n > sw)
			sw = n;
	}
	if (sw > STATE_MAX)
		sw = STATE_MAX;
	fw = WIDTH - (8 + 2 + sw + 2 + 8 + 2);
	if (fw < FRAME_MIN)
		fw = FRAME_MIN;
	tx_on(&p, C_BOLD);
	fprintf(fp, "%s", tx_source(gr->in, s, src, sizeof(src)));
	tx_off(&p, C_BOLD);
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
		int n = (int)tx_state_cell(gr, g, cell, sizeof(cell));

		if (n > sw)
			cell[sw] = '\0';
		tx_short_id(g->id, id);
		shown_total += g->counts[0];
		if (doc->verbose && i > 0)
			fputc('\n', fp);
		tx_on(&p, C_BOLD);
		tx_print_count(fp, (long long)g->counts[0]);
		tx_off(&p, C_BOLD);
		fputs("  ", fp);
		tx_on(&p, tx_state_color(gr, g));
		fputs(cell, fp);
		tx_pad(fp, sw - (n > sw ? sw : n));
		tx_off(&p, tx_state_color(gr, g));
		fputs("  ", fp);
		tx_on(&p, C_CYAN);
		fputs(id, fp);
		tx_off(&p, C_CYAN);
		fputs("  ", fp);
		tx_frame_cell(&p, gr->in, g->blocking, "", fw);
		if (g->creator) {
			/* Under the state: the line has room for long names. */
			fputs(INDENT " ", fp);
			tx_frame_cell(&p, gr->in, g->creator, "created by ",
				      WIDTH - 10);
		}
		if (doc->verbose)
			tx_print_details(&p, gr, g);
	}
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
