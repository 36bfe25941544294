/* A stable sort with a context pointer (qsort has neither). */
#ifndef SORT_H
#define SORT_H

#include <stddef.h>

typedef int (*sort_cmp_fn)(const void *a, const void *b, void *ctx);

/* Sort n elements of size bytes at base, stably (merge sort). */
void sort_stable(void *base, size_t n, size_t size, sort_cmp_fn cmp, void *ctx);

#endif
