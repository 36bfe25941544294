/*
 * A bump allocator: many small allocations released in one step. Used for
 * interned bytes, group histograms and the messages the pprof writer packs.
 */
#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
	char *next;	   /* free space in head */
	size_t left;	   /* bytes left in head */
	size_t chunk_size; /* size of the next ordinary chunk */
	size_t total;	   /* bytes handed out, for statistics */
};

void arena_init(struct arena *a);

/* Free every chunk; every pointer the arena handed out becomes invalid. */
void arena_release(struct arena *a);

/*
 * size bytes aligned to 16, owned by the arena (valid until arena_release);
 * aborts when memory is exhausted.
 */
void *arena_alloc(struct arena *a, size_t size);

/* Copy len bytes and add a NUL; the copy is owned by the arena. */
char *arena_memdup(struct arena *a, const void *p, size_t len);

#endif
