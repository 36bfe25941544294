/* String interning: arena-held copies indexed by an idmap. */
#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"
#include "lib/strtab.h"
#include "lib/textsafe.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

void
strtab_init(struct strtab *t)
{
	memset(t, 0, sizeof(*t));
	arena_init(&t->mem);
	idmap_init(&t->index);
	(void)strtab_intern(t, "", 0);
}

void
strtab_release(struct strtab *t)
{
	arena_release(&t->mem);
	idmap_release(&t->index);
	free(t->ptr);
	free(t->len);
	memset(t, 0, sizeof(*t));
}

static uint32_t
lookup(const struct strtab *t, const void *bytes, size_t len, uint32_t h)
{
	uint32_t pos = 0, id;

	for (id = idmap_first(&t->index, h, &pos); id != IDMAP_NONE;
	     id = idmap_next(&t->index, h, &pos))
		if (strtab_len(t, id) == len &&
		    (len == 0 || memcmp(t->ptr[id], bytes, len) == 0))
			return id;
	return IDMAP_NONE;
}

strid
strtab_intern(struct strtab *t, const void *bytes, size_t len)
{
	uint32_t h, id;
	size_t cap = t->cap;

	if (len > STRTAB_MAX_LEN)
		len = STRTAB_MAX_LEN;
	h = hash_fold(hash_bytes(bytes, len, HASH_SEED));
	id = lookup(t, bytes, len, h);
	if (id != IDMAP_NONE)
		return id;
	if (t->n >= UINT32_MAX - 1)
		xalloc_die("string table (too many strings)", t->n);
	t->ptr = xgrow(t->ptr, sizeof(*t->ptr), t->n + 1, &cap);
	if (cap != t->cap) {
		t->len = xreallocarray(t->len, cap, sizeof(*t->len));
		t->cap = cap;
	}
	id = (uint32_t)t->n++;
	if (text_plain(bytes, len)) {
		t->ptr[id] = arena_memdup(&t->mem, bytes, len);
		t->len[id] = (uint32_t)len;
	} else {
		/* The bytes, then their text for a terminal. */
		char *p = arena_alloc(&t->mem, len + 1 + 4 * len + 1);

		memcpy(p, bytes, len);
		p[len] = '\0';
		text_escape(bytes, len, p + len + 1);
		t->ptr[id] = p;
		t->len[id] = (uint32_t)len | STRTAB_ESCAPED;
	}
	idmap_insert(&t->index, h, id);
	return id;
}

strid
strtab_intern_cstr(struct strtab *t, const char *s)
{
	return strtab_intern(t, s, strlen(s));
}

int64_t
strtab_find(const struct strtab *t, const void *bytes, size_t len)
{
	uint32_t h, id;

	if (len > STRTAB_MAX_LEN)
		return -1;
	h = hash_fold(hash_bytes(bytes, len, HASH_SEED));
	id = lookup(t, bytes, len, h);
	return id == IDMAP_NONE ? -1 : (int64_t)id;
}

int
strtab_cmp(const struct strtab *t, strid a, strid b)
{
	uint32_t la = strtab_len(t, a), lb = strtab_len(t, b);
	int c;

	if (a == b)
		return 0;
	c = memcmp(t->ptr[a], t->ptr[b], la < lb ? la : lb);
	if (c)
		return c;
	return la < lb ? -1 : la > lb;
}
