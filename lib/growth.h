/*
 * Growth of a group across a series of snapshots, and the leak-suspect
 * rule (DESIGN.md section 4): blocked, grown by at least a floor, mostly
 * non-decreasing, ending at or near its peak, not in a baseline, not a
 * goroutine that is long-lived by design.
 */
#ifndef GROWTH_H
#define GROWTH_H

#include <stddef.h>
#include <stdint.h>

struct growth {
	unsigned n; /* snapshots */
	int64_t first, last, peak;
	int64_t net; /* last - first */
	/* Without goroutine ids, the count the growth is judged from: the
	 * upper median of the first half of the snapshots (the first when
	 * there are 2 or 3), so that one stalled or busy first capture
	 * does not make a steady group look grown; and the last count minus
	 * it. With ids, who stayed does that, and growth is net. */
	int64_t baseline, grown;
	int64_t late_low; /* the smallest count of the last half */
	double slope;	  /* least squares: per hour when timed, else per
				snapshot */
	int per_hour;	  /* slope is per hour of capture time */
	double rise;	  /* share of steps that did not decrease, 0..1 */
	unsigned rises;	  /* steps that went up */
};

struct group_count;
struct grouping;

/* Compute growth over counts[0..n); times_ns may be NULL (unknown). */
void growth_compute(struct growth *g, const int64_t *counts,
		    const int64_t *times_ns, unsigned n);

/* The x of each point of the slope, and their sums, once for every group
 * of a series: hours since the first capture time, or the index when
 * times_ns is NULL. */
struct growth_xs {
	double *x;
	double sx, sxx;
	unsigned n;
	int per_hour;
};

void growth_xs_init(struct growth_xs *xs, const int64_t *times_ns, unsigned n);
void growth_xs_release(struct growth_xs *xs);

/*
 * growth_compute() of a series of xs->n snapshots in which a group of gr
 * has the counts c[0..nc) (by snapshot index, the rest 0): the same
 * numbers, in time proportional to nc.
 */
void growth_compute_sparse(struct growth *g, const struct grouping *gr,
			   const struct group_count *c, uint32_t nc,
			   const struct growth_xs *xs);

/* How many of the first snapshots the baseline is the median of. */
unsigned growth_baseline_points(unsigned n);

/* Thresholds of the suspect rule; every one is an option. */
struct suspect_rules {
	int64_t min_growth; /* --min-growth: net growth at least this */
	double min_rise;    /* --min-rise: share of non-decreasing steps */
	double near_peak;   /* --near-peak: last >= near_peak * peak */
};

#define SUSPECT_MIN_GROWTH 3
#define SUSPECT_MIN_RISE   0.75
#define SUSPECT_NEAR_PEAK  0.9

void suspect_rules_default(struct suspect_rules *r);

/* Why a group is or is not a suspect. */
enum verdict {
	V_PROVEN = 0,	/* a goroutineleak profile or "(leaked)" said so */
	V_SUSPECT,	/* the rule holds */
	V_ONE_SNAPSHOT, /* growth unknown: ranked by size and wait */
	V_NOT_BLOCKED,
	V_KNOWN,      /* long-lived by design (--ignore-known) */
	V_BASELINE,   /* present in --baseline */
	V_SHRINKING,  /* net growth below zero */
	V_STEADY,     /* no net growth */
	V_SMALL,      /* grew, but by less than --min-growth */
	V_UNSTEADY,   /* grew, but too many steps went down */
	V_FELL,	      /* grew, but ends well below its peak */
	V_JUMP,	      /* grew in one step: a moment, not yet a leak */
	V_NOT_STAYED, /* grew, but not by new goroutines that stayed */
	V_TURNOVER,   /* more of its goroutines left than stayed */
};

/* A few words for the verdict: "steady", "rose and fell", ... */
const char *verdict_text(enum verdict v);

struct group_facts {
	int blocked;
	int proven; /* some member is a proven leak */
	int known;  /* matches a known long-lived goroutine */
	int in_baseline;
	int64_t wait_max; /* minutes, 0 when unknown */
	/* Where every snapshot names its goroutines: of the group's
	 * goroutines at the last snapshot, how many were in it at an
	 * earlier snapshot too (stayed), and of those how many are new since
	 * the first; how many were in it once but are not at the end
	 * (left). */
	int has_ids;
	int64_t stayed, new_stayed, left;
};

/*
 * Judge a group. Sets *score: with two or more snapshots, growth from the
 * baseline x rise x last / peak (0 unless it grew); with one, count x (1 +
 * ln(1 + longest wait in minutes)) for blocked groups, 0 otherwise.
 */
enum verdict suspect_judge(const struct suspect_rules *r,
			   const struct growth *g, const struct group_facts *f,
			   double *score);

/* Whether a verdict makes the group a leak suspect (proven or by rule). */
int verdict_is_suspect(enum verdict v);

#endif
