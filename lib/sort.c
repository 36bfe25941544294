/* Bottom-up merge sort over bytes: stable, O(n log n), one scratch buffer. */
#include <stdlib.h>
#include <string.h>

#include "lib/sort.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

void
sort_stable(void *base, size_t n, size_t size, sort_cmp_fn cmp, void *ctx)
{
	char *a = base, *tmp = NULL, *src = NULL, *dst = NULL;
	size_t width;

	if (n < 2)
		return;
	tmp = xreallocarray(NULL, n, size);
	src = a;
	dst = tmp;
	for (width = 1; width < n; width *= 2) {
		size_t lo;

		for (lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;

			while (i < mid && j < hi) {
				if (cmp(src + j * size, src + i * size, ctx) <
				    0)
					memcpy(dst + k++ * size,
					       src + j++ * size, size);
				else
					memcpy(dst + k++ * size,
					       src + i++ * size, size);
			}
			if (i < mid)
				memcpy(dst + k * size, src + i * size,
				       (mid - i) * size),
					k += mid - i;
			if (j < hi)
				memcpy(dst + k * size, src + j * size,
				       (hi - j) * size);
		}
		{
			char *t = src;

			src = dst;
			dst = t;
		}
	}
	if (src != a)
		memcpy(a, src, n * size);
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
