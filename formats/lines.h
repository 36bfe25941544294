/*
 * Line iteration over an input buffer, shared by the text readers: lines end
 * at '\n' with an optional '\r' before it, and are never NUL-terminated.
 */
#ifndef LINES_H
#define LINES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__)
#include <emmintrin.h>
#endif

struct line {
	const char *p;
	size_t n;
};

struct lines {
	const char *cur, *end;
	uint64_t lineno;  /* number of the line last read, 1-based */
	int unterminated; /* that line had no '\n' (end of input) */
	size_t max;	  /* lines longer than this are cut to it */
	/* The '\n's of the 64 bytes at blk, a bit each (see lines_nl):
	 * readers may move cur back (or on) themselves. */
	uintptr_t blk;
	uint64_t nl;
};

static inline void
lines_init(struct lines *l, const void *buf, size_t len, size_t max)
{
	l->cur = buf;
	l->end = l->cur + len;
	l->lineno = 0;
	l->unterminated = 0;
	l->max = max;
	l->blk = UINTPTR_MAX - 64; /* no block yet: cur is never in it */
	l->nl = 0;
}

#if defined(__x86_64__)
/* A bit for each '\n' of p[0..64). */
static inline uint64_t
lines_mask64(const char *p)
{
	const __m128i nl = _mm_set1_epi8('\n');
	uint64_t a = (uint32_t)_mm_movemask_epi8(
		_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)p), nl));
	uint64_t b = (uint32_t)_mm_movemask_epi8(
		_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), nl));
	uint64_t c = (uint32_t)_mm_movemask_epi8(
		_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), nl));
	uint64_t d = (uint32_t)_mm_movemask_epi8(
		_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), nl));

	return a | b << 16 | c << 32 | d << 48;
}
#endif

/*
 * The first '\n' at or after l->cur, or NULL. Lines of a dump are short
 * (some 50 bytes): one compare of 64 bytes serves a line or two, where a
 * call of memchr per line cost as much as the rest of the line's reading.
 * The last 63 bytes of the input are left to memchr, never read past.
 */
static inline const char *
lines_nl(struct lines *l)
{
#if defined(__x86_64__)
	const char *p = l->cur;

	for (;;) {
		uintptr_t off = (uintptr_t)p - l->blk;

		if (off < 64) {
			uint64_t m = l->nl >> off;

			if (m != 0)
				return p + __builtin_ctzll(m);
			p = (const char *)(l->blk + 64);
		}
		if (l->end - p < 64)
			return memchr(p, '\n', (size_t)(l->end - p));
		l->blk = (uintptr_t)p;
		l->nl = lines_mask64(p);
	}
#else
	return memchr(l->cur, '\n', (size_t)(l->end - l->cur));
#endif
}

/* The next line into *ln; 0 at the end of the input. */
static inline int
lines_next(struct lines *l, struct line *ln)
{
	const char *nl = NULL;

	if (l->cur >= l->end)
		return 0;
	nl = lines_nl(l);
	ln->p = l->cur;
	if (nl) {
		ln->n = (size_t)(nl - l->cur);
		l->cur = nl + 1;
		l->unterminated = 0;
	} else {
		ln->n = (size_t)(l->end - l->cur);
		l->cur = l->end;
		l->unterminated = 1;
	}
	if (ln->n > 0 && ln->p[ln->n - 1] == '\r')
		ln->n--;
	if (ln->n > l->max)
		ln->n = l->max;
	l->lineno++;
	return 1;
}

static inline int
line_starts(const struct line *ln, const char *lit, size_t litlen)
{
	return ln->n >= litlen && memcmp(ln->p, lit, litlen) == 0;
}

#define LINE_STARTS(ln, lit) line_starts((ln), (lit), sizeof(lit) - 1)

/* Parse decimal digits at p[0..n) into *v; returns the number of digits,
 * 0 when there are none or more than 19 (which could overflow 64 bits). */
static inline size_t
parse_u64(const char *p, size_t n, uint64_t *v)
{
	size_t i = 0;
	uint64_t x = 0;

	while (i < n && p[i] >= '0' && p[i] <= '9') {
		if (i == 19)
			return 0;
		x = x * 10 + (uint64_t)(p[i] - '0');
		i++;
	}
	*v = x;
	return i;
}

#endif
