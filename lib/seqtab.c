/* Interning of id sequences (stacks, label sets). */
#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"
#include "lib/seqtab.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

void
seqtab_init(struct seqtab *t)
{
	memset(t, 0, sizeof(*t));
	idmap_init(&t->index);
	(void)seqtab_intern(t, NULL, 0);
}

void
seqtab_release(struct seqtab *t)
{
	free(t->items);
	free(t->off);
	free(t->len);
	idmap_release(&t->index);
	memset(t, 0, sizeof(*t));
}

void
seqtab_reserve(struct seqtab *t, size_t n, size_t nitems)
{
	size_t cap = t->cap;

	if (n == 0 || t->n + n < t->n)
		return;
	idmap_reserve(&t->index, t->n + n);
	t->off = xgrow(t->off, sizeof(*t->off), t->n + n, &cap);
	if (cap != t->cap) {
		t->len = xreallocarray(t->len, cap, sizeof(*t->len));
		t->cap = cap;
	}
	if (t->nitems + nitems >= t->nitems)
		t->items = xgrow(t->items, sizeof(*t->items),
				 t->nitems + nitems, &t->capitems);
}

uint64_t
seqtab_hash(const uint32_t *v, uint32_t n)
{
	uint64_t h = SEQTAB_HASH_INIT ^ n;
	uint32_t i;

	for (i = 0; i < n; i++)
		h = hash_mix(h, v[i]);
	return h;
}

seqid
seqtab_intern_hashed(struct seqtab *t, const uint32_t *v, uint32_t n,
		     uint64_t hash)
{
	uint32_t h = hash_fold(hash), pos = 0, id;
	size_t cap = t->cap;

	if (n > SEQTAB_MAX_LEN)
		n = SEQTAB_MAX_LEN;
	for (id = idmap_first(&t->index, h, &pos); id != IDMAP_NONE;
	     id = idmap_next(&t->index, h, &pos))
		if (t->len[id] == n &&
		    (n == 0 ||
		     memcmp(t->items + t->off[id], v, n * sizeof(*v)) == 0))
			return id;
	if (t->n >= UINT32_MAX - 1)
		xalloc_die("sequence table (too many entries)", t->n);
	if (t->n + 1 > cap) {
		t->off = xgrow(t->off, sizeof(*t->off), t->n + 1, &cap);
		t->len = xreallocarray(t->len, cap, sizeof(*t->len));
		t->cap = cap;
	}
	if (t->nitems + n > t->capitems)
		t->items = xgrow(t->items, sizeof(*t->items), t->nitems + n,
				 &t->capitems);
	id = (uint32_t)t->n++;
	t->off[id] = t->nitems;
	t->len[id] = n;
	if (n)
		memcpy(t->items + t->nitems, v, n * sizeof(*v));
	t->nitems += n;
	/* The probe above stopped at an empty slot (or found no table). */
	if (t->index.slots != NULL)
		idmap_insert_after_miss(&t->index, h, pos, id);
	else
		idmap_insert(&t->index, h, id);
	return id;
}

seqid
seqtab_intern(struct seqtab *t, const uint32_t *v, uint32_t n)
{
	if (n > SEQTAB_MAX_LEN)
		n = SEQTAB_MAX_LEN;
	return seqtab_intern_hashed(t, v, n, seqtab_hash(v, n));
}
