/* Linear probing with backward-shift removal (no tombstones). */
#include <stdlib.h>
#include <string.h>

#include "lib/u64map.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

void
u64map_init(struct u64map *m)
{
	memset(m, 0, sizeof(*m));
}

void
u64map_release(struct u64map *m)
{
	free(m->direct);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

void
u64map_clear(struct u64map *m)
{
	if (m->direct)
		memset(m->direct, 0, m->dcap * sizeof(*m->direct));
	if (m->slots)
		memset(m->slots, 0, (m->mask + 1) * sizeof(*m->slots));
	m->count = 0;
}

static size_t
slot_of(uint64_t key, size_t mask)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return (size_t)key & mask;
}

uint32_t
u64map_get_hashed(const struct u64map *m, uint64_t key)
{
	size_t i;

	if (m->slots == NULL)
		return U64MAP_NONE;
	for (i = slot_of(key, m->mask);; i = (i + 1) & m->mask) {
		const struct u64map_slot *s = &m->slots[i];

		if (s->value == 0)
			return U64MAP_NONE;
		if (s->key == key)
			return s->value - 1;
	}
}

static void
put_slot(struct u64map_slot *slots, size_t mask, uint64_t key, uint32_t v1)
{
	size_t i;

	for (i = slot_of(key, mask);; i = (i + 1) & mask) {
		if (slots[i].value == 0 || slots[i].key == key) {
			slots[i].key = key;
			slots[i].value = v1;
			return;
		}
	}
}

static void
grow(struct u64map *m)
{
	size_t cap = m->slots ? (m->mask + 1) * 2 : 64, i;
	struct u64map_slot *slots = xcalloc(cap, sizeof(*slots));

	for (i = 0; m->slots && i <= m->mask; i++)
		if (m->slots[i].value)
			put_slot(slots, cap - 1, m->slots[i].key,
				 m->slots[i].value);
	free(m->slots);
	m->slots = slots;
	m->mask = cap - 1;
}

void
u64map_put(struct u64map *m, uint64_t key, uint32_t value)
{
	size_t i;

	if (key < U64MAP_DIRECT_MAX) {
		if (key >= m->dcap) {
			size_t cap = m->dcap ? m->dcap : 256;

			while (cap <= key)
				cap *= 2;
			m->direct = xreallocarray(m->direct, cap,
						  sizeof(*m->direct));
			memset(m->direct + m->dcap, 0,
			       (cap - m->dcap) * sizeof(*m->direct));
			m->dcap = cap;
		}
		if (m->direct[key] == 0)
			m->count++;
		m->direct[key] = value + 1;
		return;
	}
	if (m->slots == NULL || (m->count + 1) * 4 > (m->mask + 1) * 3)
		grow(m);
	for (i = slot_of(key, m->mask);; i = (i + 1) & m->mask) {
		struct u64map_slot *s = &m->slots[i];

		if (s->value == 0) {
			s->key = key;
			s->value = value + 1;
			m->count++;
			return;
		}
		if (s->key == key) {
			s->value = value + 1;
			return;
		}
	}
}

uint32_t
u64map_remove(struct u64map *m, uint64_t key)
{
	size_t i, j;
	uint32_t v;

	if (key < U64MAP_DIRECT_MAX) {
		if (key >= m->dcap || m->direct[key] == 0)
			return U64MAP_NONE;
		v = m->direct[key] - 1;
		m->direct[key] = 0;
		m->count--;
		return v;
	}
	if (m->slots == NULL)
		return U64MAP_NONE;
	for (i = slot_of(key, m->mask);; i = (i + 1) & m->mask) {
		if (m->slots[i].value == 0)
			return U64MAP_NONE;
		if (m->slots[i].key == key)
			break;
	}
	v = m->slots[i].value - 1;
	/* Shift later members of the probe run back over the hole. */
	for (j = (i + 1) & m->mask; m->slots[j].value; j = (j + 1) & m->mask) {
		size_t home = slot_of(m->slots[j].key, m->mask);

		/* Move j to i unless its home lies cyclically in (i, j]. */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	m->slots[i].value = 0;
	m->count--;
	return v;
}
