/*
 * Work split into parts run at once, one thread each: for the steps of
 * showing one large snapshot that have no order among their items
 * (finishing and sorting 60,000 groups, printing them).
 */
#ifndef PAR_H
#define PAR_H

#include <pthread.h>
#include <stddef.h>

/* Most parts a step is split into. */
#define PAR_MAX 8

/*
 * How many parts to split n items into, each of at least min items: at
 * most threads (0: as many as the machine has processors; 1: no split)
 * and PAR_MAX.
 */
unsigned par_parts(unsigned threads, size_t n, size_t min);

/* Items [*lo, *hi) of part k of parts, over n items. */
void par_range(size_t n, unsigned k, unsigned parts, size_t *lo, size_t *hi);

/* fn(ctx, k) for every k < parts, part 0 on the calling thread; a part
 * whose thread cannot start runs there too. Returns when all are done. */
void par_run(unsigned parts, void (*fn)(void *ctx, unsigned k), void *ctx);

/*
 * One piece of work on a thread of its own while the caller does another
 * (par_begin), joined by par_end; when no thread can start, par_end runs
 * it on the calling thread. What it touches must be left alone between
 * the two calls.
 */
struct par_task {
	void (*fn)(void *ctx, unsigned k);
	void *ctx;
	pthread_t thread;
	int state; /* 0 idle, 1 running on its thread, 2 to run here */
};

void par_begin(struct par_task *t, void (*fn)(void *ctx, unsigned k),
	       void *ctx);
void par_end(struct par_task *t);

#endif
