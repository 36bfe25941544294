/*
 * An open-addressing index from a 32-bit hash to 32-bit ids. It stores no
 * keys: the table that owns the ids compares candidates itself, so one index
 * serves strings, frames, stacks and groups alike.
 *
 *	uint32_t pos, id;
 *	for (id = idmap_first(m, h, &pos); id != IDMAP_NONE;
 *	     id = idmap_next(m, h, &pos))
 *		if (equal(id)) return id;
 *	idmap_insert(m, h, new_id);
 */
#ifndef IDMAP_H
#define IDMAP_H

#include <stddef.h>
#include <stdint.h>

#define IDMAP_NONE UINT32_MAX

/* Whether an index of cap slots holding count entries has room for one
 * more: it is kept at most three quarters full. */
static inline int
idmap_room(uint32_t count, uint32_t cap)
{
	return (uint64_t)(count + 1) * 4 <= (uint64_t)cap * 3;
}

struct idmap_slot {
	uint32_t hash;
	uint32_t id; /* id + 1; 0 marks an empty slot */
};

struct idmap {
	struct idmap_slot *slots;
	uint32_t mask; /* capacity - 1; capacity is a power of two */
	uint32_t count;
};

void idmap_init(struct idmap *m);
void idmap_release(struct idmap *m);

/* Make room for n entries in all without growing again (a hint). */
void idmap_reserve(struct idmap *m, size_t n);

/* Add id under hash; ids are never removed. */
void idmap_insert(struct idmap *m, uint32_t hash, uint32_t id);

/*
 * idmap_insert() after a lookup under hash that ended at IDMAP_NONE with
 * *pos as it left it: the empty slot the probe stopped at takes the id,
 * unless the index must grow first.
 */
static inline void
idmap_insert_after_miss(struct idmap *m, uint32_t hash, uint32_t pos,
			uint32_t id)
{
	if (m->slots != NULL && idmap_room(m->count, m->mask + 1)) {
		struct idmap_slot *s = &m->slots[(pos - 1) & m->mask];

		s->hash = hash;
		s->id = id + 1;
		m->count++;
		return;
	}
	idmap_insert(m, hash, id);
}

/* The next candidate id stored under hash from *pos on, or IDMAP_NONE. */
static inline uint32_t
idmap_next(const struct idmap *m, uint32_t hash, uint32_t *pos)
{
	for (;;) {
		const struct idmap_slot *s = &m->slots[*pos];

		*pos = (*pos + 1) & m->mask;
		if (s->id == 0)
			return IDMAP_NONE;
		if (s->hash == hash)
			return s->id - 1;
	}
}

/* The first candidate id stored under hash, or IDMAP_NONE. */
static inline uint32_t
idmap_first(const struct idmap *m, uint32_t hash, uint32_t *pos)
{
	if (m->slots == NULL)
		return IDMAP_NONE;
	*pos = hash & m->mask;
	return idmap_next(m, hash, pos);
}

#endif
