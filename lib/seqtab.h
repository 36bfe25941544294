/*
 * Interned sequences of 32-bit ids: stacks (frame ids, innermost first) and
 * label sets (key, value string-id pairs). Id 0 is the empty sequence.
 */
#ifndef SEQTAB_H
#define SEQTAB_H

#include <stddef.h>
#include <stdint.h>

#include "lib/hash.h"
#include "lib/idmap.h"

typedef uint32_t seqid;

/* Longest sequence kept (frames per stack, ids per label set). */
#define SEQTAB_MAX_LEN 65536u

struct seqtab {
	uint32_t *items; /* all sequences back to back */
	size_t nitems, capitems;
	size_t *off;   /* id -> first item */
	uint32_t *len; /* id -> number of items */
	size_t n, cap;
	struct idmap index;
};

void seqtab_init(struct seqtab *t);
void seqtab_release(struct seqtab *t);

/* Make room for n more sequences of nitems items in all (a hint: a reader
 * that knows how many are coming spares the table its regrowing). */
void seqtab_reserve(struct seqtab *t, size_t n, size_t nitems);

/* The id of v[0..n) (n <= SEQTAB_MAX_LEN), adding it when new. */
seqid seqtab_intern(struct seqtab *t, const uint32_t *v, uint32_t n);

/* The id of v[0..n) given its hash from seqtab_hash(), adding it when new. */
seqid seqtab_intern_hashed(struct seqtab *t, const uint32_t *v, uint32_t n,
			   uint64_t hash);

/* The running hash seqtab_intern uses: fold each item in order. */
#define SEQTAB_HASH_INIT 0x6a09e667f3bcc909ULL
uint64_t seqtab_hash(const uint32_t *v, uint32_t n);

/* A hint to bring the index slot of a sequence of this hash into the
 * cache: a reader that interns many new sequences at once calls it a few
 * sequences ahead, as the slots are far apart. */
static inline void
seqtab_prefetch(const struct seqtab *t, uint64_t hash)
{
	if (t->index.slots != NULL)
		__builtin_prefetch(
			&t->index.slots[hash_fold(hash) & t->index.mask]);
}

/* Borrowed items of id; valid until the next intern or release. */
static inline const uint32_t *
seqtab_items(const struct seqtab *t, seqid id, uint32_t *n)
{
	*n = t->len[id];
	/* No items at all yet: no pointer arithmetic on NULL. */
	return t->items ? t->items + t->off[id] : t->items;
}

#endif
