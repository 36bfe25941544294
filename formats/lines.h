/*
 * Line iteration over an input buffer, shared by the text readers: lines end
 * at '\n' with an optional '\r' before it, and are never NUL-terminated.
 */
#ifndef LINES_H
#define LINES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct line {
	const char *p;
	size_t n;
};

struct lines {
	const char *cur, *end;
	uint64_t lineno;  /* number of the line last read, 1-based */
	int unterminated; /* that line had no '\n' (end of input) */
	size_t max;	  /* lines longer than this are cut to it */
};

static inline void
lines_init(struct lines *l, const void *buf, size_t len, size_t max)
{
	l->cur = buf;
	l->end = l->cur + len;
	l->lineno = 0;
	l->unterminated = 0;
	l->max = max;
}

/* The next line into *ln; 0 at the end of the input. */
static inline int
lines_next(struct lines *l, struct line *ln)
{
	const char *nl = NULL;

	if (l->cur >= l->end)
		return 0;
	nl = memchr(l->cur, '\n', (size_t)(l->end - l->cur));
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
