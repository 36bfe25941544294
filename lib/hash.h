/*
 * Hashing. hash_bytes() is fast and only for in-memory tables; hash_stable()
 * is FNV-1a, byte by byte, the same on every machine and in every run, and is
 * what group ids are made of.
 */
#ifndef HASH_H
#define HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_SEED 0x243f6a8885a308d3ULL

/* Hash len bytes at p, continuing from seed. Not stable across versions. */
uint64_t hash_bytes(const void *p, size_t len, uint64_t seed);

/* FNV-1a 64 over len bytes, continuing from h (start with HASH_STABLE_INIT). */
#define HASH_STABLE_INIT  0xcbf29ce484222325ULL
#define HASH_STABLE_PRIME 0x100000001b3ULL
uint64_t hash_stable(uint64_t h, const void *p, size_t len);

/* Mix one 64-bit value into a running hash. */
static inline uint64_t
hash_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

/* Fold a 64-bit hash to the 32 bits the tables keep. */
static inline uint32_t
hash_fold(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	return (uint32_t)h;
}

#endif
