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
struct fleet;
struct series_skip;

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
	const char *baseline;		   /* --baseline path, or NULL */
	size_t nbaseline;		   /* groups in the baseline */
	const char *instance;		   /* this series' instance, or NULL */
	size_t ninstances;		   /* in the whole report */
	const struct series_skip *skipped; /* inputs left out */
	size_t nskipped;
	int list_skipped; /* this part lists them (the first instance) */
};

/* The fleet table's input: the fleet and each instance's name and
 * grouping, in the fleet's part order. */
struct fleet_text {
	const struct fleet *fleet;
	const char *const *names;
	const struct grouping *const *grs;
	size_t n;
	size_t others; /* groups that are a suspect nowhere, listed after */
};

/* One instance's part of the report; several are printed one after the
 * other, then the fleet table and the footer, once. */
void render_diff(FILE *fp, const struct series_doc *doc);
void render_trend(FILE *fp, const struct series_doc *doc);
void render_report(FILE *fp, const struct series_doc *doc);

/* The fleet table: groups by how many instances they are a suspect on. */
void render_fleet(FILE *fp, const struct series_doc *doc,
		  const struct fleet_text *ft);

/* The legend and thresholds of trend and report. */
void render_trend_footer(FILE *fp, const struct series_doc *doc);
void render_report_footer(FILE *fp, const struct series_doc *doc);

#endif
