/* Bottom-up merge sort over bytes: stable, O(n log n), one scratch buffer. */
#include <stdlib.h>
#include <string.h>

#include "lib/sort.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* sort_stable()'s comparison and its context, as sort_merge_runs()'s. */
struct cmp_less {
	sort_cmp_fn cmp;
	void *ctx;
};

static int
cmp_less(const void *a, const void *b, const void *ctx)
{
	const struct cmp_less *c = ctx;

	return c->cmp(a, b, c->ctx) < 0;
}

void
sort_stable(void *base, size_t n, size_t size, sort_cmp_fn cmp, void *ctx)
{
	struct cmp_less c = { cmp, ctx };
	char *tmp = NULL;

	if (n < 2)
		return;
	tmp = xreallocarray(NULL, n, size);
	sort_merge_runs(base, tmp, n, 1, size, cmp_less, &c);
	free(tmp);
}

#define RADIX_BITS 11u
#define RADIX	   (1u << RADIX_BITS)

void
sort_u64(uint64_t *v, size_t n, unsigned lo, unsigned hi)
{
	uint64_t *tmp = NULL, *src = v, *dst = NULL;
	size_t *count = NULL, i;
	unsigned shift;

	if (n < 2 || hi <= lo)
		return;
	tmp = xreallocarray(NULL, n, sizeof(*tmp));
	count = xreallocarray(NULL, RADIX, sizeof(*count));
	dst = tmp;
	for (shift = lo; shift < hi && shift < 64; shift += RADIX_BITS) {
		size_t sum = 0;

		memset(count, 0, RADIX * sizeof(*count));
		for (i = 0; i < n; i++)
			count[(src[i] >> shift) & (RADIX - 1)]++;
		for (i = 0; i < RADIX; i++) {
			size_t c = count[i];

			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & (RADIX - 1)]++] = src[i];
		{
			uint64_t *t = src;

			src = dst;
			dst = t;
		}
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
	free(count);
	free(tmp);
}

/* Length of the run of digits at s. */
static size_t
digits(const char *s)
{
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

int
sort_natural_cmp(const char *a, const char *b)
{
	const char *pa = a, *pb = b;

	while (*pa && *pb) {
		size_t da = digits(pa), db = digits(pb);

		if (da > 0 && db > 0) {
			const char *za = pa, *zb = pb;
			size_t la, lb;
			int c;

			/* By value: leading zeros off, then length, then
			 * digit by digit. */
			while (za < pa + da - 1 && *za == '0')
				za++;
			while (zb < pb + db - 1 && *zb == '0')
				zb++;
			la = da - (size_t)(za - pa);
			lb = db - (size_t)(zb - pb);
			if (la != lb)
				return la < lb ? -1 : 1;
			c = memcmp(za, zb, la);
			if (c != 0)
				return c < 0 ? -1 : 1;
			pa += da;
			pb += db;
			continue;
		}
		if (*pa != *pb)
			return (unsigned char)*pa < (unsigned char)*pb ? -1 : 1;
		pa++;
		pb++;
	}
	if (*pa || *pb)
		return *pa ? 1 : -1;
	/* Equal in value ("1" and "01"): the bytes decide. */
	return strcmp(a, b) < 0 ? -1 : strcmp(a, b) > 0;
}
