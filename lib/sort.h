/* A stable sort with a context pointer (qsort has neither), and the
 * natural order of names. */
#ifndef SORT_H
#define SORT_H

#include <stddef.h>
#include <stdint.h>

typedef int (*sort_cmp_fn)(const void *a, const void *b, void *ctx);

/* Sort n elements of size bytes at base, stably (merge sort). */
void sort_stable(void *base, size_t n, size_t size, sort_cmp_fn cmp, void *ctx);

/* Whether a comes before b. */
typedef int (*sort_less_fn)(const void *a, const void *b, const void *ctx);

/*
 * sort_stable()'s merges, from sorted runs of width elements on: n
 * elements of size bytes at a, with tmp as large; the sorted elements end
 * in a. Inlined where less and size are constants, so that the
 * comparison and the moves are too (a sort's calls can take most of its
 * time): the same comparisons as sort_stable() in the same order, so the
 * same result even for a comparison that is not transitive.
 */
static inline __attribute__((always_inline)) void
sort_merge_runs(void *a, void *tmp, size_t n, size_t width, size_t size,
		sort_less_fn less, const void *ctx)
{
	char *src = (char *)a, *dst = (char *)tmp;

	for (; width < n; width *= 2) {
		char *t = src;
		size_t lo;

		for (lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;

			while (i < mid && j < hi) {
				if (less(src + j * size, src + i * size, ctx))
					__builtin_memcpy(dst + k++ * size,
							 src + j++ * size,
							 size);
				else
					__builtin_memcpy(dst + k++ * size,
							 src + i++ * size,
							 size);
			}
			__builtin_memcpy(dst + k * size, src + i * size,
					 (mid - i) * size);
			k += mid - i;
			__builtin_memcpy(dst + k * size, src + j * size,
					 (hi - j) * size);
		}
		src = dst;
		dst = t;
	}
	if (src != (char *)a)
		__builtin_memcpy(a, src, n * size);
}

/*
 * Sort n 64-bit keys, none of which has bits at or above bit hi, ascending
 * by their bits from lo up; the bits below lo ride along (a payload), and
 * keys equal from lo up keep their order. LSD radix sort, a pass per 11
 * bits: sorting by values packed into a key costs a few passes over the
 * keys, whatever their number.
 */
void sort_u64(uint64_t *v, size_t n, unsigned lo, unsigned hi);

/*
 * Compare two strings in natural order ("dump-2" before "dump-10"): runs of
 * digits by their value, the rest byte by byte; a total order.
 */
int sort_natural_cmp(const char *a, const char *b);

#endif
