/*
 * Allocation that never returns NULL: running out of memory is fatal, as in
 * tmux (exit status 1, with a message). Sizes that come from input must be
 * bounded by the caller first; the largest use xtry_reallocarray.
 */
#ifndef XALLOC_H
#define XALLOC_H

#include <stddef.h>

/* Each returns memory owned by the caller (free() it); abort on failure. */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);

/*
 * The same, for an array whose size comes from input after its bound was
 * checked: NULL (ptr untouched) when memory runs out, for the caller to
 * say which input asked for it.
 */
void *xtry_reallocarray(void *ptr, size_t nmemb, size_t size);

/*
 * Set the allocator up for a short run over large tables, once, before
 * anything is allocated: on glibc, blocks come from a heap that grows in
 * steps of XALLOC_HEAP_PAD, keeps what is freed, and whose first step
 * is advised to use transparent huge pages. Touching a fresh 4 KiB page
 * costs about 1.7 us on the machines measured (2.4 GB/s), a huge page
 * about a quarter of that per byte, and showing 60,000 groups touches
 * 40 MB.
 */
void xalloc_setup(void);
#define XALLOC_HEAP_PAD (256 << 20)

/* Blocks of at least twice this are advised to use huge pages. */
#define XALLOC_HUGE ((uintptr_t)2 << 20)
char *xstrdup(const char *s);
char *xmemdup(const void *p, size_t len); /* adds a NUL after len bytes */

/*
 * Make room for at least `need` elements of `size` bytes in the array `p`
 * whose capacity is *cap; returns the (possibly moved) array.
 */
void *xgrow(void *p, size_t size, size_t need, size_t *cap);

/* xgrow, with the new elements zeroed (for arrays indexed by id). */
void *xgrow_zero(void *p, size_t size, size_t need, size_t *cap);

/* Called on overflow or exhaustion: prints a message and exits with
 * status 1 (an output under way is removed by its own handler). */
void xalloc_die(const char *what, size_t size);

#endif
