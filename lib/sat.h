/*
 * Saturating counts: a count of goroutines comes from input (a pprof
 * sample's value, a debug=1 record's count, a .gsnap weight), and a sum of
 * them stops at INT64_MAX instead of overflowing (DESIGN.md section 6).
 */
#ifndef SAT_H
#define SAT_H

#include <stdint.h>

/* a + b, both >= 0, at most INT64_MAX. */
static inline int64_t
sat_add(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

#endif
