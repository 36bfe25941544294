/* Allocation wrappers that abort on exhaustion. */
#define _DEFAULT_SOURCE /* madvise's MADV_HUGEPAGE */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "lib/xalloc.h"
#include "lib/banned.h"

void
xalloc_die(const char *what, size_t size)
{
	fprintf(stderr, "goroscope: out of memory (%s of %zu bytes)\n", what,
		size);
	exit(1);
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		xalloc_die("malloc", size);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		xalloc_die("calloc", nmemb * size);
	return p;
}

/*
 * Ask for transparent huge pages under a large block: showing 60,000
 * groups took a page fault per 4 KiB of its arrays, a fifth of its time.
 * A hint only. The advice covers every page of the block, so that the
 * mapping malloc gave it stays one piece that realloc can still move
 * (mremap refuses a mapping split by advice).
 */
static void
advise_huge(void *p, size_t size)
{
#ifdef MADV_HUGEPAGE
	uintptr_t page = 4096;
	uintptr_t lo = (uintptr_t)p & ~(page - 1);
	uintptr_t hi = ((uintptr_t)p + size + page - 1) & ~(page - 1);

	(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
	(void)p;
	(void)size;
#endif
}

void
xalloc_setup(void)
{
#if defined(__GLIBC__) && defined(MADV_HUGEPAGE)
	char *p = NULL, *end = NULL;
	uintptr_t page = 4096, lo;

	/* Blocks under 32 MiB from the heap, which grows in steps of
	 * XALLOC_HEAP_PAD and never shrinks: freed memory is used again
	 * instead of mapped afresh. */
	if (mallopt(M_MMAP_THRESHOLD, 32 << 20) == 0 ||
	    mallopt(M_TRIM_THRESHOLD, INT32_MAX) == 0 ||
	    mallopt(M_TOP_PAD, XALLOC_HEAP_PAD) == 0)
		return;
	/* A block larger than what the heap has left, so that the heap
	 * takes its first step now (the libraries loaded before main may
	 * have started it with a few pages, which malloc(1) would reuse
	 * and leave the step unadvised). */
	p = malloc(XALLOC_HUGE);
	end = sbrk(0);
	if (p == NULL || end == (void *)-1 || end <= p) {
		free(p);
		return;
	}
	/* The heap's first step, advised as a whole. */
	lo = (uintptr_t)p & ~(page - 1);
	(void)madvise((void *)lo, (uintptr_t)end - lo, MADV_HUGEPAGE);
	free(p);
#endif
}

void *
xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
		xalloc_die("realloc", size);
	if (size >= 2 * XALLOC_HUGE)
		advise_huge(p, size);
	return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		xalloc_die("reallocarray (overflow)", SIZE_MAX);
	return xrealloc(ptr, nmemb * size);
}

void *
xtry_reallocarray(void *ptr, size_t nmemb, size_t size)
{
	void *p = NULL;
	size_t bytes;

	if (size != 0 && nmemb > SIZE_MAX / size)
		return NULL;
	bytes = nmemb * size;
	p = realloc(ptr, bytes ? bytes : 1);
	if (p != NULL && bytes >= 2 * XALLOC_HUGE)
		advise_huge(p, bytes);
	return p;
}

char *
xstrdup(const char *s)
{
	return xmemdup(s, strlen(s));
}

char *
xmemdup(const void *p, size_t len)
{
	char *s = NULL;

	if (len == SIZE_MAX)
		xalloc_die("memdup (overflow)", len);
	s = xmalloc(len + 1);
	if (len)
		memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

void *
xgrow(void *p, size_t size, size_t need, size_t *cap)
{
	size_t n = *cap;

	if (need <= n)
		return p;
	n = n < 8 ? 8 : n;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			xalloc_die("grow (overflow)", SIZE_MAX);
		n *= 2;
	}
	p = xreallocarray(p, n, size);
	*cap = n;
	return p;
}

void *
xgrow_zero(void *p, size_t size, size_t need, size_t *cap)
{
	size_t old = *cap;

	p = xgrow(p, size, need, cap);
	if (*cap > old)
		memset((char *)p + old * size, 0, (*cap - old) * size);
	return p;
}
