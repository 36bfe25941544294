/*
 * Loading the snapshots of a command that looks at a series (diff, trend,
 * report): every operand (files, directories of captures, "-"), grouped as
 * it is read so that memory holds groups, not goroutine records; then
 * ordered by capture time when every snapshot has one.
 */
#ifndef SERIES_H
#define SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "lib/snapshot.h"

struct grouping;
struct filter;
struct trace_opts;

struct series {
	struct snapshot_meta *meta; /* per snapshot, in the final order */
	unsigned n;
	size_t cap;
	int by_time;	/* ordered by capture time */
	int64_t *times; /* per snapshot when by_time, else NULL */
};

/* How to read the operands beyond what they hold. */
struct series_opts {
	unsigned threads;
	/* Where to sample execution traces (sampling, at, every, count of
	 * trace.h); NULL: one snapshot, at the end. */
	const struct trace_opts *sampling;
	int progress; /* a progress bar on a terminal */
};

/*
 * Read every operand into gr, one snapshot each (an execution trace: one
 * per sampling point), filtered by f (may be NULL), with reader warnings
 * printed. A file in a directory that is not a capture is skipped with a
 * warning; any other failure is printed and returns -1. Then orders the
 * snapshots (and gr) by capture time when every one has a capture time.
 */
int series_load(struct series *s, struct grouping *gr, struct filter *f,
		char **operands, int noperands, const struct series_opts *o);
void series_release(struct series *s);

/* "capture time" or "command line": how the snapshots are ordered. */
const char *series_order(const struct series *s);

/*
 * The sorted group ids, under gr's key, of the snapshots in path (a file or
 * a directory): what --baseline excludes. Returns -1 after printing why.
 */
int series_baseline(struct grouping *gr, const char *path,
		    const struct series_opts *o, uint64_t **ids, size_t *nids);

#endif
