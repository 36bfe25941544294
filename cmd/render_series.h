/*
 * The text reports over a series of snapshots: diff (two snapshots, per
 * group change), trend (counts across the series) and report (the
 * incident report: inputs, ranked suspects with evidence, other large
 * groups, the thresholds used).
 */
#ifndef RENDER_SERIES_H
#define RENDER_SERIES_H

#include <stddef.h>
#include <stdio.h>

struct grouping;
struct snapshot_meta;
struct analysis;
struct suspect_rules;

struct series_doc {
	const struct grouping *gr;	  /* finished */
	const struct snapshot_meta *meta; /* gr->nsnap of them */
	const struct analysis *an;
	const struct suspect_rules *rules;
	const size_t *shown; /* groups to list, in order */
	size_t nshown;
	int by_time; /* snapshots ordered by capture time */
	int color, verbose, filtered;
	int ignore_known;
	const char *baseline; /* --baseline path, or NULL */
	size_t nbaseline;     /* groups in the baseline */
};

void render_diff(FILE *fp, const struct series_doc *doc);
void render_trend(FILE *fp, const struct series_doc *doc);
void render_report(FILE *fp, const struct series_doc *doc);

#endif
