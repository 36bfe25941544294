/*
 * Linear-probing hash index kept at most three quarters full: a probe
 * mostly stays within the 64-byte line of its first slot (eight slots),
 * and an index of 600,000 frames takes 8 MB, not 16.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/idmap.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

#define IDMAP_MIN 64u

void
idmap_init(struct idmap *m)
{
	memset(m, 0, sizeof(*m));
}

void
idmap_release(struct idmap *m)
{
	free(m->slots);
	idmap_init(m);
}

static void
place(struct idmap_slot *slots, uint32_t mask, uint32_t hash, uint32_t id1)
{
	uint32_t pos = hash & mask;

	while (slots[pos].id != 0)
		pos = (pos + 1) & mask;
	slots[pos].hash = hash;
	slots[pos].id = id1;
}

/* Move the entries into a table of cap slots. */
static void
rehash(struct idmap *m, uint32_t cap)
{
	uint32_t oldcap = m->slots ? m->mask + 1 : 0;
	struct idmap_slot *slots = NULL;
	uint32_t i;

	slots = xcalloc(cap, sizeof(*slots));
	for (i = 0; i < oldcap; i++)
		if (m->slots[i].id)
			place(slots, cap - 1, m->slots[i].hash, m->slots[i].id);
	free(m->slots);
	m->slots = slots;
	m->mask = cap - 1;
}

static void
grow(struct idmap *m)
{
	uint32_t oldcap = m->slots ? m->mask + 1 : 0;

	if (oldcap >= (1u << 31))
		xalloc_die("hash index (too many entries)", (size_t)oldcap);
	rehash(m, oldcap ? oldcap * 2 : IDMAP_MIN);
}

void
idmap_reserve(struct idmap *m, size_t n)
{
	uint32_t cap = m->slots ? m->mask + 1 : 0, want = IDMAP_MIN;

	/* As full as idmap_insert lets it be. */
	if (n >= (1u << 30))
		return;
	while ((uint64_t)n * 4 > (uint64_t)want * 3)
		want *= 2;
	if (want > cap)
		rehash(m, want);
}

void
idmap_insert(struct idmap *m, uint32_t hash, uint32_t id)
{
	if (m->slots == NULL || !idmap_room(m->count, m->mask + 1))
		grow(m);
	place(m->slots, m->mask, hash, id + 1);
	m->count++;
}
