/* A stable sort with a context pointer (qsort has neither), and the
 * natural order of names. */
#ifndef SORT_H
#define SORT_H

#include <stddef.h>
#include <stdint.h>

typedef int (*sort_cmp_fn)(const void *a, const void *b, void *ctx);

/* Sort n elements of size bytes at base, stably (merge sort). */
void sort_stable(void *base, size_t n, size_t size, sort_cmp_fn cmp, void *ctx);

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
