/*
 * A progress bar on stderr for long reads (a large trace, many inputs):
 * drawn only when stderr is a terminal, progress is on (--no-progress turns
 * it off) and the work has lasted a moment; erased when done.
 */
#ifndef PROGRESS_H
#define PROGRESS_H

#include <stdint.h>

struct progress {
	int enabled;	  /* stderr is a terminal and progress is wanted */
	int drawn;	  /* something is on the line */
	double start;	  /* seconds, monotonic */
	double last;	  /* when it was last drawn */
	const char *what; /* "reading run.trace", borrowed */
};

/* Start: on when want is set and stderr is a terminal. */
void progress_init(struct progress *p, int want);

/* Say what is being done (borrowed until the next call or done). */
void progress_what(struct progress *p, const char *what);

/* done of total units (bytes, files); redrawn at most ten times a second. */
void progress_update(struct progress *p, uint64_t done, uint64_t total);

/* As a reader's progress callback: ctx is a struct progress. */
void progress_cb(void *ctx, uint64_t done, uint64_t total);

/* Erase the bar. */
void progress_done(struct progress *p);

#endif
