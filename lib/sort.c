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
