/*
 * The driver of the commands over a series of snapshots (diff, trend,
 * report): options, loading, the baseline, the analysis, the chosen output
 * and the exit status (3 with --fail-on-leak when a suspect is found).
 */
#ifndef ANALYZE_H
#define ANALYZE_H

struct command;

enum analyze_view {
	VIEW_DIFF,
	VIEW_TREND,
	VIEW_REPORT,
};

int analyze_main(const struct command *cmd, enum analyze_view view, int argc,
		 char **argv);

#endif
