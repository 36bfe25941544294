/*
 * The fleet summary (DESIGN.md section 9): over several instances, each
 * judged on its own series, per group (ids are stable hashes of the key, so
 * equal across instances): on how many instances it is a suspect, its
 * total and per-instance counts (in each instance's latest snapshot), and
 * the instances where it is largest, as Uber's LeakProf ranks blocking
 * sites by the goroutines they hold across a fleet.
 */
#ifndef FLEET_H
#define FLEET_H

#include <stddef.h>
#include <stdint.h>

struct grouping;
struct analysis;

/* One instance: its finished grouping and its analysis (borrowed). */
struct fleet_part {
	const struct grouping *gr;
	const struct analysis *an;
};

/* Where a group stands on one instance. */
struct fleet_member {
	size_t part;  /* index into the parts */
	size_t group; /* index into that part's gr->v */
	int64_t last; /* its count in the instance's latest snapshot */
	int suspect;  /* a suspect (or proven leak) there */
};

struct fleet_row {
	uint64_t id;
	struct fleet_member *m; /* the instances it is on, in part order */
	size_t nm;
	size_t largest; /* index into m of the largest count */
	unsigned suspect_on, proven_on;
	int64_t total; /* sum of the last counts */
	double score;  /* sum of the suspect scores */
};

struct fleet {
	struct fleet_row *v; /* suspects on most instances first */
	size_t n;
	struct fleet_member *members; /* storage of every row's m */
	size_t nparts;
	size_t nsuspect; /* rows that are a suspect somewhere */
};

/* Build the summary of parts[0..n). */
void fleet_build(struct fleet *f, const struct fleet_part *parts, size_t n);
void fleet_release(struct fleet *f);

#endif
