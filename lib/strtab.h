/*
 * Interned byte strings, referred to by 32-bit id (Lua's lstring.c). Id 0 is
 * the empty string, as in pprof's string table. Strings may hold any bytes,
 * NUL included: compare by length and bytes.
 */
#ifndef STRTAB_H
#define STRTAB_H

#include <stddef.h>
#include <stdint.h>

#include "lib/arena.h"
#include "lib/idmap.h"

typedef uint32_t strid;

/* Longest string kept; longer input is cut to this length by the caller. */
#define STRTAB_MAX_LEN (1u << 20)

/* In len[id]: the bytes are followed by their text for a terminal
 * (lib/textsafe.h), after their NUL. */
#define STRTAB_ESCAPED 0x80000000u

struct strtab {
	struct arena mem;
	const char **ptr; /* id -> bytes, NUL-terminated copy */
	uint32_t *len;	  /* id -> length, | STRTAB_ESCAPED */
	size_t n, cap;
	struct idmap index;
};

void strtab_init(struct strtab *t);
void strtab_release(struct strtab *t);

/* The id of the string (len <= STRTAB_MAX_LEN), adding it when new. */
strid strtab_intern(struct strtab *t, const void *bytes, size_t len);

/* Like strtab_intern, for a NUL-terminated string. */
strid strtab_intern_cstr(struct strtab *t, const char *s);

/* The id of the string if interned, else -1. */
int64_t strtab_find(const struct strtab *t, const void *bytes, size_t len);

/* Borrowed bytes of id, NUL-terminated; valid until strtab_release(). */
static inline const char *
strtab_str(const struct strtab *t, strid id)
{
	return t->ptr[id];
}

static inline uint32_t
strtab_len(const struct strtab *t, strid id)
{
	return t->len[id] & ~STRTAB_ESCAPED;
}

/* The string as the text output shows it: itself, or escaped where it has
 * control characters or bytes that are not UTF-8 (made once, when it was
 * interned). NUL-terminated, borrowed like strtab_str(). */
static inline const char *
strtab_shown(const struct strtab *t, strid id)
{
	return (t->len[id] & STRTAB_ESCAPED)
		       ? t->ptr[id] + (t->len[id] & ~STRTAB_ESCAPED) + 1
		       : t->ptr[id];
}

/* Compare two interned strings by content: <0, 0, >0 (memcmp order). */
int strtab_cmp(const struct strtab *t, strid a, strid b);

/*
 * Sort the n distinct ids at ids by their strings, in strtab_cmp's order.
 * Multikey quicksort: each byte that tells strings apart is looked at a few
 * times, not once per comparison of a long shared prefix (package paths),
 * so sorting costs about the bytes that distinguish the strings.
 */
void strtab_sort(const struct strtab *t, strid *ids, size_t n);

#endif
