/*
 * The text report: aligned columns within 100 columns, colour only when
 * asked for (a terminal, --color=always), deterministic order.
 */
#ifndef RENDER_TEXT_H
#define RENDER_TEXT_H

#include <stddef.h>
#include <stdio.h>

struct grouping;
struct snapshot_meta;

struct text_doc {
	const struct grouping *gr;	  /* finished */
	const struct snapshot_meta *meta; /* gr->nsnap of them */
	const size_t *shown;		  /* indices into gr->v */
	size_t nshown;
	int color;
	int verbose;
	int filtered;	  /* filters were given */
	unsigned threads; /* as struct snapshot's: 0 all processors, 1 one */
};

/* The report of `goroscope show` for one snapshot. */
void render_show(FILE *fp, const struct text_doc *doc);

#endif
