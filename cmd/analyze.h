/*
 * The driver of the commands over a series of snapshots (diff, trend,
 * report): options, loading, the baseline, the analysis, the chosen output
 * and the exit status (3 with --fail-on-leak when a suspect is found).
 */
#ifndef ANALYZE_H
#define ANALYZE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct command;
struct options;
struct series;
struct error;

enum analyze_view {
	VIEW_DIFF,
	VIEW_TREND,
	VIEW_REPORT,
};

int analyze_main(const struct command *cmd, enum analyze_view view, int argc,
		 char **argv);

/*
 * Judge the finished series s as view does (groups in the sorted baseline
 * ids are not suspects; filtered: filters were given) and write the report
 * in o's format to fp; *suspects says how many suspects there are. Fails
 * only on a write error. For analyze_main and watch.
 */
int analyze_write(enum analyze_view view, const struct options *o,
		  struct series *s, int filtered, const uint64_t *base,
		  size_t nbase, FILE *fp, size_t *suspects, struct error *err);

/* Print the warnings about a finished series: order, mixed formats. */
void analyze_warn(const struct series *s);

/* Warn that --group-by creator cannot group snapshots without creation
 * sites (pprof, debug=1): meta[0..n) of one instance. */
struct snapshot_meta;
struct intern;
void analyze_warn_creators(const struct snapshot_meta *meta, unsigned n,
			   const struct intern *in);

#endif
