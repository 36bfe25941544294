/*
 * Series built from the snapshots the read path delivers (DESIGN.md
 * sections 2a and 8): each snapshot goes to its instance's grouping as it
 * comes (memory holds groups, not goroutine records); once all are in,
 * each instance's snapshots are ordered by its own rule: by capture time
 * when every one has one, else by place (the order of the inputs, then
 * the position in each).
 */
#ifndef SERIES_H
#define SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "lib/group.h"
#include "lib/snapshot.h"

struct filter;

/* How snapshots make series. */
enum series_mode {
	/* trend, report: one series per instance, each in its own order */
	SERIES_BY_INSTANCE = 0,
	/* diff: one series whatever the instances, in the order given */
	SERIES_AS_GIVEN,
};

/* The series of one instance. */
struct series_inst {
	strid name;		    /* 0: the command's one instance */
	struct grouping gr;	    /* its groups over its snapshots */
	struct snapshot_meta *meta; /* per snapshot, in the final order */
	size_t metacap;
	int by_time;	     /* ordered by capture time */
	int64_t *times;	     /* per snapshot when by_time, else NULL */
	unsigned timed;	     /* snapshots with a capture time */
	int mixed;	     /* some have a capture time and some not */
	int time_disorder;   /* times went back before by_place was set */
	int64_t latest_time; /* of the timed snapshots added */
	uint32_t last_input; /* input of the last snapshot added, + 1 */
};

/* An input that was left out (keep going), for the inputs list. */
struct series_skip {
	strid path;
	char why[512];
};

struct series {
	struct intern *in; /* borrowed */
	struct group_key key;
	struct filter *f; /* borrowed, or NULL */
	unsigned threads;
	enum series_mode mode;
	strid only; /* --instance: the one kept, or 0 */
	int has_only;
	struct series_inst *v; /* by name once finished ("" first) */
	size_t n, cap;
	struct series_skip *skipped;
	size_t nskipped, skipcap;
	uint64_t other; /* snapshots of other instances than `only` */
	unsigned nsnap; /* snapshots kept, over every instance */
};

void series_init(struct series *s, struct intern *in,
		 const struct group_key *key, struct filter *f,
		 unsigned threads, enum series_mode mode);
void series_release(struct series *s);

/* Keep only the snapshots of the instance called name. */
void series_select(struct series *s, const char *name);

/* Add one snapshot (as a read path's sink: returns 0). */
int series_add(struct series *s, const struct snapshot *snap);

/* Note an input left out, and why. */
void series_skip(struct series *s, const char *path, const char *why);

/*
 * Once every snapshot is in: order each instance's snapshots, finish its
 * grouping, and sort the instances by name (natural order).
 */
void series_finish(struct series *s);

/* "capture time" or "file names" (or "as given": diff). */
const char *series_order_name(const struct series *s,
			      const struct series_inst *si);

/* The instance called name, or NULL. */
struct series_inst *series_find(struct series *s, const char *name);

#endif
