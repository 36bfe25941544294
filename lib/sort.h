/* A stable sort with a context pointer (qsort has neither), and the
 * natural order of names. */
#ifndef SORT_H
#define SORT_H

#include <stddef.h>

typedef int (*sort_cmp_fn)(const void *a, const void *b, void *ctx);

/* Sort n elements of size bytes at base, stably (merge sort). */
void sort_stable(void *base, size_t n, size_t size, sort_cmp_fn cmp, void *ctx);

/*
 * Compare two strings in natural order ("dump-2" before "dump-10"): runs of
 * digits by their value, the rest byte by byte; a total order.
 */
int sort_natural_cmp(const char *a, const char *b);

#endif
