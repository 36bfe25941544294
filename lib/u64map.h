/*
 * A hash map from 64-bit keys to 32-bit values, with removal: goroutine ids,
 * thread ids and per-generation string and stack ids of execution traces,
 * which are arbitrary numbers read from input.
 */
#ifndef U64MAP_H
#define U64MAP_H

#include <stddef.h>
#include <stdint.h>

#define U64MAP_NONE UINT32_MAX

struct u64map_slot {
	uint64_t key;
	uint32_t value; /* value + 1; 0 marks an empty slot */
};

/* Keys below this live in a plain array: ids are mostly small and dense
 * (goroutine ids, a generation's string and stack ids). */
#define U64MAP_DIRECT_MAX (1u << 22)

struct u64map {
	struct u64map_slot *slots;
	size_t mask; /* capacity - 1; capacity is a power of two */
	size_t count;
	uint32_t *direct; /* key -> value + 1, 0: absent */
	size_t dcap;
};

void u64map_init(struct u64map *m);
void u64map_release(struct u64map *m);

/* Forget every key, keeping the memory. */
void u64map_clear(struct u64map *m);

uint32_t u64map_get_hashed(const struct u64map *m, uint64_t key);

/* The value of key, or U64MAP_NONE. */
static inline uint32_t
u64map_get(const struct u64map *m, uint64_t key)
{
	if (key < m->dcap)
		return m->direct[key] - 1; /* 0 - 1 is U64MAP_NONE */
	if (key < U64MAP_DIRECT_MAX)
		return U64MAP_NONE;
	return u64map_get_hashed(m, key);
}

/* Set key to value (value < U64MAP_NONE), replacing any old value. */
void u64map_put(struct u64map *m, uint64_t key, uint32_t value);

/* u64map_put(), inline when key is a small one already there. */
static inline void
u64map_set(struct u64map *m, uint64_t key, uint32_t value)
{
	if (key < m->dcap && m->direct[key] != 0)
		m->direct[key] = value + 1;
	else
		u64map_put(m, key, value);
}

/* Remove key; returns its value, or U64MAP_NONE when absent. */
uint32_t u64map_remove(struct u64map *m, uint64_t key);

#endif
