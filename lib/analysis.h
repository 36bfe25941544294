/*
 * The analysis over a series: per group its growth, its verdict (suspect
 * or why not) and score, and the order a report lists groups in.
 */
#ifndef ANALYSIS_H
#define ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/growth.h"
#include "lib/known.h"

struct grouping;

struct group_eval {
	struct growth growth;
	enum verdict verdict;
	double score;
	const struct known_rule *known; /* or NULL */
};

struct analysis_opts {
	struct suspect_rules rules;
	int ignore_known;	  /* --ignore-known (default on) */
	const uint64_t *baseline; /* sorted group ids of --baseline */
	size_t nbaseline;
	const int64_t *times_ns; /* per snapshot, or NULL when not all are
				      known */
};

struct analysis {
	struct group_eval *ev; /* parallel to gr->v */
	size_t *order;	       /* indices into gr->v, report order */
	size_t n;
	size_t nsuspects; /* proven leaks and suspects */
};

/*
 * Judge every group of gr (finished). The report order: proven leaks by
 * count, then suspects by score, then the other groups as gr orders them.
 */
void analysis_run(struct analysis *a, const struct grouping *gr,
		  const struct analysis_opts *o);
void analysis_release(struct analysis *a);

#endif
