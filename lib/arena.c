/* Bump allocation in chunks that grow geometrically up to a cap. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define ARENA_FIRST_CHUNK (64u * 1024)
#define ARENA_MAX_CHUNK	  (16u * 1024 * 1024)
#define ARENA_ALIGN	  16

struct arena_chunk {
	struct arena_chunk *prev;
	size_t size;
	/* payload follows, aligned */
};

#define HDR                                               \
	((sizeof(struct arena_chunk) + ARENA_ALIGN - 1) & \
	 ~(size_t)(ARENA_ALIGN - 1))

void
arena_init(struct arena *a)
{
	memset(a, 0, sizeof(*a));
	a->chunk_size = ARENA_FIRST_CHUNK;
}

void
arena_release(struct arena *a)
{
	struct arena_chunk *c = a->head;

	while (c) {
		struct arena_chunk *prev = c->prev;

		free(c);
		c = prev;
	}
	arena_init(a);
}

static void
new_chunk(struct arena *a, size_t need)
{
	size_t size = a->chunk_size;
	struct arena_chunk *c = NULL;

	if (size == 0)
		size = ARENA_FIRST_CHUNK;
	if (need > SIZE_MAX - HDR)
		xalloc_die("arena", need);
	if (size < need)
		size = need; /* an outsize chunk of its own */
	c = xmalloc(HDR + size);
	c->prev = a->head;
	c->size = size;
	a->head = c;
	a->next = (char *)c + HDR;
	a->left = size;
	if (a->chunk_size < ARENA_MAX_CHUNK)
		a->chunk_size *= 2;
}

void *
arena_alloc(struct arena *a, size_t size)
{
	void *p = NULL;

	if (size > SIZE_MAX - ARENA_ALIGN)
		xalloc_die("arena", size);
	size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (size == 0)
		size = ARENA_ALIGN;
	if (size > a->left)
		new_chunk(a, size);
	p = a->next;
	a->next += size;
	a->left -= size;
	a->total += size;
	return p;
}

char *
arena_memdup(struct arena *a, const void *p, size_t len)
{
	char *s = NULL;

	if (len == SIZE_MAX)
		xalloc_die("arena", len);
	s = arena_alloc(a, len + 1);
	if (len)
		memcpy(s, p, len);
	s[len] = '\0';
	return s;
}
