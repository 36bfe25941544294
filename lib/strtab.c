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

/* A string as the sort sees it. */
struct sortstr {
	const unsigned char *p;
	size_t len;
	strid id;
};

/* The byte at depth d, plus 1; 0 past the end, which sorts a prefix first
 * as memcmp-then-length does. */
static inline int
byte_at(const struct sortstr *s, size_t d)
{
	return d < s->len ? s->p[d] + 1 : 0;
}

/* Insertion sort of strings that agree on their first d bytes. */
static void
sort_small(struct sortstr *v, size_t n, size_t d)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct sortstr x = v[i];

		for (j = i; j > 0; j--) {
			const struct sortstr *y = &v[j - 1];
			size_t m = (x.len < y->len ? x.len : y->len) - d;
			int c = memcmp(y->p + d, x.p + d, m);

			if (c < 0 || (c == 0 && y->len <= x.len))
				break;
			v[j] = v[j - 1];
		}
		v[j] = x;
	}
}

static void
swap(struct sortstr *a, struct sortstr *b)
{
	struct sortstr t = *a;

	*a = *b;
	*b = t;
}

/* A range still to sort: v[lo..lo+n), whose strings agree on d bytes. */
struct sortrange {
	size_t lo, n, d;
};

void
strtab_sort(const struct strtab *t, strid *ids, size_t n)
{
	struct sortstr *v = NULL;
	struct sortrange *stack = NULL, r;
	size_t i, depth = 0, cap = 0;

	if (n < 2)
		return;
	v = xreallocarray(NULL, n, sizeof(*v));
	for (i = 0; i < n; i++) {
		v[i].p = (const unsigned char *)t->ptr[ids[i]];
		v[i].len = strtab_len(t, ids[i]);
		v[i].id = ids[i];
	}
	stack = xgrow(stack, sizeof(*stack), 1, &cap);
	stack[depth++] = (struct sortrange){ 0, n, 0 };
	while (depth > 0) {
		r = stack[--depth];
		while (r.n > 1) {
			struct sortstr *a = v + r.lo;
			size_t lt = 0, gt = r.n, k = 0;
			int pivot;

			if (r.n < 16) {
				sort_small(a, r.n, r.d);
				break;
			}
			/* Bentley and Sedgewick's three-way partition on the
			 * byte at depth d, around the middle string's. */
			swap(&a[0], &a[r.n / 2]);
			pivot = byte_at(&a[0], r.d);
			for (k = 1; k < gt;) {
				int c = byte_at(&a[k], r.d);

				if (c < pivot)
					swap(&a[lt++], &a[k++]);
				else if (c > pivot)
					swap(&a[k], &a[--gt]);
				else
					k++;
			}
			/* a[0..lt) below, a[lt..gt) equal, a[gt..n) above. */
			stack = xgrow(stack, sizeof(*stack), depth + 2, &cap);
			if (lt > 1)
				stack[depth++] =
					(struct sortrange){ r.lo, lt, r.d };
			if (r.n - gt > 1)
				stack[depth++] =
					(struct sortrange){ r.lo + gt, r.n - gt,
							    r.d };
			if (pivot == 0)
				break; /* the equal ones end here: one string */
			r.lo += lt;
			r.n = gt - lt;
			r.d++;
		}
	}
	for (i = 0; i < n; i++)
		ids[i] = v[i].id;
	free(stack);
	free(v);
}
