/* Hash functions for the interning tables and for stable group ids. */
#include <string.h>

#include "lib/hash.h"
#include "lib/banned.h"

static inline uint64_t
load64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t
mulfold(uint64_t a, uint64_t b)
{
	/* 64x64 -> 128 multiply, folded: the wyhash mixing step. */
	__extension__ typedef unsigned __int128 u128;
	u128 r = (u128)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

uint64_t
hash_bytes(const void *p, size_t len, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15ULL);
	size_t i = 0;
	uint64_t tail = 0;

	for (; i + 16 <= len; i += 16)
		h = mulfold(load64(s + i) ^ 0xa0761d6478bd642fULL ^ h,
			    load64(s + i + 8) ^ 0xe7037ed1a0b428dbULL);
	if (i + 8 <= len) {
		h = mulfold(load64(s + i) ^ 0x8ebc6af09c88c6e3ULL,
			    h ^ 0x589965cc75374cc3ULL);
		i += 8;
	}
	if (i < len) {
		memcpy(&tail, s + i, len - i);
		h = mulfold(tail ^ 0x1d8e4e27c47d124fULL,
			    h ^ 0xa0761d6478bd642fULL);
	}
	return mulfold(h ^ 0xe7037ed1a0b428dbULL, len ^ 0x8ebc6af09c88c6e3ULL);
}

uint64_t
hash_stable(uint64_t h, const void *p, size_t len)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= s[i];
		h *= HASH_STABLE_PRIME;
	}
	return h;
}
